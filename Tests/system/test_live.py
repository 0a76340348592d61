"""`energy-agent run` on pseudo-terminals: rows, termios, unplug and replug, a port in use,
SIGTERM, status.json against its schema, and a flood during a clustering run.

Drives the release binary (ENERGY_AGENT_BIN, else .build/release). Run with
`python3 -m unittest discover -s Tests/system -t .` or `make system-test`.
"""
import fcntl
import json
import os
import sqlite3
import sys
import termios
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livetools  # noqa: E402
from livetools import Agent, counts, sensor_lines, wait_for_rows  # noqa: E402

SLOW_CLUSTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "slow_cluster.py")


@unittest.skipUnless(os.access(livetools.agent_binary(), os.X_OK), "no release build of energy-agent")
class LivePtyTests(livetools.LiveTestCase):
    def link(self, target):
        """Points a symlink we control at `target`, replacing it atomically."""
        path = os.path.join(self.directory.name, "sensor")
        temporary = path + ".new"
        os.symlink(target, temporary)
        os.replace(temporary, path)
        return path

    def test_lines_become_rows_with_the_port_set_raw_at_115200(self):
        pty = self.pty()
        agent = self.start("--device", pty.path)
        self.assertTrue(agent.wait_for_log(r"adopted " + pty.path), agent.log())
        self.assertTrue(pty.wait_for_reader())

        attributes = termios.tcgetattr(pty.master)
        iflag, oflag, cflag, lflag, ispeed, ospeed, cc = attributes
        self.assertEqual((ispeed, ospeed), (termios.B115200, termios.B115200))
        self.assertEqual(cflag & termios.CSIZE, termios.CS8)
        self.assertTrue(cflag & termios.CLOCAL and cflag & termios.CREAD)
        self.assertFalse(cflag & (termios.PARENB | termios.CSTOPB | termios.CRTSCTS))
        self.assertFalse(lflag & (termios.ICANON | termios.ECHO | termios.ISIG | termios.IEXTEN))
        self.assertFalse(iflag & (termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR))
        self.assertFalse(oflag & termios.OPOST)

        lines = sensor_lines(200)
        pty.write(b"".join(line + b"\r\n" for line in lines))
        self.assertEqual(wait_for_rows(agent.database, 200), (200, 0))
        with sqlite3.connect(agent.database) as db:
            sources = db.execute("SELECT DISTINCT source, source_line FROM events").fetchall()
            codes = sorted(row[0] for row in db.execute("SELECT event_code FROM events"))
        self.assertEqual(sources, [(pty.path, None)])
        self.assertEqual(codes, list(range(200)))
        self.assertEqual(agent.stop(), 0)

    def test_a_line_is_committed_within_100_ms(self):
        pty = self.pty()
        agent = self.start("--device", pty.path)
        self.assertTrue(agent.wait_for_log(r"adopted "), agent.log())
        self.assertTrue(pty.wait_for_reader())
        with sqlite3.connect(agent.database, timeout=10) as db:
            for index, line in enumerate(sensor_lines(10)):
                sent = time.monotonic()
                pty.write(line + b"\n")
                while db.execute("SELECT count(*) FROM events").fetchone()[0] <= index:
                    self.assertLess(time.monotonic() - sent, 0.1, f"line {index} not committed within 100 ms")
                    time.sleep(0.002)
        self.assertEqual(agent.stop(), 0)

    def test_unplug_keeps_the_agent_running_and_a_new_pty_at_the_same_path_is_adopted(self):
        first = self.pty()
        path = self.link(first.path)
        agent = self.start("--device", path)
        self.assertTrue(agent.wait_for_log(r"adopted " + path), agent.log())
        self.assertTrue(first.wait_for_reader())
        first.write(b"".join(line + b"\n" for line in sensor_lines(20)))
        # An unfinished line at the unplug is kept, as a rejected line: nothing is lost.
        first.write(b"Device: ID=1; Fw=16071801; Ev")
        self.assertEqual(wait_for_rows(agent.database, 20), (20, 0))
        time.sleep(0.3)
        first.close()
        self.assertTrue(agent.wait_for_log(r"unplugged " + path), agent.log())
        self.assertEqual(wait_for_rows(agent.database, 21), (20, 1))
        time.sleep(1.5)
        self.assertIsNone(agent.process.poll(), "the agent exited after the unplug")

        second = self.pty()
        self.link(second.path)
        self.assertTrue(agent.wait_for_log(r"adopted " + path, count=2), agent.log())
        self.assertTrue(second.wait_for_reader())
        second.write(b"".join(line + b"\n" for line in sensor_lines(20, start=20)))
        self.assertEqual(wait_for_rows(agent.database, 41), (40, 1))
        with sqlite3.connect(agent.database) as db:
            reason = db.execute("SELECT reason FROM rejected_lines").fetchone()[0]
        self.assertIn("Device", reason)
        self.assertEqual(agent.stop(), 0)

    def test_a_port_in_use_is_reported_and_taken_once_free(self):
        pty = self.pty()
        holder = os.open(pty.path, os.O_RDWR | os.O_NOCTTY)
        fcntl.flock(holder, fcntl.LOCK_EX)
        agent = self.start("--device", pty.path)
        try:
            self.assertTrue(agent.wait_for_log(r"in use by another process"), agent.log())
            time.sleep(1.5)
            self.assertEqual(sum("in use" in line for line in agent.log()), 1, "reported more than once")
            self.assertIsNone(agent.process.poll())
        finally:
            os.close(holder)
        self.assertTrue(agent.wait_for_log(r"adopted " + pty.path), agent.log())
        self.assertEqual(agent.stop(), 0)

    def test_sigterm_commits_everything_and_writes_a_valid_status(self):
        pty = self.pty()
        agent = self.start("--device", pty.path)
        self.assertTrue(agent.wait_for_log(r"adopted "), agent.log())
        self.assertTrue(pty.wait_for_reader())
        lines = sensor_lines(1000)
        pty.write(b"".join(line + b"\n" for line in lines) + b"not a sensor line\n")
        # The agent has read everything once the master's queue is empty.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and termios.tcgetattr(pty.master) and _queued(pty.master):
            time.sleep(0.01)
        time.sleep(0.05)
        self.assertEqual(agent.stop(), 0, agent.log())
        self.assertEqual(counts(agent.database), (1000, 1))
        with open(agent.status_path) as handle:
            status = json.load(handle)
        self.assertEqual(livetools.status_errors(status), [])
        self.assertEqual(status["agent"]["state"], "stopped")
        self.assertEqual(status["totals"]["events"], 1000)
        self.assertEqual(status["totals"]["rejected_lines"], 1)
        (device,) = status["devices"]
        self.assertEqual((device["path"], device["events"], device["rejected_lines"]), (pty.path, 1000, 1))
        self.assertTrue(any(line.endswith("stopped: 1000 events stored, 0 duplicates, 1 lines rejected (line: 1)")
                            for line in agent.log()), agent.log())

    def test_status_is_rewritten_while_running_and_matches_the_schema(self):
        pty = self.pty()
        agent = self.start("--device", pty.path, "--device", os.path.join(self.directory.name, "absent"))
        self.assertTrue(agent.wait_for_log(r"adopted "), agent.log())
        self.assertTrue(pty.wait_for_reader())
        pty.write(b"".join(line + b"\n" for line in sensor_lines(5)))
        wait_for_rows(agent.database, 5)
        time.sleep(1.2)
        with open(agent.status_path) as handle:
            status = json.load(handle)
        self.assertEqual(livetools.status_errors(status), [])
        self.assertEqual(status["agent"]["state"], "running")
        states = {device["path"]: device["state"] for device in status["devices"]}
        self.assertEqual(states[pty.path], "adopted")
        self.assertEqual(states[os.path.join(self.directory.name, "absent")], "waiting")
        self.assertEqual(status["totals"]["events"], 5)
        self.assertEqual(agent.stop(), 0)

    def test_the_schema_checker_rejects_a_wrong_document(self):
        self.assertNotEqual(livetools.status_errors({"schema_version": 2}), [])

    def test_flood_during_a_clustering_run_loses_nothing(self):
        total = 100_000
        lines = sensor_lines(total)
        # Some lines are garbage, each different, to go to rejected_lines.
        for index in range(500, total, 1000):
            lines[index] = b"garbage line %d" % index
        pty = self.pty()
        agent = Agent(self.data, "--device", pty.path, "--cluster-every", "1000",
                      "--cluster-command", f"{sys.executable} {SLOW_CLUSTER} 2")
        self.agents.append(agent)
        self.assertTrue(agent.wait_for_log(r"adopted "), agent.log())
        self.assertTrue(pty.wait_for_reader())
        payload = b"".join(line + b"\n" for line in lines)
        writer = threading.Thread(target=pty.write, args=(payload,))
        started = time.monotonic()
        writer.start()
        self.assertTrue(agent.wait_for_log(r"clustering run \d+ started", seconds=30), agent.log())
        in_flight_during_flood = writer.is_alive()
        writer.join(120)
        elapsed = time.monotonic() - started
        self.assertEqual(wait_for_rows(agent.database, total, seconds=60), (total - 100, 100))
        self.assertEqual(agent.stop(timeout=60), 0, agent.log())
        self.assertEqual(counts(agent.database), (total - 100, 100))
        with sqlite3.connect(agent.database) as db:
            codes = {row[0] for row in db.execute("SELECT event_code FROM events")}
            runs = db.execute("SELECT count(*) FROM cluster_runs").fetchone()[0]
        self.assertEqual(codes, set(range(total)) - set(range(500, total, 1000)))
        self.assertGreaterEqual(runs, 1)
        self.assertTrue(in_flight_during_flood, "the flood ended before a clustering run started")
        print(f"\n  flood: {total} lines in {elapsed:.1f} s, {runs} clustering run(s)", file=sys.stderr)


def _queued(master):
    """Bytes written to the master that the slave's reader has not read yet."""
    import array
    buffer = array.array("i", [0])
    fcntl.ioctl(master, termios.TIOCOUTQ, buffer, True)
    return buffer[0]


if __name__ == "__main__":
    unittest.main()
