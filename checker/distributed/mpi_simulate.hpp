// `mpirun -np K reapcheck simulate ...`: the swarm across K ranks
// (docs/simulate.md, "Under mpirun"). Rank r runs the walks r, r + K,
// r + 2K, ... below --walks, each seeded exactly as in one process
// (walk_seed(seed, i)); rank 0 merges the ranks' tallies (the least walk
// per property, as one process does), shrinks and replays the first
// violations and prints the one report. Without --time the walks run are
// 0 .. walks-1 whatever K, so the report equals one process's.
//
// This header does not include <mpi.h>.
#pragma once

#include <functional>

#include "checker/engine/simulate.hpp"

namespace reapcheck::dist {

/// Runs the walks across the ranks (MPI is initialised and finalised here);
/// each rank walks with one thread (o.threads is ignored). `report` runs on
/// rank 0 with the merged result and returns the exit code every rank returns.
int run_simulate(const refimpl::Profile& profile, engine::SimulateOptions o,
                 const std::function<int(const engine::SimulateResult&, const engine::SimulateOptions&)>& report);

}  // namespace reapcheck::dist
