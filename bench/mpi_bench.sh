#!/usr/bin/env bash
# mpi_bench.sh: the MPI engine (docs/distributed.md) against the
# single-process engine on one configuration.
#
#   bench/mpi_bench.sh [REAPCHECK] [CHECK OPTIONS...]
#
# REAPCHECK defaults to build/reapcheck (a build with MPI); the options
# default to mainline --tasks 3 --threads 2 --pidfds 1 --ptrace --depth 6 (the
# configuration of the README's engine figures, 876,050 states).
# It runs `reapcheck check` once in one process (--jobs 1 and --jobs 2) and
# under `mpirun --oversubscribe -np K` for K = 1..4 (one thread a rank), each
# timed by /usr/bin/time, and prints per K: wall and CPU seconds against one
# process, states, states per rank and the imbalance (the largest rank's
# share over the mean), bytes sent between ranks in all and per state,
# against the packed state's size (target: at most 1.5x); then for the
# largest K, the bytes and states of each level, and the split of each
# level into compute (the ranks' CPU seconds outside the exchange) and
# exchange (wall seconds: encoding, waiting for the slowest rank, transfer,
# reductions), with the sums the speed-up model of docs/distributed.md
# takes. Every run's states, transitions and verdicts are checked equal to
# the single process's. KS="2" (default "1 2 3 4") picks the rank counts.
# On a machine with fewer cores than ranks the wall times measure the
# oversubscription as much as the engine: the bytes and states are exact.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${1:-build/reapcheck}")
shift || true
args=("$@")
((${#args[@]})) || args=(--profile mainline --tasks 3 --threads 2 --pidfds 1 --ptrace --depth 6)
[[ -x "$BIN" ]] || { echo "mpi_bench: no binary $BIN (build the reapcheck target first)" >&2; exit 2; }
command -v mpirun >/dev/null || { echo "mpi_bench: no mpirun (scripts/install-deps.sh installs openmpi-bin)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
same() {   # the counts and verdicts of two JSON reports
  diff <(jq -S '.results[0] | [.stats.states, .stats.transitions, [.verdicts[] | [.property, .verdict, .trace_steps]]]' "$1") \
       <(jq -S '.results[0] | [.stats.states, .stats.transitions, [.verdicts[] | [.property, .verdict, .trace_steps]]]' "$2") >/dev/null
}
echo "== reapcheck check ${args[*]} (load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
printf '%-12s %8s %8s %7s %10s %-34s %9s %11s %8s %8s %6s\n' run wall-s cpu-s "x1proc" states "states per rank" imbal \
  "bytes sent" "B/state" "packed" ratio
for j in 1 2; do
  set +e
  /usr/bin/time -f '%e %U %S' -o "$work/time" nice -n 10 "$BIN" check "${args[@]}" --jobs "$j" --no-progress \
    --json "$work/single.$j.json" >/dev/null 2>&1
  set -e
  read -r wall user sys < <(tail -1 "$work/time")   # a failing status (violations: exit 1) adds a line
  [[ $j == 1 ]] && base=$wall
  printf '%-12s %8.2f %8.2f %7.2f %10s\n' "1 proc -j$j" "$wall" "$(awk "BEGIN{print $user + $sys}")" \
    "$(awk "BEGIN{print $wall / $base}")" "$(jq '.results[0].stats.states' "$work/single.$j.json")"
done
KS=${KS:-1 2 3 4}
for k in $KS; do
  set +e
  /usr/bin/time -f '%e %U %S' -o "$work/time" nice -n 10 timeout -k 5 1800 mpirun --oversubscribe --allow-run-as-root \
    -np "$k" "$BIN" check "${args[@]}" --no-progress --json "$work/mpi.$k.json" --mpi-stats "$work/stats.$k.json" \
    >/dev/null 2>"$work/err.$k"
  set -e
  read -r wall user sys < <(tail -1 "$work/time")
  [[ -s $work/stats.$k.json ]] || { echo "mpi_bench: $k ranks failed:"; tail -5 "$work/err.$k"; exit 1; }
  same "$work/single.1.json" "$work/mpi.$k.json" || echo "mpi_bench: $k ranks: counts or verdicts DIFFER from one process"
  s="$work/stats.$k.json"
  printf '%-12s %8.2f %8.2f %7.2f %10s %-34s %9.3f %11s %8.1f %8.1f %6.2f\n' "mpirun -np $k" "$wall" \
    "$(jq .cpu_seconds "$s")" "$(awk "BEGIN{print $wall / $base}")" "$(jq .states "$s")" \
    "$(jq -r '.states_per_rank | map(tostring) | join(",")' "$s")" "$(jq .imbalance "$s")" "$(jq .bytes_sent "$s")" \
    "$(jq .bytes_sent_per_state "$s")" "$(jq .packed_bytes_per_state "$s")" "$(jq .bytes_sent_per_packed_state "$s")"
  jq -e '.bytes_sent_per_packed_state <= 1.5' "$s" >/dev/null || echo "mpi_bench: $k ranks: above the target of 1.5x"
done
echo "(cpu-s: /usr/bin/time's user + system for one process, the ranks' own getrusage summed for mpirun;"
echo " ratio: bytes sent between ranks over the packed bytes of the states stored; x1proc: wall time over one process -j1)"
last=${KS##* }
echo "== per level, $last ranks: states expanded, records and bytes sent, states inserted (per rank), seconds"
jq -r '.levels[] | "depth \(.depth): expanded \(.expanded | map(tostring) | join(",")); records \(.records | map(tostring) | join(",")); bytes \(.bytes | add) (\(.bytes | map(tostring) | join(","))); inserted \(.inserted | add); \(.seconds * 1000 | floor) ms; compute cpu ms \(.compute_cpu_seconds | map(. * 1000 | floor | tostring) | join(",")); exchange ms \(.exchange_seconds | map(. * 1000 | floor | tostring) | join(","))"' \
  "$work/stats.$last.json"
echo "== model inputs ($last ranks): sum over levels of the slowest rank's compute, of the mean exchange; levels; bytes"
jq -r '"compute_max_sum \([.levels[].compute_cpu_seconds | max] | add) s; compute_total \([.levels[].compute_cpu_seconds | add] | add) s; exchange_mean_sum \([.levels[].exchange_seconds | add / length] | add) s; levels \(.levels | length); bytes \(.bytes_sent)"' \
  "$work/stats.$last.json"
