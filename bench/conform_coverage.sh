#!/usr/bin/env bash
# What of refimpl/ a conformance run exercises: builds reapcheck with gcov
# instrumentation in its own build directory (build-cov, -O0 --coverage),
# runs every scenario (as the conformance test does) and `conform --random`
# on the running kernel (root) in the base and the extended alphabet, and prints gcov's function, line and branch coverage
# of every refimpl/*.cpp, then each function never entered and each branch
# never taken (file:line, the source line). Branches on exception edges
# ("throw": refimpl throws only on broken contracts) are left out of the
# branch figures.
#
# Usage: bench/conform_coverage.sh [TRACES] [SEED]   (defaults 5000, 1)
#   TRACES random traces per alphabet. Env: EXT_TRACES (traces of the
#   extended alphabet, default TRACES; 0 runs the base alphabet only, which
#   with TRACES=2000 is what CI's conform_kernel test runs), BUILD (default build-cov),
#   TASKS (6), LENGTH (12, as CI's conform_kernel), EXT_LENGTH (24, for
#   the extended alphabet), JOBS (2), SKIP_BUILD=1 to reuse the build,
#   SKIP_RUN=1 to analyse the counts of the previous run again.
# Needs: g++ and gcov (the compiler's), cmake, python3 (reads gcov's JSON), root for conform.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
traces=${1:-5000}
seed=${2:-1}
build=${BUILD:-build-cov}
tasks=${TASKS:-6}
length=${LENGTH:-12}
ext_length=${EXT_LENGTH:-24}
jobs=${JOBS:-2}
ext_traces=${EXT_TRACES:-$traces}

if [ "$(id -u)" != 0 ]; then
    echo "conform_coverage: needs root (conform runs real processes in a pid namespace)" >&2
    exit 2
fi
command -v gcov >/dev/null || { echo "conform_coverage: gcov not found (it comes with gcc)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "conform_coverage: python3 not found (it reads gcov's JSON)" >&2; exit 2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DREAPCHECK_WERROR=OFF \
        "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g0 --coverage" \
        -DCMAKE_EXE_LINKER_FLAGS=--coverage >/dev/null
    cmake --build "$build" -j"$jobs" --target reapcheck >/dev/null
fi
bin=$build/reapcheck
[ -d "$build/CMakeFiles/refimpl.dir/refimpl" ] || { echo "conform_coverage: no refimpl objects under $build" >&2; exit 2; }
out=$build/conform-mismatches   # shrunk mismatches, if any, are kept here
mkdir -p "$out"
if [ "${SKIP_RUN:-0}" != 1 ]; then
    find "$build" -name '*.gcda' -delete
    start=$(date +%s)
    # What the conformance test (tests/conform/run.sh) runs first: every
    # scenario, under the running kernel's profile (a file written for another
    # profile runs up to its first statement this one cannot run).
    echo "== conform --profile auto scenarios/*.scn scenarios/*/*.scn"
    "$bin" conform --profile auto scenarios/*.scn scenarios/*/*.scn | tail -n 1 || true
    for mode in base extended; do
        extra=()
        len=$length
        n=$traces
        [ "$mode" = extended ] && { extra=(--extended); len=$ext_length; n=$ext_traces; }
        [ "$n" -gt 0 ] || continue
        echo "== conform --random $n --seed $seed --tasks $tasks --length $len ${extra[*]}"
        "$bin" conform --profile auto --random "$n" --seed "$seed" --tasks "$tasks" --length "$len" \
            "${extra[@]}" --max-mismatches 0 --out "$out" | grep -v '^conform: trace ' | tail -n 20 || true
    done
    echo "conform runs: $(( $(date +%s) - start )) s"
fi

# gcov's JSON (-j, to stdout with -t) for every object (the inline functions
# of refimpl's headers count in whichever object the linker kept), run in the
# build directory (objects may name their sources relative to it, as
# ccache's base directory makes them). Functions, lines and branches of
# refimpl/*.cpp and of the inline functions of refimpl/*.hpp are merged over
# the objects. Branches: gcov gives every call two edges, its return and its
# exception edge ("throw"); those are left out, so what is counted is the
# decisions (if, loops, &&, ||, switch, ?:); so are the edges on a source line
# without any of those (compiler-made: static guards, temporaries' clean-up).
python3 - "$build" <<'PY'
import json, os, re, subprocess, sys
build = sys.argv[1]
funcs, lines, branches, spans = {}, {}, {}, {}
# A source line with no decision (if, loop, switch, ?:, &&, ||) has only edges
# the compiler made: the guard of a function-local static, the clean-up of
# an initializer list's temporaries at a closing brace. They are not counted.
decision_rx = re.compile(r"\b(if|for|while|switch|case|default|REAPCHECK_REQUIRE)\b|\?|&&|\|\|")
src_cache = {}
def decision_line(name, line):
    if name not in src_cache:
        try:
            src_cache[name] = open(name).read().split("\n")
        except OSError:
            src_cache[name] = []
    t = src_cache[name]
    if not 0 < line <= len(t):
        return True
    if decision_rx.search(t[line - 1].split("//")[0]):
        return True
    for k in range(line - 1, 0, -1):     # a continuation of the statement above?
        u = t[k - 1].split("//")[0].strip()
        if u:
            return not u.endswith((";", "{", "}"))
    return False
objs = []
for root, _, names in os.walk(os.path.join(build, "CMakeFiles")):
    objs += [os.path.abspath(os.path.join(root, n)) for n in names
             if n.endswith(".o") and os.path.exists(os.path.join(root, n[:-2] + ".gcda"))]
for o in sorted(objs):
    out = subprocess.run(["gcov", "-j", "-t", "-b", "-o", o, os.path.basename(o)[:-2]],
                         cwd=build, capture_output=True, text=True).stdout
    for doc in out.splitlines():
        if not doc.strip().startswith("{"):
            continue
        for f in json.loads(doc)["files"]:
            name = f["file"]
            k = name.find("refimpl/")
            if k < 0 or "/usr/" in name:
                continue
            name = name[k:]
            for fn in f["functions"]:
                key = (name, fn["demangled_name"], fn["start_line"])
                funcs[key] = funcs.get(key, 0) + fn["execution_count"]
                spans.setdefault(name, set()).add((fn["start_line"], fn["end_line"], fn["demangled_name"]))
            for ln in f["lines"]:
                key = (name, ln["line_number"])
                lines[key] = lines.get(key, 0) + ln["count"]
                br = ln.get("branches", [])
                decisions = []
                i = 0
                while i < len(br):
                    if br[i]["throw"]:
                        i += 1
                        continue
                    if i + 1 < len(br) and br[i + 1]["throw"]:
                        i += 2          # a call: its return edge and its exception edge
                        continue
                    decisions.append(br[i]["count"])
                    i += 1
                if decisions and not decision_line(name, ln["line_number"]):
                    continue        # no decision in the source line: edges the compiler made
                for j, c in enumerate(decisions):
                    bk = (name, ln["line_number"], j)
                    branches[bk] = branches.get(bk, 0) + c
src = {}
gated = re.compile(r"\bp\.(has_|autoreap_|autokill_|parent_rejected|allowed_new)|\bautokill\b")
# A mutation switch (refimpl/mutants.hpp: Fault), off in every conformance run.
faulted = re.compile(r"\b(p|sc)\.fault\b|\bFault::")
# Reading profile files and the profile registry: configuration, no kernel rule.
profile_files = re.compile(r"refimpl/profile(_file)?\.(cpp|hpp)$")
engine_only = re.compile(r"operator==|::hash\(|::mix<|wait_would_block|wait_would_report|to_string\(reapcheck::refimpl::Step|"
                         r"task_of_pid_nr|profile_names|errno_from_name|signal_from_name|RecordEvents|"
                         r"sighand_of\(short\) const")
def text(name, line):
    if name not in src:
        try:
            src[name] = open(name).read().split("\n")
        except OSError:
            src[name] = []
    t = src[name]
    return t[line - 1].strip() if 0 < line <= len(t) else ""
files = sorted({k[0] for k in lines})
def count(d, f):
    ks = [k for k in d if k[0] == f]
    return sum(1 for k in ks if d[k] > 0), len(ks)
print("refimpl/ coverage under conform (scenarios and --random; branches: decisions, without call and exception edges)")
print("%-22s %13s %15s %15s" % ("file", "functions", "lines", "branches"))
tot = [0] * 6
for f in files:
    row = count(funcs, f) + count(lines, f) + count(branches, f)
    tot = [a + b for a, b in zip(tot, row)]
    print("%-22s %6d/%-6d %7d/%-7d %7d/%-7d" % ((f,) + row))
print("%-22s %6d/%-6d %7d/%-7d %7d/%-7d" % (("total",) + tuple(tot)))
pct = lambda a, b: 100.0 * a / b if b else 100.0
print("functions %.1f%%, lines %.1f%%, branches %.1f%%" % (pct(tot[0], tot[1]), pct(tot[2], tot[3]), pct(tot[4], tot[5])))
nf = sorted(k for k in funcs if funcs[k] == 0)
print("\nfunctions never entered (%d; E: engine-only, F: profile files, M: mutants):" % len(nf))
def fmark(f, n):
    return ("E" if engine_only.search(n) else "F" if profile_files.search(f)
            else "M" if f.endswith("refimpl/mutants.cpp") else " ")
for f, n, l in nf:
    print("  %s %s:%d: %s" % (fmark(f, n), f, l, n))
print()
# What conformance cannot reach, by construction, marked and counted apart:
#  P  a decision on a switch of the semantic profile (refimpl/profile.hpp)
#     that the running kernel's profile does not have: it can go one way only;
#  M  a decision on a mutation switch (p.fault, refimpl/mutants.hpp), and
#     refimpl/mutants.cpp itself: deliberately wrong variants of refimpl for
#     `reapcheck mutate`, off in every conformance run (the whole line's
#     decisions are counted apart with it);
#  F  reading profile files and the profile registry (refimpl/profile.cpp,
#     profile_file.*): configuration input, no kernel rule; conformance takes
#     the running kernel's built-in profile (tests/profiles checks the parser);
#  C  a contract check (REAPCHECK_REQUIRE): taken only by a refimpl bug;
#  E  code only the engines call: value equality and hashing of State
#     (visited sets), wait_would_block and wait_would_report (properties), name tables and
#     printers used by the parser and the reports, the event recorder, the
#     const State::sighand_of (only the property catalog calls it).
def function_at(f, l):
    best = None
    for a, b, n in spans.get(f, ()):
        if a <= l <= b and (best is None or a > best[0]):
            best = (a, n)
    return best[1] if best else ""
def enclosing(f, l, rx):
    # a line never run inside an `if` whose condition matches rx
    if lines.get((f, l), 0) > 0:
        return False
    t = src[f]
    ind = len(t[l - 1]) - len(t[l - 1].lstrip())
    for k in range(l - 1, 0, -1):
        u = t[k - 1]
        if not u.strip():
            continue
        i = len(u) - len(u.lstrip())
        if i < ind:
            if rx.search(u):
                return True
            ind = i
            if i == 0:
                return False
    return False
def mark(f, l):
    t = text(f, l)
    if "REAPCHECK_REQUIRE" in t:
        return "C"
    if engine_only.search(function_at(f, l)):
        return "E"
    if profile_files.search(f):
        return "F"
    if f.endswith("refimpl/mutants.cpp"):
        return "M"
    if gated.search(t) or enclosing(f, l, gated):
        return "P"
    if faulted.search(t) or enclosing(f, l, faulted):
        return "M"
    return " "
marks = {k: mark(k[0], k[1]) for k in branches}
for m, what in (("P", "on profile switches"), ("M", "on mutation switches"), ("F", "in profile files"),
                ("C", "in contract checks"), ("E", "in engine-only code")):
    n = sum(1 for k in branches if marks[k] == m)
    hit = sum(1 for k in branches if marks[k] == m and branches[k] > 0)
    print("  %-22s %4d branches, %4d taken" % (what, n, hit))
reach = [k for k in branches if marks[k] == " "]
rhit = sum(1 for k in reach if branches[k] > 0)
print("branches conformance can reach (without P, M, F, C, E): %d/%d, %.1f%%" % (rhit, len(reach), pct(rhit, len(reach))))
fe = [k for k in funcs if not engine_only.search(k[1]) and not profile_files.search(k[0])
      and not k[0].endswith("refimpl/mutants.cpp")]
fhit = sum(1 for k in fe if funcs[k] > 0)
print("functions without engine-only ones, profile files and mutants: %d/%d, %.1f%%" % (fhit, len(fe), pct(fhit, len(fe))))
nb = sorted(k for k in branches if branches[k] == 0)
print("\nbranches never taken (%d; marked P, M, F, C or E as above):" % len(nb))
for f, l, j in nb:
    print("  %s %s:%d: (edge %d) %s" % (marks[(f, l, j)], f, l, j, text(f, l)))
PY
