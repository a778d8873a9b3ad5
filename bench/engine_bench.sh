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
#   2. the default review of all six profiles (baseline; this tree), run after 3;
#   3. diff mainline mainline --tasks 3 --depth 5 (the product engine: wall,
#      CPU, peak RSS, product states; baseline; this tree);
#   4. this tree only: the everything-at-once configuration (tasks 3, threads
#      2, pidfds 1, every feature) for up to $ALL_SECONDS s (default 600).
# It prints states, transitions, wall and CPU seconds, states per CPU second,
# peak RSS and bytes per state (the visited set from the JSON report, and
# peak RSS minus the RSS of a trivial run), and the ratios against the
# baseline. Quote medians of several runs: a shared machine is noisy.
# --quick runs 1 only.
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
echo "== everything at once (mainline), up to $ALL_SECONDS s"
run cur-all "$C" check --profile mainline --tasks 3 --threads 2 --pidfds 1 --ptrace --exec --kill --blocking \
    --autokill --parent --subreaper --sigaction --max-time "$ALL_SECONDS"
header
row cur-all
grep '^profile' "$work/cur-all.out" || true
