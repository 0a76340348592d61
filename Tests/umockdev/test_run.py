#!/usr/bin/python3
"""`energy-agent run` against a fake FTDI FT232R adapter on a umockdev testbed.

Run under umockdev-wrapper with the system Python (it has the gi bindings):

    umockdev-wrapper /usr/bin/python3 Tests/umockdev/test_run.py [ENERGY_AGENT]

The agent (default .build/release/energy-agent) runs with the testbed's preload library, so
libudev, its monitor and /dev/ttyUSB0 are the testbed's. The script writes into the adapter
through the master side of the pty that backs /dev/ttyUSB0, and checks the agent's log and
database:

1. an untagged adapter sending sensor lines is probed, adopted, read; a hotplug remove
   unplugs it, an add probes and adopts it again;
2. an adapter tagged ENERGY_SENSOR=1 is adopted at once, without probing;
3. an untagged adapter sending something else (NMEA sentences) is probed and released after
   --probe-timeout, and nothing it sent is stored.
Exits 0 when every case passes.
"""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "ftdi-ft232r.umockdev")
CAPTURE = os.path.join(ROOT, "Tests", "Fixtures", "household-3000.log")


class Adapter:
    """The FTDI fixture as node ttyUSB<n> on USB port 1-<n+2>, optionally tagged ENERGY_SENSOR=1.

    umockdev 0.17 cannot create a node a second time in one testbed (it keeps the first pty), so
    a replug comes back under the next number, as a real adapter plugged into another port does.
    """

    def __init__(self, work, number, tagged=False):
        self.node = f"/dev/ttyUSB{number}"
        port = f"1-{number + 2}"
        with open(FIXTURE) as source:
            text = source.read()
        text = text.replace("ttyUSB0", f"ttyUSB{number}").replace("/1-2", f"/{port}").replace("1-2:", f"{port}:")
        if tagged:
            text = text.replace("E: SUBSYSTEM=tty\n", "E: SUBSYSTEM=tty\nE: ENERGY_SENSOR=1\n")
        self.path = os.path.join(work, f"adapter-{number}.umockdev")
        with open(self.path, "w") as target:
            target.write(text)
        base = f"/sys/devices/pci0000:00/0000:00:14.0/usb1/{port}"
        self.syspaths = [f"{base}/{port}:1.0/ttyUSB{number}/tty/ttyUSB{number}", f"{base}/{port}:1.0", base]


def sensor_lines(count, start):
    with open(CAPTURE, "rb") as handle:
        seeds = [line.rstrip(b"\r\n") for line in handle if line.strip()]
    return [re.sub(rb"Evt=\d+", b"Evt=%d" % (start + i), seeds[i % len(seeds)], count=1) for i in range(count)]


class Agent:
    def __init__(self, binary, testbed, data, *arguments):
        env = dict(os.environ)
        # The testbed set UMOCKDEV_DIR in the C environment only: pass it on explicitly.
        env["UMOCKDEV_DIR"] = testbed.get_root_dir()
        env["LD_PRELOAD"] = "libumockdev-preload.so.0"
        self.data = data
        self.lines = []
        self.process = subprocess.Popen(
            [binary, "run", "--data-dir", data, "--cluster-every", "0", "--rescan-interval", "1",
             "--status-interval", "0.5", *arguments],
            env=env, stderr=subprocess.PIPE)
        self.thread = threading.Thread(target=self.collect, daemon=True)
        self.thread.start()

    def collect(self):
        for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            print("    agent: " + line)

    def wait_for(self, pattern, count=1, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if sum(1 for line in list(self.lines) if re.search(pattern, line)) >= count:
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.02)
        return False

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(30)
        self.thread.join(5)
        self.process.stderr.close()
        return status

    def rows(self, seconds=10, expected=None):
        deadline = time.monotonic() + seconds
        result = (0, 0)
        while time.monotonic() < deadline:
            try:
                with sqlite3.connect(os.path.join(self.data, "energy.db"), timeout=5) as db:
                    result = (db.execute("SELECT count(*) FROM events").fetchone()[0],
                              db.execute("SELECT count(*) FROM rejected_lines").fetchone()[0])
            except sqlite3.OperationalError:
                pass
            if expected is None or result == expected:
                return result
            time.sleep(0.05)
        return result


def plug(testbed, adapter):
    if not testbed.add_from_file(adapter.path):
        raise SystemExit("test_run.py: cannot load " + adapter.path)


def unplug(testbed, adapter):
    for syspath in adapter.syspaths:
        if os.path.exists(os.path.join(testbed.get_root_dir(), syspath.lstrip("/"))):
            testbed.uevent(syspath, "remove")
            testbed.remove_device(syspath)


def send(testbed, adapter, lines):
    fd = testbed.get_dev_fd(adapter.node)
    data = b"".join(line + b"\n" for line in lines)
    while data:
        data = data[os.write(fd, data):]


failures = []


def check(condition, message):
    print(("  ok    " if condition else "  FAIL  ") + message)
    if not condition:
        failures.append(message)


def case_probed_read_and_replugged(binary, testbed, work):
    print("== untagged adapter with a sensor: probed, adopted, read; remove and add again")
    agent = Agent(binary, testbed, os.path.join(work, "a"), "--probe-timeout", "10")
    first, second = Adapter(work, 0), Adapter(work, 1)
    try:
        check(agent.wait_for(r"running"), "the agent starts with no device")
        plug(testbed, first)
        check(agent.wait_for(r"probing /dev/ttyUSB0 .*0403:6001, serial A50285BI"), "the adapter is probed")
        send(testbed, first, sensor_lines(30, 0))
        check(agent.wait_for(r"adopted /dev/ttyUSB0 .*a line parsed as a sensor event"), "a sensor line adopts it")
        check(agent.rows(expected=(30, 0)) == (30, 0), "its 30 lines are stored")
        unplug(testbed, first)
        check(agent.wait_for(r"unplugged /dev/ttyUSB0"), "a hotplug remove unplugs it")
        time.sleep(0.5)
        check(agent.process.poll() is None, "the agent keeps running")
        plug(testbed, second)
        check(agent.wait_for(r"probing /dev/ttyUSB1 .*serial A50285BI"), "an add probes it again")
        send(testbed, second, sensor_lines(20, 30))
        check(agent.wait_for(r"adopted /dev/ttyUSB1"), "and adopts it again")
        check(agent.rows(expected=(50, 0)) == (50, 0), "its next 20 lines are stored")
        check(agent.stop() == 0, "SIGTERM: exit status 0")
    finally:
        if agent.process.poll() is None:
            agent.process.kill()
        unplug(testbed, first)
        unplug(testbed, second)


def case_tagged(binary, testbed, work):
    print("== adapter tagged ENERGY_SENSOR=1: adopted at once")
    agent = Agent(binary, testbed, os.path.join(work, "b"))
    adapter = Adapter(work, 2, tagged=True)
    try:
        check(agent.wait_for(r"running"), "the agent starts with no device")
        plug(testbed, adapter)
        check(agent.wait_for(r"adopted /dev/ttyUSB2 .*tagged ENERGY_SENSOR=1"), "adopted without probing")
        check(not any("probing" in line for line in agent.lines), "never probed")
        send(testbed, adapter, sensor_lines(10, 100))
        check(agent.rows(expected=(10, 0)) == (10, 0), "its lines are stored")
        check(agent.stop() == 0, "SIGTERM: exit status 0")
    finally:
        if agent.process.poll() is None:
            agent.process.kill()
        unplug(testbed, adapter)


def case_not_a_sensor(binary, testbed, work):
    print("== untagged adapter sending NMEA: probed, then released")
    agent = Agent(binary, testbed, os.path.join(work, "c"), "--probe-timeout", "2")
    adapter = Adapter(work, 3)
    try:
        check(agent.wait_for(r"running"), "the agent starts with no device")
        plug(testbed, adapter)
        check(agent.wait_for(r"probing /dev/ttyUSB3"), "the adapter is probed")
        send(testbed, adapter, [b"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
                       b"$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A"])
        check(agent.wait_for(r"released /dev/ttyUSB3 .*: no sensor event within 2 s \(2 lines"), "released after 2 s")
        time.sleep(2.5)
        check(sum("probing" in line for line in agent.lines) == 1, "left alone afterwards (not probed again)")
        check(agent.rows() == (0, 0), "nothing it sent is stored")
        check(agent.stop() == 0, "SIGTERM: exit status 0")
    finally:
        if agent.process.poll() is None:
            agent.process.kill()
        unplug(testbed, adapter)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "energy-agent")
    if not os.access(binary, os.X_OK):
        print(f"test_run.py: no agent binary at {binary}", file=sys.stderr)
        return 66
    testbed = UMockdev.Testbed.new()
    with tempfile.TemporaryDirectory(prefix="energy-umockdev-") as work:
        case_probed_read_and_replugged(binary, testbed, work)
        case_tagged(binary, testbed, work)
        case_not_a_sensor(binary, testbed, work)
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
