// Limits of an exploration and what it covered: shared by every explicit
// engine command (check, review, diff, graph) and the explorer
// (checker/explicit/explorer.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace reapcheck::engine {

struct Limits {
    uint32_t max_depth = 0;          ///< 0 = none
    uint64_t max_states = 0;         ///< 0 = none
    double max_seconds = 0;          ///< 0 = none
    uint64_t max_memory_mb = 0;      ///< 0 = none (the store, the candidates of a level, recorded edges)
    const volatile bool* interrupt = nullptr;   ///< set asynchronously to stop
    /// Stop at this time too (none when default): max_seconds of a whole
    /// review, shared by its explorations; max_seconds names it in the reason.
    std::chrono::steady_clock::time_point deadline{};
};

struct Stats {
    uint64_t states = 0;             ///< distinct (canonical) states
    uint64_t transitions = 0;        ///< enabled state-action pairs, failed and no-op ones included
    uint64_t reduced = 0;            ///< states expanded with a partial-order-reduced set (--por)
    uint32_t depth = 0;              ///< deepest level fully explored
    bool exhausted = false;          ///< every reachable state within max_depth was expanded
    std::string stop_reason;         ///< why not exhausted
    double seconds = 0;
    uint64_t key_bytes = 0;          ///< bytes of the visited set (root table and shared subtrees of the packed states)
    uint64_t link_bytes = 0;         ///< bytes of the parent links (one per state, for the shortest traces)
};

}  // namespace reapcheck::engine
