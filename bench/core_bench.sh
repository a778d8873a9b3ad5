#!/usr/bin/env bash
# core_bench.sh: the core benchmark alphabet (docs/core-alphabet.md) measured with
# `reapcheck explore --alphabet core` and compared with SPIN on bench/core.pml.
#
#   bench/core_bench.sh [path/to/reapcheck]
#
# Environment: BUDGET (seconds for time-limited runs, default 60),
# FULL5_LIMIT (time limit of the exhaustive 5-slot run, default 600),
# SPIN5=1 (also run SPIN at 5 slots for BUDGET seconds), PROFILE (default
# mainline), WORK (scratch directory, default a fresh temporary one).
#
# Prints, for 4, 5 and 6 slots: distinct states, transitions, states/s, bytes
# per stored state, peak memory, symmetry-reduction factor, speed-up from 1
# to 2 threads; then SPIN's distinct states and time at 3 and 4 slots (all
# profiles at 3) without symmetry, MATCH/MISMATCH against reapcheck, and the
# time ratio; the same for Rumur on bench/core.m at 3 and 4 slots. Figures are measured, never assumed; a run stopped by a limit
# is marked "partial".
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
if ! command -v spin >/dev/null 2>&1; then
    apt-get install -y spin rumur
fi
RC="${1:-${REAPCHECK:-$root/build/reapcheck}}"
[ -x "$RC" ] || { echo "core_bench: no reapcheck binary at $RC (pass its path)" >&2; exit 2; }
BUDGET="${BUDGET:-60}"
FULL5_LIMIT="${FULL5_LIMIT:-600}"
PROFILE="${PROFILE:-mainline}"
WORK="${WORK:-$(mktemp -d /tmp/core_bench.XXXXXX)}"
mkdir -p "$WORK"
CC="${CC:-cc}"

profile_number() {
    case "$1" in
    linux-6.18) echo 0 ;; rfc-v1) echo 1 ;; rfc-v3) echo 2 ;; v4) echo 3 ;; v5) echo 4 ;; mainline) echo 5 ;;
    *) echo "core_bench: unknown profile $1" >&2; exit 2 ;;
    esac
}

# explore TASKS SYM THREADS LIMIT [PROFILE] [EXTRA-OPTION] -> prints the JSON file name
explore() {
    local f="$WORK/rc-$1-$2-$3-${5:-$PROFILE}-$4.json"
    if [ ! -s "$f" ]; then
        "$RC" explore --alphabet core --tasks "$1" --symmetry "$2" --threads "$3" --max-time "$4" \
            --profile "${5:-$PROFILE}" --quiet --json "$f" ${6:-} >/dev/null || true
    fi
    echo "$f"
}

# spin_run TASKS PROFILE [TIMEOUT] -> prints "stored transitions seconds memory_mb complete"
spin_run() {
    local n="$1" prof="$2" limit="${3:-0}" dir="$WORK/spin-$1-$2"
    mkdir -p "$dir"
    (
        cd "$dir"
        if grep -q "states, stored" out.txt 2>/dev/null; then exit 0; fi   # measured before in this WORK
        spin -a -DN="$n" -DPROFILE="$(profile_number "$prof")" "$here/core.pml" >/dev/null
        "$CC" -O2 -DNOREDUCE -DCOLLAPSE -DMEMLIM=20000 -o pan pan.c
        if [ "$limit" -gt 0 ]; then
            timeout -s INT "$limit" ./pan -m50000000 -w28 >out.txt 2>&1 || true
        else
            # DFS depth reaches 1.17 million at 4 slots; the stack is allocated up front
            ./pan -m5000000 -w26 >out.txt 2>&1 || true
        fi
    )
    python3 - "$dir/out.txt" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
def num(pat, default="nan"):
    m = re.search(pat, t)
    return m.group(1) if m else default
stored = num(r"([0-9.e+]+) states, stored")
trans = num(r"([0-9.e+]+) transitions \(= stored\+matched\)")
secs = num(r"pan: elapsed time ([0-9.e+]+) seconds", "0")
mem = num(r"([0-9.e+]+)\s+total actual memory usage", "nan")
complete = "partial" if ("Interrupted" in t or "max search depth too small" in t or "out of memory" in t) else "exhaustive"
print(stored, trans, secs, mem, complete)
EOF
}

# rumur_run TASKS PROFILE -> prints "states rules_fired seconds"
rumur_run() {
    local n="$1" prof="$2" dir="$WORK/rumur-$1-$2"
    mkdir -p "$dir"
    (
        cd "$dir"
        if [ -s time.txt ] && grep -q "rules fired" out.txt; then   # measured before in this WORK
            python3 - out.txt 0 "$(cat time.txt)" <<'EOF2'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"(\d+) states, (\d+) rules fired", t)
print(m.group(1), m.group(2), float(sys.argv[3]))
EOF2
            exit 0
        fi
        sed -e "s/^  N: .*/  N: $n;/" -e "s/^  PROFILE: .*/  PROFILE: $(profile_number "$prof");/" "$here/core.m" >m.m
        rumur --output m.c m.m >/dev/null
        "$CC" -O2 -mcx16 -o m m.c -lpthread
        local t0 t1
        t0=$(date +%s.%N)
        ./m >out.txt 2>&1 || true
        t1=$(date +%s.%N)
        python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$t1" >time.txt
        python3 - out.txt "$t0" "$t1" <<'EOF2'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"(\d+) states, (\d+) rules fired", t)
print(m.group(1) if m else "nan", m.group(2) if m else "nan", float(sys.argv[3]) - float(sys.argv[2]))
EOF2
    )
}

j() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, d))' "$1" "$2"; }

row() {   # label json
    local f="$2"
    printf "  %-34s %-9s %15s %16s %6s %8.1f s %12.0f %10.1f %10.1f\n" "$1" \
        "$(j "$f" '"done" if complete else "partial"')" "$(j "$f" states)" "$(j "$f" transitions)" "$(j "$f" depth)" \
        "$(j "$f" seconds)" "$(j "$f" states_per_second)" "$(j "$f" bytes_per_state)" \
        "$(j "$f" 'peak_rss_bytes/1048576')"
}

echo "core benchmark alphabet, profile $PROFILE, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), reapcheck $RC"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on the machine slow every figure below)"
echo "scratch: $WORK"
printf "  %-34s %-9s %15s %16s %6s %10s %12s %10s %10s\n" run status states transitions depth time states/s B/state peakMB

for n in 4 5 6; do
    full=""
    echo "-- $n slots (load average $(cut -d' ' -f1 /proc/loadavg))"
    if [ "$n" = 4 ]; then
        s1=$(explore 4 on 1 "$BUDGET"); s2=$(explore 4 on 2 "$BUDGET" "$PROFILE" --orbits)
        r1=$(explore 4 off 1 "$BUDGET"); r2=$(explore 4 off 2 "$BUDGET")
    elif [ "$n" = 5 ]; then
        full=$(explore 5 on 2 "$FULL5_LIMIT" "$PROFILE" --orbits)
        s1=$(explore 5 on 1 "$BUDGET"); s2=$(explore 5 on 2 "$BUDGET")
        r1=$(explore 5 off 1 "$BUDGET"); r2=$(explore 5 off 2 "$BUDGET")
        row "symmetry on,  2 threads, exhaustive" "$full"
    else
        s1=$(explore 6 on 1 "$BUDGET"); s2=$(explore 6 on 2 "$BUDGET")
        r1=$(explore 6 off 1 "$BUDGET"); r2=$(explore 6 off 2 "$BUDGET")
    fi
    row "symmetry on,  1 thread" "$s1"; row "symmetry on,  2 threads" "$s2"
    row "symmetry off, 1 thread" "$r1"; row "symmetry off, 2 threads" "$r2"
    python3 - "$s1" "$s2" "$r1" "$r2" "$n" "${full:-$s2}" <<'EOF'
import json, math, sys
s1, s2, r1, r2, full = (json.load(open(f)) for f in sys.argv[1:5] + sys.argv[6:7])
n = int(sys.argv[5])
def speed(a, b):
    return b["states_per_second"] / a["states_per_second"] if a["states_per_second"] else float("nan")
print(f"  speed-up 1->2 threads (states/s): symmetry on {speed(s1, s2):.2f}x, off {speed(r1, r2):.2f}x"
      + ("" if s1["complete"] and s2["complete"] else "  (time-limited runs: throughput over the same budget)"))
ideal = math.factorial(n - 1)
if r1["complete"] and s1["complete"]:
    orb = f"; sum of orbit sizes {s2['orbit_states']}" if "orbit_states" in s2 else ""
    print(f"  symmetry reduction factor: {r1['states'] / s1['states']:.3f} (ideal (N-1)! = {ideal}{orb})")
elif "orbit_states" in full and full["complete"]:
    print(f"  symmetry reduction factor: {full['orbit_states'] / full['states']:.3f} = {full['orbit_states']} states without"
          f" symmetry (sum of orbit sizes, {full['orbit_seconds']:.1f} s) / {full['states']} (ideal {ideal})")
else:
    print(f"  symmetry reduction factor: not measurable (no exhaustive run without symmetry); ideal {ideal}")
EOF
done

echo "-- SPIN 6.5.2 (load average $(cut -d' ' -f1 /proc/loadavg)) (bench/core.pml, -DNOREDUCE -DCOLLAPSE, DFS) vs reapcheck --symmetry off, 1 thread"
printf "  %-22s %14s %14s %18s %18s %9s %9s %8s %s\n" run spin-states rc-states spin-transitions rc-transitions spin-s rc-s ratio verdict
compare() {   # tasks profile
    local n="$1" prof="$2" rc s st
    rc=$(explore "$n" off 1 "$BUDGET" "$prof")
    read -r st tr secs mem complete <<<"$(spin_run "$n" "$prof")"
    python3 - "$rc" "$st" "$tr" "$secs" "$mem" "$complete" "$n" "$prof" <<'EOF'
import json, sys
rc = json.load(open(sys.argv[1]))
st, tr, secs, mem = (float(x) for x in sys.argv[2:6])
complete, n, prof = sys.argv[6], sys.argv[7], sys.argv[8]
# SPIN stores one extra state (before the initialising d_step) and counts two
# extra transitions (that step and the start state); see core.pml.
spin_states, spin_trans = st - 1, tr - 2
ok_states = complete == "exhaustive" and rc["complete"] and int(spin_states) == rc["states"]
# large transition counts are printed by pan with 8 significant digits (so is the column)
ok_trans = abs(spin_trans - rc["transitions"]) <= max(1.0, 5e-8 * rc["transitions"])
verdict = "MATCH" if ok_states and ok_trans else "MISMATCH"
ratio = secs / rc["seconds"] if rc["seconds"] else float("nan")
print(f"  {n} slots {prof:12s} {int(spin_states):14d} {rc['states']:14d} {spin_trans:18.8g} {rc['transitions']:18d}"
      f" {secs:9.2f} {rc['seconds']:9.2f} {ratio:7.1f}x {verdict} (SPIN {complete}, {mem:.0f} MB)")
EOF
}
for prof in linux-6.18 rfc-v1 rfc-v3 v4 v5 mainline; do compare 3 "$prof"; done
compare 4 "$PROFILE"

echo "-- Rumur (bench/core.m, no symmetry, default threads) vs reapcheck --symmetry off, 1 thread"
for n in 3 4; do
    rc=$(explore "$n" off 1 "$BUDGET" "$PROFILE")
    read -r rs rt rsecs <<<"$(rumur_run "$n" "$PROFILE")"
    python3 - "$rc" "$rs" "$rt" "$rsecs" "$n" <<'EOF'
import json, sys
rc = json.load(open(sys.argv[1]))
rs, rt, secs, n = sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
ok = rs.isdigit() and rt.isdigit() and int(rs) == rc["states"] and int(rt) == rc["transitions"]
print(f"  {n} slots: Rumur {rs} states, {rt} rules fired, {secs:.2f} s; reapcheck {rc['states']} states,"
      f" {rc['transitions']} transitions, {rc['seconds']:.2f} s; {'MATCH' if ok else 'MISMATCH'}")
EOF
done

if [ "${SPIN5:-0}" = 1 ]; then
    echo "-- 5 slots, same time budget ($BUDGET s), no symmetry"
    read -r st tr secs mem complete <<<"$(spin_run 5 "$PROFILE" "$BUDGET")"
    r1=$(explore 5 off 1 "$BUDGET")
    echo "  SPIN: $st states stored, $tr transitions in $secs s, $mem MB ($complete)"
    echo "  reapcheck (1 thread): $(j "$r1" states) states, $(j "$r1" transitions) transitions in $(j "$r1" seconds) s, $(j "$r1" 'peak_rss_bytes/1048576') MB"
fi
