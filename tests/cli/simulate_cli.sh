#!/usr/bin/env bash
# reapcheck simulate: finds the review's known violations from fixed seeds at
# bounds beyond the review's (6 tasks, two threads, pidfds, ptrace, every
# feature), each shrunk trace replays through refimpl, the answer does not
# depend on --jobs (nor on the run: twice the same JSON), a cover is counted,
# liveness is reported as not checkable, and bad input is one line, exit 2.
# Usage: tests/cli/simulate_cli.sh REAPCHECK
set -u
bin=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# known PROFILE PROPERTY: found from seed 7 in at most 500 walks, exit 1, the
# trace written and replayed, and no longer than the walk's raw prefix.
known() {
  local p=$1 id=$2
  timeout 120 "$bin" simulate --profile "$p" --property "$id" --seed 7 --walks 500 --jobs 1 \
    --trace-dir "t.$p" --json "$p.$id.json" >out 2>err
  local rc=$?
  [[ $rc == 1 ]] || { bad "$p $id: exit $rc, expected 1 (a violation)"; head -3 err; return; }
  grep -Eq "^  $id +VIOLATED +trace of [0-9]+ steps" out || { bad "$p $id: no VIOLATED line"; head -5 out; return; }
  local f="t.$p/$p.$id.scn"
  [[ -s $f ]] || { bad "$p $id: no trace file $f"; return; }
  "$bin" replay --profile "$p" "$f" >rout 2>&1 || { bad "$p $id: the trace does not replay"; cat rout; return; }
  grep -q "found by reapcheck simulate: walk" "$f" || bad "$p $id: the trace does not say where the walks found it"
  python3 - "$p.$id.json" "$id" <<'PY' || bad "$p $id: JSON"
import json, sys
j = json.load(open(sys.argv[1]))
v = [v for v in j["results"][0]["verdicts"] if v["property"] == sys.argv[2]][0]
assert v["verdict"] == "VIOLATED", v["verdict"]
assert 0 < v["trace_steps"] <= v["found"]["raw_steps"], (v["trace_steps"], v["found"])
assert j["simulation"]["seed"] == 7 and j["simulation"]["walks"] <= 500
PY
  echo "ok: $p $id found and replayed ($(grep -Eo 'trace of [0-9]+ steps \(walk [0-9]+' out))"
}
known mainline autoreap.never_zombie
known mainline autoreap.exit_info_on_pollin
known v5 autoreap.parent_grandchild
# Shrinking works: the walk's 19-step prefix becomes the two calls that show
# the bug (the shortest trace check finds has two steps too); --no-shrink
# keeps the walk's own prefix.
python3 - v5.autoreap.parent_grandchild.json <<'PY' || bad "parent_grandchild was not shrunk to at most 3 steps"
import json, sys
v = [v for v in json.load(open(sys.argv[1]))["results"][0]["verdicts"] if v["property"] == "autoreap.parent_grandchild"][0]
assert v["trace_steps"] <= 3 < v["found"]["raw_steps"], (v["trace_steps"], v["found"])
PY
"$bin" simulate --profile v5 --property autoreap.parent_grandchild --seed 7 --walks 500 --jobs 1 --no-shrink \
  --json raw.json >/dev/null 2>&1
python3 - raw.json <<'PY' || bad "--no-shrink: the trace is not the walk's prefix"
import json, sys
v = json.load(open(sys.argv[1]))["results"][0]["verdicts"][0]
assert v["trace_steps"] == v["found"]["raw_steps"] == v["found"]["step"], v
PY

# Determinism: --jobs 1 and --jobs 2 (and a second run) give the same verdicts,
# walks, steps and traces; only timing and the thread count may differ.
strip() {
  python3 - "$1" <<'PY'
import json, sys
drop = {"seconds", "steps_per_second", "cpu_seconds", "steps_per_cpu_second", "shrink_seconds", "threads"}
def s(x):
    if isinstance(x, dict): return {k: s(v) for k, v in x.items() if k not in drop}
    if isinstance(x, list): return [s(v) for v in x]
    return x
print(json.dumps(s(json.load(open(sys.argv[1]))), indent=1, sort_keys=True))
PY
}
for j in 1 2 2; do
  "$bin" simulate --profile v5 --seed 11 --walks 300 --steps 40 --bias rare --jobs $j --json "d$j.json" >/dev/null 2>err
  rc=$?
  [[ $rc == 1 ]] || bad "determinism run --jobs $j: exit $rc"
done
strip d1.json >d1.txt
strip d2.json >d2.txt
if cmp -s d1.txt d2.txt; then echo "ok: --jobs 1 and --jobs 2 agree"; else bad "--jobs 1 and 2 differ"; diff d1.txt d2.txt | head -20; fi
python3 - d1.json <<'PY' || bad "determinism JSON content"
import json, sys
j = json.load(open(sys.argv[1]))
v = {v["property"]: v for v in j["results"][0]["verdicts"]}
assert j["simulation"]["walks"] == 300 and j["simulation"]["bias"] == "rare"
assert v["autoreap.parent_grandchild"]["verdict"] == "VIOLATED"
c = v["cover.autoreap_exit"]
assert c["verdict"] == "covered" and 0 < c["walks_hit"] <= 300, c
e = v["eventually.zombies_reapable"]
assert e["verdict"] == "unknown" and "not checkable" in e["reason"], e
PY
# Another seed draws other walks.
"$bin" simulate --profile v5 --seed 12 --walks 300 --steps 40 --bias rare --jobs 1 --json s12.json >/dev/null 2>&1
strip s12.json >s12.txt
cmp -s d1.txt s12.txt && bad "seeds 11 and 12 gave the same run"

# Bad input: one line on stderr, exit 2.
row() {
  local name=$1 pat=$2; shift 2
  timeout 20 "$bin" simulate "$@" >out 2>err
  local rc=$?
  if [[ $rc != 2 ]]; then bad "$name: exit $rc, expected 2"; head -3 err; return; fi
  if [[ $(wc -l <err) != 1 ]]; then bad "$name: $(wc -l <err) lines on stderr"; head -3 err; return; fi
  grep -Eq -- "$pat" err || { bad "$name: stderr does not match /$pat/: $(cat err)"; return; }
  echo "ok: $name"
}
row "zero walks" "--walks" --walks 0
row "zero steps" "--steps" --steps 0
row "unknown property" "unknown property id 'no.such'" --property no.such
row "impossible tasks" "--tasks" --tasks 9
row "one task" "--tasks" --tasks 1
row "bad bias" "--bias" --bias sometimes
row "unknown profile" "unknown profile" --profile v9
row "negative time" "--time" --time -1
row "unwritable json" "--json" --walks 1 --json /nonexistent/x.json
exit $fail
