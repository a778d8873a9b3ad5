#!/usr/bin/env bash
# The explorer as a browser shows it: reapcheck serve on a free loopback
# port, pages opened in headless Chromium (no network, fresh profile), the
# page's script run, the DOM after it dumped. Pages given by URL
# (?path=... steps by action index, ?trace=... opens a .scn, #open=... a
# JSON report): the end of the autoreap-with-tracer counterexample, a
# compared profile, a switched profile that cuts the path, a review JSON
# opened at its last step, a bad URL. Then serve_clicks.py clicks through
# the page: every step of the counterexample (tree, current step, the .scn
# replayed here with reapcheck replay), back, forward, the profile select, a
# pasted review JSON. One screenshot per page, kept in ARTIFACT_DIR and
# checked not blank.
# Usage: tests/cli/serve_browser.sh REAPCHECK ARTIFACT_DIR
set -u
bin=$(readlink -f "$1")
art=$2
mkdir -p "$art" || exit 1
tmp=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || { echo "FAIL: chromium is not installed (scripts/install-deps.sh installs it)"; exit 1; }
for tool in curl jq python3; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done

"$bin" serve --port 0 >"$tmp/serve.out" 2>&1 &
pid=$!
url=
for _ in $(seq 100); do
  url=$(sed -n 's|^reapcheck serve: \(http://127.0.0.1:[0-9]*/\).*|\1|p' "$tmp/serve.out" 2>/dev/null)
  [[ -n $url ]] && break
  sleep 0.05
done
[[ -n $url ]] || { echo "FAIL: serve did not start: $(cat "$tmp/serve.out")"; exit 1; }

# page NAME QUERY [CHROMIUM OPTION...]: the DOM after the script ran in
# $tmp/NAME.html, a screenshot in $art/NAME.png.
page() {
  local name=$1 query=$2; shift 2
  local prof; prof=$(mktemp -d -p "$tmp")
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --no-proxy-server --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$prof" \
    --window-size=1280,900 "$@" --screenshot="$art/$name.png" --dump-dom "$url?$query" \
    >"$tmp/$name.html" 2>"$tmp/$name.err" ||
    bad "$name: chromium exit $?: $(tail -3 "$tmp/$name.err")"
  python3 "$(dirname "$0")/png_not_blank.py" "$art/$name.png" >/dev/null || bad "$name: the screenshot is blank"
  grep -q 'id="error" role="alert" hidden' "$tmp/$name.html" || [[ $name == bad* ]] ||
    bad "$name: the page shows an error: $(grep -o '<div id="error"[^<]*' "$tmp/$name.html")"
}
# The text of the element with id ID (first line of it), HTML entities decoded.
text_of() { # FILE ID
  python3 - "$1" "$2" <<'PY'
import html, re, sys
dom = open(sys.argv[1]).read()
m = re.search(r'<(\w+)[^>]* id="%s"[^>]*>(.*?)</\1>' % re.escape(sys.argv[2]), dom, re.S)
print(html.unescape(re.sub(r'<[^>]+>', '', m.group(2))) if m else '')
PY
}

# The counterexample's action indices, from the API (the same alphabet the page lists).
idx() { curl --noproxy '*' -s -m 10 -X POST -H 'Content-Type: application/json' -d "{\"path\":\"$1\"}" \
  "${url}api/view" | jq -r --arg s "$2" '.actions[] | select(.statement == $s) | .index'; }
stmts=("init: clone3 flags=AUTOREAP exit_signal=0" "init: ptrace_attach A" "A: exit 3" "kernel: exit_notify A")
path=
for k in 0 1 2 3; do
  i=$(idx "$path" "${stmts[$k]}")
  [[ -n $i ]] || { bad "'${stmts[$k]}' is not enabled after path '$path'"; break; }
  path=${path:+$path,}$i
done
# Its end by URL (serve_clicks.py below clicks through every step).
page step4 "path=$path"
dom=$tmp/step4.html
grep -q 'data-at="4"' "$dom" || bad "step4: not at step 4"
cur=$(grep -o '<li class="current">[^<]*' "$dom" | sed 's/<li class="current">//')
[[ $cur == "kernel: exit_notify A" ]] || bad "step4: the current step is '$cur'"
n=$(grep -o '<g class="task">' "$dom" | wc -l)
[[ $n == 3 ]] || bad "step4: $n task boxes drawn, expected 3"
text_of "$dom" scn >"$art/step4.scn"
"$bin" replay -q "$art/step4.scn" >"$tmp/replay.out" 2>&1 || bad "step4: the .scn does not replay: $(cat "$tmp/replay.out")"
dom=$tmp/step4.html
grep -q '>ZOMBIE</text>' "$dom" || bad "step4: A is not drawn as a zombie"
grep -q '>traces</text>' "$dom" || bad "step4: the tracer arrow is not drawn"
grep -q '<tr data-id="autoreap.never_zombie" data-now="violated">' "$dom" ||
  bad "step4: autoreap.never_zombie is not shown violated"

# Compared with linux-6.18 before the first step: CLONE_AUTOREAP is EINVAL there.
page compare "compare=linux-6.18"
grep -q 'badge b-differs">linux-6.18: EINVAL' "$tmp/compare.html" || bad "compare: no differing action marked"

# The same path under linux-6.18: A is never created, the path is cut, and the page says so.
scn=$(jq -sRr @uri "$art/step4.scn")
page profile "profile=linux-6.18&trace=$scn"
grep -q 'data-profile="linux-6.18"' "$tmp/profile.html" || bad "profile: not switched to linux-6.18"
grep -q "cannot run under linux-6.18" "$tmp/profile.html" || bad "profile: the cut path is not explained"
grep -q 'class="current mismatch">init: clone3 flags=AUTOREAP exit_signal=0 -&gt; EINVAL' "$tmp/profile.html" ||
  bad "profile: the first step's new result is not shown"

# A review JSON, opened at the end of its trace. A report is larger than a
# URL's query may be (8 KB): the page takes it from the fragment (#open=...)
# and posts it to /api/load, as its "open" button does; the virtual time
# budget makes Chromium wait for that answer before it dumps the DOM.
"$bin" review --profile mainline --tasks 3 --depth 4 --ptrace --no-exec --no-kill --no-blocking --no-sigaction \
  --no-subreaper --no-autokill --no-parent --pidfds 0 --json "$tmp/review.json" >/dev/null 2>&1
entry=$(jq '[.results[].verdicts[] | select(.trace != null)] | map(.property) | index("autoreap.never_zombie")' "$tmp/review.json")
[[ $entry != null ]] || bad "review: no never_zombie trace in the report"
steps=$(jq '[.results[].verdicts[] | select(.property == "autoreap.never_zombie")][0].trace_steps' "$tmp/review.json")
page review "#at=$steps&entry=$entry&open=$(jq -c . "$tmp/review.json" | jq -sRr @uri)" --virtual-time-budget=10000
grep -q 'id="entries"' "$tmp/review.html" && ! grep -q 'id="entries" hidden' "$tmp/review.html" ||
  bad "review: the entries are not listed"
grep -q '>ZOMBIE</text>' "$tmp/review.html" || bad "review: the violation's last state is not drawn"

# Clicks: the same counterexample clicked through with the page's own
# buttons and selects (DevTools protocol on a pipe), back, forward, a
# profile switch, the review JSON pasted and opened.
timeout 120 python3 "$(dirname "$0")/serve_clicks.py" "$browser" "$url" "$tmp/review.json" "$art/clicks.png" || bad "clicks"
python3 "$(dirname "$0")/png_not_blank.py" "$art/clicks.png" >/dev/null || bad "clicks: the screenshot is blank"
for k in 1 2 3 4; do
  [[ -s $art/click-step$k.scn ]] && "$bin" replay -q "$art/click-step$k.scn" >"$tmp/replay.out" 2>&1 ||
    bad "clicks: the .scn after step $k does not replay: $(cat "$tmp/replay.out" 2>/dev/null)"
done

# A bad URL: the error in the page, the initial world still drawn.
page bad "profile=v9"
grep -q "unknown profile 'v9'" "$tmp/bad.html" || bad "bad: the error is not shown"

kill "$pid"; wait "$pid"; rc=$?; pid=
[[ $rc == 0 ]] || bad "serve exit $rc on SIGTERM"
[[ $fail == 0 ]] && echo "serve in a browser: $(ls "$art"/*.png | wc -l) pages rendered by $($browser --version 2>/dev/null | head -1); screenshots in $art"
exit $fail
