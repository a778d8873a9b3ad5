// `mpirun -np K reapcheck check ...`: the explicit engine across the K ranks
// of MPI_COMM_WORLD (docs/distributed.md). States are owned by the rank their
// packed words hash to; each BFS level, every rank expands the states it
// owns, sends each new successor to its owner in one MPI_Alltoallv, and a
// global reduction ends the level. Verdicts, counts and shortest trace
// lengths are those of the single-process engine (engine::check); rank 0
// replays the traces through refimpl and prints the one report.
//
// This header does not include <mpi.h>: the command line includes it.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "checker/engine/check.hpp"

namespace reapcheck::dist {

/// Whether this process was started by an MPI launcher (mpirun, mpiexec,
/// srun): OpenMPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE / PMIX_RANK.
bool launched_by_mpi();

struct MpiOptions {
    /// Rank 0 writes the per-level figures here as JSON: states per rank,
    /// records and bytes sent between ranks, seconds (docs/distributed.md).
    std::string stats_file;
};

/// MPI_Init on construction, MPI_Finalize on destruction: for a command that
/// runs several checks across the ranks (review under mpirun).
class Session {
public:
    Session();
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    int rank() const { return rank_; }
    int ranks() const { return ranks_; }

private:
    int rank_ = 0, ranks_ = 1;
};

/// A rank's exploration failed for a reason other than the model (rank 0
/// has printed it); thrown on every rank by check_on_ranks.
struct InternalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Bad input found across the ranks (a checkpoint to refuse: another
/// build, other bounds, a damaged file, another number of ranks); rank 0
/// has printed the one line. Thrown on every rank by check_on_ranks; exit 2.
struct RefusedError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// One check() across the ranks of a Session (every rank calls it with the
/// same arguments; collective). On rank 0 the result with its verdicts
/// settled and traces replayed, as engine::check returns it; on the others
/// the counts and coverage only. Refuses opts.por and more than 65,535
/// ranks (std::invalid_argument, on every rank).
engine::CheckResult check_on_ranks(const refimpl::Profile& profile, const engine::CheckOptions& opts,
                                   const MpiOptions& mo);

/// Waits until every rank calls it, sleeping between polls: a rank that
/// waits for rank 0 (printing, replaying, diffing) takes no CPU from it, as
/// OpenMPI's blocking collectives would (they spin). Collective.
void idle_barrier();
/// Rank 0's value on every rank. Collective.
int broadcast(int value);

/// Runs check() across the ranks (MPI is initialised and finalised here).
/// `report` runs on rank 0 only, with the merged result, and returns the
/// exit code, which every rank returns. Each rank explores with one thread
/// (opts.threads is ignored: the ranks are the parallelism).
int run_check(const refimpl::Profile& profile, const engine::CheckOptions& opts, const MpiOptions& mo,
              const std::function<int(const engine::CheckResult&)>& report);

}  // namespace reapcheck::dist
