#!/bin/sh
# execve in the Z3 model (--exec): bmc finds the violation of each property
# of tests/properties/exec.rcp (the exec-id check of do_notify_parent; a
# thread taking the leader's pid in de_thread) and replays it through
# refimpl, and without --exec the same properties have no symbolic form.
set -eu
bin=$1
props=$2/tests/properties/exec.rcp
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set +e
"$bin" bmc --profile mainline --tasks 3 --exec --depth 4 --properties "$props" \
    --property exec.user.exit_signal_zero_silent --quiet >"$out/a.txt"
a=$?
"$bin" bmc --profile mainline --tasks 3 --threads 2 --exec --depth 2 --properties "$props" \
    --property exec.user.keeps_pid --quiet >"$out/b.txt"
b=$?
"$bin" bmc --profile mainline --tasks 3 --depth 2 --properties "$props" \
    --property exec.user.keeps_pid --quiet >"$out/c.txt"
c=$?
set -e
[ "$a" = 1 ] && [ "$b" = 1 ] && [ "$c" = 3 ]
grep -Eq '^  exec.user.exit_signal_zero_silent +violated .*replayed through refimpl' "$out/a.txt"
grep -q '^main: execve -> ok' "$out/a.txt"
grep -Eq '^  exec.user.keeps_pid +violated .*counterexample of 2 steps, replayed through refimpl' "$out/b.txt"
grep -q '^A: execve -> ok' "$out/b.txt"
grep -q 'no symbolic form' "$out/c.txt"
