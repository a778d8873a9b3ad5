// refimpl as a model for the explicit engine (checker/explicit/explorer.hpp): the initial world,
// the alphabet within bounds, one transition per action, canonical forms.
// Shared by check (properties) and the state-graph export.
#pragma once

#include <stdexcept>

#include "checker/engine/alphabet.hpp"
#include "checker/engine/canon.hpp"
#include "checker/engine/pack.hpp"
#include "checker/engine/por.hpp"
#include "checker/scenario/printer.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::engine {

/// A transition broke one of refimpl's contracts (REAPCHECK_REQUIRE, checked
/// in every build): the model reached a state its own invariants exclude,
/// e.g. under a mutant (refimpl/mutants.hpp). Carries the action and the state
/// it was applied to. check() catches it around one exploration and reports
/// a model error for that exploration; the others go on.
struct ModelError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The action as a statement with its actor's task index (no scenario names).
inline std::string describe_action(const Action& a) {
    std::string s = "task#" + std::to_string(a.r.actor) + ": " +
                    (a.kernel ? std::string("kernel step ") + scn::print_call(a.call) : scn::print_call(a.call));
    if (a.r.target != refimpl::kNone) s += " (target task#" + std::to_string(a.r.target) + ")";
    if (a.r.fd >= 0) s += " (fd " + std::to_string(a.r.fd) + ")";
    return s;
}

struct KernelModel {
    using State = refimpl::State;
    using Action = engine::Action;
    using Step = Transition;
    const refimpl::Profile& p;
    const Bounds& b;
    bool symmetry;
    State initial() const { return refimpl::initial_state(); }
    void actions(const State& s, std::vector<Action>& out) const { enabled_actions(s, p, b, out); }
    Step step(const State& s, const Action& a) const {
        try {
            return apply(s, p, a);
        } catch (const refimpl::ContractError& e) {
            throw ModelError(std::string(e.what()) + "\n  action: " + describe_action(a) + "\n  state:\n" + describe(s));
        }
    }
    bool unchanged(const State& s, const Step& t) const { return same_state(t.post, s); }
    // Packed canonical states (pack.hpp); the frontier is decoded with unpack.
    void canonical(const State& s, State& canon, std::vector<uint64_t>& words) const {
        canonicalize_into(s, symmetry, canon, words);
    }
    /// The canonical successor's words only (the explorer needs no State of it).
    void canonical_words(const State& s, std::vector<uint64_t>& words) const {
        engine::canonical_words(s, symmetry, words);
    }
    State unpack(const std::vector<uint64_t>& words) const { return unpack_state(words); }
    /// Partial-order reduction (--por): set by check() when on.
    const por::Reducer* reducer = nullptr;
    int ample(const State& s, const std::vector<Action>& acts) const {
        return reducer ? reducer->ample(s, acts) : -1;
    }
};

}  // namespace reapcheck::engine
