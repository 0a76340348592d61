#!/usr/bin/python3
"""Hotplug test for the SerialDevices udev monitor, on a umockdev testbed.

Run under umockdev-wrapper with the system Python (it has the gi bindings):

    umockdev-wrapper /usr/bin/python3 Tests/umockdev/test_udev.py [TEST_BINARY]

The script creates an empty testbed and runs the Swift suite UdevHotplugTests in the test
binary inside it. The two sides take turns through files in a temporary directory: the suite
writes `ready` once its monitor listens, the script adds the FTDI fixture (an "add" event); the
suite writes `added` once it has seen that, the script sends "remove" and removes the device.
Exits with the test binary's status.
"""

import os
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "ftdi-ft232r.umockdev")
TTY_SYSPATH = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0"
USB_SYSPATHS = [
    "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0",
    "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2",
]


def wait_for(path, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        ROOT, ".build", "debug", "energy-agentPackageTests.xctest")
    testbed = UMockdev.Testbed.new()
    with tempfile.TemporaryDirectory() as sync:
        env = dict(os.environ)
        # The testbed set UMOCKDEV_DIR in the C environment only: pass it on explicitly.
        env["UMOCKDEV_DIR"] = testbed.get_root_dir()
        env["LD_PRELOAD"] = "libumockdev-preload.so.0"
        env["SERIAL_DEVICES_TEST_SYNC"] = sync
        process = subprocess.Popen(
            [binary, "--testing-library", "swift-testing", "--filter", "SerialDevicesTests.UdevHotplugTests"],
            env=env)
        try:
            if not wait_for(os.path.join(sync, "ready"), process):
                print("test_udev.py: the suite never said it was ready", file=sys.stderr)
                return 1
            if not testbed.add_from_file(FIXTURE):
                print("test_udev.py: cannot load " + FIXTURE, file=sys.stderr)
                return 1
            if not wait_for(os.path.join(sync, "added"), process):
                print("test_udev.py: the suite did not see the add event", file=sys.stderr)
                return 1
            testbed.uevent(TTY_SYSPATH, "remove")
            testbed.remove_device(TTY_SYSPATH)
            for syspath in USB_SYSPATHS:
                testbed.uevent(syspath, "remove")
                testbed.remove_device(syspath)
            return process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


if __name__ == "__main__":
    sys.exit(main())
