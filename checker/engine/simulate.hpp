// `simulate`: seeded random walks over refimpl for bounds that no exhaustive
// search reaches (docs/simulate.md). Each walk starts in the initial world
// and takes one enabled action of the checker's alphabet (alphabet.hpp) per
// step, drawn uniformly or biased towards the action classes the walk has
// fired least; every property of the catalog is checked on every step
// exactly as the explorer checks it (`always` on states, `step` on
// transitions, `sometimes` as covers). `eventually` properties need the whole
// state graph and are reported as not checkable. A violation (or a cover's
// witness) is shrunk by delta debugging over its concrete actions, replayed
// through refimpl and printed as a .scn trace like check's.
//
// Walk w draws from its own generator, seeded by walk_seed(seed, w), so a
// walk's actions depend only on (seed, w, bounds, profile, bias); walks are
// shared out to threads, and the first violation of a property is the one
// of the lowest walk index (then the earliest step), whatever the number of
// threads. Under mpirun (checker/distributed/mpi_simulate.hpp) each rank
// runs the walks first, first + stride, ... (its rank, the number of
// ranks) with run_walks(), rank 0 merges the tallies (merge_tally) and
// builds the report (finish_simulation): the same walks, so the same
// report, as one process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checker/engine/alphabet.hpp"
#include "checker/engine/check.hpp"

#include <nlohmann/json.hpp>

namespace reapcheck::engine {

enum class Bias { Uniform, Rare };
const char* to_string(Bias b);

struct SimulateOptions {
    Bounds bounds;                         ///< the alphabet (depth is ignored: `steps` bounds a walk)
    uint64_t seed = 1;
    uint64_t walks = 1000;                 ///< walks to run (the time limit may stop earlier)
    int steps = 60;                        ///< steps per walk
    double seconds = 0;                    ///< stop taking new walks after this long (0: none)
    int threads = 1;
    /// The walks of this process: walk_first, walk_first + walk_stride, ...
    /// below `walks` (an MPI rank's share; one process: 0, 1).
    uint64_t walk_first = 0;
    uint64_t walk_stride = 1;
    Bias bias = Bias::Uniform;
    std::vector<std::string> properties;   ///< ids to check; empty = all
    bool shrink = true;
    /// Stop starting walks once every checked property is settled (violated,
    /// or a cover hit): for time-to-first-violation measurements.
    bool stop_when_found = false;
    const volatile bool* interrupt = nullptr;
};

/// Where a property was first violated (or a cover first hit), and how often.
struct SimFinding {
    std::string property;
    bool found = false;
    uint64_t walk = 0;          ///< index of the first walk that showed it
    uint32_t step = 0;          ///< step of that walk (0: the initial state)
    uint32_t raw_steps = 0;     ///< the trace's length before shrinking
    uint64_t walks_hit = 0;     ///< covers: walks that hit it (violations are not counted: see simulate.cpp)
};

struct SimulateResult {
    CheckResult check;          ///< profile, bounds and one verdict per property (report.hpp formats it)
    std::vector<SimFinding> findings;   ///< parallel to the `always`/`step`/`sometimes` verdicts, by property
    uint64_t walks = 0;         ///< walks completed: always walks 0 .. walks-1
    uint64_t steps = 0;         ///< transitions taken in all walks
    double seconds = 0;         ///< the walks, without shrinking and trace replay
    double cpu_seconds = 0;     ///< CPU time of the walking threads
    double shrink_seconds = 0;
    std::string stop_reason;    ///< empty when every requested walk ran
    int ranks = 1;              ///< MPI ranks that ran the walks (1: one process)
};

/// What the walks of one process (or of all, merged) found, before
/// shrinking: per checked property (simulate.cpp's order, the catalog's) the
/// first place (walk << 20 | step; UINT64_MAX: none) and the walks that hit
/// a cover.
struct WalkTally {
    std::vector<uint64_t> found;
    std::vector<uint64_t> hits;
    uint64_t walks = 0;         ///< walks completed
    uint64_t steps = 0;
    double seconds = 0;         ///< wall time of the walks (merged: the longest)
    double cpu_seconds = 0;
    std::string stop_reason;    ///< empty when every walk of the share ran
    uint64_t model_error_walk = UINT64_MAX;   ///< the least walk that broke a refimpl contract
    std::string model_error;
};

/// Throws std::runtime_error("engine bug: ...") when a trace does not replay.
/// simulate() is finish_simulation(run_walks()).
SimulateResult simulate(const refimpl::Profile& p, const SimulateOptions& o);

/// The walks of this process's share (o.walk_first, o.walk_stride), with
/// o.threads threads; no shrinking.
WalkTally run_walks(const refimpl::Profile& p, const SimulateOptions& o);
/// Adds t (another share of the same run) into `into`: least place per
/// property, sums of hits, walks, steps and CPU time, the longest wall time,
/// the least walk's model error.
void merge_tally(WalkTally& into, const WalkTally& t);
/// The verdicts of the merged walks: each first violation (and cover
/// witness) replayed from its walk index, shrunk and printed as a trace.
SimulateResult finish_simulation(const refimpl::Profile& p, const SimulateOptions& o, const WalkTally& t);
/// How many properties the walks check (the length of a tally's vectors).
std::size_t checked_property_count(const refimpl::Profile& p, const SimulateOptions& o);

/// The seed of walk `walk` of a run seeded with `seed` (splitmix64 of both).
uint64_t walk_seed(uint64_t seed, uint64_t walk);

/// The concrete actions walk `walk` takes (task indices in creation order,
/// the numbering make_concrete_trace expects), up to `max_steps`.
std::vector<Action> walk_actions(const refimpl::Profile& p, const SimulateOptions& o, uint64_t walk,
                                 uint32_t max_steps);

/// 1: a violation found; 3: none, but a model error or Ctrl-C stopped the walks; else 0.
int simulate_exit_code(const SimulateResult& r);

}  // namespace reapcheck::engine
