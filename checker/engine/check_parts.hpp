// The pieces of `check` that do not depend on how the state space is
// explored, shared by the single-process engine (check.cpp) and the MPI
// engine (checker/distributed/): which properties a run checks, the visitor
// that evaluates them on every state and transition, and the verdicts built
// from what an exploration found.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "checker/engine/check.hpp"
#include "checker/engine/graph.hpp"
#include "properties/lang/compile.hpp"

namespace reapcheck::engine {

/// Where a property was first settled: a node, or an edge (node + action).
struct Found {
    bool yes = false;
    uint32_t node = 0;
    bool edge = false;
    uint32_t action = 0;
};

/// The first place (in BFS order) where each property was settled, as one
/// number: id << 24 | (action + 1 for an edge, 0 for a state). The explorer
/// numbers states in BFS order whatever the thread count, so the minimum is
/// the same place a single-threaded search finds first.
inline constexpr uint64_t kNotFound = UINT64_MAX;
inline uint64_t place(uint32_t id, bool edge, uint32_t action) {
    return uint64_t(id) << 24 | (edge ? action + 1 : 0);
}
inline Found found_of(uint64_t k) {
    if (k == kNotFound) return {};
    const auto low = uint32_t(k & 0xffffff);
    return Found{true, uint32_t(k >> 24), low != 0, low ? low - 1 : 0};
}

/// The properties a run checks (opts.properties, liveness), and those the
/// profile has no feature for (`skipped`: they get n/a).
std::vector<const props::Property*> selected_properties(const refimpl::Profile& profile, const CheckOptions& opts,
                                                        std::vector<const props::Property*>& skipped);

/// Evaluates the properties on every state and transition the explorer
/// visits (checker/explicit/explorer.hpp's visitor interface; thread-safe).
struct CheckVisitor {
    const refimpl::Profile& p;
    std::vector<const props::Property*> props;
    CoverageCounter* coverage = nullptr;
    std::vector<uint8_t> on_states, on_steps;   // per property: has_state(), has_step() (asked once)
    /// Per property: its predicate compiled for the profile (properties/lang/
    /// compile.hpp), which on_state and on_edge run instead of the
    /// interpreter; nullptr for a predicate without a parsed program.
    std::vector<std::unique_ptr<props::lang::Compiled>> compiled;
    /// A step property as on_edge runs it.
    struct StepCheck {
        uint32_t i;                          ///< its index in props
        const props::lang::Compiled* code;   ///< compiled[i].get()
        bool cover;                          ///< a cover records a true value, a step property a false one
        int8_t known;                        ///< its value on the list's transitions, or -1: evaluate it
    };
    /// A property on_state evaluates: an eventually property (its value is
    /// kept per state) or one with a state predicate.
    struct StateCheck {
        uint32_t i;                          ///< its index in props
        const props::lang::Compiled* code;   ///< compiled[i].get()
        props::Kind kind;
    };
    std::vector<StateCheck> state_checks;
    /// The step properties on_edge evaluates, per class of transition: its
    /// call kind (props::CallView::Kind), whether it is a self-loop, and the
    /// kinds of its events (lang::Compiled::event_kinds). A property is left
    /// out of a class where its value is known to settle nothing (true for a
    /// step property, false for a cover): off the call kind that guards its
    /// predicate (lang::Program::guard_kind), or where lang::Compiled::decided
    /// knows it (`forall e in notifies: ...` without a notify event,
    /// `pre(x) == post(x)` on a self-loop). tests/unit/engine_test.cpp checks
    /// that what the lists leave out settles nothing on a whole search.
    static constexpr uint32_t kKindSets = props::lang::Compiled::kKindSets;
    std::vector<std::vector<StepCheck>> step_lists;
    static std::size_t step_list(std::size_t kind, bool self_loop, uint32_t kinds) {
        return (kind * 2 + (self_loop ? 1 : 0)) * kKindSets + (kinds & (kKindSets - 1));
    }
    const std::vector<StepCheck>& steps_for(props::CallView::Kind kind, bool self_loop, uint32_t kinds) const {
        return step_lists[step_list(std::size_t(kind), self_loop, kinds)];
    }
    std::vector<std::atomic<uint64_t>> found;   // per property: place(), or kNotFound
    std::vector<std::vector<uint8_t>> good;     // per eventually property, per state
    std::vector<bool> stop_when;                // per property: settling it ends the exploration
    /// Checkpoints (checkpoint.hpp): on_level keeps `found` and the coverage
    /// counters as they were when the level began, so that a run stopped
    /// inside a level saves the state of its start.
    bool keep_level_start = false;
    std::vector<uint64_t> start_found, start_coverage;
    void keep_start();   ///< takes that snapshot now (no worker may run)

    CheckVisitor(const refimpl::Profile& profile, std::vector<const props::Property*> ps, CoverageCounter& cov,
                 const std::vector<std::string>& stop_when_found);
    void record(std::size_t i, uint64_t k) {
        uint64_t cur = found[i].load(std::memory_order_relaxed);
        while (k < cur && !found[i].compare_exchange_weak(cur, k, std::memory_order_relaxed)) {
        }
    }
    /// Property i on a state / a transition: its compiled predicate, or the
    /// evaluator when it has none.
    bool holds(std::size_t i, const refimpl::State& s) const {
        return compiled[i] ? compiled[i]->state(s) : props[i]->holds(p, s);
    }
    bool holds(std::size_t i, const props::StepView& v) const {
        return compiled[i] ? compiled[i]->step(v) : props[i]->holds(v);
    }
    void on_level(uint32_t depth, uint32_t first, uint32_t end);
    void on_state(uint32_t node, const refimpl::State& s);
    void on_edge(uint32_t from, uint32_t ai, const refimpl::State& pre, const Action& a, const Transition& t,
                 bool changed);
    bool done() const;
};

/// What an exploration found for one property, whatever engine ran it.
struct Outcome {
    bool found = false;              ///< violated / hit (always, step, sometimes); for eventually: a bad state
    std::vector<uint32_t> actions;   ///< action indices from the initial state to the place (edge's action last)
    int steps = 0;                   ///< actions.size(): the witness length
    Trap trap;                       ///< eventually: what the bad state leads into
    bool graph_incomplete = false;   ///< eventually: exhausted, but the edges were not all collected
};

/// The verdicts of `props` from their outcomes (one each, same order), the
/// statistics and the configuration; traces are built and replayed through
/// refimpl here (std::runtime_error "engine bug: ..." when one does not).
/// Fills res.verdicts (n/a for `skipped` last) and the coverage's vacuity.
void settle(const refimpl::Profile& profile, const CheckOptions& opts,
            const std::vector<const props::Property*>& props, const std::vector<const props::Property*>& skipped,
            const std::vector<Outcome>& outcomes, CheckResult& res);

}  // namespace reapcheck::engine
