#!/bin/sh
# Z3 engines: time per property for `prove` and time per depth for `bmc`, at
# 3 and 4 task slots (mainline unless PROFILE is set). Figures are measured
# here and printed; nothing is asserted.
# Usage: bench/symbolic_bench.sh [REAPCHECK] [DEPTH] [MAX_K]
set -eu
bin=${1:-build/reapcheck}
depth=${2:-4}
maxk=${3:-2}
profile=${PROFILE:-mainline}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for slots in 3 4; do
    echo "== prove, $slots slots, profile $profile, base case depth $depth, k <= $maxk"
    start=$(date +%s.%N)
    "$bin" prove --profile "$profile" --tasks "$slots" --depth "$depth" --max-k "$maxk" --json "$out/prove$slots.json" \
        >"$out/prove$slots.txt" 2>"$out/prove$slots.err" || true
    end=$(date +%s.%N)
    # one line per property: id, verdict, seconds (from the JSON report)
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for x in r["results"]:
    print("  %-38s %-14s %8.2f s  k=%d" % (x["property"], x["verdict"], x["seconds"], x["k"]))
' "$out/prove$slots.json"
    echo "  total wall: $(echo "$end - $start" | bc) s"
    echo "== bmc, $slots slots, profile $profile, depth $depth: time per depth"
    start=$(date +%s.%N)
    "$bin" bmc --profile "$profile" --tasks "$slots" --depth "$depth" >"$out/bmc$slots.txt" 2>"$out/bmc$slots.err" || true
    end=$(date +%s.%N)
    sed -n 's/^bmc: depth \([0-9]*\) done in \(.*\)$/  depth \1: \2/p' "$out/bmc$slots.err"
    echo "  total wall: $(echo "$end - $start" | bc) s"
done
