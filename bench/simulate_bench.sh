#!/usr/bin/env bash
# simulate_bench.sh: the speed of `reapcheck simulate` and how soon it finds
# the review's known violations.
#
#   bench/simulate_bench.sh [REAPCHECK] [SEEDS]
#
# REAPCHECK defaults to build/reapcheck (build it first, RelWithDebInfo or
# Release); SEEDS defaults to 20. Everything runs on one thread (--jobs 1),
# niced, so the figures are per core:
#   1. steps per second on the full alphabet (every feature: two threads per
#      process, two pidfds per table, ptrace, execve, SIGKILL, blocking waits,
#      CLONE_PIDFD_AUTOKILL, CLONE_PARENT, subreapers, sigaction) at 6 and 8
#      tasks, 60 steps a walk, uniform and rare bias, every property of the
#      catalog checked on every step: wall steps/s, steps per CPU second of the
#      walking thread (from the JSON report) and /usr/bin/time's user time.
#      Target: 100,000 steps/s per core.
#   2. time to the first violation of autoreap.never_zombie and
#      autoreap.exit_info_on_pollin (mainline) and autoreap.parent_grandchild
#      (v5) at the default bounds (6 tasks, every feature), for seeds 1..SEEDS,
#      each run stopped when it has found the violation (--stop-when-found) or
#      after 60 s: the walks' time, the shrinking and replay time, and the
#      process's wall time (startup included); min, median, max, and how many
#      seeds found it within the minute. Target: every seed within a minute.
# A shared machine is noisy: the CPU-second figures are the fair ones.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${1:-build/reapcheck}")
SEEDS="${2:-20}"
[[ -x "$BIN" ]] || { echo "simulate_bench: no binary $BIN (build the reapcheck target first)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
full=(--threads 2 --pidfds 2 --ptrace --exec --kill --blocking --autokill --parent --subreaper --sigaction)

echo "== steps per second, one thread, full alphabet, 60 steps a walk (load: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-6s %-8s %8s %10s %10s %14s %10s\n' tasks bias walks steps "steps/s" "steps/CPU-s" "user s"
for tasks in 6 8; do
  for bias in uniform rare; do
    set +e
    /usr/bin/time -f '%U' -o "$work/time" nice -n 10 "$BIN" simulate --profile mainline --tasks "$tasks" "${full[@]}" \
      --bias "$bias" --walks 20000 --steps 60 --jobs 1 --no-traces --json "$work/speed.json" >/dev/null
    rc=$?
    set -e
    [[ $rc == 0 || $rc == 1 ]] || { echo "simulate_bench: simulate exited $rc" >&2; exit 1; }
    python3 - "$work/speed.json" "$tasks" "$bias" "$(tail -1 "$work/time")" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["simulation"]
print(f"{sys.argv[2]:<6} {sys.argv[3]:<8} {s['walks']:>8} {s['steps']:>10} {s['steps_per_second']:>10.0f} "
      f"{s['steps_per_cpu_second']:>14.0f} {float(sys.argv[4]):>10.2f}")
PY
  done
done

echo
echo "== time to the first violation, seeds 1..$SEEDS, one thread, default bounds (6 tasks, every feature), 60 s cap"
for target in "mainline autoreap.never_zombie" "mainline autoreap.exit_info_on_pollin" "v5 autoreap.parent_grandchild"; do
  read -r profile id <<<"$target"
  : >"$work/rows"
  for seed in $(seq 1 "$SEEDS"); do
    t0=$(date +%s.%N)
    set +e
    nice -n 10 "$BIN" simulate --profile "$profile" --property "$id" --seed "$seed" --time 60 --stop-when-found \
      --jobs 1 --no-traces --json "$work/ttf.json" >/dev/null
    rc=$?
    set -e
    t1=$(date +%s.%N)
    [[ $rc == 0 || $rc == 1 ]] || { echo "simulate_bench: simulate exited $rc" >&2; exit 1; }
    python3 - "$work/ttf.json" "$id" "$seed" "$t0" "$t1" >>"$work/rows" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
s = j["simulation"]
v = [v for v in j["results"][0]["verdicts"] if v["property"] == sys.argv[2]][0]
found = v["verdict"] == "VIOLATED"
wall = float(sys.argv[5]) - float(sys.argv[4])
print(sys.argv[3], int(found), s["seconds"], s["shrink_seconds"], wall, s["walks"],
      v.get("found", {}).get("walk", -1), v.get("trace_steps", 0))
PY
  done
  python3 - "$work/rows" "$profile" "$id" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
found = [r for r in rows if r[1] == "1"]
def summary(col, f=".3f"):
    xs = sorted(float(r[col]) for r in found)
    return f"min {xs[0]:{f}} median {statistics.median(xs):{f}} max {xs[-1]:{f}}" if xs else "-"
print(f"{sys.argv[2]} {sys.argv[3]}: found by {len(found)} of {len(rows)} seeds within 60 s")
print(f"  walks run:           {summary(5, '.0f')}")
print(f"  walk seconds:        {summary(2)}")
print(f"  shrink+replay s:     {summary(3)}")
print(f"  wall s (process):    {summary(4)}")
steps = sorted(int(r[7]) for r in found)
if steps: print(f"  shrunk trace steps:  min {steps[0]} median {statistics.median(steps):g} max {steps[-1]}")
PY
done
