#!/usr/bin/env bash
# reapcheck serve over real HTTP, with curl: the server starts on a free
# loopback port (--port 0, the URL is printed), every endpoint answers, bad
# requests get a 4xx and one message (and the server lives on), the path's
# .scn replays with `reapcheck replay`, a step answers within 50 ms, and
# SIGINT and SIGTERM each stop the server cleanly (exit 0) within a second.
# Every server is killed on exit (trap); every curl has a timeout.
# Usage: tests/cli/serve_api.sh REAPCHECK [MAX_STEP_MS (default 50; more under sanitizers)]
set -u
bin=$(readlink -f "$1")
max_ms=${2:-50}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
for tool in curl jq; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (scripts/install-deps.sh installs it)"; exit 1; }
done
c() { curl --noproxy '*' -s -m 10 "$@"; }

# Starts a server; sets $pid and $url. Extra arguments go to serve.
start() {
  local out=$tmp/serve.$RANDOM
  "$bin" serve --port 0 "$@" >"$out" 2>&1 &
  pid=$!
  pids+=("$pid")
  url=
  for _ in $(seq 100); do
    url=$(sed -n 's|^reapcheck serve: \(http://127.0.0.1:[0-9]*/\).*|\1|p' "$out" 2>/dev/null)
    [[ -n $url ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [[ -n $url ]] || { bad "serve did not print its URL: $(cat "$out")"; exit 1; }
  serve_out=$out
}

# status BODY_FILE METHOD PATH [JSON]: prints the HTTP status.
status() {
  local f=$1 m=$2 p=$3
  if [[ $# -ge 4 ]]; then
    c -o "$f" -w '%{http_code}' -X "$m" -H 'Content-Type: application/json' --data-binary "$4" "$url${p#/}"
  else
    c -o "$f" -w '%{http_code}' -X "$m" "$url${p#/}"
  fi
}

start --profile mainline
# --- every endpoint ---
[[ $(status "$tmp/page" GET /) == 200 ]] || bad "GET / is not 200"
grep -q '<script src="/app.js"></script>' "$tmp/page" || bad "the page does not load /app.js"
[[ $(status "$tmp/js" GET /app.js) == 200 ]] && grep -q 'function render' "$tmp/js" || bad "GET /app.js"
[[ $(status "$tmp/css" GET /app.css) == 200 ]] && grep -q 'font-family' "$tmp/css" || bad "GET /app.css"
[[ $(status "$tmp/info" GET /api/info) == 200 ]] || bad "GET /api/info"
[[ $(jq '.profiles | length' "$tmp/info") == 6 ]] || bad "/api/info: six profiles"
[[ $(status "$tmp/v0" POST /api/view '{}') == 200 ]] || bad "POST /api/view"
[[ $(jq '.length' "$tmp/v0") == 0 ]] || bad "/api/view: an empty path"

# The autoreap-with-tracer counterexample, one click (step) at a time.
v=$tmp/v0
for stmt in "init: clone3 flags=AUTOREAP exit_signal=0" "init: ptrace_attach A" "A: exit 3" "kernel: exit_notify A"; do
  i=$(jq --arg s "$stmt" '.actions[] | select(.statement == $s) | .index' "$v")
  [[ -n $i ]] || { bad "'$stmt' is not enabled"; break; }
  body=$(jq -c --argjson i "$i" '{profile, trace, at, action: $i}' "$v")
  # The server's answer time as curl measures it (not curl's own start-up).
  code=$(c -o "$tmp/next" -w '%{http_code} %{time_total}' -X POST -H 'Content-Type: application/json' \
    --data-binary "$body" "${url}api/step")
  secs=${code#* }; code=${code%% *}
  [[ $code == 200 ]] || { bad "step '$stmt': status $code: $(cat "$tmp/next")"; break; }
  ms=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')
  ((ms < max_ms)) || bad "step '$stmt' took $ms ms (limit $max_ms)"
  echo "step '$stmt': $ms ms"
  mv "$tmp/next" "$tmp/v"; v=$tmp/v
  jq -r .scn "$v" >"$tmp/path.scn"
  "$bin" replay -q "$tmp/path.scn" >"$tmp/replay.out" 2>&1 || bad "the .scn after '$stmt' does not replay: $(cat "$tmp/replay.out")"
done
[[ $(jq -r '.tasks[] | select(.name == "A") | .state + " " + .tracer' "$v") == "ZOMBIE init" ]] ||
  bad "A is not a zombie for its tracer at the end"
[[ $(jq -r '.properties[] | select(.id == "autoreap.never_zombie") | .now' "$v") == violated ]] ||
  bad "autoreap.never_zombie is not violated at the end"
path=$(jq -r '.path | join(",")' "$v")
[[ $(status "$tmp/p" GET "/?path=$path") == 200 ]] && grep -q 'kernel: exit_notify A' "$tmp/p" || bad "GET /?path=$path"

# Compare and load.
code=$(status "$tmp/cmp" POST /api/view '{"compare":"linux-6.18"}')
[[ $code == 200 && $(jq -r '.actions[] | select(.statement == "init: clone3 flags=AUTOREAP exit_signal=0") | .compare.result' "$tmp/cmp") == EINVAL ]] ||
  bad "compare with linux-6.18: AUTOREAP is not EINVAL there"
body=$(jq -n --rawfile t "$tmp/path.scn" '{text: $t}')
[[ $(status "$tmp/load" POST /api/load "$body") == 200 && $(jq .length "$tmp/load") == 4 && $(jq .at "$tmp/load") == 0 ]] ||
  bad "POST /api/load of a .scn: $(head -c 300 "$tmp/load")"
"$bin" check --profile mainline --tasks 3 --depth 4 --ptrace --no-exec --no-kill --no-blocking --no-sigaction \
  --no-subreaper --no-autokill --no-parent --pidfds 0 --property autoreap.never_zombie --json "$tmp/review.json" >/dev/null 2>&1
body=$(jq -n --rawfile t "$tmp/review.json" '{text: $t}')
[[ $(status "$tmp/loadj" POST /api/load "$body") == 200 && $(jq '.entries | length' "$tmp/loadj") == 1 ]] ||
  bad "POST /api/load of a JSON report: $(head -c 300 "$tmp/loadj")"

# --- bad requests: 4xx with a message, and the server goes on ---
expect() { # STATUS TEXT METHOD PATH [BODY]
  local want=$1 text=$2; shift 2
  local got; got=$(status "$tmp/err" "$@")
  [[ $got == "$want" ]] || bad "$* -> $got, expected $want"
  grep -q "$text" "$tmp/err" || bad "$* -> '$(head -c 200 "$tmp/err")' does not say '$text'"
}
expect 400 "no enabled action 500" POST /api/step '{"action":500}'
expect 400 "not JSON" POST /api/view '{"trace":'
expect 400 "unknown profile 'v9'" POST /api/view '{"profile":"v9"}'
expect 400 "trace:1:" POST /api/view '{"trace":"init: fly\n"}'
expect 400 "holds no trace" POST /api/load '{"text":"{\"results\":[]}"}'
expect 400 "unknown profile" GET "/?profile=v9"
expect 404 "no such page" GET /nope
expect 405 "use POST" GET /api/step
big=$tmp/big; head -c 5000000 /dev/zero | tr '\0' 'x' >"$big"
got=$(c -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary @"$big" "${url}api/view")
[[ $got == 413 ]] || bad "a 5 MB body -> $got, expected 413"
got=$(c -o /dev/null -w '%{http_code}' -H 'Host: evil.example' "${url}api/info")
[[ $got == 403 ]] || bad "a foreign Host header -> $got, expected 403"
kill -0 "$pid" 2>/dev/null || bad "the server died on bad requests"
[[ $(status "$tmp/info2" GET /api/info) == 200 ]] || bad "the server does not answer after bad requests"

# --- the port in use, a bad profile: exit 2 with one line ---
port=${url##*:}; port=${port%/}
timeout 10 "$bin" serve --port "$port" >"$tmp/inuse" 2>&1; rc=$?
[[ $rc == 2 ]] && grep -q "cannot listen" "$tmp/inuse" || bad "serve on a port in use: exit $rc: $(cat "$tmp/inuse")"
timeout 10 "$bin" serve --profile v9 --port 0 >"$tmp/badp" 2>&1; rc=$?
[[ $rc == 2 && $(wc -l <"$tmp/badp") == 1 ]] || bad "serve --profile v9: exit $rc: $(cat "$tmp/badp")"

# --- SIGINT, then SIGTERM on a fresh server: clean stop within a second ---
for sig in INT TERM; do
  [[ $sig == TERM ]] && start
  kill -s $sig "$pid"
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then
    bad "SIG$sig did not stop the server within a second"
  else
    wait "$pid"; rc=$?
    [[ $rc == 0 ]] || bad "SIG$sig: exit $rc"
    grep -q "stopped (SIG$sig)" "$serve_out" || bad "SIG$sig: no 'stopped' line: $(cat "$serve_out")"
  fi
done

[[ $fail == 0 ]] && echo "serve API: every endpoint, bad requests, replayable paths, SIGINT/SIGTERM"
exit $fail
