#!/usr/bin/env bash
# The MPI engine gives the single-process engine's answers: for K = 1, 2, 3,
# 4 ranks (oversubscribed), `mpirun -np K reapcheck check` reports the same
# states, transitions, depth, verdicts, shortest trace lengths, coverage and
# exit code as `reapcheck check`, on an exhaustive configuration (liveness
# included) and a depth-bounded one; its --mpi-stats figures add up; every
# trace it prints replays; without mpirun, --mpi-stats is bad input.
# Usage: tests/cli/mpi_check.sh REAPCHECK [MPIRUN]
. "$(dirname "${BASH_SOURCE[0]}")/mpi_common.sh"

# What must be equal: counts, verdicts with trace lengths, coverage.
summary() {
  jq -S '.results[0] | {stats: (.stats | {states, transitions, depth, exhausted}),
    verdicts: [.verdicts[] | {property, verdict, steps: .trace_steps}],
    coverage: {actions: (.coverage.actions | sort_by(.action)), facts: .coverage.facts_held,
               vacuous: [.coverage.vacuous[].property]}}' "$1"
}

compare() {
  local name=$1; shift
  timeout -k 5 120 "$bin" check "$@" --no-progress --json "$name.1.json" >"$name.1.out" 2>&1
  local want=$?
  [[ $want == 0 || $want == 1 ]] || { bad "$name: single-process check exited $want"; tail -3 "$name.1.out"; return; }
  summary "$name.1.json" >"$name.1.sum"
  jq -e '[.results[0].verdicts[] | select(.verdict == "VIOLATED")] | length > 0' "$name.1.json" >/dev/null ||
    bad "$name: the configuration has no violation to compare traces with"
  # REAPCHECK_MPI_RANKS: the rank counts to compare (the sanitizer build's
  # ctest sets "2 3": the exchange between ranks in fewer runs)
  for k in ${REAPCHECK_MPI_RANKS:-1 2 3 4}; do
    "${mpi_env[@]}" timeout -k 5 120 "$mpirun" --oversubscribe --allow-run-as-root -np "$k" \
      "$bin" check "$@" --no-progress --json "$name.$k.mpi.json" --mpi-stats "$name.$k.stats.json" \
      >"$name.$k.out" 2>"$name.$k.err"
    local rc=$?
    [[ $rc == "$want" ]] || { bad "$name: $k ranks exited $rc, one process $want"; tail -5 "$name.$k.err"; continue; }
    summary "$name.$k.mpi.json" >"$name.$k.sum"
    diff -u "$name.1.sum" "$name.$k.sum" >"$name.$k.diff" || { bad "$name: $k ranks differ"; head -30 "$name.$k.diff"; }
    # one report, from rank 0
    [[ $(grep -c '^check ' "$name.$k.out" || true) == $(grep -c '^check ' "$name.1.out" || true) ]] ||
      bad "$name: $k ranks printed the report more than once"
    jq -e --argjson k "$k" '.ranks == $k and (.states_per_rank | add) == .states and
        (.levels | length) > 0 and ([.levels[].inserted[]] | add) + 1 == .states' \
      "$name.$k.stats.json" >/dev/null || bad "$name: $k ranks: the --mpi-stats figures do not add up"
  done
  # the traces of 3 ranks replay through refimpl
  jq -r '.results[0].verdicts[] | select(.trace) | .trace' "$name.3.mpi.json" >/dev/null
  local n=0
  while IFS= read -r prop; do
    jq -r --arg p "$prop" '.results[0].verdicts[] | select(.property == $p) | .trace' "$name.3.mpi.json" >"t.scn"
    n=$((n + 1))
    "$bin" replay --profile "${profile}" t.scn >/dev/null 2>&1 || bad "$name: the trace of $prop (3 ranks) does not replay"
  done < <(jq -r '.results[0].verdicts[] | select(.trace) | .property' "$name.3.mpi.json")
  ((n > 0)) || bad "$name: no trace to replay"
}

profile=v5
# A liveness property these bounds violate (never_zombie holds: no state has
# an autoreap zombie), so that the distributed backward search reports a bad
# state and its trace too, not only holds.
cat >live.rcp <<'RCP'
eventually test.autoreap_zombie_reachable {
  claim   "From every state, a state with an autoreap zombie is reachable."
  source  "tests/cli/mpi_check.sh: false (autoreap.never_zombie holds in v5)"
  holds   exists t in tasks: t.exit_state == zombie and t.autoreap
}
RCP
# exhaustive (2,150 states, liveness) and depth-bounded (21,157 states)
compare exhaustive --profile v5 --tasks 3 --pidfds 0 --no-autokill --no-exec --no-kill --no-sigaction \
  --no-subreaper --no-blocking --properties live.rcp
compare bounded --profile v5 --tasks 3 --threads 2 --pidfds 1 --depth 4

"$bin" check --tasks 2 --mpi-stats x.json >out 2>err
[[ $? == 2 && $(wc -l <err) == 1 ]] || bad "--mpi-stats without mpirun: expected one line and exit 2"

((fail == 0)) && echo "mpi_check: OK"
exit $fail
