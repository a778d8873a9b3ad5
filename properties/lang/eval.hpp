// Evaluation of a parsed predicate (lang/ast.hpp) on a state or a transition.
#pragma once

#include "properties/lang/ast.hpp"

namespace reapcheck::props::lang {

/// A state predicate: facts read `s`.
bool run_state(const Program& prog, const refimpl::Profile& p, const refimpl::State& s);
/// A transition predicate: facts read the pre-state unless inside post(...).
bool run_step(const Program& prog, const StepView& v);

}  // namespace reapcheck::props::lang
