"""The live agent as a service sees it: sd_notify, several sensors, a silent port, a second signal."""
import os
import re
import signal
import socket
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livetools  # noqa: E402
from livetools import Agent, sensor_lines, wait_for_rows  # noqa: E402


class LiveServiceTests(livetools.LiveTestCase):
    def test_sd_notify_ready_watchdog_and_stopping(self):
        path = os.path.join(self.directory.name, "notify")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(path)
        listener.settimeout(10)
        try:
            environment = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="400000")
            environment.pop("WATCHDOG_PID", None)
            pty = self.pty()
            agent = self.start("--device", pty.path, env=environment)
            messages = []
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and sum(m.startswith("WATCHDOG=1") for m in messages) < 2:
                messages.append(listener.recv(4096).decode())
            self.assertEqual(messages[0].split("\n")[0], "READY=1", messages)
            self.assertGreaterEqual(sum(m.startswith("WATCHDOG=1") for m in messages), 2, messages)
            self.assertEqual(agent.stop(), 0)
            rest = []
            listener.settimeout(2)
            try:
                while True:
                    rest.append(listener.recv(4096).decode())
            except socket.timeout:
                pass
            self.assertTrue(any(m.startswith("STOPPING=1") for m in rest), rest)
        finally:
            listener.close()

    def test_two_sensors_are_read_each_on_its_own_into_one_store(self):
        first, second = self.pty(), self.pty()
        agent = self.start("--device", first.path, "--device", second.path)
        self.assertTrue(agent.wait_for_log(r"adopted " + re.escape(first.path)), agent.log())
        self.assertTrue(agent.wait_for_log(r"adopted " + re.escape(second.path)), agent.log())
        self.assertTrue(first.wait_for_reader() and second.wait_for_reader())
        lines = sensor_lines(300)
        device_two = [line.replace(b"Device: ID=1;", b"Device: ID=2;") for line in lines[150:]]
        self.assertTrue(all(b"ID=2;" in line for line in device_two))
        first.write(b"".join(line + b"\n" for line in lines[:150]))
        second.write(b"".join(line + b"\n" for line in device_two))
        self.assertEqual(wait_for_rows(agent.database, 300), (300, 0))
        with sqlite3.connect(agent.database) as db:
            rows = db.execute("SELECT device_id, source, count(*) FROM events GROUP BY 1, 2 ORDER BY 1").fetchall()
        self.assertEqual(rows, [(1, first.path, 150), (2, second.path, 150)])
        self.assertEqual(agent.stop(), 0)

    def test_a_silent_port_is_reopened_with_a_warning(self):
        pty = self.pty()
        agent = self.start("--device", pty.path, "--silence-timeout", "1")
        self.assertTrue(agent.wait_for_log(r"adopted " + re.escape(pty.path)), agent.log())
        self.assertTrue(agent.wait_for_log(r"warning: no data from " + re.escape(pty.path) + r" for 1 s; reopening it",
                                           seconds=10), agent.log())
        self.assertTrue(agent.wait_for_log(r"adopted " + re.escape(pty.path), count=2), agent.log())
        self.assertEqual(agent.stop(), 0)

    def test_a_second_signal_exits_at_once(self):
        pty = self.pty()
        # A clustering program that ignores SIGTERM: the first signal waits for it.
        stubborn = os.path.join(self.directory.name, "stubborn.sh")
        with open(stubborn, "w") as handle:
            handle.write("#!/bin/sh\ntrap '' TERM\ncat >/dev/null\nsleep 30\n")
        os.chmod(stubborn, 0o755)
        agent = Agent(self.data, "--device", pty.path, "--cluster-every", "100", "--cluster-command", stubborn)
        self.agents.append(agent)
        self.assertTrue(agent.wait_for_log(r"adopted "), agent.log())
        self.assertTrue(pty.wait_for_reader())
        pty.write(b"".join(line + b"\n" for line in sensor_lines(100)))
        self.assertTrue(agent.wait_for_log(r"clustering run \d+ started"), agent.log())
        agent.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        started = time.monotonic()
        agent.process.send_signal(signal.SIGTERM)
        status = agent.process.wait(10)
        self.assertLess(time.monotonic() - started, 3)
        self.assertEqual(status, 128 + signal.SIGTERM)


if __name__ == "__main__":
    unittest.main()
