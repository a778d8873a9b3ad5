// Bound suites: a review explores several focused configurations instead of
// one large one, since the state space of all features at once outgrows
// any time budget at three tasks. Verdicts are merged per property: a
// violation or a hit cover anywhere counts; "holds" means it held in every
// configuration, each of which is named with its bound.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "checker/engine/check.hpp"

namespace reapcheck::engine {

struct NamedBounds {
    std::string name;
    Bounds bounds;
    /// Whether `eventually` properties are checked here (they need every
    /// transition recorded, and the whole graph to be settled): off for a
    /// configuration that is depth-bounded by design; its liveness rows come
    /// from the other configurations.
    bool liveness = true;
};

/// The review's default suite (README's main job; its table in README.md, "Default review suite").
std::vector<NamedBounds> default_suite();

/// How one configuration is checked: engine::check, or the MPI engine
/// (review under mpirun, checker/distributed/mpi_check.hpp).
using CheckRunner = std::function<CheckResult(const refimpl::Profile&, const CheckOptions&)>;

/// Runs check once per configuration (limits, symmetry and property
/// selection from `base`) and merges the verdicts. `runner` (default:
/// engine::check) explores each configuration.
CheckResult check_suite(const refimpl::Profile& p, const std::vector<NamedBounds>& suite, const CheckOptions& base,
                        const CheckRunner& runner = {});

}  // namespace reapcheck::engine
