#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: a review of the
# CLONE_AUTOREAP semantics across all profiles on the default bounds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
exec ./build/reapcheck review "$@"
