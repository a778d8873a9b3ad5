#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: a review of the
# CLONE_AUTOREAP semantics across all profiles on the default bounds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
# The HTML report goes to build/review.html unless the caller names one.
html=(--html build/review.html)
for a in "$@"; do [[ "$a" == --html || "$a" == --html=* ]] && html=(); done
exec ./build/reapcheck review "${html[@]}" "$@"
