#!/usr/bin/env bash
# The long variant of the partial-order reduction property tests
# (tests/unit/por_test.cpp): PAIRS independent action pairs on seeded random
# reachable states (and PAIRS/4 pairs for the C1 lemma of each reduced
# kernel step, PAIRS/4 property evaluations across an invisible step), with
# /usr/bin/time. The unit tests run 20000.
# usage: bench/por_property.sh [BUILD_DIR] [PAIRS]   (default: build 1000000)
set -euo pipefail
build=${1:-build}
pairs=${2:-1000000}
[ -x "$build/reapcheck_tests" ] || { echo "no $build/reapcheck_tests (build the reapcheck_tests target)" >&2; exit 2; }
REAPCHECK_POR_PAIRS=$pairs /usr/bin/time -f 'CPU %U s user, %M KiB peak' \
    "$build/reapcheck_tests" -tc='por: actions declared independent*,por: C1 of the reduced*,por: a kernel step invisible*' -s 2>&1 |
    grep -E 'MESSAGE|tested|compared|: [0-9]+$|FAIL|ERROR|test cases|CPU' | sed 's/^.*MESSAGE: //'
