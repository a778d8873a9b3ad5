// Canonical forms of refimpl states for exploration: compaction (released
// tasks, unreferenced pids, closed files and dead tables dropped; sequence
// numbers and exec ids compressed to ranks) and, optionally, symmetry
// reduction under renaming of tasks (pid renaming): the canonical state is the
// one with the least encoding over every task order that respects a
// structural signature.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "refimpl/state.hpp"

namespace reapcheck::engine {

struct Canon {
    refimpl::State state;               ///< compacted (and, with symmetry, permuted) state
    std::string key;                    ///< its packed words (pack.hpp) as bytes: equal keys = equal states
    std::vector<refimpl::Id> task_map;  ///< input task index -> index in `state` (kNone: dropped)
};

/// `symmetry` off: only compaction, task order kept (creation order).
Canon canonicalize(const refimpl::State& s, bool symmetry);

/// Compaction only, keeping exactly the tasks of `order` (indices of `s`, in
/// that order; released tasks listed there are kept as tombstones). For an
/// engine that must rename two states the same way: `diff` compacts both
/// worlds of a product state with one order, so task indices keep meaning
/// the same task in both.
Canon compact_in_order(const refimpl::State& s, const std::vector<refimpl::Id>& order);

/// canonicalize without the key string: the representative and its packed
/// words (pack.hpp), the form the explicit engine stores. The key of
/// canonicalize is these words' bytes; with symmetry the representative is
/// the order whose words are least.
void canonicalize_into(const refimpl::State& s, bool symmetry, refimpl::State& out, std::vector<uint64_t>& words,
                       std::vector<refimpl::Id>* task_map = nullptr);

/// A readable dump of a state, one task per line (for engine diagnostics and
/// counterexamples to induction).
std::string describe(const refimpl::State& s);

}  // namespace reapcheck::engine
