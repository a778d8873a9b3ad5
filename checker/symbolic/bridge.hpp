// Between the model's slot actions and refimpl's actions (no Z3 here): how a
// Z3 trace is re-run on refimpl, and how crosscheck finds the model action
// of an explicit transition.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checker/engine/alphabet.hpp"
#include "model/world.hpp"

namespace reapcheck::symbolic {

/// The explicit-engine bounds whose alphabet is the model's.
engine::Bounds bounds_of(const model::Features& f, int depth);

/// The refimpl action of a model action; `task_of[slot]` names the task.
engine::Action to_action(const model::Act& a, const std::vector<refimpl::Id>& task_of);

/// The model action (index into `acts`) of a refimpl action, under the slot
/// mapping of the pre-state; nullopt when the model has no such action.
std::optional<int> to_act(const engine::Action& a, const std::vector<int>& slot_of, const std::vector<model::Act>& acts);

/// A model trace (action ids and the worlds the model says they lead to)
/// re-run on refimpl from the initial state. Each step's refimpl state is
/// abstracted and compared with the model's world; a difference is returned
/// as a readable message (the model and refimpl disagree). On success,
/// `actions` holds the concrete actions for engine::make_concrete_trace.
std::optional<std::string> rerun(const refimpl::Profile& p, const model::Features& f, const std::vector<int>& act_ids,
                                 const std::vector<model::World>& worlds, std::vector<engine::Action>& actions,
                                 refimpl::State& end, refimpl::State& before_end);

}  // namespace reapcheck::symbolic
