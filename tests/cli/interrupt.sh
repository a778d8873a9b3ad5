#!/usr/bin/env bash
# Interruption and limits never cost a user the results: SIGINT and SIGTERM
# during check, review, prove and conform --random, and --max-time / --max-memory,
# each stop within a second, exit 3 (1 when check had already found a
# violation: that verdict is settled), print the verdicts settled so far with
# the bound actually covered, and write the --json report. conform leaves no
# process behind. Usage: tests/cli/interrupt.sh REAPCHECK
set -u
bin=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
ms() { local t=${EPOCHREALTIME/./}; echo "${t:0:-3}"; }   # no fork: forks are slow on a loaded machine
bad() { echo "FAIL: $*"; fail=1; }

# JSON that parses and says why the exploration stopped.
json_says() { # NAME FILE STOP_REASON
  if command -v jq >/dev/null; then
    jq -e --arg s "$3" '[.results[].stats.stop_reason | startswith($s)] | any' "$2" >/dev/null || bad "$1: the JSON report"
  elif command -v python3 >/dev/null; then
    python3 - "$2" "$3" <<'PY' || bad "$1: the JSON report"
import json, sys
j = json.load(open(sys.argv[1]))
reasons = [r["stats"]["stop_reason"] for r in j["results"]]
assert any(x.startswith(sys.argv[2]) for x in reasons), reasons
assert all("verdict" in v for r in j["results"] for v in r["verdicts"])
PY
  else
    grep -q "\"stop_reason\": \"$3" "$2" || bad "$1: the JSON report"
  fi
}

# Runs ARGS in the background, sends SIG after DELAY s, and checks the exit
# within 1 s of the signal. Leaves the exit code in $rc and latency in $lat.
signal_run() { # NAME SIG DELAY ARGS...
  local name=$1 sig=$2 delay=$3; shift 3
  "$bin" "$@" >out 2>err &
  local pid=$!
  (sleep 30 && kill -KILL $pid) >/dev/null 2>&1 &   # a hang is a failure, not a stuck test
  local wd=$!
  sleep "$delay"
  local t0; t0=$(ms)
  kill -"$sig" $pid
  wait $pid
  rc=$?
  lat=$(( $(ms) - t0 ))
  kill $wd 2>/dev/null
  echo "$name: exit $rc, $lat ms after SIG$sig"
  (( lat <= 1000 )) || bad "$name: took $lat ms to stop"
  (( rc < 128 )) || bad "$name: killed (exit $rc)"
}
timed_run() { # NAME ARGS...: a limit stops it; $rc, $lat (whole run)
  local name=$1; shift
  local t0; t0=$(ms)
  timeout -s KILL 30 "$bin" "$@" >out 2>err
  rc=$? lat=$(( $(ms) - t0 ))
  echo "$name: exit $rc after $lat ms"
}

big=(check --tasks 4 --depth 0 --threads 2 --ptrace --exec --kill --blocking)
for sig in INT TERM; do
  signal_run "check SIG$sig" $sig 1 "${big[@]}" --json c.json
  [[ $rc == 1 || $rc == 3 ]] || bad "check SIG$sig: exit $rc"
  grep -qE "^profile mainline: [0-9]+ states, .*stopped: interrupted" out || bad "check SIG$sig: no summary"
  grep -qE "unknown +stopped \(interrupted\) after [0-9]+ states, [0-9]+ transitions, depth [0-9]+" out ||
    bad "check SIG$sig: the unknown verdicts do not state the bound covered"
  json_says "check SIG$sig" c.json interrupted

  signal_run "review SIG$sig" $sig 1 review --json r.json
  [[ $rc == 3 ]] || bad "review SIG$sig: exit $rc, expected 3"
  grep -qE "stopped: interrupted" out || bad "review SIG$sig: no summary"
  # whichever configuration the signal cut short says how far it got (the
  # first ones may already be finished: their rows say exhausted)
  grep -qE "^  [a-z0-9-]+ +[0-9]+ states .* interrupted  \[tasks=[0-9]" out || bad "review SIG$sig: the bound covered"
  grep -qE "^property " out || bad "review SIG$sig: no matrix"
  json_says "review SIG$sig" r.json interrupted
done

timed_run "check --max-time 1" "${big[@]}" --max-time 1 --json t.json
[[ $rc == 1 || $rc == 3 ]] || bad "check --max-time: exit $rc"
(( lat < 2500 )) || bad "check --max-time 1: took $lat ms"
grep -qE "stopped: time limit 1 s" out || bad "check --max-time: no summary"
json_says "check --max-time" t.json "time limit"

timed_run "check --max-memory 8" "${big[@]}" --max-memory 8 --json m.json
[[ $rc == 1 || $rc == 3 ]] || bad "check --max-memory: exit $rc"
grep -qE "stopped: memory limit" out || bad "check --max-memory: no summary"
json_says "check --max-memory" m.json "memory limit"

timed_run "review --max-time 1" review --max-time 1 --json rt.json
[[ $rc == 3 ]] || bad "review --max-time: exit $rc, expected 3"
(( lat < 2500 )) || bad "review --max-time 1: took $lat ms (the limit is for the whole review)"
json_says "review --max-time" rt.json "time limit"

# The Z3 engines: the watchdog interrupts the solver mid-query.
prove_json() { # NAME FILE
  if command -v python3 >/dev/null; then
    python3 - "$2" <<'PY' || bad "$1: the JSON report"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["interrupted"] is True, j
assert any(r["verdict"] == "unknown" for r in j["results"])
PY
  else
    grep -q '"interrupted": true' "$2" || bad "$1: the JSON report"
  fi
}
for sig in INT TERM; do
  signal_run "prove SIG$sig" $sig 2 prove --quiet --json p.json
  [[ $rc == 1 || $rc == 3 ]] || bad "prove SIG$sig: exit $rc"
  grep -q "stopped early" out || bad "prove SIG$sig: no word of the interruption"
  prove_json "prove SIG$sig" p.json
done
timed_run "prove --max-time 2" prove --quiet --max-time 2 --json pt.json
[[ $rc == 1 || $rc == 3 ]] || bad "prove --max-time: exit $rc"
(( lat < 4000 )) || bad "prove --max-time 2: took $lat ms"
prove_json "prove --max-time" pt.json

if [[ $(id -u) == 0 ]]; then
  for sig in INT TERM; do
    signal_run "conform SIG$sig" $sig 1 conform --random 100000 --seed 5 --out "$tmp"
    [[ $rc == 3 ]] || bad "conform SIG$sig: exit $rc, expected 3"
    grep -qE "^conform: [0-9]+ traces, .*interrupted after [0-9]+ of 100000" out || bad "conform SIG$sig: no summary"
    [[ ! -s err ]] || bad "conform SIG$sig: $(head -3 err)"
    left=
    for q in /proc/[0-9]*; do [[ $q/exe -ef $bin ]] && left+=" ${q#/proc/}"; done
    [[ -z $left ]] || { bad "conform SIG$sig: left behind:$left"; kill -KILL $left; }
  done
else
  echo "conform: skipped (needs root)"
fi
exit $fail
