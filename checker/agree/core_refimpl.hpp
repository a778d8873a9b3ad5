// Agreement of the core benchmark alphabet (checker/core) with refimpl.
//
// checker/core has its own, hand-written transition function for speed. This
// module proves on the reachable state space that it says what refimpl (the
// reference implementation) says: it explores the core alphabet *through
// refimpl* (every core action becomes refimpl system calls, and the kernel
// steps they leave pending run to completion, as `steps auto` does), maps
// every refimpl state to a core::World and requires
//   (a) the image of the refimpl state set to equal the set of core states
//       reachable without symmetry (within the same BFS depth, if bounded);
//   (b) for every refimpl state s and every action: the call is enabled in
//       refimpl iff core enables it in the image α(s), core's outcome is the
//       one refimpl returned, and core's successor of α(s) is α(refimpl
//       successor of s).
// (b) already implies (a) by induction from the common initial world; (a) is
// checked on its own as well, set against set (docs/core-alphabet.md,
// "Agreement with refimpl").
//
// The abstraction α. Core slots are positions, refimpl tasks are indices in
// creation order, so the search tracks a slot per refimpl task alongside the
// refimpl state, with core's own rule: a new child takes the lowest slot that
// no unreleased task holds; release_task frees the slot. A search node is the
// pair (compacted refimpl state, slot of each task). Per slot, α keeps what
// core keeps: RUNNING/ZOMBIE (a refimpl task in any other exit state, or with
// a kernel step pending, is a broken premise and reported), the real parent's
// slot, exit_signal 0/SIGCHLD, and for a RUNNING task autoreap,
// is/has_child_subreaper, the SIGCHLD action and a pending SIGCHLD; for a
// ZOMBIE, the exit code wait would report. What α drops, and why that is
// sound (the agreement would fail otherwise, since both sides are compared
// step by step): init's exit_signal (init never exits and has no parent in
// the namespace), and a zombie's signal_struct flags and pending SIGCHLD (a
// zombie has no children and makes no calls; refimpl keeps them as the
// kernel does, core zeroes them).
//
// The optional erasure (Options::erase_zombie_fields) sets a zombie's
// is/has_child_subreaper, pending SIGCHLD and SIGCHLD action to zero in the
// refimpl state itself before deduplication. It is sound if refimpl never
// reads them in this alphabet, which its code shows: a zombie makes no calls
// (cannot_act), receives no signal (prepare_signal drops everything once
// SIGNAL_GROUP_EXIT is set), is nobody's parent (its children were
// reparented in exit_notify), so neither do_notify_parent (the parent's
// action), find_new_reaper (ancestors' flags) nor copy_process (the real
// parent's flags) reads them, and propagate_has_child_subreaper only sets a
// zombie's own flag. Its autoreap is kept: reparent_leader's
// do_notify_parent reads it. The exact search (the default, and what the
// unit tests run) needs no such argument.
//
// Memory: visited refimpl nodes are kept as 128-bit fingerprints of their
// exact encoding (engine::encode of the compacted state, plus the slots); a
// collision would drop a node unexplored, with probability below n²/2^129
// (about 1e-24 at n = 2e7 nodes). Images go into an exact core::StateTable.
//
// Usage:
//   agree::Options o; o.tasks = 3; o.profile = core::Profile::Mainline;
//   agree::Report r = agree::check(o);   // r.agree, r.counterexample, r.images, ...
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "checker/core/transitions.hpp"

namespace reapcheck::agree {

/// The core transition function under test; core::successors unless a test
/// substitutes a deliberately altered copy.
using CoreSuccessors = int (*)(const core::World&, core::Profile, core::Successor*);

struct Options {
    int tasks = 3;                          ///< core slots, core::kMinSlots..core::kMaxSlots
    core::Profile profile = core::Profile::Mainline;
    int max_depth = 0;                      ///< BFS levels to expand; 0 = until exhausted
    bool progress = false;                  ///< progress lines on stderr
    /// Depth-first instead of breadth-first: memory is the visited set and
    /// the stack only, the counterexample path is not the shortest.
    /// require: max_depth == 0.
    bool depth_first = false;
    /// Erase what refimpl keeps of a zombie's process and core does not: its
    /// subreaper flags, its pending SIGCHLD, its SIGCHLD action (see above).
    /// A reduction argued from refimpl's code, not proven by the search:
    /// without it the search is exact, and several times larger.
    bool erase_zombie_fields = false;
    CoreSuccessors core_successors = &core::successors;
};

struct Report {
    Options options;
    bool agree = true;                      ///< (a) and (b) held on every node explored
    bool complete = false;                  ///< exhausted (no depth bound reached)
    std::string counterexample;             ///< the first disagreement, with its action path
    std::uint64_t refimpl_states = 0;       ///< distinct (refimpl state, slots) nodes
    std::uint64_t refimpl_transitions = 0;  ///< refimpl transitions of expanded nodes
    std::uint64_t images = 0;               ///< distinct images α(node)
    std::uint64_t core_states = 0;          ///< core states reachable (within the depth bound)
    std::uint64_t core_transitions = 0;     ///< core transitions of the core states expanded
    int depth = 0;                          ///< deepest BFS level reached
    double refimpl_seconds = 0;             ///< the refimpl search with the step-wise comparison
    double core_seconds = 0;                ///< the core search and the set comparison
    std::uint64_t peak_rss_bytes = 0;
};

/// Runs both searches and compares them; stops at the first disagreement.
/// require: options within bounds (throws std::invalid_argument otherwise).
[[nodiscard]] Report check(const Options& options);

[[nodiscard]] nlohmann::json to_json(const Report& r);

}  // namespace reapcheck::agree
