"""Crash consistency: the agent killed with SIGKILL at random moments loses nothing committed,
duplicates nothing, leaves no run `running`, and a replay afterwards completes the set."""
import datetime
import glob
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import time
import unittest

from Tests.system import livetools, support

KILLS = 50


def write_capture(path, count):
    """A capture of `count` distinct events with a forward-moving clock, from the household fixture."""
    with open(support.fixture("household-3000.log"), "rb") as handle:
        lines = [line.rstrip(b"\r\n") for line in handle]
    evt = re.compile(rb"Evt=\d+")
    clock = re.compile(rb"UTC Time: [^;]*")
    start = datetime.datetime(2020, 1, 1)
    with open(path, "wb") as out:
        for index in range(count):
            moment = start + datetime.timedelta(seconds=index)
            line = evt.sub(b"Evt=%d" % index, lines[index % len(lines)], count=1)
            line = clock.sub(f"UTC Time: {moment:%Y-%m-%d %H:%M:%S}".encode(), line, count=1)
            out.write(line + b"\n")


class KilledDuringReplay(unittest.TestCase):
    def setUp(self):
        self.data = support.DataDirectory()
        self.capture = os.path.join(self.data.path, "capture.log")
        write_capture(self.capture, 20_000)

    def tearDown(self):
        self.data.cleanup()

    def replay(self):
        return subprocess.Popen(
            [support.AGENT, "replay", "--data-dir", self.data.path, "--quiet", "--cluster-every", "5000",
             self.capture],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def check_consistent(self, connection):
        self.assertEqual(connection.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        total, distinct = connection.execute("SELECT count(*), count(DISTINCT line_hash) FROM events").fetchone()
        self.assertEqual(total, distinct, "an event is stored twice")
        self.assertEqual(connection.execute("PRAGMA foreign_key_check").fetchall(), [])

    def test_fifty_kills_lose_nothing_committed(self):
        rng = random.Random(20261203)
        # How long an uninterrupted replay takes here, to spread the kills over it.
        reference = support.DataDirectory()
        started = time.monotonic()
        support.run_agent("replay", "--data-dir", reference.path, "--quiet", "--cluster-every", "5000", self.capture)
        duration = time.monotonic() - started
        expected = {row[1] for row in livetools.committed(reference.database)}
        reference.cleanup()
        self.assertEqual(len(expected), 20_000)

        for kill in range(KILLS):
            process = self.replay()
            time.sleep(rng.uniform(0.0, duration * 1.2))
            seen = livetools.committed(self.data.database)
            process.send_signal(signal.SIGKILL)
            process.wait()
            process.stderr.close()
            after = livetools.committed(self.data.database)
            self.assertTrue(seen <= after, f"kill {kill}: {len(seen - after)} committed events vanished")
            connection = sqlite3.connect(self.data.database)
            try:
                self.check_consistent(connection)
            finally:
                connection.close()

        # A last replay runs to its end: it completes the set, and its start fails the runs the
        # killed agents left behind and runs them again.
        support.run_agent("replay", "--data-dir", self.data.path, "--quiet", "--cluster-every", "5000", self.capture)
        connection = sqlite3.connect(self.data.database)
        try:
            self.check_consistent(connection)
            stored = {row[0] for row in connection.execute("SELECT line_hash FROM events")}
            self.assertEqual(stored, expected)
            self.assertEqual(connection.execute("SELECT count(*) FROM cluster_runs WHERE status = 'running'").fetchone(), (0,))
            self.assertEqual(connection.execute("SELECT count(*) FROM rejected_lines").fetchone(), (0,))
            (latest,) = connection.execute(
                "SELECT max(events) FROM cluster_runs WHERE status = 'succeeded'").fetchone()
            self.assertEqual(latest, 20_000)
        finally:
            connection.close()
        for path in glob.glob(os.path.join(self.data.path, "reports", "**", "*.json"), recursive=True):
            with open(path) as handle:
                json.load(handle)
        leftovers = glob.glob(os.path.join(self.data.path, "reports", "**", ".*tmp*"), recursive=True)
        self.assertEqual(leftovers, [], "temporary report files left behind")


if __name__ == "__main__":
    unittest.main()
