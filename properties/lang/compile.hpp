// A parsed predicate (lang/ast.hpp) compiled once per run into a tree of
// operations that are cheap to run on every state and transition of an
// exploration (docs/property-language.md, "Compiled predicates"): every
// fact is resolved to its own reader function, quantifier domains iterate
// the State's tables directly, the profile's facts are constants and what
// they decide is folded away, and `and`/`or`/`=>` still short-circuit.
// The interpreter (eval.hpp) stays the reference: the compiled form must
// give the same value on every state and transition (tests/unit/
// compile_test.cpp compares them on reachable states of several profiles).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "properties/lang/ast.hpp"

namespace reapcheck::props::lang {

namespace compiled {
struct Op;
}

class Compiled {
public:
    /// Compiles `prog` for profile `p` (its facts become constants): the
    /// result is valid for that profile only, and keeps a pointer to it.
    Compiled(const Program& prog, const refimpl::Profile& p);
    Compiled(const Compiled&) = delete;
    Compiled& operator=(const Compiled&) = delete;
    ~Compiled();

    /// run_state(prog, p, s), for the profile compiled for.
    [[nodiscard]] bool state(const refimpl::State& s) const;
    /// run_step(prog, v); v.profile must be the profile compiled for.
    [[nodiscard]] bool step(const StepView& v) const;

    /// The kinds of kernel events (refimpl::Event::Kind) and their bits.
    static constexpr unsigned kEventKinds = 5;
    static constexpr uint32_t kKindSets = 1u << kEventKinds;
    /// The bits of the kinds of `events`, for decided().
    static uint32_t event_kinds(const std::vector<refimpl::Event>& events);
    /// The step predicate's value on every transition whose events have
    /// only the kinds in `kinds` (event_kinds()) and that is a self-loop
    /// (`self_loop`: the successor equals the state) or not, when the
    /// predicate decides it without reading a state: 1 true, 0 false, -1
    /// not decided. E.g. `forall e in notifies: ...` is true without a
    /// notify event, `exists e in reaps: ...` false without a reap, and
    /// `forall p in pids: pre(p.exit_info) => post(p.exit_info)` true on a
    /// self-loop. The explicit engine skips a property whose value decided
    /// here settles nothing (tests/unit/compile_test.cpp compares it with
    /// the interpreter on random walks).
    [[nodiscard]] int decided(bool self_loop, uint32_t kinds) const {
        return decided_[self_loop ? 1 : 0][kinds & (kKindSets - 1)];
    }

    /// The number of compiled operations (constants folded away are not);
    /// operands come before the ops that use them, the root is the last.
    [[nodiscard]] std::size_t ops() const;
    /// Tests only: the k-th operation returns a wrong value from now on
    /// (a boolean negated, any other value plus one), so that a test can
    /// show that its comparison with the interpreter catches a broken op.
    void mutate(std::size_t k);

private:
    std::vector<compiled::Op> ops_;
    std::vector<const compiled::Op*> kids_;
    const compiled::Op* root_ = nullptr;
    const refimpl::Profile* p_;
    int guard_kind_;
    bool guard_value_;
    int8_t decided_[2][kKindSets] = {};
};

}  // namespace reapcheck::props::lang
