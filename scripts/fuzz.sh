#!/usr/bin/env bash
# Fuzzes the scenario parser, printer and replay (tests/fuzz/fuzz_scenario.cpp)
# with libFuzzer for a fixed number of executions, and says whether it found
# a crash. Usage: scripts/fuzz.sh [RUNS] [extra libFuzzer flags...]
#   RUNS defaults to 1000000. Needs clang and libFuzzer (libclang-rt-14-dev).
# Builds in build-fuzz (CC=clang CXX=clang++ -DREAPCHECK_FUZZ=ON), seeds a
# fresh corpus from scenarios/ and tests/fuzz/regressions/ (copied at run
# time), and writes crashing inputs to build-fuzz/crashes/. Exit 0: no crash;
# 1: a crash (the input's path is printed); 2: the build failed.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000000}
shift || true
dir=build-fuzz
if [[ ! -f $dir/CMakeCache.txt ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREAPCHECK_FUZZ=ON >/dev/null || exit 2
fi
cmake --build "$dir" --target fuzz_scenario -j"$(nproc)" >/dev/null || { echo "fuzz: build failed"; exit 2; }
corpus=$dir/corpus
mkdir -p "$corpus" "$dir/crashes"
for f in scenarios/*.scn scenarios/*/*.scn; do   # selftest/ reuses names
  g=${f#scenarios/}; cp "$f" "$corpus/${g//\//_}"
done
cp tests/fuzz/regressions/* "$corpus"/ 2>/dev/null || true
log=$dir/fuzz.log
start=$(date +%s.%N)
"$dir"/fuzz_scenario -runs="$runs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
  -artifact_prefix="$dir/crashes/" "$@" "$corpus" >"$log" 2>&1
rc=$?
end=$(date +%s.%N)
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
echo "fuzz: ${execs:-?} executions in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }') s ($runs requested)"
if [[ $rc -ne 0 ]]; then
  echo "fuzz: CRASH (libFuzzer exit $rc):"
  grep -E 'fuzz_scenario:|ERROR: |SUMMARY|Test unit written' "$log" | head -5
  exit 1
fi
echo "fuzz: no crash found"
