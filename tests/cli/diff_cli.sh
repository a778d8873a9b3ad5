#!/usr/bin/env bash
# `reapcheck diff` as a user runs it: v5 vs mainline differs; both printed
# traces (stdout) and both written ones (--out) replay with
# `reapcheck replay --profile`; each fails under the other profile; the JSON
# says so; a profile against itself finds nothing (exit 0); an unknown
# profile is one line and exit 2.
set -u
bin=$1; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name, expected exit, actual exit
  if [[ $2 != "$3" ]]; then echo "FAIL: $1: exit $3, expected $2"; fail=1; else echo "ok: $1"; fi
}
"$bin" diff v5 mainline --json "$tmp/d.json" --out "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr"
check "diff v5 mainline" 0 $?
grep -q "^diff v5 -> mainline: DIFFERENT after 2 steps" "$tmp/stdout" || { echo "FAIL: verdict line"; head -5 "$tmp/stdout"; fail=1; }
# The two printed traces: from each "# --- under/the same calls under" marker to the next.
awk '/^# --- under v5 /{f=1; next} /^# --- the same calls under mainline /{f=2; next} f==1{print > "'"$tmp"'/p5.scn"} f==2{print > "'"$tmp"'/pm.scn"}' "$tmp/stdout"
for pair in "v5 $tmp/p5.scn" "mainline $tmp/pm.scn" "v5 $tmp/out/A.scn" "mainline $tmp/out/B.scn"; do
  set -- $pair
  "$bin" replay -q --profile "$1" "$2" >"$tmp/r" 2>&1
  check "replay --profile $1 $(basename "$2")" 0 $?
  grep -q "1 files, 0 with mismatches" "$tmp/r" || { echo "FAIL: replay summary"; cat "$tmp/r"; fail=1; }
done
diff -B -q "$tmp/p5.scn" "$tmp/out/A.scn" >/dev/null || { echo "FAIL: printed and written A traces differ"; fail=1; }
"$bin" replay -q --profile mainline "$tmp/out/A.scn" >"$tmp/r" 2>&1
check "A.scn under mainline mismatches" 1 $?
"$bin" replay -q --profile v5 "$tmp/out/B.scn" >"$tmp/r" 2>&1
check "B.scn under v5 mismatches" 1 $?
grep -q '"verdict": "different"' "$tmp/d.json" || { echo "FAIL: json verdict"; fail=1; }

"$bin" diff v5 v5 --depth 2 --no-traces >"$tmp/stdout" 2>&1
check "diff v5 v5" 0 $?
grep -q "no difference found within the bound (every scenario of up to 2 steps)" "$tmp/stdout" || { echo "FAIL: same"; cat "$tmp/stdout"; fail=1; }

"$bin" diff v5 v5 --depth 6 --max-states 200 --no-traces >"$tmp/stdout" 2>&1
check "diff stopped by a limit is unknown" 3 $?
grep -q "unknown: stopped (state limit)" "$tmp/stdout" || { echo "FAIL: unknown"; cat "$tmp/stdout"; fail=1; }

"$bin" diff v5 v9 >"$tmp/stdout" 2>"$tmp/stderr"
check "unknown profile" 2 $?
[[ $(wc -l <"$tmp/stderr") == 1 ]] && grep -q "unknown profile 'v9'" "$tmp/stderr" || { echo "FAIL: message"; cat "$tmp/stderr"; fail=1; }
"$bin" diff v5 mainline --exclude wiat4 >"$tmp/stdout" 2>"$tmp/stderr"
check "bad --exclude" 2 $?
[[ $(wc -l <"$tmp/stderr") == 1 ]] || { echo "FAIL: --exclude message"; cat "$tmp/stderr"; fail=1; }
exit $fail
