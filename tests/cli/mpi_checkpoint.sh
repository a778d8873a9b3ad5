#!/usr/bin/env bash
# Checkpoints under MPI (docs/checkpoint.md): `mpirun -np 2 reapcheck check
# --checkpoint DIR --checkpoint-every 0`; once LATEST names level 12 or later
# one rank is killed with SIGKILL: the job ends (no hang) with rank 0's one
# line naming the intact checkpoint; `--resume DIR` with 2 ranks reports
# what an uninterrupted run of 2 ranks reports (the JSON minus seconds and
# key_bytes); with 3 ranks it is refused (one line, exit 2).
# Usage: tests/cli/mpi_checkpoint.sh REAPCHECK [MPIRUN]
. "$(dirname "${BASH_SOURCE[0]}")/mpi_common.sh"
mpi=("${mpi_env[@]}" timeout -k 5 120 "$mpirun" --oversubscribe --allow-run-as-root)
cfg=(check --profile v5 --tasks 3 --pidfds 0 --no-autokill --no-exec --no-kill --no-sigaction --no-progress)
strip() { jq -S 'del(.results[].stats.seconds, .results[].stats.key_bytes)' "$1"; }
level_of() { local n; [[ -f $1/LATEST ]] || { echo -1; return; }; read -r n _ <"$1/LATEST"; n=${n#ckpt-}; echo $((10#$n)); }

"${mpi[@]}" -np 2 "$bin" "${cfg[@]}" --json full.json >full.out 2>&1
want=$?
[[ $want == 0 || $want == 1 ]] || { bad "the uninterrupted run exited $want"; exit 1; }

"${mpi[@]}" -np 2 "$bin" "${cfg[@]}" --checkpoint ck --checkpoint-every 0 >run.out 2>run.err &
job=$!
end=$((SECONDS + 120))
until (( $(level_of ck) >= 12 )); do
  kill -0 "$job" 2>/dev/null || { bad "the job ended before a checkpoint of level 12"; break; }
  (( SECONDS < end )) || { bad "no checkpoint of level 12 within 120 s"; break; }
  sleep 0.02
done
# rank 1: a process of this job whose environment says so
victim=
for e in /proc/[0-9]*/environ; do
  p=${e#/proc/}; p=${p%/environ}
  [[ /proc/$p/exe -ef $bin ]] || continue
  grep -qx OMPI_COMM_WORLD_RANK=1 < <(tr '\0' '\n' <"$e" 2>/dev/null) || continue
  grep -q -- "--checkpoint ck" < <(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) && [[ $(readlink "/proc/$p/cwd") == "$tmp" ]] && victim=$p
done
if [[ -n $victim ]]; then
  at=$(level_of ck)
  kill -KILL "$victim"
  t0=$SECONDS
  wait "$job"
  rc=$?
  echo "rank 1 killed at level $at: the job ended after $((SECONDS - t0)) s, exit $rc"
  (( rc != 0 && rc != 124 )) || bad "the job's exit $rc (0: it did not notice; 124: it hung until the timeout)"
  grep -E "^reapcheck: stopped by mpirun while rank 0 waited for the other ranks at the end of level [0-9]+ .*checkpoint: the last, ck/ckpt-[0-9]+, is intact$" run.err ||
    bad "no line of rank 0: $(grep -v '^checkpoint' run.err | head -5)"
  [[ $(grep -c '^reapcheck:' run.err) == 1 ]] || bad "more than one line of reapcheck: $(grep '^reapcheck:' run.err)"
else
  bad "rank 1 not found"
  wait "$job"
fi
(( $(level_of ck) >= 12 )) || bad "LATEST does not name a checkpoint any more"

"${mpi[@]}" -np 3 "$bin" "${cfg[@]}" --resume ck >r3.out 2>r3.err
rc=$?
[[ $rc == 2 ]] || bad "3 ranks on a checkpoint of 2: exit $rc, expected 2"
[[ $(grep -c '^reapcheck:' r3.err) == 1 ]] && grep -q "written with ranks '2', this run has '3'" r3.err ||
  bad "3 ranks on a checkpoint of 2: $(head -3 r3.err)"

"${mpi[@]}" -np 2 "$bin" "${cfg[@]}" --resume ck --json resumed.json >r2.out 2>r2.err
rc=$?
[[ $rc == "$want" ]] || bad "the resume exited $rc, expected $want: $(head -3 r2.err)"
grep -q "^resumed from ck/ckpt-" r2.err || bad "the resume does not say where it continued"
if diff <(strip full.json) <(strip resumed.json) >d.diff; then echo "resume at 2 ranks: the uninterrupted report"; else bad "the resumed report differs"; head -20 d.diff; fi
exit $fail
