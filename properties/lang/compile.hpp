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

    /// The kernel events (a bit per refimpl::Event::Kind) the predicate is
    /// about when it is `forall e in <events of a kind>: ...` (0 otherwise):
    /// on a transition without such an event it is true (step() says so too;
    /// the explicit engine skips such a step property without calling it).
    [[nodiscard]] uint32_t vacuous_without() const { return vacuous_without_; }
    /// The bits of the kinds of `events`, for vacuous_without().
    static uint32_t event_kinds(const std::vector<refimpl::Event>& events);

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
    uint32_t vacuous_without_ = 0;
};

}  // namespace reapcheck::props::lang
