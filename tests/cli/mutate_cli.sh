#!/usr/bin/env bash
# `reapcheck mutate` and `reapcheck audit` as a user runs them, on small
# bounds: the list prints every id; a named mutant is killed by the expected
# property (text and JSON, two forked jobs); the audit of an upstream
# selftest flags its weak waitpid; bad input is one line and exit 2.
set -u
bin=$1; src=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # name, expected exit, actual exit
  if [[ $2 != "$3" ]]; then echo "FAIL: $1: exit $3, expected $2"; fail=1; else echo "ok: $1"; fi
}
"$bin" mutate --list >"$tmp/list" 2>&1
check "mutate --list" 0 $?
n=$(grep -c "^[a-z_]*\.[a-z_]* " "$tmp/list")
[[ $n -ge 25 ]] || { echo "FAIL: only $n mutant ids listed"; fail=1; }
grep -q "^copy_signal.autoreap_inherited .*kernel/fork.c:copy_signal" "$tmp/list" || { echo "FAIL: list line"; fail=1; }

small="--tasks 4 --pidfds 0 --no-exec --no-kill --no-blocking --no-autokill --no-parent --no-subreaper --no-sigaction --depth 3"
"$bin" mutate --mutant copy_signal.autoreap_inherited --mutant de_thread.exit_signal --profile mainline \
  --profile linux-6.18 $small --no-diff --jobs 2 --json "$tmp/m.json" >"$tmp/m.txt" 2>"$tmp/m.err"
check "mutate two mutants" 0 $?
grep -q "mainline    killed by autoreap.not_inherited" "$tmp/m.txt" || { echo "FAIL: kill line"; cat "$tmp/m.txt"; fail=1; }
grep -q "linux-6.18  n/a" "$tmp/m.txt" || { echo "FAIL: n/a line"; fail=1; }
grep -q "de_thread.exit_signal" "$tmp/m.txt" && grep -q "SURVIVES" "$tmp/m.txt" || { echo "FAIL: survivor line"; fail=1; }
grep -q '"property": "autoreap.not_inherited"' "$tmp/m.json" || { echo "FAIL: json kill"; fail=1; }
grep -q '"score"' "$tmp/m.json" || { echo "FAIL: json score"; fail=1; }

"$bin" audit "$src/scenarios/selftest/autoreap_without_pidfd.scn" --json "$tmp/a.json" >"$tmp/a.txt" 2>&1
check "audit autoreap_without_pidfd" 0 $?
grep -q "wait4 C WNOHANG -> ECHILD .*WEAK" "$tmp/a.txt" || { echo "FAIL: weak waitpid not flagged"; cat "$tmp/a.txt"; fail=1; }
grep -q '"weak": true' "$tmp/a.json" || { echo "FAIL: json weak"; fail=1; }

"$bin" mutate --mutant no.such_mutant >"$tmp/e" 2>&1
check "unknown mutant" 2 $?
[[ $(wc -l <"$tmp/e") -eq 1 ]] || { echo "FAIL: more than one line"; cat "$tmp/e"; fail=1; }
"$bin" audit "$tmp/missing.scn" >"$tmp/e" 2>&1
check "missing scenario" 2 $?
exit $fail
