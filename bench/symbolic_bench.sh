#!/bin/sh
# Z3 engines: time and verdict per property for `prove`, and time per depth
# for `bmc`, per profile and per slot count. Figures are measured here and
# printed; nothing is asserted. Wall times come from /usr/bin/time, per
# property and per depth times from the commands' own reports.
# Usage: bench/symbolic_bench.sh [REAPCHECK] [DEPTH] [MAX_K]
# Environment: PROFILES (default "mainline"; "all" for the six), SLOTS
# (default "3 4"), THREADS (threads per process, default "1 2": each
# configuration without and with threads), BMC (0 skips bmc), PROVE (0
# skips prove), MAX_TIME (seconds per command, default 1200), UNBOUNDED (1:
# also prove --unbounded per profile: verdict and seconds per property,
# docs/unbounded.md), AGREE (slot counts for its agreement check, default
# none, e.g. "2 3 4"), EXEC (1: prove and bmc with --exec, execve in the
# model; KILL=1 likewise adds --kill, AUTOKILL=1 --autokill, CAPSET=1
# --capset, WNOWAIT=1 --wnowait), QUERY_TIMEOUT (seconds per Z3 query,
# default the commands' 60), QUERY_RLIMIT (Z3 resource units per query,
# default none: --query-rlimit, whose verdicts do not depend on the
# machine's load), ENCODING (bmc's --encoding: bv, the default, or int; each
# depth's line gives its wall time and the process's CPU time so far, which
# the machine's load does not inflate). Per property prove prints wall
# seconds, the CPU seconds and the Z3 resource units (millions) of its
# queries, and its largest query's units; then the maximum of each over
# the properties. JSON_DIR (a directory) keeps each prove's --json report
# there (prove.PROFILE.SLOTS.THREADS.json).
set -eu
bin=${1:-build/reapcheck}
depth=${2:-4}
maxk=${3:-2}
profiles=${PROFILES:-mainline}
[ "$profiles" = all ] && profiles="linux-6.18 rfc-v1 rfc-v3 v4 v5 mainline"
slots_list=${SLOTS:-3 4}
threads_list=${THREADS:-1 2}
max_time=${MAX_TIME:-1200}
extra=""
[ "${EXEC:-0}" = 1 ] && extra="$extra --exec"
[ "${KILL:-0}" = 1 ] && extra="$extra --kill"
[ "${AUTOKILL:-0}" = 1 ] && extra="$extra --autokill"
[ "${CAPSET:-0}" = 1 ] && extra="$extra --capset"
[ "${WNOWAIT:-0}" = 1 ] && extra="$extra --wnowait"
limits=""
[ -n "${QUERY_TIMEOUT:-}" ] && limits="$limits --query-timeout $QUERY_TIMEOUT"
[ -n "${QUERY_RLIMIT:-}" ] && limits="$limits --query-rlimit $QUERY_RLIMIT"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for profile in $profiles; do
if [ "${UNBOUNDED:-0}" = 1 ]; then
    echo "== prove --unbounded, profile $profile (every number of tasks)"
    agree=""
    for n in ${AGREE:-}; do agree="$agree --agree $n"; done
    /usr/bin/time -f '%e %U' -o "$out/unb.$profile.time" \
        "$bin" prove --unbounded --profile "$profile" $agree --quiet --json "$out/unb.$profile.json" \
        >"$out/unb.$profile.txt" 2>"$out/unb.$profile.err" || true
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for a in r["agreement"]:
    print("  agreement, %d slots: %d actions, %d disagree, %d unknown, %.2f s" % (
        a["slots"], a["actions"], len(a["disagreements"]) - a["unknown"], a["unknown"], a["seconds"]))
for x in r["results"]:
    print("  %-38s %-15s %8.2f s  %d queries" % (x["property"], x["verdict"], x["seconds"], x["queries"]))
' "$out/unb.$profile.json"
    set -- $(tail -n 1 "$out/unb.$profile.time")
    echo "  total: $1 s wall, $2 s user"
fi
for slots in $slots_list; do
for threads in $threads_list; do
    tag="$profile.$slots.$threads"
    if [ "${PROVE:-1}" != 0 ]; then
        echo "== prove, $slots slots, $threads thread(s) per process$extra$limits, profile $profile, base case depth $depth, k <= $maxk"
        /usr/bin/time -f '%e %U' -o "$out/prove.$tag.time" \
            "$bin" prove --profile "$profile" --tasks "$slots" --threads "$threads" $extra $limits --depth "$depth" --max-k "$maxk" \
            --max-time "$max_time" --json "$out/prove.$tag.json" >"$out/prove.$tag.txt" 2>"$out/prove.$tag.err" || true
        # one line per property: id, verdict, seconds (from the JSON report)
        python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
count = {}
for x in r["results"]:
    count[x["verdict"]] = count.get(x["verdict"], 0) + 1
    print("  %-38s %-14s %8.2f s %8.2f cpu %9.1fM (largest query %8.1fM)  k=%d" % (
        x["property"], x["verdict"], x["seconds"], x["cpu_seconds"], x["rlimit"] / 1e6,
        x["max_query_rlimit"] / 1e6, x["k"]))
print("  verdicts: " + ", ".join("%s %d" % kv for kv in sorted(count.items())))
# the heaviest property by CPU seconds and by resource units, and the
# largest single query (the figures of the per-property targets)
spent = [x for x in r["results"] if x["rlimit"] > 0]
if spent:
    c = max(spent, key=lambda x: x["cpu_seconds"])
    u = max(spent, key=lambda x: x["rlimit"])
    q = max(spent, key=lambda x: x["max_query_rlimit"])
    print("  max: %s %.2f cpu; %s %.1fM; largest query %s %.1fM" % (
        c["property"], c["cpu_seconds"], u["property"], u["rlimit"] / 1e6,
        q["property"], q["max_query_rlimit"] / 1e6))
' "$out/prove.$tag.json"
        [ -n "${JSON_DIR:-}" ] && cp "$out/prove.$tag.json" "$JSON_DIR/prove.$tag.json"
        # (time's last line: a failing exit status adds a line before it)
        set -- $(tail -n 1 "$out/prove.$tag.time")
        echo "  total: $1 s wall, $2 s user"
    fi
    if [ "${BMC:-1}" != 0 ]; then
        echo "== bmc, $slots slots, $threads thread(s) per process$extra, profile $profile, depth $depth: time per depth ($(uptime | sed 's/.*load/load/'))"
        /usr/bin/time -f '%e %U' -o "$out/bmc.$tag.time" \
            "$bin" bmc --profile "$profile" --tasks "$slots" --threads "$threads" $extra $limits --depth "$depth" --max-time "$max_time" \
            --encoding "${ENCODING:-bv}" \
            >"$out/bmc.$tag.txt" 2>"$out/bmc.$tag.err" || true
        sed -n 's/^bmc: \(transition relation built in .*\)$/  \1/p; s/^bmc: \(encoding: .*\)$/  \1/p; s/^bmc: depth \([0-9]*\) done in \(.*\)$/  depth \1: \2/p' \
            "$out/bmc.$tag.err"
        grep -E '^  [a-z]' "$out/bmc.$tag.txt" | awk '{print $2}' | sort | uniq -c |
            awk '{printf "%s %s, ", $2, $1} END {print ""}' | sed 's/^/  verdicts: /; s/, $//'
        set -- $(tail -n 1 "$out/bmc.$tag.time")
        echo "  total: $1 s wall, $2 s user"
    fi
done
done
done
