#!/usr/bin/env bash
# `reapcheck export-c` and `check --c-dir`: a violation trace from a check run
# and two bundled scenarios become C programs that compile with
# gcc -Wall -Werror. As root, a scenario without 7.1-only flags also runs on
# the running kernel and passes. Bad input exits 2 with one line.
set -u
bin=$1; src=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
"$bin" check --profile mainline --tasks 3 --depth 4 --no-exec --no-kill --no-blocking --no-sigaction --no-subreaper \
  --property autoreap.exit_info_on_pollin --c-dir "$tmp/c" >"$tmp/out" 2>&1
[[ $? == 1 ]] || { echo "FAIL: check should report the violation (exit 1)"; tail "$tmp/out"; fail=1; }
cp "$tmp/c/mainline.autoreap.exit_info_on_pollin.c" "$tmp/violation.c" 2>/dev/null ||
  { echo "FAIL: --c-dir wrote no violation program"; ls "$tmp/c"; fail=1; }
"$bin" export-c "$src/scenarios/selftest/autoreap_basic.scn" -o "$tmp/autoreap_basic.c" 2>/dev/null ||
  { echo "FAIL: export-c autoreap_basic"; fail=1; }
"$bin" export-c "$src/scenarios/fork_basic.scn" --profile linux-6.18 -o "$tmp/fork_basic.c" 2>/dev/null ||
  { echo "FAIL: export-c fork_basic"; fail=1; }
"$bin" export-c "$src/scenarios/reparent_nearest_subreaper.scn" --profile linux-6.18 -o "$tmp/reparent.c" 2>/dev/null ||
  { echo "FAIL: export-c reparent_nearest_subreaper"; fail=1; }
for f in violation autoreap_basic fork_basic reparent; do
  [[ -f $tmp/$f.c ]] || continue
  grep -q "^TEST(" "$tmp/$f.c" || { echo "FAIL: $f.c has no TEST()"; fail=1; }
  if gcc -Wall -Werror -o "$tmp/$f" "$tmp/$f.c" 2>"$tmp/cc"; then echo "ok: $f.c compiles"; else
    echo "FAIL: $f.c does not compile"; head -20 "$tmp/cc"; fail=1; fi
done
grep -q "kernel: exit_notify A -- a step the kernel takes by itself" "$tmp/violation.c" ||
  { echo "FAIL: kernel step not a comment"; fail=1; }

# On this kernel, as root: the exported programs pass (or skip what the kernel lacks).
if [[ $(id -u) == 0 && -x $tmp/fork_basic ]]; then
  for f in fork_basic reparent; do
    timeout 60 "$tmp/$f" >"$tmp/run" 2>&1; rc=$?
    if [[ $rc == 0 ]]; then echo "ok: $f passes on $(uname -r)"; else echo "FAIL: $f exit $rc"; cat "$tmp/run"; fail=1; fi
  done
  timeout 60 "$tmp/autoreap_basic" >"$tmp/run" 2>&1; rc=$?
  if [[ $rc == 0 || $rc == 4 ]]; then echo "ok: autoreap_basic exit $rc (4: SKIP, no CLONE_AUTOREAP)"; else
    echo "FAIL: autoreap_basic exit $rc"; cat "$tmp/run"; fail=1; fi
else
  echo "note: not root; the exported programs were compiled, not run"
fi

"$bin" export-c "$tmp/none.scn" -o "$tmp/x.c" >"$tmp/out" 2>"$tmp/err"; rc=$?
[[ $rc == 2 && $(wc -l <"$tmp/err") == 1 ]] || { echo "FAIL: missing file: exit $rc"; cat "$tmp/err"; fail=1; }
"$bin" export-c "$src/scenarios/fork_basic.scn" --profile v9 -o "$tmp/x.c" >"$tmp/out" 2>"$tmp/err"; rc=$?
[[ $rc == 2 && $(wc -l <"$tmp/err") == 1 ]] || { echo "FAIL: bad profile: exit $rc"; cat "$tmp/err"; fail=1; }
exit $fail
