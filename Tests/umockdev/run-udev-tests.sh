#!/bin/sh
# Runs the SerialDevices udev tests under umockdev:
#   1. the suite UdevTests with the FTDI FT232R fixture as recorded (probed by default),
#   2. the same suite with the fixture tagged ENERGY_SENSOR=1, as the project's rule would,
#   3. the hotplug suite, driven from a Python testbed by test_udev.py,
#   4. `energy-agent run` (release build, or $ENERGY_AGENT) on a testbed, by test_run.py.
# Usage: Tests/umockdev/run-udev-tests.sh [TEST_BINARY]
# The test binary defaults to .build/debug/energy-agentPackageTests.xctest (swift build --build-tests).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
binary=${1:-$root/.build/debug/energy-agentPackageTests.xctest}
fixture=$root/Tests/Fixtures/ftdi-ft232r.umockdev

if [ ! -x "$binary" ]; then
    echo "run-udev-tests.sh: no test binary at $binary (run: swift build --build-tests)" >&2
    exit 66
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# The tagged variant is derived from the fixture, so that the two never drift apart.
sed '/^E: SUBSYSTEM=tty$/a E: ENERGY_SENSOR=1' "$fixture" >"$work/tagged.umockdev"
grep -q '^E: ENERGY_SENSOR=1$' "$work/tagged.umockdev"

# Runs the suite in a testbed; fails unless tests actually ran and passed.
run_suite() {
    umockdev-run -d "$1" -- "$binary" --testing-library swift-testing \
        --filter 'SerialDevicesTests.UdevTests' >"$work/out" 2>&1 || {
        cat "$work/out"
        return 1
    }
    cat "$work/out"
    grep -Eq 'Test run with [1-9][0-9]* tests? .*passed' "$work/out"
}

echo "== udev enumeration, untagged adapter"
run_suite "$fixture"
echo "== udev enumeration, adapter tagged ENERGY_SENSOR=1"
SERIAL_DEVICES_TEST_TAGGED=1 run_suite "$work/tagged.umockdev"
echo "== udev hotplug"
umockdev-wrapper /usr/bin/python3 "$root/Tests/umockdev/test_udev.py" "$binary"
echo "== energy-agent run: discovery, hotplug, tagged adapter, probe and release"
agent=${ENERGY_AGENT:-$root/.build/release/energy-agent}
umockdev-wrapper /usr/bin/python3 -u "$root/Tests/umockdev/test_run.py" "$agent"
