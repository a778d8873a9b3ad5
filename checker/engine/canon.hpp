// Canonical forms of refimpl states for exploration: compaction (released
// tasks, unreferenced pids, closed files and dead tables dropped; sequence
// numbers and exec ids compressed to ranks) and, optionally, symmetry
// reduction under renaming of tasks (pid renaming): the canonical state is the
// one with the least encoding over every task order that respects a
// structural signature.
//
// Why symmetry reduction is sound here (the explorer stores one state per
// class): a renaming of tasks maps the objects of a state one to one and
// keeps every field that the rules read (list positions and exec ids keep
// their order within their own list, which is all the kernel compares; pid
// numbers are never compared by the rules, only looked up). refimpl's
// transition function commutes with such a renaming: the alphabet offers
// every call to every task (enabled_actions iterates over all of them), so
// the successors of a renamed state are the renamed successors. Every
// property of the catalog is quantified over all tasks (and pidfds), never
// over a particular index, so it holds in a state iff it holds in any
// renaming of it; step properties see the renamed call together with the
// renamed states. Hence the quotient graph has the same reachable verdicts
// and the same shortest-path lengths (Emerson and Sistla, "Symmetry and
// model checking", 1996; Ip and Dill, "Better verification through
// symmetry", 1996). init stays task 0: it is the namespace reaper, which the
// rules treat apart, so it is not permuted. The signature only chooses
// which orders are tried: every order that could give a smaller encoding
// lies within the groups of equal signature, so the least encoding is a
// canonical form (a signature collision only costs extra permutations).
// Traces are replayed on a concrete, named world (trace.cpp), which checks
// each step of the quotient path against refimpl.
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

/// a == b (State::operator==), comparing each object's bytes in a few
/// word-sized loads instead of field by field; padding bytes are skipped
/// (their offsets are asserted in canon.cpp). The explorer's self-loop test
/// runs it on every transition.
bool same_state(const refimpl::State& a, const refimpl::State& b);

/// canonicalize_into's words without its State: the renaming is packed
/// straight from `s` (no renamed copy is built). The explicit engine's
/// successors need only the words. Equal to canonicalize_into's words
/// (tested on every explored transition).
void canonical_words(const refimpl::State& s, bool symmetry, std::vector<uint64_t>& words);

/// A readable dump of a state, one task per line (for engine diagnostics and
/// counterexamples to induction).
std::string describe(const refimpl::State& s);

}  // namespace reapcheck::engine
