#!/usr/bin/env bash
# review_bench.sh: the full alphabet of the default review suite, measured.
#
#   bench/review_bench.sh [path/to/reapcheck] [profile]
#
# Runs `reapcheck review` on one profile (default mainline) with and without
# symmetry reduction in the same script and prints, per configuration of the
# suite: distinct states, transitions, seconds, states/s, bytes per stored
# key (the exact canonical encoding), and the symmetry-reduction factor.
# Bytes per state count the stored keys only (not the hash table's nodes).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
RC="${1:-$(dirname "$here")/build/reapcheck}"
PROFILE="${2:-mainline}"
[ -x "$RC" ] || { echo "review_bench: no reapcheck binary at $RC" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$RC" review --profile "$PROFILE" --no-traces >"$work/sym.txt" 2>/dev/null
"$RC" review --profile "$PROFILE" --no-traces --no-symmetry >"$work/nosym.txt" 2>/dev/null
runs() { awk '/^  [a-z0-9-]+ +[0-9]+ states/ {print $1, $2, $4, $8, $10}' "$1"; }
echo "review suite, profile $PROFILE, $(nproc) cores"
printf "%-12s %10s %12s %8s %10s %8s %10s %10s\n" config states transitions seconds states/s B/state no-sym factor
join <(runs "$work/sym.txt" | sort) <(runs "$work/nosym.txt" | sort) |
  awk '{ sps = ($4 > 0) ? $2 / $4 : 0; f = ($2 > 0) ? $6 / $2 : 0;
         printf "%-12s %10d %12d %8.2f %10.0f %8s %10d %10.3f\n", $1, $2, $3, $4, sps, $5, $6, f }'
