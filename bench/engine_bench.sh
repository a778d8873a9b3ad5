#!/usr/bin/env bash
# engine_bench.sh: the explicit engine against a baseline commit, in one run.
#
#   bench/engine_bench.sh [BASELINE_COMMIT] [--quick]
#
# Builds this tree and BASELINE_COMMIT (default 9b386a3, the last commit with
# the string-keyed BFS engine) in Release under build-bench/ (the baseline
# through `git worktree`), then runs on both, one after the other, with
# /usr/bin/time:
#   1. check --profile mainline --tasks 3 --threads 2 --pidfds 1 --ptrace --depth 6
#      (baseline; this tree with --jobs 1 and --jobs 2);
#   2. the default review of all six profiles (baseline; this tree), run after 3,
#      then the baseline review's own seven configurations run by this tree's
#      check (the same work: the default review has grown since);
#   3. diff mainline mainline --tasks 3 --depth 5 (the product engine: wall,
#      CPU, peak RSS, product states; baseline; this tree);
#   4. this tree only: the everything-at-once configuration (tasks 3, threads
#      2, pidfds 1, every feature) for up to $ALL_SECONDS s (default 600).
# It prints states, transitions, wall and CPU seconds, states per CPU second,
# peak RSS and bytes per state (the visited set from the JSON report, and
# peak RSS minus the RSS of a trivial run), and the ratios against the
# baseline. Quote medians of several runs: a shared machine is noisy.
# After 1, the same check with the properties, then symmetry, taken away
# (where the time goes). --quick runs 1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${1:-9b386a3}"
QUICK=0
[[ "${2:-}" == --quick || "${1:-}" == --quick ]] && QUICK=1
[[ "$BASE" == --quick ]] && BASE=9b386a3
ALL_SECONDS="${ALL_SECONDS:-600}"
out=build-bench
mkdir -p "$out"
if [ ! -d "$out/base-src" ]; then git worktree add -q --detach "$out/base-src" "$BASE"; fi
git -C "$out/base-src" checkout -q --detach "$BASE"
for d in base cur; do
  src=.; [ "$d" = base ] && src="$out/base-src"
  cmake -S "$src" -B "$out/$d" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$out/$d" -j"$(nproc)" --target reapcheck >"$out/$d.build.log" 2>&1 ||
    { tail -20 "$out/$d.build.log"; echo "engine_bench: the $d build failed ($out/$d.build.log)" >&2; exit 1; }
done
B="$out/base/reapcheck"; C="$out/cur/reapcheck"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
has_jobs() { "$1" check --help 2>&1 | grep -q -- --jobs; }
# run NAME BINARY ARGS...: wall, CPU, RSS and the JSON report of one run
run() {
  local name=$1 bin=$2; shift 2
  local extra=()
  has_jobs "$bin" && extra=(--no-progress)
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$bin" "$@" "${extra[@]}" --json "$work/$name.json" \
      >"$work/$name.out" 2>"$work/$name.err" || true
}
rss0=$( /usr/bin/time -f "%M" "$C" check --tasks 2 --depth 1 --no-progress --property lifecycle.init_alive 2>&1 >/dev/null | tail -1 )
row() {   # name: states transitions wall cpu states/cpu-s rss_mb B/state(visited set) B/state(parent links) B/state(rss)
  local name=$1
  read -r wall user sys rss < <(tail -1 "$work/$name.time")   # time adds a line for a non-zero exit
  python3 - "$work/$name.json" "$wall" "$user" "$sys" "$rss" "$rss0" "$name" <<'PY'
import json, sys
f, wall, user, sysc, rss, rss0, name = sys.argv[1:]
j = json.load(open(f))
st = [r["stats"] for r in j["results"]]
states = sum(s["states"] for s in st); tr = sum(s["transitions"] for s in st)
store = sum(s.get("key_bytes", 0) for s in st)
links = sum(s.get("link_bytes", 0) for s in st)   # the baseline counted its store as one figure
cpu = float(user) + float(sysc)
print(f"{name:<14} {states:>11} {tr:>12} {float(wall):>8.1f} {cpu:>8.1f} {states/cpu:>11.0f} {int(rss)/1024:>8.0f} "
      f"{store/states:>9.1f} {links/states:>8.1f} {(int(rss)-int(rss0))*1024/states:>9.1f}")
PY
}
header() { printf "%-14s %11s %12s %8s %8s %11s %8s %9s %8s %9s\n" run states transitions wall_s cpu_s states/cpu_s rss_MiB B/st_visit B/st_link B/st_rss; }
CHECK=(check --profile mainline --tasks 3 --threads 2 --pidfds 1 --ptrace --depth 6)
echo "== ${CHECK[*]}  ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
run base-check "$B" "${CHECK[@]}"
run cur-check-j1 "$C" "${CHECK[@]}" --jobs 1
run cur-check-j2 "$C" "${CHECK[@]}" --jobs 2
header
for n in base-check cur-check-j1 cur-check-j2; do row $n; done
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
t = {n: [float(x) for x in open(f"{w}/{n}.time").read().splitlines()[-1].split()[:3]] for n in ["base-check", "cur-check-j1", "cur-check-j2"]}
cpu = lambda n: t[n][1] + t[n][2]
print(f"ratios: CPU baseline / jobs 1 = {cpu('base-check')/cpu('cur-check-j1'):.2f}x; "
      f"wall baseline / jobs 1 = {t['base-check'][0]/t['cur-check-j1'][0]:.2f}x; "
      f"wall jobs 1 / jobs 2 = {t['cur-check-j1'][0]/t['cur-check-j2'][0]:.2f}x")
PY
# the verdict lines: indented rows before the first blank line (the coverage table follows it)
for n in base-check cur-check-j1 cur-check-j2; do awk '/^$/{exit} /^  [a-z]/{print $1, $2}' "$work/$n.out" | sort > "$work/$n.verdicts"; done
# The catalog may have grown since the baseline: compare the properties both have.
common=$(join "$work/base-check.verdicts" "$work/cur-check-j1.verdicts" | wc -l)
same=$(join "$work/base-check.verdicts" "$work/cur-check-j1.verdicts" | awk '$2 == $3' | wc -l)
echo "verdicts: $same of the $common properties both catalogs have agree with the baseline" \
     "($(wc -l < "$work/cur-check-j1.verdicts") in this tree)"
join "$work/base-check.verdicts" "$work/cur-check-j1.verdicts" | awk '$2 != $3 {print "  differs: " $0}'
cmp -s "$work/cur-check-j1.verdicts" "$work/cur-check-j2.verdicts" && echo "jobs 1 and jobs 2: identical verdicts" \
  || echo "jobs 1 and jobs 2: verdicts DIFFER"
# Where this tree's time goes, by taking parts away (one thread): the
# catalog's properties (one cheap property is left), then the symmetry
# reduction's canonical ordering (with three tasks, init and two others, it
# merges no states in this bound: the same states and transitions). What is
# left is refimpl's steps, packing, the store and unpacking.
run cur-one-prop "$C" "${CHECK[@]}" --jobs 1 --property lifecycle.init_alive
run cur-one-prop-nosym "$C" "${CHECK[@]}" --jobs 1 --property lifecycle.init_alive --no-symmetry
echo "taking parts away (this tree, jobs 1):"
header
for n in cur-check-j1 cur-one-prop cur-one-prop-nosym; do row $n; done
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
cpu = lambda n: sum(float(x) for x in open(f"{w}/{n}.time").read().splitlines()[-1].split()[1:3])
full, one, nosym, base = cpu("cur-check-j1"), cpu("cur-one-prop"), cpu("cur-one-prop-nosym"), cpu("base-check")
print(f"the properties {full - one:.2f} s ({(full - one) / full:.0%}), symmetry's ordering {one - nosym:.2f} s "
      f"({(one - nosym) / full:.0%}), the rest {nosym:.2f} s; 5x the baseline is {base / 5:.2f} s of CPU")
PY
[ "$QUICK" = 1 ] && exit 0
echo
DIFF=(diff mainline mainline --tasks 3 --depth 5 --no-traces)
echo "== ${DIFF[*]}  (the product of two worlds; no difference, so the whole bound is explored)"
for d in base cur; do
  bin=$B; [ "$d" = cur ] && bin=$C
  /usr/bin/time -f "%e %U %S %M" -o "$work/$d-diff.time" "$bin" "${DIFF[@]}" >"$work/$d-diff.out" 2>&1 || true
  read -r wall user sys rss < <(tail -1 "$work/$d-diff.time")
  printf "%-6s %8s wall_s %8s cpu_s %8d rss_MiB   %s\n" "$d" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" "$((rss / 1024))" \
    "$(grep -o 'product [0-9]* states, [0-9]* transitions' "$work/$d-diff.out" | head -1)"
done
echo
echo "== default review, six profiles"
run base-review "$B" review --no-traces --no-diff
run cur-review "$C" review --no-traces --no-diff
header
row base-review; row cur-review
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
t = {n: [float(x) for x in open(f"{w}/{n}.time").read().splitlines()[-1].split()[:3]] for n in ["base-review", "cur-review"]}
print(f"ratio: wall baseline / this tree = {t['base-review'][0]/t['cur-review'][0]:.2f}x")
PY
echo
# The default review has grown since the baseline (more configurations, the
# everything-at-once one among them: 2.6 times the states), so its ratio mixes
# the engine with the work. The same work: the baseline's seven
# configurations (its checker/engine/suite.cpp) run by this tree's check, one
# process per profile and configuration.
echo "== the baseline review's configurations, run by this tree (the same work as base-review)"
SUITE=("signals:--tasks 3 --pidfds 0 --sigaction --subreaper --parent"
       "waiters:--tasks 3 --pidfds 0 --sigaction --blocking"
       "pidfd:--tasks 3 --pidfds 1 --autokill --parent"
       "ptrace:--tasks 3 --pidfds 0 --ptrace --blocking"
       "threads:--tasks 3 --pidfds 0 --threads 2 --kill --blocking"
       "exec-kill:--tasks 3 --pidfds 0 --exec --kill --blocking"
       "subreaper4:--tasks 4 --pidfds 0 --depth 7 --subreaper")
# As review schedules them: each profile's configurations one after another,
# the profiles side by side on min(cores, 6) workers with the cores shared
# out among them (checker/cli/review_cmd.cpp, explore_side_by_side).
cores=$(nproc); workers=$(( cores < 6 ? cores : 6 )); jobs=$(( cores / workers ))
{
  echo 'p=$1'
  echo "C='$C'; work='$work'; jobs=$jobs"
  printf 'for cfg in'; printf " '%s'" "${SUITE[@]}"; echo '; do'
  cat <<'SH'
  name=${cfg%%:*}; read -r -a flags <<<"${cfg#*:}"
  "$C" check --profile "$p" --no-exec --no-kill --no-blocking --no-autokill --no-parent \
    --no-subreaper --no-sigaction --no-ptrace "${flags[@]}" --no-traces --no-progress --jobs "$jobs" \
    --json "$work/same-$p-$name.json" >"$work/same-$p-$name.out" 2>&1 || true
done
SH
} >"$work/one_profile.sh"   # PROFILE: its seven configurations, one process each
printf '%s\n' linux-6.18 rfc-v1 rfc-v3 v4 v5 mainline >"$work/profiles"
/usr/bin/time -f "%e %U %S %M" -o "$work/same-work.time" \
  xargs -P "$workers" -n 1 bash "$work/one_profile.sh" <"$work/profiles"
python3 - "$work" <<'PY'
import glob, json, sys
w = sys.argv[1]
def tm(n): return [float(x) for x in open(f"{w}/{n}.time").read().splitlines()[-1].split()[:4]]
states = tr = 0
violated = set()
for f in glob.glob(f"{w}/same-*.json"):
    for r in json.load(open(f))["results"]:
        states += r["stats"]["states"]; tr += r["stats"]["transitions"]
        violated |= {(r["profile"], v["property"]) for v in r["verdicts"] if v["verdict"].lower() == "violated"}
base = json.load(open(f"{w}/base-review.json"))["results"]
known = {v["property"] for r in base for v in r["verdicts"]}
base_violated = {(r["profile"], v["property"]) for r in base for v in r["verdicts"] if v["verdict"].lower() == "violated"}
cur = violated & {(p, q) for (p, q) in violated if q in known}
b, c = tm("base-review"), tm("same-work")
print(f"{'run':<14} {'states':>11} {'transitions':>12} {'wall_s':>8} {'cpu_s':>8}")
print(f"{'same-work':<14} {states:>11} {tr:>12} {c[0]:>8.1f} {c[1]+c[2]:>8.1f}")
print(f"ratio: wall baseline review / the same configurations here = {b[0]/c[0]:.2f}x "
      f"(a quarter of the time is 4.00x); CPU {(b[1]+b[2])/(c[1]+c[2]):.2f}x")
print(f"violations (profile, property) of the properties the baseline has: baseline {len(base_violated)}, "
      f"here {len(cur)}; " + ("the same" if cur == base_violated else
      f"only in the baseline {sorted(base_violated - cur)}, only here {sorted(cur - base_violated)}"))
PY
echo
echo "== everything at once (mainline), up to $ALL_SECONDS s"
run cur-all "$C" check --profile mainline --tasks 3 --threads 2 --pidfds 1 --ptrace --exec --kill --blocking \
    --autokill --parent --subreaper --sigaction --max-time "$ALL_SECONDS"
header
row cur-all
grep '^profile' "$work/cur-all.out" || true
