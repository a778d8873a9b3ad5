#!/usr/bin/env bash
# The HTML report as a browser shows it: a small review of two profiles is
# written with --html and opened in headless Chromium (no network, fresh
# profile). The rendered DOM must hold the verdict matrix and a trace drawn
# with inline SVG, and a screenshot must not be blank. CI installs chromium
# (scripts/install-deps.sh), so a missing browser is a failure, not a skip.
set -u
bin=$1; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "FAIL: chromium is not installed; scripts/install-deps.sh installs it (apt-get install chromium)"
  exit 1
fi
"$bin" review --profile linux-6.18 --profile mainline --tasks 3 --depth 4 --no-exec --no-kill --no-blocking \
  --no-sigaction --no-subreaper --html "$tmp/report.html" >"$tmp/out" 2>&1 ||
  { echo "FAIL: review exit $?"; tail "$tmp/out"; exit 1; }
# Self-contained: nothing to fetch.
if grep -Eq '<script|<link|src=|url\(http|href="http' "$tmp/report.html"; then
  echo "FAIL: the page refers to external resources or scripts"; fail=1
fi
chrome() {   # one headless run with its own profile directory
  local prof; prof=$(mktemp -d -p "$tmp")
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$prof" "$@"
}
# One browser run (starting Chromium is most of this test's time): the DOM
# after rendering on stdout, and a screenshot.
chrome --window-size=1200,1600 --screenshot="$tmp/shot.png" --dump-dom "file://$tmp/report.html" \
  >"$tmp/dom.html" 2>"$tmp/chrome.err" || { echo "FAIL: chromium exit $?"; tail -5 "$tmp/chrome.err"; fail=1; }
grep -q '<table id="matrix"' "$tmp/dom.html" || { echo "FAIL: no matrix table in the rendered DOM"; fail=1; }
grep -q 'class="v v-violated"' "$tmp/dom.html" || { echo "FAIL: no violated cell in the matrix"; fail=1; }
grep -q '<section class="trace" id="v-mainline-autoreap_exit_info_on_pollin"' "$tmp/dom.html" ||
  { echo "FAIL: the violation's trace is not rendered"; fail=1; }
n=$(grep -o '<svg ' "$tmp/dom.html" | wc -l)
[[ $n -ge 4 ]] || { echo "FAIL: $n inline SVG pictures rendered, expected one per step (4)"; fail=1; }
grep -q '<rect ' "$tmp/dom.html" || { echo "FAIL: the SVG pictures have no task boxes"; fail=1; }

if [[ ! -s $tmp/shot.png ]]; then
  echo "FAIL: no screenshot"; fail=1
elif command -v python3 >/dev/null; then
  python3 "$(dirname "$0")/png_not_blank.py" "$tmp/shot.png" || fail=1
else
  size=$(stat -c %s "$tmp/shot.png")
  [[ $size -gt 20000 ]] || { echo "FAIL: screenshot only $size bytes"; fail=1; }
fi
[[ $fail == 0 ]] && echo "html report: matrix, $n pictures rendered by $($browser --version 2>/dev/null | head -1)"
exit $fail
