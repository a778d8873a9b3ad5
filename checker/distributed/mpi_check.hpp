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

/// Runs check() across the ranks (MPI is initialised and finalised here).
/// `report` runs on rank 0 only, with the merged result, and returns the
/// exit code, which every rank returns. Each rank explores with one thread
/// (opts.threads is ignored: the ranks are the parallelism).
int run_check(const refimpl::Profile& profile, const engine::CheckOptions& opts, const MpiOptions& mo,
              const std::function<int(const engine::CheckResult&)>& report);

}  // namespace reapcheck::dist
