#!/usr/bin/env bash
# Every trace a review prints (violations and cover witnesses) replays with
# `reapcheck replay`. Uses two small configurations to stay fast; the
# engine re-checks each trace itself too, so this is the user's-eye check.
set -u
bin=$1; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
"$bin" review --depth 10 --tasks 3 --pidfds 1 --no-exec --no-kill --no-sigaction --no-subreaper --no-blocking \
  --json "$tmp/review.json" --trace-dir "$tmp/a" >"$tmp/out" 2>&1 || { echo "FAIL: review exit $?"; tail "$tmp/out"; fail=1; }
"$bin" review --profile linux-6.18 --profile mainline --depth 10 --tasks 3 --threads 2 --ptrace --pidfds 0 --no-autokill --no-exec --no-sigaction --no-subreaper \
  --trace-dir "$tmp/b" >"$tmp/out2" 2>&1 || { echo "FAIL: review exit $?"; tail "$tmp/out2"; fail=1; }
n=$(ls "$tmp"/a/*.scn "$tmp"/b/*.scn 2>/dev/null | wc -l)
[[ $n -ge 20 ]] || { echo "FAIL: only $n traces written"; fail=1; }
for f in "$tmp"/a/*.scn "$tmp"/b/*.scn; do
  if ! "$bin" replay -q "$f" >"$tmp/r" 2>&1; then echo "FAIL: $f does not replay"; cat "$tmp/r"; fail=1; fi
done
grep -q '"verdict": "VIOLATED"' "$tmp/review.json" || { echo "FAIL: json has no violation"; fail=1; }
grep -q "rfc-v3.autoreap.rejects_parent.scn" <(ls "$tmp/a") || { echo "FAIL: rfc-v3 rejects_parent trace missing"; fail=1; }
echo "review traces: $n replayed"
exit $fail
