#!/usr/bin/env bash
# property_eval.sh: the cost of evaluating the catalog from its text, against
# the compiled C++ predicates it replaced.
#
#   bench/property_eval.sh [path/to/reapcheck] [runs] [review options...]
#
# The catalog is text (properties/catalog/*.rcp, docs/property-language.md);
# the compiled predicates of properties/catalog.cpp were deleted after commit
# $BASELINE_REV (default below). To compare, the script builds that commit's
# reapcheck once, in build-baseline/ (git archive + cmake, with ccache when
# installed; a few minutes the first time, reused after), or takes the binary
# $BASELINE_BIN when set.
#
# Then it runs the default review (every profile, the default suite; no
# profile diffs, no traces printed, one worker thread so that CPU time is the
# measure) with the baseline binary (compiled predicates) and with the given
# one (the text), `runs` times each (default 1), alternating. Prints the user
# CPU seconds of each run (/usr/bin/time), the ratio of the fastest of each,
# and checks that both verdict matrices agree on every property they share
# (the rows only one of them has, properties added since, are listed).
# Extra arguments replace the default suite by a configuration (e.g.
# --tasks 3 --depth 6).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
RC="${1:-$root/build/reapcheck}"
RUNS="${2:-1}"
shift $(( $# > 2 ? 2 : $# ))
BASELINE_REV="${BASELINE_REV:-ca5e3a019c30cd9eb82147dcbb5dbfe589e8bdaa}"   # the last commit with compiled predicates
[ -x "$RC" ] || { echo "property_eval: no reapcheck binary at $RC" >&2; exit 2; }

if [ -n "${BASELINE_BIN:-}" ]; then
  BASE="$BASELINE_BIN"
  [ -x "$BASE" ] || { echo "property_eval: no baseline binary at $BASE" >&2; exit 2; }
else
  bdir="$root/build-baseline"
  BASE="$bdir/build/reapcheck"
  rev=$(git -C "$root" rev-parse --verify "$BASELINE_REV^{commit}") \
    || { echo "property_eval: no commit $BASELINE_REV in $root (set BASELINE_BIN)" >&2; exit 2; }
  if [ ! -x "$BASE" ] || [ "$(cat "$bdir/rev" 2>/dev/null)" != "$rev" ]; then
    echo "building the baseline (commit ${rev:0:12}, compiled predicates) in $bdir ..."
    rm -rf "$bdir/src"; mkdir -p "$bdir/src"
    git -C "$root" archive "$rev" | tar -x -C "$bdir/src"
    launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    cmake -S "$bdir/src" -B "$bdir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
      "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" >"$bdir/cmake.log" 2>&1 \
      || { echo "property_eval: baseline cmake failed, see $bdir/cmake.log" >&2; exit 2; }
    cmake --build "$bdir/build" -j"$(nproc)" --target reapcheck >"$bdir/build.log" 2>&1 \
      || { echo "property_eval: baseline build failed, see $bdir/build.log" >&2; exit 2; }
    echo "$rev" >"$bdir/rev"
  fi
fi

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
run() {   # $1: label, $2: binary, rest: options; prints user seconds
  local label=$1 bin=$2; shift 2
  /usr/bin/time -f "%U" -o "$work/time" "$bin" review --no-diff --no-traces --no-progress --jobs 1 "$@" \
    >"$work/$label.out" 2>/dev/null || true
  cat "$work/time"
}
best_c=""; best_t=""
echo "default review's property evaluation: compiled predicates (baseline) vs the catalog's text"
echo "baseline $BASE; text $RC; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); options: ${*:-(default suite)}"
for i in $(seq 1 "$RUNS"); do
  c=$(run compiled "$BASE" "$@")
  t=$(run text "$RC" "$@")
  echo "run $i: compiled ${c} s user, text ${t} s user"
  best_c=$(awk -v a="$c" -v b="${best_c:-$c}" 'BEGIN { print (a < b) ? a : b }')
  best_t=$(awk -v a="$t" -v b="${best_t:-$t}" 'BEGIN { print (a < b) ? a : b }')
done
# The matrix rows, keyed by property id; compared on the ids both have.
matrix() { sed -n '/^property /,/^$/p' "$1" | sed '1d;/^$/d' | sort; }
matrix "$work/compiled.out" >"$work/mc"; matrix "$work/text.out" >"$work/mt"
[ -s "$work/mc" ] && [ -s "$work/mt" ] || { echo "property_eval: a review printed no matrix" >&2; exit 1; }
join -j1 <(awk '{print $1}' "$work/mc") <(awk '{print $1}' "$work/mt") >"$work/common"
only() { join -v1 <(awk '{print $1}' "$1") <(awk '{print $1}' "$2") | tr '\n' ' '; }
shared() { awk 'NR == FNR { c[$1] = 1; next } ($1 in c)' "$work/common" "$1"; }
if diff <(shared "$work/mc") <(shared "$work/mt") >"$work/diff"; then
  echo "verdict matrices: identical on the $(wc -l <"$work/common") properties both have" \
       "(only in the baseline: $(only "$work/mc" "$work/mt")-; only in the text: $(only "$work/mt" "$work/mc")-)"
else
  echo "verdict matrices DIFFER:"; cat "$work/diff"; exit 1
fi
awk -v c="$best_c" -v t="$best_t" 'BEGIN { printf "fastest: compiled %.2f s, text %.2f s, ratio %.2fx (target <= 1.30x)\n", c, t, t / c }'
