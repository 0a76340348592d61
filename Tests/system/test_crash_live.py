"""Crash consistency of the live agent: `energy-agent run` killed with SIGKILL at random moments
while lines stream into its pty and clustering runs are in flight loses nothing committed,
duplicates nothing, leaves no run `running` after the next start, and a replay of everything sent
completes the set."""
import glob
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livetools  # noqa: E402
from livetools import Agent, Pty, sensor_lines  # noqa: E402

KILLS = 50
SLOW_CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "slow_cluster.py")
CLUSTER = os.path.join(os.path.dirname(livetools.agent_binary()), "energy-cluster")


def children(pid):
    """The agent's child processes (clustering runs), to be killed with it as systemd would."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(word) for word in handle.read().split()]
    except OSError:
        return []


class Writer(threading.Thread):
    """Writes distinct sensor lines into the pty in small bursts until stopped; every line it
    starts to write is also appended to the capture, so that the capture holds all of them."""

    def __init__(self, pty, capture):
        super().__init__(daemon=True)
        self.pty = pty
        self.capture = capture
        self.stopped = threading.Event()
        self.sent = 0

    def run(self):
        with open(self.capture, "wb") as capture:
            while not self.stopped.is_set():
                burst = sensor_lines(40, start=self.sent)
                payload = b"".join(line + b"\n" for line in burst)
                capture.write(payload)
                capture.flush()
                self.sent += len(burst)
                try:
                    self.pty.write(payload)
                except OSError:
                    return
                time.sleep(0.04)


@unittest.skipUnless(os.access(livetools.agent_binary(), os.X_OK), "no release build of energy-agent")
class KilledDuringLiveIngestion(unittest.TestCase):
    def setUp(self):
        self.directory = livetools.temporary_directory()
        self.data = os.path.join(self.directory.name, "data")
        self.capture = os.path.join(self.directory.name, "sent.log")
        self.database = os.path.join(self.data, "energy.db")

    def tearDown(self):
        self.directory.cleanup()

    def check_consistent(self, context):
        connection = sqlite3.connect(self.database, timeout=10)
        try:
            self.assertEqual(connection.execute("PRAGMA integrity_check").fetchall(), [("ok",)], context)
            total, distinct = connection.execute(
                "SELECT count(*), count(DISTINCT line_hash) FROM events").fetchone()
            self.assertEqual(total, distinct, f"{context}: an event is stored twice")
            self.assertEqual(connection.execute("PRAGMA foreign_key_check").fetchall(), [], context)
            running = {row[0] for row in connection.execute("SELECT id FROM cluster_runs WHERE status = 'running'")}
        finally:
            connection.close()
        for path in glob.glob(os.path.join(self.data, "reports", "**", "*.json"), recursive=True):
            with open(path) as handle:
                json.load(handle)
        return running

    def test_fifty_kills_of_the_live_agent_lose_nothing_committed(self):
        rng = random.Random(20261204)
        pty = Pty()
        writer = Writer(pty, self.capture)
        started = time.monotonic()
        left_running = set()
        abandoned = 0
        kills = 0
        try:
            for kill in range(KILLS):
                # Half of the runs with the real program, half with one slow enough to be in flight.
                command = (f"{sys.executable} {SLOW_CLUSTER} {rng.uniform(0.2, 1.5):.2f}" if kill % 2
                           else CLUSTER)
                agent = Agent(self.data, "--device", pty.path, "--cluster-every", "500",
                              "--cluster-command", command)
                try:
                    self.assertTrue(agent.wait_for_log(r"running: ", seconds=20), agent.log())
                    # The runs the killed agent left `running` are failed as soon as the next one starts.
                    if left_running:
                        connection = sqlite3.connect(self.database, timeout=10)
                        try:
                            marks = dict(connection.execute(
                                "SELECT id, status || ': ' || coalesce(error, '') FROM cluster_runs WHERE id IN (%s)"
                                % ",".join("?" * len(left_running)), tuple(left_running)).fetchall())
                        finally:
                            connection.close()
                        for run in left_running:
                            self.assertEqual(marks[run], "failed: the agent stopped before the run finished",
                                             f"kill {kill}: run {run}")
                    if kill == 0:
                        self.assertTrue(pty.wait_for_reader())
                        writer.start()
                    time.sleep(rng.uniform(0.05, 0.9))
                    seen = livetools.committed(self.database)
                    helpers = children(agent.process.pid)
                    agent.process.send_signal(signal.SIGKILL)
                    agent.process.wait()
                    kills += 1
                    for pid in helpers:
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                finally:
                    agent.kill()
                after = livetools.committed(self.database)
                self.assertTrue(seen <= after, f"kill {kill}: {len(seen - after)} committed events vanished")
                left_running = self.check_consistent(f"kill {kill}")
                abandoned += len(left_running)
            # A last agent runs until it is stopped: the runs left are failed and asked for again.
            agent = Agent(self.data, "--device", pty.path, "--cluster-every", "500", "--cluster-command", CLUSTER)
            self.assertTrue(agent.wait_for_log(r"running: ", seconds=20), agent.log())
            writer.stopped.set()
            writer.join(10)
            time.sleep(1)
            self.assertEqual(agent.stop(timeout=60), 0, agent.log())
        finally:
            writer.stopped.set()
            pty.close()
        self.assertEqual(kills, KILLS)
        self.assertEqual(self.check_consistent("after the last agent"), set())

        # Replaying everything that was sent stores exactly what the live agents had not stored.
        before = livetools.committed(self.database)
        replay = subprocess.run(
            [livetools.agent_binary(), "replay", "--data-dir", self.data, "--quiet", "--cluster-every", "0",
             self.capture], capture_output=True, text=True, timeout=120)
        self.assertEqual(replay.returncode, 0, replay.stderr)
        after = livetools.committed(self.database)
        summary = re.search(r"(\d+) events stored, (\d+) duplicates", replay.stderr)
        self.assertEqual((int(summary[1]), int(summary[2])), (len(after) - len(before), len(before)), replay.stderr)
        self.assertTrue(before <= after)
        self.check_consistent("after the replay")

        reference = os.path.join(self.directory.name, "reference")
        subprocess.run([livetools.agent_binary(), "replay", "--data-dir", reference, "--quiet", "--cluster-every", "0",
                        self.capture], check=True, capture_output=True, timeout=120)
        expected = {row[1] for row in livetools.committed(os.path.join(reference, "energy.db"))}
        self.assertEqual({row[1] for row in after}, expected)
        self.assertEqual(len(expected), writer.sent)
        self.assertGreater(abandoned, 0, "no kill hit a clustering run in flight")
        print(f"\n  live crash: {kills} kills, {abandoned} with a clustering run in flight, "
              f"{writer.sent} lines sent, {len(before)} stored live, "
              f"{time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
