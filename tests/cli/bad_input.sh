#!/usr/bin/env bash
# Bad input never crashes, hangs or says more than one line: a table of bad
# command lines and bad scenario files for every subcommand. Each row gives
# the expected exit code (2: bad input, README) and a pattern the single
# stderr line must match (for files, the file:line:col location). A crash
# (exit >= 128, a sanitizer report) or a hang (timeout 20) fails the row.
# Usage: tests/cli/bad_input.sh REAPCHECK
set -u
bin=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0 rows=0
root=0; [[ $(id -u) == 0 ]] && root=1

# row NAME EXIT PATTERN -- ARGS...
row() {
  local name=$1 want=$2 pat=$3; shift 4
  rows=$((rows + 1))
  timeout 20 "$bin" "$@" >out 2>err
  local rc=$? err
  # Builtins only from here: on a loaded machine each fork costs 100 ms or more.
  mapfile -t err <err
  if [[ $rc == 124 ]]; then echo "FAIL: $name: hung (timeout 20 s)"; fail=1; return; fi
  if (( rc >= 128 )); then echo "FAIL: $name: crashed (exit $rc)"; printf '%s\n' "${err[@]:0:5}"; fail=1; return; fi
  if [[ $rc != "$want" ]]; then echo "FAIL: $name: exit $rc, expected $want"; printf '%s\n' "${err[@]:0:3}"; fail=1; return; fi
  if [[ ${#err[@]} != 1 ]]; then echo "FAIL: $name: ${#err[@]} lines on stderr, expected 1"; printf '%s\n' "${err[@]:0:5}"; fail=1; return; fi
  if [[ ${err[0]} =~ Sanitizer|runtime\ error|internal\ error ]]; then echo "FAIL: $name: ${err[0]}"; fail=1; return; fi
  if ! [[ ${err[0]} =~ $pat ]]; then echo "FAIL: $name: stderr does not match /$pat/: ${err[0]:0:300}"; fail=1; return; fi
  echo "ok: $name"
}
# file NAME EXIT PATTERN CONTENT (printf format): NAME.scn with CONTENT. The
# files are replayed together at the end, by one process (a sanitizer build
# takes a third of a second to start one): replay reports each bad file in one
# line and goes on, so line i of stderr is file i's, and the exit code is 2.
files=() pats=()
file() {
  printf "$4" >"$1.scn"
  files+=("$1.scn") pats+=("$3")
}
replay_files() {
  rows=$((rows + ${#files[@]}))
  timeout 20 "$bin" replay "${files[@]}" >out 2>err
  local rc=$? err i
  mapfile -t err <err
  if [[ $rc != 2 ]]; then echo "FAIL: replay of the bad files: exit $rc, expected 2"; fail=1; fi
  if [[ ${#err[@]} != "${#files[@]}" ]]; then
    echo "FAIL: replay of ${#files[@]} bad files: ${#err[@]} lines on stderr"; printf '%s\n' "${err[@]:0:5}"; fail=1; return
  fi
  for i in "${!files[@]}"; do
    if [[ ${err[i]} =~ Sanitizer|runtime\ error|internal\ error ]] || ! [[ ${err[i]} =~ ${pats[i]} ]]; then
      echo "FAIL: replay ${files[i]}: stderr does not match /${pats[i]}/: ${err[i]:0:300}"; fail=1
    else
      echo "ok: replay ${files[i]}"
    fi
  done
}

# --- generated inputs: deterministic, no /dev/urandom ---------------------
x=12345 g='' t=''
for ((i = 0; i < 4096; i++)); do   # a fixed LCG: the same 4096 bytes every run
  x=$(( (x * 1103515245 + 12345) & 0x7fffffff ))
  printf -v o '\\%03o' $(( (x >> 16) & 255 )); g+=$o
  printf -v o '\\%03o' $(( 128 + ((x >> 16) & 127) )); t+=$o
done
printf "$g" >garbage.scn          # binary, NUL bytes included
printf "main: fork $t\n" >highbytes.scn   # no NUL, no newline: bytes >= 0x80
{ printf 'main: '; head -c 1048576 /dev/zero | tr '\0' x; printf '\n'; } >huge.scn
mkdir adir.scn

# --- the command line -----------------------------------------------------
row "no command" 2 "^reapcheck: give a command" -- 
row "unknown command" 2 "unknown command 'frobnicate'" -- frobnicate
row "replay unknown flag" 2 "not expected: --bogus" -- replay --bogus x.scn
row "replay no files" 2 "files is required" -- replay
row "replay unknown profile" 2 "unknown profile 'v9'" -- replay --profile v9 huge.scn
row "replay --profile without value" 2 "--profile" -- replay x.scn --profile

row "check --tasks 0" 2 "--tasks: Value 0 not in range" -- check --tasks 0
row "check --tasks 99" 2 "--tasks: Value 99 not in range" -- check --tasks 99
row "check --tasks without value" 2 "--tasks" -- check --tasks
row "check --tasks x" 2 "--tasks" -- check --tasks x
row "check --depth -1" 2 "--depth: Value -1 not in range" -- check --depth -1
row "check --exit-codes 300" 2 "--exit-codes: '300' is not an exit code" -- check --exit-codes 300
row "check --exit-codes x" 2 "--exit-codes: 'x' is not an exit code" -- check --exit-codes x
row "check --exit-codes empty" 2 "--exit-codes: give at least one" -- check --exit-codes ""
row "check --exit-codes 1,,2" 2 "--exit-codes: '' is not an exit code" -- check --exit-codes 1,,2
row "check --max-time -5" 2 "--max-time: Value -5 not in range" -- check --max-time -5
row "check --max-memory -1" 2 "--max-memory: must not be negative" -- check --max-memory -1
row "check --max-states abc" 2 "--max-states" -- check --max-states abc
row "check --threads 0" 2 "--threads: Value 0 not in range" -- check --threads 0
row "prove --threads 3" 2 "--threads: Value 3 not in range" -- prove --threads 3
row "prove --unbounded --threads 2" 2 "one thread per process and no kill" -- prove --unbounded --threads 2
row "prove --unbounded --kill" 2 "one thread per process and no kill" -- prove --unbounded --kill
row "prove --unbounded --autokill" 2 "no CLONE_PIDFD_AUTOKILL, capset or WNOWAIT" -- prove --unbounded --autokill
row "crosscheck --threads 0" 2 "--threads: Value 0 not in range" -- crosscheck --threads 0
row "check --pidfds 9" 2 "--pidfds: Value 9 not in range" -- check --pidfds 9
row "check unknown profile" 2 "--profile: unknown profile 'v9'" -- check --profile v9
row "check unknown property" 2 "--property: unknown property id 'no.such'" -- check --tasks 2 --property no.such
row "check extra argument" 2 "not expected: extra" -- check extra
row "check --json is a directory" 2 "--json: 'adir.scn' is a directory" -- check --tasks 2 --json adir.scn
row "check --json unwritable" 2 "--json: cannot write '/proc/none/x.json'" -- check --tasks 2 --json /proc/none/x.json
row "check --trace-dir unwritable" 2 "--trace-dir: cannot create" -- check --tasks 2 --trace-dir /proc/none

row "review --tasks 1" 2 "--tasks: Value 1 not in range" -- review --tasks 1
row "review unknown profile" 2 "--profile: unknown profile 'nope'" -- review --profile nope
row "review --exit-codes 1,,2" 2 "--exit-codes: '' is not an exit code" -- review --exit-codes 1,,2
row "review --max-states -1" 2 "--max-states: must not be negative" -- review --max-states -1
row "review --json unwritable" 2 "--json: cannot write" -- review --tasks 2 --json /nonexistent/dir/r.json
row "review unknown flag" 2 "not expected: --frobnicate" -- review --frobnicate

row "explore no alphabet" 2 "--alphabet is required" -- explore
row "explore unknown alphabet" 2 "unknown alphabet 'nope'" -- explore --alphabet nope
row "explore --tasks 0" 2 "--tasks 0 out of range" -- explore --alphabet core --tasks 0
row "explore --tasks 99" 2 "--tasks 99 out of range" -- explore --alphabet core --tasks 99
row "explore --threads 0" 2 "--threads 0 out of range" -- explore --alphabet core --threads 0
row "explore --threads 100000" 2 "--threads 100000 out of range" -- explore --alphabet core --threads 100000
row "explore --max-time -5" 2 "--max-time must not be negative" -- explore --alphabet core --max-time -5
row "explore --max-memory -1" 2 "--max-memory: must not be negative" -- explore --alphabet core --max-memory -1
row "explore --symmetry maybe" 2 "--symmetry must be 'on' or 'off'" -- explore --alphabet core --symmetry maybe
row "explore unknown profile" 2 "unknown profile 'v9'" -- explore --alphabet core --profile v9
row "explore --max-depth alone" 2 "need --agree-refimpl" -- explore --alphabet core --max-depth 3
row "explore --agree-refimpl --symmetry on" 2 "without symmetry" -- explore --alphabet core --agree-refimpl --symmetry on
row "explore --agree-refimpl --max-depth -1" 2 "--max-depth must not be negative" -- explore --alphabet core --agree-refimpl --max-depth -1
row "explore --depth-first --max-depth" 2 "--depth-first takes no --max-depth" -- explore --alphabet core --agree-refimpl --depth-first --max-depth 3
row "explore --agree-refimpl --threads 2" 2 "runs on one thread" -- explore --alphabet core --agree-refimpl --threads 2
row "explore --json unwritable" 2 "--json: cannot write" -- explore --alphabet core --tasks 2 --json /proc/none/x.json

row "conform nothing to run" 2 "give scenario files or --random N" -- conform
row "conform --random 0" 2 "--random: need at least 1" -- conform --random 0
row "conform --random -5" 2 "--random: need at least 1" -- conform --random -5
row "conform files and --random" 2 "not both" -- conform --random 5 x.scn
row "conform unknown profile" 2 "unknown profile 'nope'" -- conform --profile nope x.scn
row "conform --seed -1" 2 "--seed: must not be negative" -- conform --random 1 --seed -1
row "conform --max-mismatches -3" 2 "--max-mismatches: must not be negative" -- conform --random 1 --max-mismatches -3
if [[ $root == 1 ]]; then
  row "conform --tasks 1" 2 "--tasks: need at least 2" -- conform --random 1 --tasks 1
  row "conform --length 0" 2 "--length: need at least 1" -- conform --random 1 --length 0
  row "conform --out unusable" 2 "--out: cannot use directory" -- conform --random 1 --out /proc/none
  row "conform missing file" 2 "none.scn:0:0: no such file" -- conform none.scn
  row "conform directory" 2 "adir.scn:0:0: is a directory" -- conform adir.scn
  row "conform binary garbage" 2 "garbage.scn:[0-9]+:[0-9]+: " -- conform garbage.scn
  row "conform huge line" 2 "huge.scn:1:7: unknown system call 'x{60}\.\.\. \(1048576 characters\)'" -- conform huge.scn
fi

# --- scenario files --------------------------------------------------------
row "replay missing file" 2 "none.scn:0:0: no such file" -- replay none.scn
row "replay directory" 2 "adir.scn:0:0: is a directory" -- replay adir.scn
row "replay binary garbage" 2 "garbage.scn:[0-9]+:[0-9]+: (NUL byte|unexpected character)" -- replay garbage.scn
row "replay bytes >= 0x80" 2 "highbytes.scn:1:12: unexpected character \(byte 0x" -- replay highbytes.scn
row "replay huge line" 2 "huge.scn:1:7: unknown system call 'x{60}\.\.\. \(1048576 characters\)'" -- replay huge.scn
file unknown_syscall 2 "unknown_syscall.scn:1:7: unknown system call 'frobnicate'" 'main: frobnicate\n'
file unterminated 2 "unterminated.scn:3:28: expected '\)' to close 'exited\(3'" 'main: fork -> child C\nC: exit 3\nmain: wait4 C -> C exited(3\n'
file exit_not_number 2 "exit_not_number.scn:1:12: expected an exit code, found 'abc'" 'main: exit abc\n'
file exit_overflow 2 "exit_overflow.scn:1:12: expected an exit code, found '99999999999999999999'" 'main: exit 99999999999999999999\n'
file undefined_task 2 "undefined_task.scn:2:1: unknown task 'X'" 'main: fork -> child C\nmain: wait4 X\n'
file undefined_pidfd 2 "undefined_pidfd.scn:1:1: unknown pidfd 'nofd'" 'main: poll nofd\n'
file duplicate_task 2 "duplicate_task.scn:2:15: 'C' is already bound \(line 1\)" 'main: fork -> child C\nmain: fork -> child C\n'
file duplicate_pidfd 2 "duplicate_pidfd.scn:2:23: 'c' is already bound \(line 1\)" 'main: clone3 flags=PIDFD exit_signal=SIGCHLD -> child C, pidfd c\nmain: pidfd_open C -> pidfd c\n'
file child_named_init 2 "child_named_init.scn:1:15: 'init' is already bound \(a predefined name\)" 'main: fork -> child init\n'
file profile_twice 2 "profile_twice.scn:2:1: 'profile' must come once" 'profile mainline\nprofile v5\n'
file profile_unknown 2 "profile_unknown.scn:1:9: unknown profile 'v9'" 'profile v9\nmain: fork\n'
file steps_unknown 2 "steps_unknown.scn:1:7: expected explicit or auto, found 'sideways'" 'steps sideways\n'
file flag_empty 2 "flag_empty.scn:1:26: expected a flag name or number" 'main: clone3 flags=PIDFD| exit_signal=0\n'
file flag_unknown 2 "flag_unknown.scn:1:26: unknown clone flag 'NOPE'" 'main: clone3 flags=PIDFD|NOPE\n'
file exit_signal_empty 2 "exit_signal_empty.scn:1:37: expected a signal name or number after exit_signal=" 'main: clone3 flags=none exit_signal=\n'
file signal_unknown 2 "signal_unknown.scn:1:17: expected a signal .*, found 'SIGFOO'" 'main: kill main SIGFOO\n'
file pdeath_out_of_range 2 "pdeath_out_of_range.scn:1:30: expected a signal or 0, found '300'" 'main: prctl PR_SET_PDEATHSIG 300\n'
file expect_state_unknown 2 "expect_state_unknown.scn:1:19: expected RUNNING, .*found 'FOO'" 'expect state main FOO\n'
file expect_operator 2 "expect_operator.scn:1:16: expected == or !=, found '='" 'expect zombies = 0\n'
file expect_field_unknown 2 "expect_field_unknown.scn:1:8: unknown expectation 'colour'" 'expect colour main == 1\n'
file kernel_step_auto 2 "kernel_step_auto.scn:3:1: kernel steps may only be written under 'steps explicit'" 'main: fork -> child C\nC: exit 0\nkernel: do_exit C\n'
file kernel_step_not_pending 2 "kernel_step_not_pending.scn:3:1: kernel step do_exit C is not pending" 'steps explicit\nmain: fork -> child C\nkernel: do_exit C\n'
file actor_without_call 2 "actor_without_call.scn:1:6: expected a system call at end of line" 'main:\n'
file no_actor 2 "no_actor.scn:1:1: expected a statement" ': fork\n'
file result_does_not_fit 2 "result_does_not_fit.scn:1:15: this result does not fit fork" 'main: fork -> 5\n'
file result_missing 2 "result_missing.scn:1:14: expected a result at end of line" 'main: fork ->\n'
file after_result 2 "after_result.scn:1:23: unexpected 'extra' after the result" 'main: fork -> child C extra\n'
file nul_byte 2 "nul_byte.scn:2:1: NUL byte" 'main: fork\n\0\n'
file control_char 2 "control_char.scn:1:12: unexpected character \(byte 0x01\)" 'main: fork \001\n'
file resume_not_blocked 2 "resume_not_blocked.scn:1:1: 'main' has no blocked call to resume" 'main: resume\n'
file call_after_exit 2 "call_after_exit.scn:3:1: 'C' cannot make a call: it has exited" 'main: fork -> child C\nC: exit 0\nC: getppid\n'
file init_exits 2 "init_exits.scn:1:1: 'init' cannot exit" 'init: exit 0\n'

replay_files
echo "bad input: $rows rows"
exit $fail
