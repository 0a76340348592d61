#!/bin/sh
# Checks udev/energy-agent.service with systemd-analyze:
#   verify    on a copy whose ExecStart points at an existing program (the agent binary if
#             given and built, /bin/true otherwise), since verify insists the binary exists;
#   security  offline, failing if the exposure is above 2.0 (threshold 20 on systemd's 0-100 scale).
# Usage: udev/check-units.sh [AGENT_BINARY]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
unit=$here/energy-agent.service
binary=${1:-/bin/true}
case $binary in /*) ;; *) binary=$PWD/$binary ;; esac
[ -x "$binary" ] || { echo "check-units.sh: $binary is not executable" >&2; exit 66; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# The copy keeps the unit's name: verify and security both look at the file name.
sed "s|^ExecStart=/usr/local/bin/energy-agent |ExecStart=$binary |" "$unit" >"$work/energy-agent.service"
grep -q "^ExecStart=$binary " "$work/energy-agent.service"

echo "== systemd-analyze verify"
out=$(systemd-analyze verify "$work/energy-agent.service" 2>&1) || { echo "$out"; exit 1; }
# verify exits 0 on some warnings: any output at all is a failure here.
if [ -n "$out" ]; then echo "$out"; exit 1; fi
echo "clean"

echo "== systemd-analyze security"
systemd-analyze security --offline=true --threshold=20 "$work/energy-agent.service" | tail -1
