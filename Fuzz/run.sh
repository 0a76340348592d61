#!/bin/sh
# Builds the fuzz targets, then runs each for SECONDS (default 300), one after the other.
#
#   Fuzz/run.sh [SECONDS] [TARGET...]     targets: parser framer npy csv result-json
#
# New inputs go into .build/fuzz/corpus/TARGET/, crashes into .build/fuzz/artifacts/TARGET/.
# Exits 1 when a target fails, after printing the reproducer's path and its bytes in hex, which
# are what a regression test needs; replay one with `.build/fuzz/TARGET PATH`.
set -eu
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-300}
[ $# -gt 0 ] && shift
TARGETS=${*:-parser framer npy csv result-json}
OUT=.build/fuzz
# Swift's own backtracer would run inside ASan's signal handler; libFuzzer prints the stack.
export SWIFT_BACKTRACE=enable=no

Fuzz/build.sh

max_len() {
    case $1 in
        parser) echo 20000 ;;
        framer) echo 8192 ;;
        npy) echo 4096 ;;
        csv) echo 4096 ;;
        result-json) echo 8192 ;;
        *) echo "unknown fuzz target: $1" >&2; exit 64 ;;
    esac
}

failed=""
for target in $TARGETS; do
    length=$(max_len "$target")
    artifacts=$OUT/artifacts/$target
    log=$OUT/logs/$target.log
    mkdir -p "$artifacts" "$OUT/corpus/$target" "$OUT/logs"
    dict=""
    [ -f "Fuzz/$target.dict" ] && dict="-dict=Fuzz/$target.dict"
    echo "fuzz: $target for ${SECONDS_EACH}s (log: $log)"
    status=0
    "$OUT/$target" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len="$length" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" $dict "$OUT/corpus/$target" >"$log" 2>&1 || status=$?
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | sed 's/^/    /' || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | sed 's/^/    /' || true
    if [ "$status" -ne 0 ]; then
        failed="$failed $target"
        echo "fuzz: $target FAILED (exit $status)" >&2
        grep -E 'property violated|ERROR: (AddressSanitizer|libFuzzer)|Fatal error|SUMMARY' "$log" | head -5 >&2 || true
        reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        if [ -n "$reproducer" ] && [ -f "$reproducer" ]; then
            echo "reproducer: $reproducer" >&2
            echo "input (hex):" >&2
            od -An -tx1 -v "$reproducer" | tr -d ' \n' | fold -w 96 >&2
            echo >&2
        fi
    fi
done

if [ -n "$failed" ]; then
    echo "fuzz: failures in:$failed" >&2
    exit 1
fi
echo "fuzz: no failures"
