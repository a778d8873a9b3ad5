#!/usr/bin/env bash
# Profiles as files (docs/profiles.md), as a user runs them: `profiles` lists
# the six built-in files; --show prints a file's resolved switches (text and
# JSON), and the text parses back to the same profile; `check` and `diff`
# take a hypothetical profile file (tests/profiles/no-parent-check.profile:
# mainline without the CLONE_PARENT-while-autoreap check), and the difference
# diff finds is the one the changed switch causes; its traces replay under
# the file; bad files are one line, `file:line:column`, exit 2; conform and
# explore refuse a file that is no kernel's / no built-in profile.
# Usage: tests/cli/profiles_cli.sh REAPCHECK SOURCE_DIR
set -u
bin=$(readlink -f "$1"); src=$(readlink -f "$2")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1   # the binary needs no data files: run it elsewhere
fail=0
check() { # name, expected exit, actual exit
  if [[ $2 != "$3" ]]; then echo "FAIL: $1: exit $3, expected $2"; head -5 err 2>/dev/null; fail=1; else echo "ok: $1"; fi
}
has() { # name, file, pattern
  grep -q -- "$3" "$2" || { echo "FAIL: $1: no /$3/ in $2:"; head -20 "$2"; fail=1; }
}
pf=$src/tests/profiles/no-parent-check.profile

"$bin" profiles >out 2>err; check "profiles" 0 $?
[[ $(grep -c '^[a-z0-9.-]*  *profiles/[a-z0-9.-]*\.profile  ' out) == 6 ]] || { echo "FAIL: six rows"; cat out; fail=1; }
has "profiles lists mainline" out '^mainline  *profiles/mainline.profile  *Linux 7.1'

"$bin" profiles --show "$pf" >out 2>err; check "profiles --show FILE" 0 $?
has "show: name" out '^name = no-parent-check$'
has "show: changed switch" out '^parent_rejected_while_autoreap *= false$'
has "show: base's switch" out '^autoreap_rejects_parent *= true$'
has "show: bits" out '^allowed_new *= 34, 35, 36$'
# The printed text is a complete profile file with the same switches.
sed 's/^name = .*/name = shown/' out >shown.profile
"$bin" profiles --show shown.profile >out2 2>err; check "--show output parses back" 0 $?
diff <(tail -n +3 out) <(tail -n +3 out2) >/dev/null || { echo "FAIL: round trip differs"; diff out out2; fail=1; }
"$bin" profiles --show mainline --json >out 2>err; check "profiles --show --json" 0 $?
python3 -c 'import json,sys; j=json.load(open("out")); s=j["switches"]; sys.exit(0 if j["name"]=="mainline" and s["nnp_bit"]==35 and s["allowed_new"]==[34,35,36] and s["parent_rejected_while_autoreap"] is True and j["source"]=="profiles/mainline.profile" else 1)' \
  || { echo "FAIL: --json content"; cat out; fail=1; }

# check on a small bound: the file's profile is explored under its name.
"$bin" check --profile "$pf" --tasks 3 --depth 3 --no-progress >out 2>err
rc=$?; [[ $rc == 0 || $rc == 1 ]] || { echo "FAIL: check --profile FILE: exit $rc"; cat err; fail=1; }
has "check --profile FILE names the profile" out 'no-parent-check'
# The reports name a profile file by its path and its base, not only its name.
has "check: the file and its base" out "^profile no-parent-check (file $pf, based on mainline): "
"$bin" check --profile "$pf" --tasks 2 --depth 1 --no-progress --json pj.json --html p.html >/dev/null 2>err
python3 -c 'import json,sys; r=json.load(open("pj.json"))["results"][0]; sys.exit(0 if r["profile_file"]==sys.argv[1] and r["profile_builtin"] is False and r["profile_base"]=="mainline" else 1)' "$pf" \
  || { echo "FAIL: JSON profile_file / profile_base"; head -c 400 pj.json; fail=1; }
has "html: the file and its base" p.html "(file <code class=\"profile-file\">$pf</code>, based on <code>mainline</code>)"
"$bin" check --profile v5 --tasks 2 --depth 1 --no-progress --json bj.json >/dev/null 2>err
python3 -c 'import json,sys; r=json.load(open("bj.json"))["results"][0]; sys.exit(0 if r["profile_file"]=="profiles/v5.profile" and r["profile_builtin"] is True and r["profile_base"] is None else 1)' \
  || { echo "FAIL: JSON of a built-in profile"; head -c 400 bj.json; fail=1; }
# Same verdicts as v5 there (mainline minus the merge's check is v5 up to the
# bit numbers, which check's alphabet names, not numbers).
"$bin" check --profile v5 --tasks 3 --depth 3 --no-progress >v5.out 2>err
verdicts() { awk '/^  [a-z]+\.[a-z_]+ +[a-zA-Z]/{print $1, $2}' "$1"; }
[[ $(verdicts out | wc -l) -ge 30 ]] || { echo "FAIL: check printed no verdict table"; head out; fail=1; }
diff <(verdicts out) <(verdicts v5.out) >/dev/null || { echo "FAIL: check verdicts differ from v5's"; diff <(verdicts out) <(verdicts v5.out); fail=1; }
has "check: a violation with its trace" out 'autoreap.exit_info_on_pollin *VIOLATED'

# diff mainline FILE: the difference is the CLONE_PARENT clone of an autoreap child.
"$bin" diff mainline "$pf" --out pair --json d.json >out 2>err; check "diff mainline FILE" 0 $?
has "diff verdict" out '^diff mainline -> no-parent-check: DIFFERENT after 2 steps'
has "diff: the autoreap child" out 'clone3 flags=AUTOREAP'
has "diff: its CLONE_PARENT clone" out 'A: clone3 flags=PARENT exit_signal=0 -> EINVAL'
has "diff json" d.json '"verdict": "different"'
"$bin" replay -q --profile mainline pair/A.scn >out 2>err; check "A.scn replays under mainline" 0 $?
"$bin" replay -q --profile "$pf" pair/B.scn >out 2>err; check "B.scn replays under the file" 0 $?
"$bin" replay -q --profile "$pf" pair/A.scn >out 2>err; check "A.scn mismatches under the file" 1 $?
"$bin" diff v5 "$pf" --depth 2 --no-nnp --no-capset --no-traces >out 2>err; check "diff v5 FILE" 0 $?
has "v5 and the file agree without NNP" out 'no difference found within the bound'

# The tutorial's files (docs/tutorial-review-a-patch.md) still say what it shows.
ex=$src/profiles/examples
"$bin" replay -q --profile "$ex/v6.profile" "$ex/v6-parent.scn" >out 2>err; check "tutorial scenario under v6" 0 $?
"$bin" replay -q "$ex/v6-parent.scn" >out 2>err; check "tutorial scenario under mainline" 1 $?
"$bin" diff mainline "$ex/v6.profile" --no-traces >out 2>err; check "tutorial diff" 0 $?
has "tutorial diff: after 1 step" out '^diff mainline -> v6: DIFFERENT after 1 step'

# Bad files: one line on stderr, file:line:column, exit 2.
bad() { # name, pattern, content
  printf "$3" >"$1.profile"
  "$bin" check --profile "$1.profile" --tasks 2 --depth 1 >out 2>err
  local rc=$?
  [[ $rc == 2 ]] || { echo "FAIL: bad $1: exit $rc"; cat err; fail=1; return; }
  [[ $(wc -l <err) == 1 ]] || { echo "FAIL: bad $1: $(wc -l <err) lines"; cat err; fail=1; return; }
  grep -q -- "$2" err || { echo "FAIL: bad $1: $(cat err)"; fail=1; return; }
  echo "ok: bad $1"
}
bad unknown '^reapcheck: unknown.profile:2:1: unknown switch .autoreap_thread.' 'base = mainline\nautoreap_thread = true\n'
bad range '^reapcheck: range.profile:2:16: expected a bit number 34, 35 or 36' 'base = mainline\nautokill_bit = 33\n'
bad bool '^reapcheck: bool.profile:2:11: expected true or false' 'base = mainline\nhas_nnp = 1\n'
bad autokill '^reapcheck: autokill.profile:3:1: autokill_needs_nnp_or_cap = true needs has_autokill = true' \
  'base = mainline\nallowed_new = 34, 35\nhas_autokill = false\n'
bad fault "^reapcheck: fault.profile:1:1: 'fault' is not a profile switch" 'fault = PollNoHup\nbase = mainline\n'
bad incomplete "^reapcheck: incomplete.profile:1:1: no 'base' and no value for" 'name = x\n'
bad base "^reapcheck: base.profile:1:8: unknown base profile 'v9'" 'base = v9\n'
bad clash "^reapcheck: clash.profile:1:1: 'v5' is a built-in profile's name" 'name = v5\nbase = mainline\n'
"$bin" check --profile nowhere/x.profile >out 2>err; check "missing file" 2 $?
has "missing file line" err '^reapcheck: nowhere/x.profile:0:0: no such file$'
"$bin" check --profile v9 >out 2>err; check "unknown name" 2 $?
has "unknown name line" err "unknown profile 'v9' (expected one of linux-6.18, rfc-v1, rfc-v3, v4, v5, mainline, or a profile file"
"$bin" diff mainline bool.profile >out 2>err; check "diff with a bad file" 2 $?
has "diff with a bad file: location" err '^reapcheck: bool.profile:2:11:'

# conform runs only the running kernel's own profile; explore's core
# alphabet only a built-in profile's switches.
"$bin" conform --profile "$pf" "$src/scenarios/autoreap_basic.scn" >out 2>err; check "conform --profile FILE" 2 $?
has "conform says why" err "is not the running kernel's profile"
# A copy of the kernel's own profile under another name is accepted (root only).
if [[ $(id -u) == 0 ]]; then
  own=$(uname -r | awk -F. '{print ($1 > 7 || ($1 == 7 && $2 >= 1)) ? "mainline" : "linux-6.18"}')
  sed "s/^name = .*/name = my-kernel/" "$src/profiles/$own.profile" >my-kernel.profile
  "$bin" conform --profile my-kernel.profile "$src/scenarios/autoreap_basic.scn" >out 2>err; check "conform --profile (copy of $own)" 0 $?
  has "conform ran it as $own" out "(profile $own)"
fi
"$bin" explore --alphabet core --tasks 3 --profile "$pf" >out 2>err; check "explore --profile FILE" 2 $?
has "explore says why" err 'has the switches of no built-in profile'
cp "$src/profiles/v4.profile" same-as-v4.profile
sed -i 's/^name = v4$/name = same-as-v4/' same-as-v4.profile
"$bin" explore --alphabet core --tasks 2 --profile same-as-v4.profile >out 2>err; check "explore a copy of v4" 0 $?
has "explore runs v4's rules" out 'profile v4'
exit $fail
