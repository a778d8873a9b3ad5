// The property catalog: one table. Each property has a stable dotted id, a
// kind, the claim in words, its source, and a predicate over refimpl states
// or transitions. Properties as worded are kept even when violated; a refined
// property next to one says what does hold, and why (its `refines` and
// `note`). Nothing is ever weakened to pass.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "refimpl/events.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::props {

namespace lang { struct Program; }

enum class Kind : uint8_t {
    Always,      ///< the state predicate holds in every reachable state
    Step,        ///< the transition predicate holds on every explored transition
    Sometimes,   ///< a cover: some reachable state / transition satisfies it (must be hit)
    Eventually,  ///< from every reachable state a state satisfying it is reachable
};
const char* to_string(Kind k);

/// The call a transition made, independent of the scenario language.
struct CallView {
    enum class Kind : uint8_t { Clone, Wait, Exit, KernelStep, Exec, Other } kind = Kind::Other;
    refimpl::Id actor = refimpl::kNone;
    uint64_t clone_flags = 0;       ///< resolved bits (Clone)
    int64_t exit_signal = 0;        ///< Clone
    bool legacy = false;            ///< legacy clone(2)
    uint32_t wait_options = 0;      ///< Wait (for a resumed wait: the blocked wait's, from the pre-state)
    bool group = false;             ///< Exit: exit_group
};

struct StepView {
    const refimpl::Profile& profile;
    const refimpl::State& pre;
    const refimpl::State& post;
    const CallView& call;
    const refimpl::SysResult& result;
    const refimpl::EventSink& events;
};

using StatePred = bool (*)(const refimpl::Profile&, const refimpl::State&);
using StepPred = bool (*)(const StepView&);
using Applies = bool (*)(const refimpl::Profile&);

/// A predicate that is not a compiled function: a property read from a file
/// of the property language (properties/lang/, docs/property-language.md).
/// The built-in properties keep their function pointers; the engine calls
/// through this interface only for properties that have no pointer.
class Evaluator {
public:
    virtual ~Evaluator() = default;
    [[nodiscard]] virtual bool reads_state() const = 0;   ///< a state predicate (else a transition one)
    [[nodiscard]] virtual bool state(const refimpl::Profile& p, const refimpl::State& s) const = 0;
    [[nodiscard]] virtual bool step(const StepView& v) const = 0;
    [[nodiscard]] virtual bool applies(const refimpl::Profile& p) const = 0;
    /// Why the Z3 model has no form of it: the first construct it cannot read.
    [[nodiscard]] virtual std::string no_symbolic_form() const = 0;
    /// file:line:column of the definition.
    [[nodiscard]] virtual std::string origin() const = 0;
    /// The parsed predicate (properties/lang/ast.hpp), which the Z3 model
    /// translates (checker/symbolic/to_z3.cpp); nullptr: none.
    [[nodiscard]] virtual const lang::Program* program() const { return nullptr; }
};

struct Property {
    std::string_view id;
    Kind kind;
    std::string_view claim;     ///< in words, as close to the source as a predicate allows
    std::string_view source;    ///< commit message sentence, selftest, kernel function
    StatePred state = nullptr;  ///< Always / Eventually / Sometimes over states
    StepPred step = nullptr;    ///< Step / Sometimes over transitions
    Applies applies = nullptr;  ///< nullptr = every profile; else n/a where false
    std::string_view refines;   ///< id of the as-worded property this one refines
    std::string_view note;      ///< why the refinement, what the counterexample shows
    bool symbolic = false;      ///< has a Z3 form (model/)
    const Evaluator* text = nullptr;   ///< a user property's predicate (then state, step, applies are null)

    [[nodiscard]] bool has_state() const { return state != nullptr || (text && text->reads_state()); }
    [[nodiscard]] bool has_step() const { return step != nullptr || (text && !text->reads_state()); }
    [[nodiscard]] bool holds(const refimpl::Profile& p, const refimpl::State& s) const {
        return state ? state(p, s) : text->state(p, s);
    }
    [[nodiscard]] bool holds(const StepView& v) const { return step ? step(v) : text->step(v); }
    [[nodiscard]] bool applies_to(const refimpl::Profile& p) const {
        return text ? text->applies(p) : (!applies || applies(p));
    }
};

/// The whole built-in catalog, in a fixed order.
const std::vector<Property>& catalog();
/// The catalog followed by the user properties added so far, in load order
/// (properties/registry.cpp). Add before an exploration starts, not during.
const std::vector<Property>& all();
/// Adds a property read from a file; its views and `text` must outlive the
/// registry (the language's loader keeps them). The id must be new.
void add_user(const Property& p);
/// Forgets every user property (tests), and every use_text.
void clear_user();
/// Makes the engines evaluate built-in property `id` with `text` (its form in
/// the property language) instead of its compiled predicate; `text` must
/// outlive the registry. Throws std::logic_error for an unknown id.
void use_text(std::string_view id, const Evaluator* text);
/// nullptr when unknown; user properties included.
const Property* find(std::string_view id);

}  // namespace reapcheck::props
