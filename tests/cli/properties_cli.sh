#!/usr/bin/env bash
# --properties FILE on check, review, bmc and prove (docs/property-language.md):
# user properties in the matrix, the JSON, the HTML and the traces like the
# catalog's; bad files are one line with file:line:column and exit 2.
set -u
bin=$1; src=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
user=$src/tests/properties/user.rcp
small=(--tasks 3 --depth 5 --ptrace --no-progress)

# check: a violated user property, its trace written and replayable
"$bin" check "${small[@]}" --properties "$user" --property user.reaped_by_real_parent \
  --property user.zombie_tracer_linked --property lifecycle.reaped_once \
  --json "$tmp/c.json" --trace-dir "$tmp/tr" --html "$tmp/c.html" >"$tmp/out" 2>&1
rc=$?
[[ $rc -eq 1 ]] || { echo "FAIL: check exit $rc (want 1)"; cat "$tmp/out"; fail=1; }
grep -q "user.reaped_by_real_parent *VIOLATED" "$tmp/out" || { echo "FAIL: no violation in the matrix"; cat "$tmp/out"; fail=1; }
grep -q "user.zombie_tracer_linked *holds" "$tmp/out" || { echo "FAIL: holding user property missing"; fail=1; }
grep -q "lifecycle.reaped_once *holds" "$tmp/out" || { echo "FAIL: built-in property missing next to the user's"; fail=1; }
[[ $(jq -r '.results[0].verdicts[] | select(.property=="user.reaped_by_real_parent") | .origin' "$tmp/c.json") == "$user:31:6" ]] \
  || { echo "FAIL: JSON origin"; jq '.results[0].verdicts' "$tmp/c.json"; fail=1; }
[[ $(jq -r '.results[0].verdicts[] | select(.property=="user.reaped_by_real_parent") | .itf | type' "$tmp/c.json") == object ]] \
  || { echo "FAIL: JSON has no ITF trace"; fail=1; }
f=$tmp/tr/mainline.user.reaped_by_real_parent.scn
[[ -s $f ]] || { echo "FAIL: trace file missing"; ls "$tmp/tr"; fail=1; }
"$bin" replay -q "$f" >"$tmp/r" 2>&1 || { echo "FAIL: trace does not replay"; cat "$tmp/r"; fail=1; }
grep -q 'href="#p-user.reaped_by_real_parent"' "$tmp/c.html" || { echo "FAIL: HTML matrix lacks the user property"; fail=1; }
grep -q "defined at $user:31:6" "$tmp/c.html" || { echo "FAIL: HTML lacks the origin"; fail=1; }

# review: the user's properties in the matrix of every profile; n/a by feature
"$bin" review --profile linux-6.18 --profile mainline --tasks 3 --depth 3 --no-progress --properties "$user" \
  --property user.autoreap_no_sigchld --property user.init_never_traced >"$tmp/rv" 2>&1
rc=$?
[[ $rc -eq 0 ]] || { echo "FAIL: review exit $rc"; cat "$tmp/rv"; fail=1; }
grep -Eq "user.autoreap_no_sigchld +n/a +holds" "$tmp/rv" || { echo "FAIL: review matrix"; cat "$tmp/rv"; fail=1; }

# bmc / prove: the user's properties get symbolic forms translated from their
# text; a violation is replayed through refimpl
"$bin" bmc --quiet --tasks 3 --depth 3 --properties "$user" --property user.init_never_traced \
  --property user.autoreap_parent_no_pending_sigchld >"$tmp/b" 2>&1
rc=$?
[[ $rc -eq 1 ]] || { echo "FAIL: bmc exit $rc (want 1)"; cat "$tmp/b"; fail=1; }
grep -Eq "user.init_never_traced +holds-bounded" "$tmp/b" || { echo "FAIL: bmc bounded verdict"; cat "$tmp/b"; fail=1; }
grep -Eq "user.autoreap_parent_no_pending_sigchld +violated .*replayed through refimpl" "$tmp/b" \
  || { echo "FAIL: bmc violation"; cat "$tmp/b"; fail=1; }
# a construct the model has no counterpart for: unknown, named with its place
printf 'always x.threads {\n  claim "c" source "s"\n  holds forall t in tasks: t.live_threads <= 1\n}\n' >"$tmp/nf.rcp"
"$bin" prove --quiet --tasks 3 --properties "$tmp/nf.rcp" --property x.threads >"$tmp/p" 2>&1
rc=$?
[[ $rc -eq 3 ]] || { echo "FAIL: prove exit $rc (want 3)"; cat "$tmp/p"; fail=1; }
grep -q "x.threads *unknown.*no symbolic form: 'live_threads' ($tmp/nf.rcp:3)" "$tmp/p" \
  || { echo "FAIL: prove reason"; cat "$tmp/p"; fail=1; }
grep -Eq "aux.parents +proved" "$tmp/p" || { echo "FAIL: prove hypotheses"; cat "$tmp/p"; fail=1; }

# the catalog read from its text form gives the compiled catalog's matrix
for m in compiled text; do
  extra=(); [[ $m == text ]] && extra=(--catalog-text "$src/properties/catalog")
  "$bin" review --tasks 3 --depth 4 --threads 2 --ptrace --no-progress --no-traces --no-diff "${extra[@]}" >"$tmp/m.$m" 2>/dev/null
done
sed -n '/^property /,/^$/p' "$tmp/m.compiled" >"$tmp/mc"; sed -n '/^property /,/^$/p' "$tmp/m.text" >"$tmp/mt"
[[ $(wc -l <"$tmp/mc") -gt 50 ]] && diff "$tmp/mc" "$tmp/mt" >/dev/null \
  || { echo "FAIL: --catalog-text matrix differs"; diff "$tmp/mc" "$tmp/mt" | head; fail=1; }
grep -q VIOLATED "$tmp/mt" || { echo "FAIL: no violation in the text-form matrix"; fail=1; }

# bad input: one line, file:line:column, exit 2
printf 'always x.y {\n  claim "c" source "s"\n  holds forall t in tasks: t.zombie\n}\n' >"$tmp/bad.rcp"
"$bin" check --properties "$tmp/bad.rcp" >"$tmp/e" 2>&1
rc=$?
[[ $rc -eq 2 && $(wc -l <"$tmp/e") -eq 1 ]] || { echo "FAIL: bad file: exit $rc"; cat "$tmp/e"; fail=1; }
grep -q "^reapcheck: $tmp/bad.rcp:3:30: unknown fact 'zombie' of a task" "$tmp/e" || { echo "FAIL: message"; cat "$tmp/e"; fail=1; }
# the same file twice: duplicate ids, with where the first is
"$bin" check --properties "$user" --properties "$user" >"$tmp/e" 2>&1
rc=$?
[[ $rc -eq 2 ]] && grep -q "^reapcheck: $user:5:8: duplicate property id 'user.zombie_tracer_linked' (already defined at $user:5:8)" "$tmp/e" \
  || { echo "FAIL: duplicate: exit $rc"; cat "$tmp/e"; fail=1; }
# a user id without its file
"$bin" check --property user.init_never_traced >"$tmp/e" 2>&1
[[ $? -eq 2 ]] || { echo "FAIL: unknown id accepted"; cat "$tmp/e"; fail=1; }
"$bin" check --properties "$tmp/nope.rcp" >"$tmp/e" 2>&1
[[ $? -eq 2 ]] && grep -q "nope.rcp:0:0: cannot open" "$tmp/e" || { echo "FAIL: missing file"; cat "$tmp/e"; fail=1; }
[[ $fail -eq 0 ]] && echo "properties cli: ok"
exit $fail
