// refimpl as a model for the explicit engine (checker/explicit/explorer.hpp): the initial world,
// the alphabet within bounds, one transition per action, canonical forms.
// Shared by check (properties) and the state-graph export.
#pragma once

#include "checker/engine/alphabet.hpp"
#include "checker/engine/canon.hpp"
#include "checker/engine/pack.hpp"

namespace reapcheck::engine {

struct KernelModel {
    using State = refimpl::State;
    using Action = engine::Action;
    using Step = Transition;
    const refimpl::Profile& p;
    const Bounds& b;
    bool symmetry;
    State initial() const { return refimpl::initial_state(); }
    void actions(const State& s, std::vector<Action>& out) const { enabled_actions(s, p, b, out); }
    Step step(const State& s, const Action& a) const { return apply(s, p, a); }
    bool unchanged(const State& s, const Step& t) const { return t.post == s; }
    // Packed canonical states (pack.hpp); the frontier is decoded with unpack.
    void canonical(const State& s, State& canon, std::vector<uint64_t>& words) const {
        canonicalize_into(s, symmetry, canon, words);
    }
    State unpack(const std::vector<uint64_t>& words) const { return unpack_state(words); }
};

}  // namespace reapcheck::engine
