#!/usr/bin/env bash
# The swarm under MPI gives one process's answer: for K = 1, 2, 3 ranks
# (oversubscribed), `mpirun -np K reapcheck simulate` with a fixed seed and
# walk count reports the same verdicts, first-violation walks and steps,
# cover hit counts, walk and step totals, traces and exit code as
# `reapcheck simulate --jobs 1`, prints the report once, and its traces
# replay through refimpl.
# Usage: tests/cli/mpi_simulate.sh REAPCHECK [MPIRUN]
. "$(dirname "${BASH_SOURCE[0]}")/mpi_common.sh"

# Everything but timing, the thread count and the rank count.
strip() {
  python3 - "$1" <<'PY'
import json, sys
drop = {"seconds", "steps_per_second", "cpu_seconds", "steps_per_cpu_second", "shrink_seconds", "threads", "ranks"}
def s(x):
    if isinstance(x, dict): return {k: s(v) for k, v in x.items() if k not in drop}
    if isinstance(x, list): return [s(v) for v in x]
    return x
print(json.dumps(s(json.load(open(sys.argv[1]))), indent=1, sort_keys=True))
PY
}

# compare NAME ARGS...: one process against 1..3 ranks.
compare() {
  local name=$1; shift
  timeout -k 5 120 "$bin" simulate "$@" --jobs 1 --json "$name.1.json" >"$name.1.out" 2>&1
  local want=$?
  [[ $want == 1 ]] || { bad "$name: one process exited $want, expected 1 (a violation)"; tail -3 "$name.1.out"; return; }
  strip "$name.1.json" >"$name.1.txt"
  python3 - "$name.1.json" <<'PY' || bad "$name: the configuration lacks what the test compares"
import json, sys
j = json.load(open(sys.argv[1]))
v = j["results"][0]["verdicts"]
found = [x for x in v if "found" in x]
# several first violations, at walks other than 0 (so the rank of a walk matters)
assert len([x for x in found if x["verdict"] == "VIOLATED"]) >= 2, found
assert any(x["found"]["walk"] % 3 != 0 for x in found), found
assert j["simulation"]["walks"] == j["simulation"]["walks_requested"]
PY
  for k in 1 2 3; do
    "${mpi_env[@]}" timeout -k 5 120 "$mpirun" --oversubscribe --allow-run-as-root -np "$k" \
      "$bin" simulate "$@" --json "$name.$k.mpi.json" --trace-dir "t.$name.$k" >"$name.$k.out" 2>"$name.$k.err"
    local rc=$?
    [[ $rc == "$want" ]] || { bad "$name: $k ranks exited $rc, one process $want"; tail -5 "$name.$k.err"; continue; }
    strip "$name.$k.mpi.json" >"$name.$k.txt"
    diff -u "$name.1.txt" "$name.$k.txt" >"$name.$k.diff" ||
      { bad "$name: $k ranks differ from one process"; head -30 "$name.$k.diff"; }
    [[ $(grep -c '^simulate ' "$name.$k.out") == 1 ]] || bad "$name: $k ranks: not exactly one report"
    jq -e --argjson k "$k" '.simulation.ranks == $k' "$name.$k.mpi.json" >/dev/null ||
      bad "$name: $k ranks: the JSON does not give the rank count"
    ((k == 1)) || grep -q "$k MPI ranks" "$name.$k.out" || bad "$name: $k ranks: the text does not say so"
  done
  local n=0 f
  for f in t."$name".3/*.scn; do
    [[ -e $f ]] || continue
    n=$((n + 1))
    "$bin" replay --profile "$profile" "$f" >/dev/null 2>&1 || bad "$name: $f (3 ranks) does not replay"
  done
  ((n > 0)) || bad "$name: 3 ranks wrote no trace"
  echo "ok: $name: 1..3 ranks agree with one process ($(jq -c '[.results[0].verdicts[] | select(.found) | [.property, .found.walk]]' "$name.1.json"))"
}

profile=v5
compare v5-uniform --profile v5 --seed 5 --walks 400 --steps 40
profile=mainline
compare mainline-rare --profile mainline --seed 3 --walks 300 --steps 40 --bias rare --tasks 5

((fail == 0)) && echo "mpi_simulate: OK"
exit $fail
