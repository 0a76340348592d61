#!/bin/sh
# Builds the libFuzzer targets into .build/fuzz/ and their seed corpus into .build/fuzz/corpus/.
#
# Each target is the sources of the module under test compiled together with its entry file, so
# that it sees internal declarations; ClusterProtocol's dependency MeanShift is built as a
# separate instrumented module. SWIFTC, FUZZ_SWIFT_FLAGS and SHARED_DATA may be overridden.
set -eu
cd "$(dirname "$0")/.."

SWIFTC=${SWIFTC:-swiftc}
OUT=.build/fuzz
SHARED_DATA=${SHARED_DATA:-../shared/data}
FLAGS="-use-ld=lld -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 ${FUZZ_SWIFT_FLAGS:-}"
mkdir -p "$OUT/modules" "$OUT/seed-modules"

step() { printf '%s\n' "fuzz build: $*"; }

step "parser"
$SWIFTC $FLAGS -module-name SensorFormat Sources/SensorFormat/*.swift \
    Fuzz/Targets/Property.swift Fuzz/Targets/ParserTarget.swift -o "$OUT/parser"

step "framer"
$SWIFTC $FLAGS -module-name SerialDevices Sources/SerialDevices/LineFramer.swift \
    Fuzz/Targets/Property.swift Fuzz/Targets/FramerTarget.swift -o "$OUT/framer"

step "MeanShift module for the ClusterProtocol targets"
$SWIFTC $FLAGS -module-name MeanShift -emit-library -static -emit-module \
    -emit-module-path "$OUT/modules/MeanShift.swiftmodule" Sources/MeanShift/*.swift -o "$OUT/modules/libMeanShift.a"

for target in npy:NpyTarget csv:CSVTarget result-json:ResultJSONTarget; do
    name=${target%%:*}
    step "$name"
    $SWIFTC $FLAGS -module-name ClusterProtocol -I "$OUT/modules" Sources/ClusterProtocol/*.swift \
        Fuzz/Targets/Property.swift "Fuzz/Targets/${target#*:}.swift" "$OUT/modules/libMeanShift.a" -lm -o "$OUT/$name"
done

# The seed corpus builder is an ordinary program (no sanitizers) linked with the modules it reads.
SEED=$OUT/seed-modules
step "seed corpus"
$SWIFTC -O -parse-as-library -module-name SensorFormat -emit-library -static -emit-module \
    -emit-module-path "$SEED/SensorFormat.swiftmodule" Sources/SensorFormat/*.swift -o "$SEED/libSensorFormat.a"
$SWIFTC -O -parse-as-library -module-name MeanShift -emit-library -static -emit-module \
    -emit-module-path "$SEED/MeanShift.swiftmodule" Sources/MeanShift/*.swift -o "$SEED/libMeanShift.a"
$SWIFTC -O -parse-as-library -module-name ClusterProtocol -I "$SEED" -emit-library -static -emit-module \
    -emit-module-path "$SEED/ClusterProtocol.swiftmodule" Sources/ClusterProtocol/*.swift -o "$SEED/libClusterProtocol.a"
$SWIFTC -O -parse-as-library -module-name SeedCorpus -I "$SEED" Fuzz/Seeds/SeedCorpus.swift \
    "$SEED/libClusterProtocol.a" "$SEED/libMeanShift.a" "$SEED/libSensorFormat.a" -lm -o "$SEED/seed-corpus"

# Seeds come from the repository's fixtures and, when present, the shared captures; the corpus
# directories also keep what earlier runs found, so they are added to, never emptied.
set -- Tests/Fixtures/household-*.log
for capture in "$SHARED_DATA"/*.log; do
    [ -f "$capture" ] && set -- "$@" "$capture"
done
mkdir -p "$OUT/corpus"
"$SEED/seed-corpus" "$OUT/corpus" "$@"
