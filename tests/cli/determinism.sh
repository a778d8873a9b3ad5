#!/usr/bin/env bash
# The same command gives the same answer: check and review twice give
# byte-identical verdicts, counts and traces (JSON without its timing fields,
# trace files), review gives the same report with its profiles side by side
# and one after another, conform --random with one seed
# draws the same traces, and explore counts the same states with 1 and 2
# threads.
# Usage: tests/cli/determinism.sh REAPCHECK
set -u
bin=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# JSON minus the fields that measure time or memory, keys sorted.
timing='["seconds", "peak_rss_bytes", "rss_bytes_per_state", "states_per_second", "peak_frontier_bytes", "orbit_seconds", "table_bytes", "bytes_per_state"]'
strip() { # FILE [jq filter]
  if command -v jq >/dev/null; then
    jq -S --argjson t "$timing" "del(.. | objects | .[\$t[]]?) ${2:+| $2}" "$1"
  else
    python3 - "$1" "$timing" "${2:-}" <<'PY'
import json, sys
t = set(json.loads(sys.argv[2]))
def s(x):
    if isinstance(x, dict): return {k: s(v) for k, v in x.items() if k not in t}
    if isinstance(x, list): return [s(v) for v in x]
    return x
j = s(json.load(open(sys.argv[1])))
if sys.argv[3]: j = {k: j[k] for k in sys.argv[3].strip("{} ").replace(" ", "").split(",")}
print(json.dumps(j, indent=2, sort_keys=True))
PY
  fi
}
same() { # NAME A B
  if cmp -s "$2" "$3"; then echo "ok: $1"; else bad "$1 differs:"; diff "$2" "$3" | head -10; fi
}

small=(--tasks 3 --pidfds 0 --no-exec --no-kill --no-blocking --no-ptrace)
for i in 1 2; do
  "$bin" check --profile v5 "${small[@]}" --depth 6 --json c$i.json --trace-dir ct$i >c$i.out 2>&1
  echo $? >c$i.rc
  strip c$i.json >c$i.stripped
  "$bin" review --profile v4 --profile mainline "${small[@]}" --depth 5 --json r$i.json --trace-dir rt$i >r$i.out 2>/dev/null
  echo $? >r$i.rc
  strip r$i.json >r$i.stripped
done
grep -q '"verdict"' c1.stripped || bad "check: no verdicts in the JSON"
same "check: exit code" c1.rc c2.rc
same "check: JSON without timing" c1.stripped c2.stripped
diff -r ct1 ct2 >/dev/null && echo "ok: check: $(ls ct1 | wc -l) trace files" || bad "check: trace files differ"
same "review: exit code" r1.rc r2.rc
same "review: JSON without timing" r1.stripped r2.stripped
diff -r rt1 rt2 >/dev/null && echo "ok: review: $(ls rt1 | wc -l) trace files" || bad "review: trace files differ"
# The printed report too, but for its times ("0.37 s").
sed -E 's/[0-9]+\.[0-9]+ s\b/T s/g' c1.out >c1.text; sed -E 's/[0-9]+\.[0-9]+ s\b/T s/g' c2.out >c2.text
same "check: printed report without times" c1.text c2.text

# review runs its profiles side by side (two workers of one thread) or one
# after another (one worker of two threads, or of one): the same report.
for j in 1 2; do
  "$bin" review --profile rfc-v3 --profile v4 --profile mainline "${small[@]}" --depth 5 --jobs 2 --profiles-at-once $j \
    --json rj$j.json --trace-dir rjt$j >rj$j.out 2>/dev/null
  echo $? >rj$j.rc
  strip rj$j.json >rj$j.stripped
  sed -E 's/[0-9]+\.[0-9]+ s\b/T s/g; s/[0-9]+ B\/state/N B\/state/g' rj$j.out >rj$j.text
done
same "review: exit code with 1 and 2 profiles at once" rj1.rc rj2.rc
same "review: JSON without timing with 1 and 2 profiles at once" rj1.stripped rj2.stripped
same "review: printed report with 1 and 2 profiles at once" rj1.text rj2.text
diff -r rjt1 rjt2 >/dev/null && echo "ok: review: the same $(ls rjt1 | wc -l) trace files with 1 and 2 profiles at once" ||
  bad "review: trace files differ between 1 and 2 profiles at once"

for t in 1 2; do
  "$bin" explore --alphabet core --tasks 3 --threads $t --quiet --json e$t.json >/dev/null
  strip e$t.json "{states, transitions, depth, level_states, complete, self_loops, expanded}" >e$t.stripped
done
same "explore: counts with 1 and 2 threads" e1.stripped e2.stripped

if [[ $(id -u) == 0 ]]; then
  for i in 1 2; do
    "$bin" conform --random 50 --seed 7 --echo --out o$i >k$i.out 2>&1
    grep -E '^trace [0-9]+: ' k$i.out >k$i.traces
  done
  [[ $(wc -l <k1.traces) -ge 50 ]] || bad "conform: only $(wc -l <k1.traces) statements echoed"
  same "conform --random 50 --seed 7: the traces ($(wc -l <k1.traces) statements)" k1.traces k2.traces
  diff -r o1 o2 >/dev/null || bad "conform: the shrunk mismatch files differ"
else
  echo "conform: skipped (needs root)"
fi
exit $fail
