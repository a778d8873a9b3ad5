// The symbolic form of a property, read from its text: a translation of the
// property language's typed tree (properties/lang/ast.hpp,
// docs/property-language.md) into Z3 terms over the slot model
// (model/symbolic.hpp). Quantifiers over tasks, processes, pidfds, pids,
// children, ancestors and the transition's kernel events unroll over the N
// slots; facts are read from the slot fields; the call is one of the
// model's actions (a step form is a conjunction over the actions, each with
// the call's facts as constants); the profile's facts are constants.
//
// This is the only symbolic reading of the catalog: bmc, prove and
// crosscheck take every form from here, and crosscheck compares each with
// the explicit evaluation of the same text (properties/lang/eval.cpp) on
// every state and transition it visits.
//
// A construct the model has no counterpart for fails the translation
// (Untranslatable: "<construct> (file:line)"). A construct about a feature
// the model lacks (threads, execve, WNOWAIT, AUTOKILL, ...) reads its one
// value in the model (a single-threaded process is its own leader, no task
// has exec'd, no wait has WNOWAIT); when such a reading makes the whole form
// trivially true, the property has no symbolic form either (it would hold
// vacuously), and the construct is named.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/symbolic.hpp"
#include "properties/catalog.hpp"
#include "properties/lang/ast.hpp"

namespace reapcheck::symbolic {

/// "<construct> (file:line)": what has no symbolic form, and where.
struct Untranslatable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// One transition as a step form reads it: the pre- and post-state, the
/// action (an index into SymModel::acts(), Int or bit-vector), the return
/// value and the kernel events.
struct SymTransition {
    const model::SymWorld& pre;
    const model::SymWorld& post;
    const z3::expr& act;
    const z3::expr& ret;
    const model::SymEvents& ev;
};

class Translator {
public:
    explicit Translator(const model::SymModel& m);
    /// An `always` property's form over one world.
    [[nodiscard]] z3::expr state(const props::lang::Program& prog, const model::SymWorld& w) const;
    /// A `step` property's form over one transition.
    [[nodiscard]] z3::expr step(const props::lang::Program& prog, const SymTransition& tr) const;
    /// The same form for a transition known to take action `act` (an index
    /// into SymModel::acts()): the conjunct of that action alone (crosscheck,
    /// which knows the action of every transition it checks).
    [[nodiscard]] z3::expr step_of(const props::lang::Program& prog, const SymTransition& tr, int act) const;
    /// Empty when `prog` has a symbolic form; else why not: the construct
    /// and its place ("no symbolic form: " is the caller's).
    [[nodiscard]] std::string why_not(const props::lang::Program& prog, bool state) const;

private:
    const model::SymModel& m_;
    std::vector<props::CallView> calls_;   ///< per action: the call as the explicit engine sees it
};

/// A property of bmc/prove/crosscheck with its text: `prog` is null when it
/// has none (then `why` says so).
struct TextForm {
    const props::Property* prop = nullptr;
    const props::lang::Program* prog = nullptr;
    bool state = true;      ///< an `always` property (else `step`)
    std::string why;        ///< non-empty: no symbolic form, and why
};

/// The parsed text of property `p` (every property, built-in or user, is
/// its text: properties/catalog/*.rcp embedded in the binary, or a user's
/// file). Null only for an evaluator without a program.
const props::lang::Program* program_of(const props::Property& p);

/// Lemmas of the slot model that no catalog property states, because they
/// are about the encoding (a FREE slot has its resting values, a RELEASED
/// slot's pid is held by a pidfd) or true only of single-threaded processes
/// (a task's real parent is older than it, so that the real-parent relation
/// is acyclic; nobody is its own parent). prove proves them jointly with the
/// aux.* invariants, in parts (slots_lemmas below); crosscheck checks them
/// on the abstraction of every refimpl state it visits. Written here, not in
/// the property language, because they read slots rather than tasks.
inline constexpr std::string_view kSlotsInvariant = "model.lemmas";
/// The whole conjunction (what crosscheck and param.cpp assume).
z3::expr slots_invariant(const model::SymModel& m, const model::SymWorld& w);

/// model.lemmas in parts, one per group of lemmas: model.lemmas.free (a
/// FREE slot's resting values, the AUTOKILL mark, a RELEASED slot's holder),
/// .autokill (nobody holds its own process's AUTOKILL pidfd; with
/// --autokill), .parents (nobody its own parent; the real parent older), .exec (a dead
/// pid's task is past pidfs_exit; with --exec), .threads (the thread fields
/// of unlisted, zapped and group-exiting slots, init's group, the group
/// size; with threads) and .leader.<k> (slot k's leader and what the
/// thread shares with it; with threads, one part per slot, selected
/// together as model.lemmas.leader). Their conjunction is slots_invariant.
/// prove proves the
/// parts as separate hypotheses (engine.cpp), so that one part the solver
/// does not settle does not take the others' help away.
struct SlotsLemma {
    std::string id;   ///< model.lemmas.<part>
    z3::expr holds;
};
std::vector<SlotsLemma> slots_lemmas(const model::SymModel& m, const model::SymWorld& w);
/// The ids of the parts the model's features give, in order.
std::vector<std::string> slots_lemma_ids(const model::SymModel& m);
/// One part by id (a ModelError for an id slots_lemma_ids does not list).
z3::expr slots_lemma(const model::SymModel& m, const model::SymWorld& w, const std::string& id);

}  // namespace reapcheck::symbolic
