#!/usr/bin/env bash
# What of refimpl/ a conformance run exercises: builds reapcheck with gcov
# instrumentation in its own build directory (build-cov, -O0 --coverage),
# runs `conform --random` on the running kernel (root) in the base and the
# extended alphabet, and prints gcov's function, line and branch coverage
# of every refimpl/*.cpp, then each function never entered and each branch
# never taken (file:line, the source line). Branches on exception edges
# ("throw": refimpl throws only on broken contracts) are left out of the
# branch figures.
#
# Usage: bench/conform_coverage.sh [TRACES] [SEED]   (defaults 2000, 1)
#   TRACES random traces per alphabet. Env: BUILD (default build-cov),
#   TASKS (5), LENGTH (12), JOBS (2), SKIP_BUILD=1 to reuse the build.
# Needs: g++ and gcov (the compiler's), cmake, root for conform.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
traces=${1:-2000}
seed=${2:-1}
build=${BUILD:-build-cov}
tasks=${TASKS:-5}
length=${LENGTH:-12}
jobs=${JOBS:-2}

if [ "$(id -u)" != 0 ]; then
    echo "conform_coverage: needs root (conform runs real processes in a pid namespace)" >&2
    exit 2
fi
command -v gcov >/dev/null || { echo "conform_coverage: gcov not found (it comes with gcc)" >&2; exit 2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DREAPCHECK_WERROR=OFF \
        "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g0 --coverage" \
        -DCMAKE_EXE_LINKER_FLAGS=--coverage >/dev/null
    cmake --build "$build" -j"$jobs" --target reapcheck >/dev/null
fi
bin=$build/reapcheck
objdir=$(find "$build" -type d -path '*refimpl.dir/refimpl' | head -n1)
[ -n "$objdir" ] || { echo "conform_coverage: no refimpl objects under $build" >&2; exit 2; }
find "$build" -name '*.gcda' -delete

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
for mode in base extended; do
    extra=()
    [ "$mode" = extended ] && extra=(--extended)
    echo "== conform --random $traces --seed $seed --tasks $tasks --length $length ${extra[*]}"
    "$bin" conform --profile auto --random "$traces" --seed "$seed" --tasks "$tasks" --length "$length" \
        "${extra[@]}" --max-mismatches 0 --out "$out" | tail -n 20 || true
done
echo "conform runs: $(( $(date +%s) - start )) s"

# gcov per source file, in the object directory, with branch counts (-b),
# counts as numbers (-c) and demangled names (-m).
cd "$out"
for f in "$src"/refimpl/*.cpp; do
    gcov -b -c -m -o "$src/$objdir" "$f" >/dev/null 2>&1 || true
done
awk -v src="$src/" '
    FNR == 1 {
        file = FILENAME; sub(/\.gcov$/, "", file); sub(/^.*#/, "", file)
    }
    /^        -:    0:Source:/ { s = $0; sub(/^.*Source:/, "", s); sub(src, "", s); file = s; next }
    /^function / {
        # function NAME called N returned R% blocks executed B%
        name = $0; sub(/^function /, "", name); sub(/ called [0-9]+ returned.*$/, "", name)
        n = $0; sub(/^.* called /, "", n); sub(/ returned.*$/, "", n)
        fun[file]++; funs++
        if (n + 0 > 0) { funhit[file]++; funshit++ } else uncovered_fun[++nuf] = file ": " name
        next
    }
    /^ *[0-9#=-]+\*?: *[0-9]+:/ {
        split($0, a, ":"); cnt = a[1]; gsub(/ /, "", cnt); ln = a[2] + 0
        text = $0; sub(/^[^:]*:[^:]*:/, "", text); cur_line = ln; cur_text = text
        if (cnt == "-") next
        lines[file]++; alll++
        if (cnt !~ /^(#####|=====)$/) { linehit[file]++; alllhit++ }
        next
    }
    /^branch / {
        if ($0 ~ /\(throw\)/) next
        br[file]++; allb++
        if ($0 ~ /taken [1-9]/) { brhit[file]++; allbhit++ }
        else uncovered_br[++nub] = file ":" cur_line ": " cur_text
        next
    }
    END {
        printf "refimpl/ coverage under conform --random (functions, lines, branches without throw edges)\n"
        printf "%-22s %12s %14s %14s\n", "file", "functions", "lines", "branches"
        n = 0
        for (f in lines) names[++n] = f
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (names[j] < names[i]) { t = names[i]; names[i] = names[j]; names[j] = t }
        for (i = 1; i <= n; i++) {
            f = names[i]
            printf "%-22s %5d/%-5d %6d/%-6d %6d/%-6d\n", f, funhit[f], fun[f], linehit[f], lines[f], brhit[f], br[f]
        }
        printf "%-22s %5d/%-5d %6d/%-6d %6d/%-6d\n", "total", funshit, funs, alllhit, alll, allbhit, allb
        printf "functions %.1f%%, lines %.1f%%, branches %.1f%%\n", 100 * funshit / funs, 100 * alllhit / alll, 100 * allbhit / allb
        printf "\nfunctions never entered (%d):\n", nuf
        for (i = 1; i <= nuf; i++) print "  " uncovered_fun[i]
        printf "\nbranches never taken (%d):\n", nub
        for (i = 1; i <= nub; i++) print "  " uncovered_br[i]
    }
' ./*refimpl*.cpp.gcov 2>/dev/null || { echo "conform_coverage: gcov wrote no refimpl files" >&2; exit 1; }
