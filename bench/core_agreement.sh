#!/usr/bin/env bash
# core_agreement.sh: the whole 4-slot space of the core benchmark alphabet
# explored through refimpl and compared with checker/core's transition
# function (docs/core-alphabet.md), for mainline and linux-6.18.
#
#   bench/core_agreement.sh [path/to/reapcheck]
#
# Environment: TASKS (default 4), PROFILES (default "mainline linux-6.18"),
# MODE (extra options, default "--depth-first --erase-zombie-fields"; set it
# to "--depth-first" for the exact search, several times larger), WORK
# (scratch directory, default a fresh temporary one).
#
# Prints per profile: AGREE/DISAGREE, refimpl nodes and transitions, images,
# core states and transitions (which must be the pinned counts of
# tests/unit/core_explore.cpp: 7,405,076 and 234,867,836 for mainline at 4
# slots), wall and user CPU time, peak memory. Exit 1 if any profile
# disagrees.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
RC="${1:-${REAPCHECK:-$root/build/reapcheck}}"
[ -x "$RC" ] || { echo "core_agreement: no reapcheck binary at $RC (pass its path)" >&2; exit 2; }
TASKS="${TASKS:-4}"
PROFILES="${PROFILES:-mainline linux-6.18}"
MODE="${MODE:---depth-first --erase-zombie-fields}"
WORK="${WORK:-$(mktemp -d /tmp/core_agreement.XXXXXX)}"
mkdir -p "$WORK"

status=0
for p in $PROFILES; do
    json="$WORK/agree-$TASKS-$p.json"
    # shellcheck disable=SC2086
    if ! /usr/bin/time -f "%e %U %M" -o "$WORK/time-$p" "$RC" explore --alphabet core --tasks "$TASKS" \
        --profile "$p" --agree-refimpl $MODE --quiet --json "$json" >"$WORK/out-$p" 2>&1; then
        status=1
    fi
    read -r wall user rss <"$WORK/time-$p"
    python3 - "$json" "$p" "$wall" "$user" "$rss" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
verdict = "AGREE" if j["agree"] and j["complete"] else ("DISAGREE" if not j["agree"] else "PARTIAL")
print(f"{sys.argv[2]:>10} tasks {j['tasks']}: {verdict}; refimpl {j['refimpl_states']:,} nodes, "
      f"{j['refimpl_transitions']:,} transitions ({j['refimpl_seconds']:.0f} s); images {j['images']:,}; "
      f"core {j['core_states']:,} states, {j['core_transitions']:,} transitions; "
      f"wall {float(sys.argv[3]):.0f} s, user {float(sys.argv[4]):.0f} s, peak RSS {int(sys.argv[5]) / 1024:.0f} MB")
if not j["agree"]:
    print(j["counterexample"])
PY
done
exit $status
