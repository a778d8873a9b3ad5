# Sourced by tests/cli/mpi_*.sh: the binary and mpirun from the arguments
# (REAPCHECK [MPIRUN]), a temporary directory the script runs in and that is
# removed on exit, `bad` to record a failure (the script ends with
# `exit $fail`), and the environment the ranks run in.
set -u
bin=$(readlink -f "$1")
mpirun=${2:-mpirun}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# OpenMPI's components keep what they allocate at MPI_Init, and unload
# themselves at MPI_Finalize, so LeakSanitizer reports them from unknown
# modules that no suppression can name: in the sanitizer build the ranks run
# without leak detection (AddressSanitizer's other checks stay on; the
# single-process runs keep it all).
mpi_env=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
