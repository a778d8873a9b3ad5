#!/bin/sh
# prove --unbounded (docs/unbounded.md): the parameterized model instantiated
# with 2 and 3 tasks equals the N-slot model action by action, and the
# parameterized translation of each property its form in the N-slot model
# (mainline; 2 tasks for linux-6.18, the profile without CLONE_AUTOREAP, and
# for rfc-v3, where autoreap.rejects_parent fails), and a step
# property per profile class is proved for every number of tasks. Each run's
# exit status is 0 only when every comparison agrees and every property is
# proved; the report must also say so in words.
set -eu
bin=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" prove --unbounded --profile mainline --agree 2 --agree 3 \
    --property autoreap.not_inherited --property autoreap.rejects_parent --quiet --json "$out/m.json" >"$out/m.txt"
grep -q 'agreement with the N-slot model (no threads), 3 slots: [0-9]* actions, [1-9][0-9]* property forms, 0 disagree, 0 unknown' "$out/m.txt"
grep -Eq '^  autoreap.rejects_parent +proved' "$out/m.txt"
grep -q '"verdict": "proved"' "$out/m.json"
"$bin" prove --unbounded --profile linux-6.18 --agree 2 --property clone.parent_exit_signal --quiet >"$out/l.txt"
grep -Eq '^  clone.parent_exit_signal +proved' "$out/l.txt"
# The property forms agree where the property fails too (rfc-v3 accepts
# AUTOREAP|PARENT): there a vacuous parameterized form (one that dropped
# the flag, say) differs from the N-slot one on the clone, which a profile
# where both hold cannot show. Not inductive: exit 1, but no disagreement.
set +e
"$bin" prove --unbounded --profile rfc-v3 --agree 2 --property autoreap.rejects_parent --quiet >"$out/r.txt"
code=$?
set -e
[ "$code" = 1 ]
grep -q 'agreement with the N-slot model (no threads), 2 slots: [0-9]* actions, [1-9][0-9]* property forms, 0 disagree, 0 unknown' "$out/r.txt"
grep -Eq '^  autoreap.rejects_parent +not inductive' "$out/r.txt"
# a property the parameterized translation cannot read says so, per property
set +e
"$bin" prove --unbounded --profile mainline --property lifecycle.orphan_reaper --quiet >"$out/u.txt"
code=$?
set -e
[ "$code" = 3 ]
grep -q 'unknown.*no parameterized form' "$out/u.txt"
# an unknown property id is bad input (before any agreement query)
set +e
"$bin" prove --unbounded --agree 3 --property no.such_property --quiet >/dev/null 2>"$out/e.txt"
code=$?
set -e
[ "$code" = 2 ]
grep -q "unknown property id 'no.such_property'" "$out/e.txt"
# --agree without --unbounded is a usage error
set +e
"$bin" prove --agree 2 >/dev/null 2>&1
code=$?
set -e
[ "$code" = 2 ]
echo "prove_unbounded: ok"
