// Explicit-state breadth-first exploration of the core benchmark alphabet.
//
// Level-synchronous BFS: the frontier of depth d is expanded by T threads in
// rounds (chunks taken from a shared counter); new states go into one
// lock-free StateTable and into per-thread next-frontier segments. Between
// rounds one thread checks the limits, grows the table and prints progress.
// Distinct states, transitions and depth do not depend on the thread count
// (they are properties of the reachable graph); only the order of work does.
//
// With symmetry on, states are stored in the canonical encoding (every
// permutation of slots 1..n-1, see world.hpp). This is sound because the
// transition relation commutes with those permutations: init (slot 0) is
// the only slot with its own rules, `main` differs from the others only in
// the initial world, and "the child takes the lowest FREE slot" picks one of
// several all-zero slots, which are interchangeable.
//
// Usage:
//   ExploreOptions o; o.tasks = 4; o.symmetry = true; o.threads = 2;
//   ExploreStats s = explore(o);   // s.complete, s.states, s.transitions, ...
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/core/world.hpp"

namespace reapcheck::core {

struct ExploreOptions {
    int tasks = 4;                       ///< slots, kMinSlots..kMaxSlots
    Profile profile = Profile::Mainline;
    bool symmetry = true;                ///< canonicalise under permutations of slots 1..n-1
    int threads = 1;                     ///< >= 1
    double max_seconds = 0;              ///< 0 = no time limit
    std::uint64_t max_memory_mb = 0;     ///< 0 = no memory limit (table + frontiers, and peak RSS)
    bool progress = false;               ///< one line on stderr about every 2 s
    bool orbits = false;                 ///< with symmetry, after an exhaustive run: sum the orbit sizes
};

enum class StopReason : uint8_t { Exhausted, Time, Memory };
[[nodiscard]] const char* to_string(StopReason r);

struct ExploreStats {
    ExploreOptions options;
    StopReason stop = StopReason::Exhausted;
    bool complete() const { return stop == StopReason::Exhausted; }
    std::uint64_t states = 0;            ///< distinct (canonical, with symmetry) states stored
    std::uint64_t transitions = 0;       ///< enabled actions of expanded states, failed and no-op ones included
    std::uint64_t self_loops = 0;        ///< transitions back to the same (canonical) state
    std::uint64_t recent_hits = 0;       ///< successors found in a thread's recent-key cache (no table probe)
    std::uint64_t canon_hits = 0;        ///< canonical forms read from a thread's layout cache (symmetry only)
    std::uint64_t repaired = 0;          ///< canonical forms repaired from the expanded state's (CanonicalRepair)
    std::uint64_t expanded = 0;          ///< states whose successors were generated
    int depth = 0;                       ///< deepest BFS level reached (initial = 0)
    std::vector<std::uint64_t> level_states;   ///< new states per BFS level
    double seconds = 0;
    /// With options.orbits: the sum of orbit_size over the canonical states,
    /// i.e. the state count without symmetry (see orbit_size); its own time.
    std::uint64_t orbit_states = 0;
    double orbit_seconds = 0;
    std::uint64_t peak_rss_bytes = 0;    ///< VmHWM of the process
    std::uint64_t table_bytes = 0;       ///< final state table
    std::uint64_t peak_frontier_bytes = 0;
    [[nodiscard]] double states_per_second() const { return seconds > 0 ? double(states) / seconds : 0; }
    [[nodiscard]] double bytes_per_state() const { return states ? double(table_bytes) / double(states) : 0; }
};

/// Runs the search. require: options within bounds (the CLI checks them;
/// here a violation throws std::invalid_argument).
[[nodiscard]] ExploreStats explore(const ExploreOptions& options);

[[nodiscard]] nlohmann::json to_json(const ExploreStats& s);

/// Peak resident set size of this process (VmHWM), 0 if unknown.
[[nodiscard]] std::uint64_t peak_rss_bytes();

}  // namespace reapcheck::core
