#!/usr/bin/env bash
# mutate_bench.sh: `reapcheck mutate` over every mutant at the default review
# bounds (the default suite, all six profiles), timed with /usr/bin/time.
#
#   bench/mutate_bench.sh [path/to/reapcheck] [jobs]
#
# Prints the mutation score per profile (the tail of mutate's report) and
# the wall-clock, user and system time and peak memory of the whole run
# (the correct model's six reviews, then every applicable mutant x profile
# pair in forked children, at most `jobs` at a time, default nproc; survivors
# are diffed against the correct model).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
RC="${1:-$(dirname "$here")/build/reapcheck}"
JOBS="${2:-$(nproc)}"
[ -x "$RC" ] || { echo "mutate_bench: no reapcheck binary at $RC" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
/usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB peak (largest process)" -o "$work/time" \
  "$RC" mutate --jobs "$JOBS" --json "$work/m.json" >"$work/out.txt" 2>"$work/err.txt" || true
echo "reapcheck mutate, all mutants, default review suite, $JOBS jobs, $(nproc) cores (load $(cut -d' ' -f1-3 /proc/loadavg))"
sed -n '/^mutation score/,$p' "$work/out.txt"
grep -c "SURVIVES" "$work/out.txt" | sed 's/^/survivor rows: /'
cat "$work/time"
