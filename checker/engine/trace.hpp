// Turning a path of the explored graph into a .scn trace: the path's actions
// are re-run on a concrete refimpl world with names, each action mapped from
// the canonical state it was enumerated in to the concrete tasks, and the
// printed trace is then parsed and replayed from scratch.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checker/engine/alphabet.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "properties/catalog.hpp"

namespace reapcheck::engine {

struct TracePath {
    std::vector<uint32_t> actions;   ///< action indices from the initial state
    std::string header;              ///< comment lines (each starting with '#')
};

/// What the replay of the printed trace ends in, for the property re-check.
struct ReplayEnd {
    const refimpl::State& state;             ///< state after the last statement
    const refimpl::State* pre = nullptr;     ///< state before it (step properties)
    const props::StepView* step = nullptr;   ///< the last transition (step properties)
};

/// Builds the trace and replays it. `recheck` must return true when the
/// replayed trace shows what the trace claims (e.g. the property fails at
/// its end). Throws std::runtime_error("engine bug: ...") otherwise.
std::string make_trace(const refimpl::Profile& p, const Bounds& b, bool symmetry, const TracePath& path,
                       const std::function<bool(const ReplayEnd&)>& recheck, int& steps);

/// The same for a path of concrete actions: task indices of the world that
/// starts at refimpl::initial_state() and numbers tasks in creation order
/// (how a Z3 counterexample is decoded).
std::string make_concrete_trace(const refimpl::Profile& p, const std::string& header,
                                const std::vector<Action>& actions,
                                const std::function<bool(const ReplayEnd&)>& recheck, int& steps);

/// Names a trace gives to the tasks it creates, in creation order: A, B, ...
std::string trace_task_name(int n);

/// The statement of `a` (task indices of `ex`'s state) with `ex`'s names; for
/// engines other than check that print traces the same way (diff).
scn::Statement trace_statement(const scn::RefimplExecutor& ex, const Action& a, int line);

/// The action of a statement, resolved against `ex`'s names (the inverse of
/// trace_statement; the explorer evaluates step properties with it).
Action trace_action(const scn::RefimplExecutor& ex, const scn::Statement& st);

/// The call of an action as the catalog sees it.
props::CallView call_view(const refimpl::Profile& p, const Action& a);

}  // namespace reapcheck::engine
