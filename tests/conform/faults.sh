#!/usr/bin/env bash
# Harness faults during conformance on the running kernel (root only): a
# puppet killed in the middle of a statement, a puppet that does not answer,
# and the controller itself killed. Each must end with one clear line naming
# the scenario, the statement and what happened (a, b), a non-zero exit, well
# within the conform reply timeout (3 s), and leave no process behind (c: the
# namespace init has PR_SET_PDEATHSIG SIGKILL, so it dies with the controller).
# Usage: tests/conform/faults.sh REAPCHECK
set -u
bin=$1
if [[ $(id -u) != 0 ]]; then echo "conform faults: skipped (needs root)"; exit 0; fi
real=$(readlink -f "$bin")
bin=$real
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
# No forks in the timing and the /proc scans: on a loaded machine a fork can
# take 100 ms or more.
now() { local t=${EPOCHREALTIME/./}; echo "${t:0:-3}"; }   # ms
ms_since() { local t=${EPOCHREALTIME/./}; echo $(( ${t:0:-3} - $1 )); }

# Processes running this binary (the puppets are re-executions of it or forks
# of the controller), other than the ones given; with state $1 if not empty.
ours() {
  local want=$1 q state rest
  shift
  for q in /proc/[0-9]*; do
    [[ $q/exe -ef $real ]] || continue
    [[ " $* " == *" ${q#/proc/} "* ]] && continue
    if [[ -n $want ]]; then
      read -r _ _ state rest <"$q/stat" 2>/dev/null || continue
      [[ $state == "$want" ]] || continue
    fi
    echo "${q#/proc/}"
  done
}
# Waits (at most 3 s) for the stopped puppet of the scenario below.
stopped_puppet() {
  local i v
  for ((i = 0; i < 300; i++)); do
    v=$(ours T)
    [[ -n $v ]] && { echo "${v%%$'\n'*}"; return 0; }
    sleep 0.01
  done
  return 1
}
none_left() { # NAME
  local i left
  for ((i = 0; i < 100; i++)); do   # 1 s
    left=$(ours "" $$)
    [[ -z $left ]] && { echo "ok: $1: no process left behind"; return; }
    sleep 0.01
  done
  echo "FAIL: $1: processes left behind: $left"; fail=1
  kill -9 $left 2>/dev/null
}
# One line on stderr matching a pattern.
one_line() { # NAME FILE PATTERN
  if [[ $(wc -l <"$2") != 1 ]] || ! grep -qE -- "$3" "$2"; then
    echo "FAIL: $1: stderr is not one line matching /$3/:"; cat "$2"; fail=1
  else
    echo "ok: $1: $(cat "$2")"
  fi
}

# C is stopped from outside (a stop signal in a scenario is a declared gap
# of the model, refused before it reaches the kernel) while main makes 1000
# getppid calls (well under a second); then the scenario asks C for getppid and
# the controller waits for an answer from C.
{
  printf 'main: fork -> child C\n'
  for ((i = 0; i < 1000; i++)); do printf 'main: getppid\n'; done
  printf 'C: getppid\n'
} >stopped.scn
# Stops the newest puppet (C: the controller, init, main and C run this
# binary, in that order) once there are four and it waits for commands;
# prints its pid. Without a fork (no subshell, no sort, no sleep): C lives
# only while main makes its calls, and on a loaded machine a fork per poll
# can miss that window.
stop_c() {
  local q n newest state t=${EPOCHREALTIME/./}
  local deadline=$(( ${t:0:-3} + 3000 ))   # ms, as now() without its subshell
  while t=${EPOCHREALTIME/./}; (( ${t:0:-3} < deadline )); do
    n=0 newest=0
    for q in /proc/[0-9]*; do
      [[ $q/exe -ef $real ]] || continue
      (( ${q#/proc/} == $$ )) && continue
      n=$((n + 1))
      (( ${q#/proc/} > newest )) && newest=${q#/proc/}
    done
    # C is ready once it sleeps (state S: waiting for its first command);
    # stopped earlier, it would never say hello and the fork would time out.
    state=
    (( n >= 4 )) && read -r _ _ state _ <"/proc/$newest/stat" 2>/dev/null
    if [[ $state == S ]] && kill -STOP "$newest" 2>/dev/null; then
      echo "$newest"
      return 0
    fi
  done
  return 1
}

# (b) a puppet that does not answer: the reply timeout, one line, exit 3.
timeout 20 "$bin" conform stopped.scn >out 2>err &
pid=$!
stop_c >/dev/null || echo "FAIL: hang: could not stop C"
t0=$(now)
wait $pid
rc=$? ms=$(ms_since "$t0")
[[ $rc == 3 ]] || { echo "FAIL: hang: exit $rc, expected 3"; fail=1; }
(( ms < 8000 )) || { echo "FAIL: hang: took $ms ms after the stop (1000 statements, reply timeout 3000 ms)"; fail=1; }
# main's calls after the stop took about ms - 3000: the kill in (a) comes a
# second after they are done, in the middle of the controller's 3 s wait.
settle_ms=$(( ms > 3000 ? ms - 3000 + 1000 : 1000 ))
one_line "hang ($ms ms)" err "^reapcheck: conform: stopped.scn:1002: C: getppid: puppet 'C' \(pid [0-9]+\) did not answer within 3000 ms \(state T\)$"
none_left hang

# (a) a puppet killed while the controller waits for its answer.
timeout 20 "$bin" conform stopped.scn >out 2>err &
pid=$!
stop_c >/dev/null
# The controller reaches C's statement after main's calls, then waits up to
# 3 s for C: the kill comes in the middle of that wait (timed from (b)).
sleep "$((settle_ms / 1000)).$(printf '%03d' $((settle_ms % 1000)))"
if v=$(stopped_puppet); then
  t0=$(now)
  kill -KILL "$v"
  wait $pid
  rc=$? ms=$(ms_since "$t0")
  [[ $rc == 3 ]] || { echo "FAIL: killed puppet: exit $rc, expected 3"; fail=1; }
  (( ms < 1000 )) || { echo "FAIL: killed puppet: the controller took $ms ms to notice"; fail=1; }
  one_line "killed puppet ($ms ms)" err "^reapcheck: conform: stopped.scn:1002: C: getppid: puppet 'C' \(pid $v\) died during getppid$"
else
  echo "FAIL: killed puppet: no stopped puppet seen"; fail=1; wait $pid
fi
none_left "killed puppet"

# (c) the controller killed: its namespace init, and with it every puppet, dies.
"$bin" conform stopped.scn >out 2>err &
pid=$!
stop_c >/dev/null
if v=$(stopped_puppet); then
  kill -KILL $pid
  wait $pid 2>/dev/null
  none_left "killed controller"
else
  echo "FAIL: killed controller: no stopped puppet seen"; fail=1; kill -KILL $pid; wait $pid
fi
exit $fail
