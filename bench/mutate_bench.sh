#!/usr/bin/env bash
# mutate_bench.sh: `reapcheck mutate` over every mutant at the default review
# bounds (the default suite, all six profiles), timed with /usr/bin/time.
#
#   bench/mutate_bench.sh [path/to/reapcheck] [jobs] [keep-dir]
#
# Prints the mutation score per profile (the tail of mutate's report), the
# rows that are not killed, and the wall-clock, user and system time and
# peak memory of the whole run (the correct model's six reviews, then every
# applicable mutant x profile pair in forked children, at most `jobs` at a
# time, default nproc; survivors are diffed against the correct model). On a
# shared machine the wall-clock time depends on the load; user time / jobs
# is what the run takes on `jobs` otherwise idle cores. With keep-dir, the
# whole report and its JSON are kept there (mutate.txt, mutate.json).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
RC="${1:-$(dirname "$here")/build/reapcheck}"
JOBS="${2:-$(nproc)}"
KEEP="${3:-}"
[ -x "$RC" ] || { echo "mutate_bench: no reapcheck binary at $RC" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
  "$RC" mutate --jobs "$JOBS" --json "$work/m.json" >"$work/out.txt" 2>"$work/err.txt" || true
echo "reapcheck mutate, all mutants, default review suite, $JOBS jobs, $(nproc) cores" \
     "(load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg))"
sed -n '/^mutation score/,$p' "$work/out.txt"
echo "not killed:"
awk '/^mutant /{m=$2} /^  [a-z0-9.-]+ +(SURVIVES|equivalent|model error|unknown)/{sub(/  \[.*/, ""); print "  " m ": " substr($0, 3); n++} END {if (!n) print "  none"}' "$work/out.txt"
read -r wall user sys peak <"$work/time"
echo "$wall s wall, $user s user, $sys s system, $peak KB peak (largest process)"
awk -v u="$user" -v j="$JOBS" 'BEGIN { printf "user time / %d jobs: %.0f s\n", j, u / j }'
if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  cp "$work/out.txt" "$KEEP/mutate.txt"
  cp "$work/m.json" "$KEEP/mutate.json"
fi
