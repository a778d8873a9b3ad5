#!/usr/bin/env bash
# check --itf/--dot/--json and `reapcheck graph` as a user runs them: every
# trace is written in ITF (one state per step plus the initial one, as in
# the JSON report) and as DOT that Graphviz accepts; the state graph of small
# bounds is valid DOT; too large a graph and an unwritable report are one
# error line and exit 2. Graphviz is installed by scripts/install-deps.sh.
set -u
bin=$1; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
command -v dot >/dev/null || { echo "FAIL: graphviz 'dot' is not installed; scripts/install-deps.sh installs it"; exit 1; }
small=(--tasks 3 --depth 4 --no-exec --no-kill --no-blocking --no-sigaction --no-subreaper)
"$bin" check --profile mainline "${small[@]}" --itf "$tmp/itf" --dot "$tmp/dot" --json "$tmp/r.json" >"$tmp/out" 2>&1
[[ $? == 1 ]] || { echo "FAIL: check exit (expected 1, a violation)"; tail "$tmp/out"; fail=1; }
n_itf=$(ls "$tmp"/itf/*.itf.json 2>/dev/null | wc -l)
n_dot=$(ls "$tmp"/dot/*.dot 2>/dev/null | wc -l)
[[ $n_itf -ge 2 && $n_itf == "$n_dot" ]] || { echo "FAIL: $n_itf ITF files, $n_dot DOT files"; fail=1; }
[[ -f $tmp/itf/mainline.autoreap.exit_info_on_pollin.itf.json ]] || { echo "FAIL: violation ITF missing"; fail=1; }
if command -v python3 >/dev/null; then
  python3 - "$tmp/r.json" "$tmp/itf" <<'PY' || fail=1
import json, sys
report = json.load(open(sys.argv[1]))
for v in report['results'][0]['verdicts']:
    if 'trace' not in v:
        continue
    itf = json.load(open(f"{sys.argv[2]}/mainline.{v['property']}.itf.json"))
    assert set(itf) >= {'#meta', 'vars', 'states'}, itf.keys()
    assert len(itf['states']) == v['trace_steps'] + 1, (v['property'], len(itf['states']))
    assert itf['states'] == v['itf']['states'], v['property']
    for i, s in enumerate(itf['states']):
        assert s['#meta']['index'] == i and set(itf['vars']) <= set(s), (v['property'], i)
print('itf: files match the JSON report')
PY
fi
for f in "$tmp"/dot/*.dot; do
  dot -Tsvg "$f" -o "$tmp/x.svg" 2>"$tmp/err" || { echo "FAIL: graphviz rejects $f"; cat "$tmp/err"; fail=1; }
done

"$bin" graph --profile mainline --tasks 3 --depth 3 --pidfds 0 --no-exec --no-kill --no-blocking --no-sigaction \
  --no-subreaper --no-autokill --dot "$tmp/g.dot" >"$tmp/out" 2>&1 || { echo "FAIL: graph exit $?"; cat "$tmp/out"; fail=1; }
dot -Tsvg "$tmp/g.dot" -o "$tmp/g.svg" 2>"$tmp/err" || { echo "FAIL: graphviz rejects the state graph"; cat "$tmp/err"; fail=1; }
grep -q "states, .* edges" "$tmp/out" || { echo "FAIL: graph summary"; cat "$tmp/out"; fail=1; }

"$bin" graph --profile mainline --tasks 4 --dot "$tmp/big.dot" >"$tmp/out" 2>"$tmp/err"; rc=$?
[[ $rc == 2 && $(wc -l <"$tmp/err") == 1 ]] && grep -q "more than 5000 states" "$tmp/err" ||
  { echo "FAIL: a large graph: exit $rc"; cat "$tmp/err"; fail=1; }
[[ ! -e $tmp/big.dot ]] || { echo "FAIL: a refused graph was written"; fail=1; }
"$bin" graph --profile nope --dot "$tmp/x.dot" >"$tmp/out" 2>"$tmp/err"; rc=$?
[[ $rc == 2 && $(wc -l <"$tmp/err") == 1 ]] || { echo "FAIL: unknown profile: exit $rc"; cat "$tmp/err"; fail=1; }
"$bin" check "${small[@]}" --html "$tmp/no/such/dir/r.html" >"$tmp/out" 2>"$tmp/err"; rc=$?
[[ $rc == 2 && $(wc -l <"$tmp/err") == 1 ]] || { echo "FAIL: unwritable --html: exit $rc"; cat "$tmp/err"; fail=1; }
[[ $fail == 0 ]] && echo "reports: $n_itf ITF and DOT traces, state graph valid"
exit $fail
