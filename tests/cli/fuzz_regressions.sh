#!/usr/bin/env bash
# Every input kept in tests/fuzz/regressions/ (crashes and round-trip bugs the
# scenario fuzzer found, scripts/fuzz.sh) replays through the `reapcheck
# replay` binary under every profile, and the file's own, with a clean exit:
# 0 (passes), 1 (a mismatch) or 2 (bad input, one line), never a crash, an
# abort, a sanitizer report or an internal error (exit 4).
# Usage: tests/cli/fuzz_regressions.sh REAPCHECK SRCDIR
set -u
bin=$1; src=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for f in "$src"/tests/fuzz/regressions/*; do
  for p in "" linux-6.18 rfc-v1 rfc-v3 v4 v5 mainline; do
    n=$((n + 1))
    timeout 20 "$bin" replay ${p:+--profile "$p"} "$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [[ $rc != 0 && $rc != 1 && $rc != 2 ]] || grep -qE 'Sanitizer|runtime error|internal error' "$tmp/err"; then
      echo "FAIL: $(basename "$f") ${p:-(own profile)}: exit $rc"; head -5 "$tmp/err"; fail=1
    elif [[ $rc == 2 && $(wc -l <"$tmp/err") != 1 ]]; then
      echo "FAIL: $(basename "$f") ${p:-(own profile)}: bad input in more than one line"; head -5 "$tmp/err"; fail=1
    fi
  done
done
echo "fuzz regressions: $n replays"
exit $fail
