#!/usr/bin/env bash
# --properties FILE on check, review, serve, bmc and prove (docs/property-language.md):
# user properties in the matrix, the JSON, the HTML, the traces and the
# explorer like the catalog's; bad files are one line with file:line:column
# and exit 2. The catalog is text: pinned matrices, --catalog-text DIR.
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
  --property user.autoreap_parent_no_pending_sigchld --json "$tmp/b.json" >"$tmp/b" 2>&1
rc=$?
[[ $rc -eq 1 ]] || { echo "FAIL: bmc exit $rc (want 1)"; cat "$tmp/b"; fail=1; }
# the joint "is any of them violated at this depth?" queries book their work
# to the properties too (bit-vectors: every query here is a joint one)
[[ $(jq '[.results[] | select(.rlimit > 0 and .cpu_seconds > 0)] | length' "$tmp/b.json") -eq 2 ]] \
  || { echo "FAIL: bmc books units and CPU to every property"; cat "$tmp/b.json"; fail=1; }
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
# The hypotheses are proved together (the aux.* and the parts of
# model.lemmas); one that is not inductive (a user's aux.*: no zombie, true
# within the base case's one step) is dropped and the others are proved
# again without it, and still serve as hypotheses of the rest
printf 'always aux.x_no_zombie {\n  claim "c" source "s"\n  holds forall t in tasks: t.exit_state != zombie\n}\n' >"$tmp/hx.rcp"
"$bin" prove --tasks 3 --depth 1 --properties "$tmp/hx.rcp" --property aux.x_no_zombie --property lifecycle.zombie_has_reaper \
  --property model.lemmas --json "$tmp/hx.json" >"$tmp/hx" 2>"$tmp/hx.err"
rc=$?
[[ $rc -eq 3 ]] && grep -Eq "aux.x_no_zombie +unknown .*not k-inductive" "$tmp/hx" \
  && grep -q "hypotheses, round 1: aux.x_no_zombie not proved" "$tmp/hx.err" \
  && grep -Eq "lifecycle.zombie_has_reaper +proved .*relative to 8 proved hypotheses" "$tmp/hx" \
  && [[ $(jq '[.results[] | select(.property | startswith("model.lemmas.")) | select(.verdict == "proved")] | length' "$tmp/hx.json") -eq 2 ]] \
  && [[ $(jq '[.results[] | select(.rlimit > 0 and .cpu_seconds > 0)] | length' "$tmp/hx.json") -ge 8 ]] \
  || { echo "FAIL: prove drops a hypothesis that is not inductive (exit $rc)"; cat "$tmp/hx" "$tmp/hx.err"; fail=1; }
# With threads model.lemmas.leader is one part per slot (leader.0 ...), the
# group selected by its prefix; a name that is neither a part nor a group is
# one error line listing the parts (exit 2, before any query)
"$bin" prove --tasks 3 --threads 2 --property model.lemmas.leade >"$tmp/lp" 2>&1
rc=$?
[[ $rc -eq 2 && $(wc -l <"$tmp/lp") -eq 1 ]] \
  && grep -q "unknown property id 'model.lemmas.leade' .*model.lemmas.threads, model.lemmas.leader.0, model.lemmas.leader.1, model.lemmas.leader.2)" "$tmp/lp" \
  || { echo "FAIL: prove names the per-slot leader parts (exit $rc)"; cat "$tmp/lp"; fail=1; }
"$bin" prove --tasks 2 --threads 2 --depth 1 --property model.lemmas.leader --json "$tmp/lp.json" >"$tmp/lp" 2>&1
rc=$?
[[ $rc -eq 0 ]] \
  && [[ $(jq -c '[.results[] | select(.property | startswith("model.lemmas.leader")) | [.property, .verdict]]' "$tmp/lp.json") \
        == '[["model.lemmas.leader.0","proved"],["model.lemmas.leader.1","proved"]]' ]] \
  || { echo "FAIL: prove --property model.lemmas.leader selects and proves the per-slot parts (exit $rc)"; cat "$tmp/lp"; fail=1; }
# A property that is not 1-inductive is searched for from the initial world
# before any larger k is tried, first in the model without the switches
# (here --autokill), and the path found there is confirmed in the full model
# and reported with its trace; exit_info_on_pollin's k = 2 query is never asked
"$bin" prove --tasks 3 --autokill --depth 3 --property autoreap.exit_info_on_pollin --json "$tmp/ns.json" \
  >"$tmp/ns" 2>"$tmp/ns.err"
rc=$?
[[ $rc -eq 1 ]] \
  && grep -q "first without execve, kill, AUTOKILL, capset and WNOWAIT: autoreap.exit_info_on_pollin" "$tmp/ns.err" \
  && grep -q "autoreap.exit_info_on_pollin: violated in 3 steps (a path of the full model)" "$tmp/ns.err" \
  && ! grep -q "exit_info_on_pollin: not 2-inductive" "$tmp/ns.err" \
  && [[ $(jq -c '.results[] | select(.property == "autoreap.exit_info_on_pollin") | [.verdict, .k]' "$tmp/ns.json") \
        == '["violated",3]' ]] \
  && grep -q "replayed through refimpl" "$tmp/ns" \
  || { echo "FAIL: prove searches the not 1-inductive property without the switches first (exit $rc)"; cat "$tmp/ns" "$tmp/ns.err"; fail=1; }
# --query-rlimit bounds each query by Z3's resource units, whatever the load:
# too few and the property is unknown (the reason says why), enough and it is proved
"$bin" prove --quiet --tasks 3 --property aux.resting --query-rlimit 100000 >"$tmp/r1" 2>&1
rc=$?
[[ $rc -eq 3 ]] && grep -q "aux.resting *unknown.*time or resource limit ran out" "$tmp/r1" \
  || { echo "FAIL: prove --query-rlimit 100000 (exit $rc)"; cat "$tmp/r1"; fail=1; }
"$bin" prove --quiet --tasks 3 --property aux.resting --query-rlimit 10000000 >"$tmp/r2" 2>&1
rc=$?
[[ $rc -eq 0 ]] && grep -Eq "aux.resting +proved" "$tmp/r2" \
  || { echo "FAIL: prove --query-rlimit 10000000 (exit $rc)"; cat "$tmp/r2"; fail=1; }
# ... and the agreement queries of prove --unbounded --agree too: with 1,000
# units most of them are unknown and the run says so (exit 3)
"$bin" prove --unbounded --quiet --agree 2 --property autoreap.not_inherited --query-rlimit 1000 >"$tmp/r3" 2>&1
rc=$?
[[ $rc -eq 3 ]] && grep -Eq "agreement .*2 slots: [0-9]+ actions, [0-9]+ property forms, 0 disagree, [1-9][0-9]* unknown" "$tmp/r3" \
  || { echo "FAIL: prove --unbounded --agree 2 --query-rlimit 1000 (exit $rc)"; cat "$tmp/r3"; fail=1; }

# the catalog is text: two small reviews give the pinned matrices and vacuity
# (tests/properties/review_pinned.txt, taken from the compiled predicates
# before they were deleted, plus the rows added since)
pinned=$src/tests/properties/review_pinned.txt
{ echo "# review --tasks 3 --depth 4 --threads 2 --ptrace"
  "$bin" review --tasks 3 --depth 4 --threads 2 --ptrace --no-progress --no-traces --no-diff 2>/dev/null | sed -n '/^property /,$p'
  echo "# review --tasks 3 --depth 4 --no-ptrace"
  "$bin" review --tasks 3 --depth 4 --no-ptrace --no-progress --no-traces --no-diff 2>/dev/null | sed -n '/^property /,$p'
} >"$tmp/pinned"
[[ $(grep -c VIOLATED "$tmp/pinned") -gt 0 ]] && diff "$pinned" "$tmp/pinned" >"$tmp/pd" \
  || { echo "FAIL: the review differs from the pinned matrix"; head -20 "$tmp/pd"; fail=1; }

# --catalog-text DIR replaces the embedded catalog: an edited copy, without rebuilding
mkdir -p "$tmp/cat"; cp "$src"/properties/catalog/*.rcp "$tmp/cat/"
sed -i 's|"The namespace init never exits."|"The namespace init never exits (edited)."|' "$tmp/cat/2-lifecycle.rcp"
printf 'always dev.no_zombie_ever {\n  claim "c" source "s" about zombie\n  holds forall t in tasks: t.exit_state != zombie\n}\n' \
  >"$tmp/cat/9-dev.rcp"
"$bin" check --catalog-text "$tmp/cat" --tasks 3 --depth 3 --no-progress --property dev.no_zombie_ever \
  --property lifecycle.init_alive --json "$tmp/ct.json" >"$tmp/ct" 2>&1
rc=$?
[[ $rc -eq 1 ]] && grep -q "dev.no_zombie_ever *VIOLATED" "$tmp/ct" \
  || { echo "FAIL: --catalog-text: exit $rc"; cat "$tmp/ct"; fail=1; }
[[ $(jq -r '.results[0].verdicts[] | select(.property=="dev.no_zombie_ever") | .origin' "$tmp/ct.json") == "$tmp/cat/9-dev.rcp:1:8" ]] \
  || { echo "FAIL: --catalog-text origin"; jq '.results[0].verdicts' "$tmp/ct.json"; fail=1; }
"$bin" check --catalog-text "$tmp/cat" --tasks 2 --depth 1 --no-progress --property lifecycle.init_alive --html "$tmp/ct.html" >/dev/null 2>&1
grep -q "never exits (edited)" "$tmp/ct.html" || { echo "FAIL: --catalog-text claim not read from the directory"; fail=1; }
"$bin" check --catalog-text "$src/scenarios" >"$tmp/e" 2>&1
rc=$?
[[ $rc -eq 2 && $(wc -l <"$tmp/e") -eq 1 ]] && grep -q "scenarios:0:0: no .rcp file" "$tmp/e" \
  || { echo "FAIL: --catalog-text without .rcp files: exit $rc"; cat "$tmp/e"; fail=1; }

# serve --properties: the user's properties in the API like the catalog's
command -v curl >/dev/null || { echo "FAIL: curl is not installed"; exit 1; }
"$bin" serve --port 0 --properties "$user" >"$tmp/serve" 2>&1 &
spid=$!
url=
# up to 30 s for the server to print its address: this test shares the
# machine with others (it is not RUN_SERIAL), and a sanitized build starts slower
for _ in $(seq 600); do
  url=$(sed -n 's|^reapcheck serve: \(http://127.0.0.1:[0-9]*/\).*|\1|p' "$tmp/serve" 2>/dev/null)
  [[ -n $url ]] && break
  kill -0 "$spid" 2>/dev/null || break
  sleep 0.05
done
if [[ -z $url ]]; then
  echo "FAIL: serve --properties did not start: $(cat "$tmp/serve")"; fail=1
else
  grep -q "14 of them the user's" "$tmp/serve" || { echo "FAIL: serve banner: $(cat "$tmp/serve")"; fail=1; }
  curl --noproxy '*' -s -m 10 "${url}api/info" >"$tmp/info"
  [[ $(jq -r '.properties[] | select(.id=="user.zombie_tracer_alive") | .kind' "$tmp/info") == always ]] \
    || { echo "FAIL: /api/info lacks the user's property"; head -c 500 "$tmp/info"; fail=1; }
  curl --noproxy '*' -s -m 10 -X POST -d '{}' "${url}api/view" >"$tmp/view"
  [[ $(jq -r '.properties[] | select(.id=="user.init_never_traced") | .now' "$tmp/view") == holds ]] \
    || { echo "FAIL: the view does not evaluate the user's property"; head -c 500 "$tmp/view"; fail=1; }
fi
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
"$bin" serve --port 0 --properties "$tmp/nope.rcp" >"$tmp/e" 2>&1
[[ $? -eq 2 ]] && grep -q "nope.rcp:0:0: cannot open" "$tmp/e" || { echo "FAIL: serve, missing file"; cat "$tmp/e"; fail=1; }

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
