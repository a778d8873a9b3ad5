#!/usr/bin/env bash
# Partial-order reduction (--por, checker/engine/por.hpp): states and
# transitions with and without it, per configuration of the default review
# suite and for the everything-at-once configuration at a depth bound, with
# /usr/bin/time's CPU time and peak memory; the verdicts of both runs must be
# equal (the script fails otherwise).
#
# The property set is the catalog's safety properties and covers that no
# reducible kernel step is visible to (a --por run of the property alone is
# "on"): with
# the whole catalog, --por reduces nothing (docs/por.md says why). The
# everything-at-once configuration is run at every depth from 1 to
# EVERYTHING_DEPTH, with and without, for the factor per level.
#
# usage: bench/por_bench.sh [BUILD_DIR] [PROFILE] [EVERYTHING_DEPTH]
#   defaults: build mainline 5. Run it niced on a shared machine.
set -euo pipefail
build=${1:-build}
profile=${2:-mainline}
depth=${3:-5}
bin=$build/reapcheck
here=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$bin" ] || { echo "no $bin (build the reapcheck target first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The observers come from the binary: a one-step --por run of each property
# alone says in its JSON note "on" when no reducible kernel step is visible
# to it (checker/engine/por.hpp, C2), else which steps it observes.
props=()
observers=()
while read -r kind id _; do
    [ "$kind" = eventually ] && continue
    "$bin" check --profile "$profile" --tasks 2 --depth 1 --por --property "$id" --no-progress \
        --json "$tmp/obs.json" >/dev/null || [ $? -eq 1 ] || { echo "$id: check --por failed" >&2; exit 1; }
    if ! jq -e '[.. | objects | select(has("por")) | .por.note] | any(. == "on")' \
        "$tmp/obs.json" >/dev/null; then
        observers+=("$id")
        continue
    fi
    props+=(--property "$id")
done < <(grep -hE '^(always|step|sometimes|eventually) ' "$here"/properties/catalog/*.rcp)
echo "observers of some reducible kernel step (left out): ${observers[*]}"
echo "properties: $((${#props[@]} / 2)) (catalog safety properties and covers no reducible kernel step is visible to)"

run() {   # name, out, args...
    local name=$1 out=$2
    shift 2
    /usr/bin/time -f '%U %S %M' -o "$out.time" "$bin" "$@" --no-progress -j 1 --json "$out.json" >"$out.txt" || {
        local rc=$?
        [ $rc -eq 1 ] || { echo "$name: exit $rc" >&2; cat "$out.txt" >&2; exit 1; }
    }
}

verdicts() { jq -c '[.. | objects | select(has("property") and has("verdict")) | {property, verdict}]' "$1"; }

echo
echo "== default suite, profile $profile (review: every configuration) =="
run review "$tmp/full" review --profile "$profile" "${props[@]}" --no-por
run review "$tmp/por" review --profile "$profile" "${props[@]}" --por
if [ "$(verdicts "$tmp/full.json")" != "$(verdicts "$tmp/por.json")" ]; then
    echo "VERDICTS DIFFER with --por" >&2
    diff <(verdicts "$tmp/full.json" | jq .) <(verdicts "$tmp/por.json" | jq .) >&2 || true
    exit 1
fi
printf '%-12s %12s %12s %7s %14s %14s %7s\n' config states por-states factor transitions por-trans factor
jq -r '.. | objects | select(has("runs")) | .runs[] | "\(.name) \(.states) \(.transitions)"' "$tmp/full.json" >"$tmp/a"
jq -r '.. | objects | select(has("runs")) | .runs[] | "\(.name) \(.states) \(.transitions)"' "$tmp/por.json" >"$tmp/b"
paste -d' ' "$tmp/a" "$tmp/b" | while read -r n s t _ s2 t2; do
    printf '%-12s %12d %12d %7.2f %14d %14d %7.2f\n' "$n" "$s" "$s2" "$(echo "$s / $s2" | bc -l)" "$t" "$t2" \
        "$(echo "$t / $t2" | bc -l)"
done
read -r u1 s1 m1 < <(tail -1 "$tmp/full.time")
read -r u2 s2 m2 < <(tail -1 "$tmp/por.time")
echo "CPU (user+sys): without $(echo "$u1 + $s1" | bc) s, with $(echo "$u2 + $s2" | bc) s; peak RSS ${m1} KiB / ${m2} KiB"
echo "verdicts: identical"

echo
echo "== everything at once: $profile tasks 3 threads 2 pidfds 1 ptrace, every feature, depths 1..$depth =="
printf '%-6s %12s %12s %7s %14s %14s %7s %9s %9s\n' depth states por-states factor transitions por-trans factor cpu cpu-por
for d in $(seq 1 "$depth"); do
    every=(check --profile "$profile" --tasks 3 --threads 2 --pidfds 1 --ptrace --depth "$d" "${props[@]}")
    run everything "$tmp/efull" "${every[@]}" --no-por
    run everything "$tmp/epor" "${every[@]}" --por
    if [ "$(verdicts "$tmp/efull.json")" != "$(verdicts "$tmp/epor.json")" ]; then
        echo "depth $d: verdicts differ with --por (a depth-bounded reduced run can miss a cover or violation at the bound, docs/por.md)"
    fi
    st() { jq -r '.. | objects | select(has("stats") and has("profile")) | "\(.stats.states) \(.stats.transitions)"' "$1"; }
    read -r s1 t1 < <(st "$tmp/efull.json")
    read -r s2 t2 < <(st "$tmp/epor.json")
    read -r u1 y1 _ < <(tail -1 "$tmp/efull.time")
    read -r u2 y2 _ < <(tail -1 "$tmp/epor.time")
    printf '%-6s %12d %12d %7.2f %14d %14d %7.2f %9s %9s\n' "$d" "$s1" "$s2" "$(echo "$s1 / $s2" | bc -l)" "$t1" "$t2" \
        "$(echo "$t1 / $t2" | bc -l)" "$(echo "$u1 + $y1" | bc)" "$(echo "$u2 + $y2" | bc)"
done
