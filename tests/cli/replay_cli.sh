#!/usr/bin/env bash
# End-to-end checks of `reapcheck replay` as a user runs it: the bundled
# scenarios pass; a mismatch exits 1 naming the line; a malformed file and a
# missing file exit 2 with one clear line each.
set -u
bin=$1; src=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name, expected exit, actual exit
  if [[ $2 != "$3" ]]; then echo "FAIL: $1: exit $3, expected $2"; fail=1; else echo "ok: $1"; fi
}
"$bin" replay -q "$src"/scenarios/*.scn "$src"/scenarios/selftest/*.scn >"$tmp/out" 2>&1
check "bundled scenarios replay" 0 $?
grep -q "0 with mismatches" "$tmp/out" || { echo "FAIL: summary"; tail -3 "$tmp/out"; fail=1; }

printf 'main: fork -> child C\nC: exit 3\nmain: wait4 C -> C exited(4)\n' >"$tmp/mismatch.scn"
"$bin" replay "$tmp/mismatch.scn" >"$tmp/out" 2>&1
check "mismatch" 1 $?
grep -q "mismatch.scn:3:1: mismatch: main: wait4 C -> C exited(4)" "$tmp/out" || { echo "FAIL: mismatch line"; cat "$tmp/out"; fail=1; }
grep -q "observed: C exited(3)" "$tmp/out" || { echo "FAIL: observed"; fail=1; }

printf 'main: clone3 flags=PIDFD|NOPE\n' >"$tmp/bad.scn"
"$bin" replay "$tmp/bad.scn" >"$tmp/out" 2>"$tmp/err"
check "malformed" 2 $?
[[ $(wc -l <"$tmp/err") == 1 ]] && grep -q "bad.scn:1:26: unknown clone flag 'NOPE'" "$tmp/err" || { echo "FAIL: malformed message"; cat "$tmp/err"; fail=1; }

"$bin" replay "$tmp/none.scn" >"$tmp/out" 2>"$tmp/err"
check "missing file" 2 $?
grep -q "none.scn:0:0: no such file" "$tmp/err" || { echo "FAIL: missing message"; cat "$tmp/err"; fail=1; }

"$bin" replay --profile v9 "$src/scenarios/autoreap_basic.scn" >"$tmp/out" 2>"$tmp/err"
check "unknown profile" 2 $?

"$bin" replay --profile linux-6.18 "$src"/scenarios/selftest/autoreap_basic.scn >"$tmp/out" 2>&1
check "selftest under linux-6.18 mismatches" 1 $?
grep -q "observed: EINVAL" "$tmp/out" || { echo "FAIL: 6.18 EINVAL"; fail=1; }
exit $fail
