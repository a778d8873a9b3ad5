#!/usr/bin/env bash
# Checkpoint and resume of `check` (docs/checkpoint.md): a run killed with
# SIGKILL once LATEST names level 12 or later, resumed with another thread
# count, reports exactly what an uninterrupted run reports (the JSON minus
# seconds and key_bytes, which vary between any two multi-threaded runs);
# a leftover ckpt-*.tmp is ignored and removed; SIGINT and --max-time write a
# final checkpoint that resumes to the same report; a resume with other
# bounds, a damaged file, a missing LATEST, and a --checkpoint into a
# directory that holds one are each one line and exit 2.
# Usage: tests/cli/checkpoint.sh REAPCHECK
set -u
bin=$(readlink -f "$1")
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# Exhaustive, 31 levels, liveness (recorded edges, good states): every part
# of a checkpoint is in it. About 3 s in the normal build.
feat=(--pidfds 0 --no-autokill --no-exec --no-kill --no-sigaction --no-progress)
cfg=(check --profile v5 --tasks 3 "${feat[@]}")
strip() { jq -S 'del(.results[].stats.seconds, .results[].stats.key_bytes)' "$1"; }
same() { # NAME A.json B.json
  if diff <(strip "$2") <(strip "$3") >"$1.diff"; then echo "$1: same report"; else bad "$1: reports differ"; head -20 "$1.diff"; fi
}
level_of() { local n; [[ -f $1/LATEST ]] || { echo -1; return; }; read -r n _ <"$1/LATEST"; n=${n#ckpt-}; echo $((10#$n)); }
one_line_exit2() { # NAME RC ERRFILE PATTERN
  [[ $2 == 2 ]] || bad "$1: exit $2, expected 2"
  [[ $(wc -l <"$3") == 1 ]] || bad "$1: $(wc -l <"$3") lines on stderr, expected 1: $(head -3 "$3")"
  grep -qE "$4" "$3" || bad "$1: stderr does not say '$4': $(cat "$3")"
}

timeout -k 5 300 "$bin" "${cfg[@]}" --jobs 2 --json full.json >full.out 2>&1
want=$?
[[ $want == 0 || $want == 1 ]] || { bad "the uninterrupted run exited $want"; exit 1; }

# 1. kill -9 once LATEST names level >= 12 (polled for at most 120 s)
"$bin" "${cfg[@]}" --jobs 2 --checkpoint ck --checkpoint-every 0 >/dev/null 2>&1 &
pid=$!
pids+=("$pid")
end=$((SECONDS + 120))
until (( $(level_of ck) >= 12 )); do
  kill -0 "$pid" 2>/dev/null || { bad "kill: the run ended before a checkpoint of level 12"; break; }
  (( SECONDS < end )) || { bad "kill: no checkpoint of level 12 within 120 s"; break; }
  sleep 0.02
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
killed_at=$(level_of ck)
echo "kill: SIGKILL with LATEST at level $killed_at"
# a checkpoint write that a crash cut short: its directory is ignored
mkdir -p ck/ckpt-000099.tmp && echo garbage >ck/ckpt-000099.tmp/meta.bin
timeout -k 5 300 "$bin" "${cfg[@]}" --jobs 1 --resume ck --checkpoint-every 0 --json resumed.json >resumed.out 2>resumed.err
rc=$?
[[ $rc == "$want" ]] || { bad "kill: the resumed run exited $rc, expected $want"; cat resumed.err; }
grep -q "^resumed from ck/ckpt-0000$(printf %02d "$killed_at"): level $killed_at," resumed.err ||
  bad "kill: the resume does not say where it continued: $(head -2 resumed.err)"
same kill full.json resumed.json
[[ ! -e ck/ckpt-000099.tmp ]] || bad "kill: the leftover ckpt-000099.tmp was not removed"
[[ $(ls -d ck/ckpt-* | wc -l) == 1 ]] || bad "kill: older checkpoints left: $(ls ck)"

# 2. SIGINT: a final checkpoint, then the resume. One thread, so that the
# run (about 1.2 s of CPU in the normal build) is still going at 0.2 s.
"$bin" "${cfg[@]}" --jobs 1 --checkpoint ci >int.out 2>int.err &
pid=$!
pids+=("$pid")
sleep 0.2
kill -INT "$pid"
wait "$pid"
rc=$?
[[ $rc == 1 || $rc == 3 ]] || bad "SIGINT: exit $rc"
grep -q "^checkpoint: ci/ckpt-" int.err || bad "SIGINT: no final checkpoint: $(cat int.err)"
timeout -k 5 300 "$bin" "${cfg[@]}" --jobs 2 --resume ci --json int.json >/dev/null 2>&1
rc=$?
[[ $rc == "$want" ]] || bad "SIGINT: the resumed run exited $rc, expected $want"
same SIGINT full.json int.json

# 3. --max-time: a final checkpoint at the limit (one thread, as above)
timeout -k 5 300 "$bin" "${cfg[@]}" --jobs 1 --checkpoint ct --max-time 0.2 >mt.out 2>mt.err
rc=$?
[[ $rc == 1 || $rc == 3 ]] || bad "--max-time: exit $rc"
grep -q "time limit 0.2 s" mt.out || bad "--max-time: the run did not stop at the limit"
grep -q "^checkpoint: ct/ckpt-" mt.err || bad "--max-time: no final checkpoint: $(cat mt.err)"
timeout -k 5 300 "$bin" "${cfg[@]}" --jobs 2 --resume ct --json mt.json >/dev/null 2>&1
[[ $? == "$want" ]] || bad "--max-time: the resumed run's exit code"
same max-time full.json mt.json

# 4. what a resume refuses: one line, exit 2
"$bin" check --profile v5 --tasks 4 "${feat[@]}" --resume ct >o.out 2>o.err
one_line_exit2 "other bounds" $? o.err "checkpoint was written with bounds 'tasks=3 .*this run has 'tasks=4"
"$bin" check --profile mainline --tasks 3 "${feat[@]}" --resume ct >o.out 2>o.err
one_line_exit2 "other profile" $? o.err "written with profile 'v5'"
"$bin" "${cfg[@]}" --checkpoint ct >o.out 2>o.err
one_line_exit2 "--checkpoint into a used directory" $? o.err "already holds a checkpoint"
"$bin" "${cfg[@]}" --resume nowhere >o.out 2>o.err
one_line_exit2 "no such directory" $? o.err "nowhere: no such checkpoint directory"
cp -r ct cd
c=$(ls -d cd/ckpt-*)
printf '\xff' | dd of="$c/roots.bin" bs=1 seek=9 conv=notrunc status=none
"$bin" "${cfg[@]}" --resume cd >o.out 2>o.err
one_line_exit2 "a damaged file" $? o.err "roots.bin: CRC-32C .* the checkpoint is damaged"
rm -rf cd && cp -r ct cd && truncate -s 10 "$(ls -d cd/ckpt-*)/parents.bin"
"$bin" "${cfg[@]}" --resume cd >o.out 2>o.err
one_line_exit2 "a truncated file" $? o.err "parents.bin: 10 bytes, the manifest says"
rm cd/LATEST
"$bin" "${cfg[@]}" --resume cd >o.out 2>o.err
one_line_exit2 "no LATEST" $? o.err "LATEST: missing"
"$bin" "${cfg[@]}" --checkpoint-every 5 >o.out 2>o.err
one_line_exit2 "--checkpoint-every alone" $? o.err "only with --checkpoint"
exit $fail
