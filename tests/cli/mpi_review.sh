#!/usr/bin/env bash
# review under mpirun: every configuration of every profile through the MPI
# engine, in step on every rank; rank 0 prints the matrix and the profile
# diffs once and writes the JSON. For K = 1, 2, 3 ranks (oversubscribed) the
# verdicts, trace lengths, state counts per profile and configuration, the
# diffs and the exit code equal one process's; --por is refused (exit 2).
# Usage: tests/cli/mpi_review.sh REAPCHECK [MPIRUN]
. "$(dirname "${BASH_SOURCE[0]}")/mpi_common.sh"

summary() {
  jq -S '{results: [.results[] | {profile, runs: [.runs[] | {name, states, transitions, depth, exhausted}],
          verdicts: [.verdicts[] | {property, verdict, steps: .trace_steps}]}],
          diffs: [.diffs[]? | {a, b, verdict, b_adds, b_removes, differing, first}]}' "$1"
}
# All six profiles (so the consecutive diffs run too), a small exhaustive configuration.
args=(--tasks 3 --pidfds 0 --no-autokill --no-exec --no-kill --no-sigaction --no-subreaper --no-blocking)
timeout -k 5 120 "$bin" review "${args[@]}" --json one.json >one.out 2>one.err
want=$?
[[ $want == 0 ]] || { bad "one process exited $want"; tail -3 one.err; }
summary one.json >one.sum
jq -e '(.results | length) == 6 and (.diffs | length) == 5 and
       ([.results[].verdicts[] | select(.verdict == "VIOLATED")] | length) > 0' one.json >/dev/null ||
  bad "one process: not six profiles with violations and five diffs"
for k in 1 2 3; do
  "${mpi_env[@]}" timeout -k 5 120 "$mpirun" --oversubscribe --allow-run-as-root -np "$k" \
    "$bin" review "${args[@]}" --json "$k.json" >"$k.out" 2>"$k.err"
  rc=$?
  [[ $rc == "$want" ]] || { bad "$k ranks exited $rc, one process $want"; tail -5 "$k.err"; continue; }
  summary "$k.json" >"$k.sum"
  diff -u one.sum "$k.sum" >"$k.diff" || { bad "$k ranks differ from one process"; head -30 "$k.diff"; }
  [[ $(grep -c '^verdict matrix' "$k.out") == 1 ]] || bad "$k ranks: the matrix is not printed exactly once"
  [[ $(grep -c 'review: exploring v5' "$k.err") == 1 ]] || bad "$k ranks: progress printed by more than rank 0"
done
"${mpi_env[@]}" timeout -k 5 60 "$mpirun" --oversubscribe --allow-run-as-root -np 2 \
  "$bin" review --profile v5 "${args[@]}" --por >por.out 2>por.err
rc=$?
[[ $rc == 2 ]] && grep -q -- '--por: not under mpirun' por.err || bad "--por under mpirun: exit $rc, expected 2"
((fail == 0)) && echo "mpi_review: OK"
exit $fail
