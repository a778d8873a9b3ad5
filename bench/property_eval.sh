#!/usr/bin/env bash
# property_eval.sh: the cost of evaluating the catalog from its text form.
#
#   bench/property_eval.sh [path/to/reapcheck] [runs] [review options...]
#
# Runs the default review (every profile, the default suite; no profile
# diffs, no traces printed, one worker thread so that CPU time is the
# measure) once with the compiled predicates of properties/catalog.cpp and
# once with the same properties read from properties/catalog/*.rcp
# (--catalog-text), `runs` times each (default 1), alternating. Prints the
# user CPU seconds of each run (/usr/bin/time), the ratio of the fastest of
# each, and checks that both give the same verdict matrix. Extra arguments
# replace the default suite by a configuration (e.g. --tasks 3 --depth 6).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
RC="${1:-$root/build/reapcheck}"
RUNS="${2:-1}"
shift $(( $# > 2 ? 2 : $# ))
[ -x "$RC" ] || { echo "property_eval: no reapcheck binary at $RC" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
run() {   # $1: label, rest: options; prints user seconds
  local label=$1; shift
  /usr/bin/time -f "%U" -o "$work/time" "$RC" review --no-diff --no-traces --no-progress --jobs 1 "$@" \
    >"$work/$label.out" 2>/dev/null || true
  cat "$work/time"
}
best_c=""; best_t=""
echo "default review's property evaluation: compiled predicates vs the property language"
echo "binary $RC; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); options: ${*:-(default suite)}"
for i in $(seq 1 "$RUNS"); do
  c=$(run compiled "$@")
  t=$(run text --catalog-text "$root/properties/catalog" "$@")
  echo "run $i: compiled ${c} s user, text ${t} s user"
  best_c=$(awk -v a="$c" -v b="${best_c:-$c}" 'BEGIN { print (a < b) ? a : b }')
  best_t=$(awk -v a="$t" -v b="${best_t:-$t}" 'BEGIN { print (a < b) ? a : b }')
done
matrix() { sed -n '/^property /,/^$/p' "$1"; }
if diff <(matrix "$work/compiled.out") <(matrix "$work/text.out") >"$work/diff"; then
  echo "verdict matrices: identical ($(matrix "$work/compiled.out" | wc -l) lines)"
else
  echo "verdict matrices DIFFER:"; cat "$work/diff"; exit 1
fi
awk -v c="$best_c" -v t="$best_t" 'BEGIN { printf "fastest: compiled %.2f s, text %.2f s, ratio %.2fx (target <= 1.30x)\n", c, t, t / c }'
