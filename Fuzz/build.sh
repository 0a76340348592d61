#!/bin/sh
# Builds the libFuzzer targets into .build/fuzz/ and their seed corpus into .build/fuzz/corpus/.
#
# Each target is the sources of the module under test compiled together with its entry file, so
# that it sees internal declarations; ClusterProtocol's dependency MeanShift is built as a
# separate instrumented module. An output newer than all its inputs is not built again.
# SWIFTC, FUZZ_SWIFT_FLAGS and SHARED_DATA may be overridden.
set -eu
cd "$(dirname "$0")/.."

SWIFTC=${SWIFTC:-swiftc}
OUT=.build/fuzz
SEED=$OUT/seed-modules
SHARED_DATA=${SHARED_DATA:-../shared/data}
FLAGS="-use-ld=lld -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 ${FUZZ_SWIFT_FLAGS:-}"
PLAIN="-O -parse-as-library -swift-version 6"
mkdir -p "$OUT/modules" "$SEED" "$OUT/corpus"

# build OUTPUT INPUT... -- COMMAND...: runs COMMAND when OUTPUT is missing or older than an input.
build() {
    output=$1
    shift
    stale=false
    [ -e "$output" ] || stale=true
    while [ "$1" != "--" ]; do
        [ "$1" -nt "$output" ] && stale=true
        shift
    done
    shift
    if $stale; then
        printf '%s\n' "fuzz build: $output"
        "$@"
    fi
}

COMMON=Fuzz/Targets/Property.swift
build "$OUT/parser" Sources/SensorFormat/*.swift $COMMON Fuzz/Targets/ParserTarget.swift -- \
    $SWIFTC $FLAGS -module-name SensorFormat Sources/SensorFormat/*.swift $COMMON Fuzz/Targets/ParserTarget.swift \
    -o "$OUT/parser"

build "$OUT/framer" Sources/SerialDevices/LineFramer.swift $COMMON Fuzz/Targets/FramerTarget.swift -- \
    $SWIFTC $FLAGS -module-name SerialDevices Sources/SerialDevices/LineFramer.swift $COMMON \
    Fuzz/Targets/FramerTarget.swift -o "$OUT/framer"

build "$OUT/modules/libMeanShift.a" Sources/MeanShift/*.swift -- \
    $SWIFTC $FLAGS -module-name MeanShift -emit-library -static -emit-module \
    -emit-module-path "$OUT/modules/MeanShift.swiftmodule" Sources/MeanShift/*.swift -o "$OUT/modules/libMeanShift.a"

for target in npy:NpyTarget csv:CSVTarget result-json:ResultJSONTarget; do
    name=${target%%:*}
    entry=Fuzz/Targets/${target#*:}.swift
    build "$OUT/$name" Sources/ClusterProtocol/*.swift "$OUT/modules/libMeanShift.a" $COMMON "$entry" -- \
        $SWIFTC $FLAGS -module-name ClusterProtocol -I "$OUT/modules" Sources/ClusterProtocol/*.swift $COMMON "$entry" \
        "$OUT/modules/libMeanShift.a" -lm -o "$OUT/$name"
done

# The seed corpus builder is an ordinary program (no sanitizers) linked with the modules it reads.
build "$SEED/libSensorFormat.a" Sources/SensorFormat/*.swift -- \
    $SWIFTC $PLAIN -module-name SensorFormat -emit-library -static -emit-module \
    -emit-module-path "$SEED/SensorFormat.swiftmodule" Sources/SensorFormat/*.swift -o "$SEED/libSensorFormat.a"
build "$SEED/libMeanShift.a" Sources/MeanShift/*.swift -- \
    $SWIFTC $PLAIN -module-name MeanShift -emit-library -static -emit-module \
    -emit-module-path "$SEED/MeanShift.swiftmodule" Sources/MeanShift/*.swift -o "$SEED/libMeanShift.a"
build "$SEED/libClusterProtocol.a" Sources/ClusterProtocol/*.swift "$SEED/libMeanShift.a" -- \
    $SWIFTC $PLAIN -module-name ClusterProtocol -I "$SEED" -emit-library -static -emit-module \
    -emit-module-path "$SEED/ClusterProtocol.swiftmodule" Sources/ClusterProtocol/*.swift \
    -o "$SEED/libClusterProtocol.a"
build "$SEED/seed-corpus" Fuzz/Seeds/SeedCorpus.swift "$SEED/libClusterProtocol.a" "$SEED/libSensorFormat.a" -- \
    $SWIFTC $PLAIN -module-name SeedCorpus -I "$SEED" Fuzz/Seeds/SeedCorpus.swift \
    "$SEED/libClusterProtocol.a" "$SEED/libMeanShift.a" "$SEED/libSensorFormat.a" -lm -o "$SEED/seed-corpus"

# Seeds come from the repository's fixtures and, when present, the shared captures (read in
# place, never copied into the repository). The corpus directories also keep what earlier runs
# found: seeds are written over, nothing is removed.
set -- Tests/Fixtures/household-*.log
for capture in "$SHARED_DATA"/*.log; do
    [ -f "$capture" ] && set -- "$@" "$capture"
done
"$SEED/seed-corpus" "$OUT/corpus" "$@"
