// The parameterized model (`reapcheck prove --unbounded`, docs/unbounded.md):
// the symbolic model of model/symbolic.cpp over an uninterpreted sort of
// tasks instead of N slots, so that a proof holds for every number of tasks.
//
// A world is a set of symbols over the sort Task: the slot fields of
// model::Slot as functions (`st : Task -> Int`, `autoreap : Task -> Bool`,
// `rp : Task -> Task` with `has_rp : Task -> Bool` for "not none", ...), the
// list orders (sibling_seq, ptrace_seq) as binary relations `slt` and `plt`,
// and the real-parent ancestry `anc` as a maintained relation (the
// reflexive-transitive closure of rp), through which find_new_reaper's
// "nearest running subreaper" and propagate_has_child_subreaper's "every
// descendant" are first-order. A transition picks its actor and target (and
// the new task of a clone, the reaper of exit_notify, the child a wait
// reaps) as parameters; its post-state is written per symbol as a term of
// the pre-state, following model/symbolic.cpp case by case.
//
// The same code builds a second reading of the model in which Task is N
// integers 0..N-1 and every quantifier is a conjunction or disjunction over
// them: the finite instance that `--agree N` compares with the N-slot model
// (the transition relation per action of model::alphabet, as crosscheck
// compares refimpl with the N-slot model).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <z3++.h>

#include "model/symbolic.hpp"
#include "model/world.hpp"
#include "refimpl/profile.hpp"

namespace reapcheck::symbolic::param {

using z3::expr;

/// A side condition of chosen parameters (Universe::choose, witness), with
/// the names of the symbols it constrains: a query includes it only when it
/// reads one of them (so that the conditions of choices a goal does not read
/// give the solver nothing to instantiate).
struct Side {
    std::vector<std::string> symbols;
    expr cond;
};
using Sides = std::vector<Side>;

/// The sort of tasks: an uninterpreted sort (quantifiers), or N numerals.
class Universe {
public:
    /// The uninterpreted sort Task, with the distinguished tasks init and main.
    explicit Universe(z3::context& c);
    /// The finite instance: Task is the integers 0..n-1, init 0, main 1.
    Universe(z3::context& c, int n);

    [[nodiscard]] z3::context& ctx() const { return c_; }
    [[nodiscard]] bool finite() const { return n_ > 0; }
    [[nodiscard]] int size() const { return n_; }
    [[nodiscard]] const z3::sort& sort() const { return sort_; }
    [[nodiscard]] const expr& init() const { return init_; }
    [[nodiscard]] const expr& main() const { return main_; }
    [[nodiscard]] expr elem(int k) const;   ///< finite: the numeral k

    [[nodiscard]] expr forall(const std::function<expr(const expr&)>& body) const;
    [[nodiscard]] expr exists(const std::function<expr(const expr&)>& body) const;
    /// A fresh task-valued parameter (uninterpreted universe).
    [[nodiscard]] expr fresh(const std::string& name) const;
    struct Choice {
        expr elem;    ///< the chosen task
        expr found;   ///< some task satisfies the predicate (then elem does)
    };
    /// "The task that satisfies `pred`, else `dflt`": finite: the first
    /// numeral that satisfies it; uninterpreted: a fresh parameter and a
    /// fresh boolean `found`, with the conditions (universal only, so they
    /// stay in the hypotheses' EPR part) that found implies pred(elem) and
    /// not found implies that no task satisfies pred, added to `side`.
    Choice choose(const std::string& name, const std::function<expr(const expr&)>& pred, const expr& dflt,
                  Sides& side) const;
    /// "Some task satisfies pred", as choose(...).found.
    expr some(const std::string& name, const std::function<expr(const expr&)>& pred, Sides& side) const;
    /// "For x, some task c satisfies pred(x, c)", per x: finite: a
    /// disjunction; uninterpreted: fresh functions found : Task -> Bool and
    /// w : Task -> Task (a Skolem function) with the universal conditions of
    /// choose, so that the existential does not turn universal when the
    /// post-state's invariant is negated.
    std::function<expr(const expr&)> witness(const std::string& name,
                                             const std::function<expr(const expr&, const expr&)>& pred,
                                             Sides& side) const;

private:
    z3::context& c_;
    int n_ = 0;
    z3::sort sort_;
    expr init_, main_;
    mutable int fresh_ = 0;
};

/// A unary or binary field: a term of its argument(s), memoized per
/// argument (post-states nest many updates; without the memo a term that
/// reads a field twice would be built twice per level).
class F1 {
public:
    F1() = default;
    explicit F1(std::function<expr(const expr&)> f)
        : f_(std::make_shared<std::function<expr(const expr&)>>(std::move(f))),
          memo_(std::make_shared<std::unordered_map<unsigned, std::pair<expr, expr>>>()) {}
    expr operator()(const expr& x) const;
private:
    std::shared_ptr<std::function<expr(const expr&)>> f_;
    /// by the argument's AST id: the argument (kept alive, so that its id is
    /// not reused) and the result
    std::shared_ptr<std::unordered_map<unsigned, std::pair<expr, expr>>> memo_;
};
class F2 {
public:
    F2() = default;
    explicit F2(std::function<expr(const expr&, const expr&)> f)
        : f_(std::make_shared<std::function<expr(const expr&, const expr&)>>(std::move(f))),
          memo_(std::make_shared<std::unordered_map<uint64_t, std::pair<z3::expr_vector, expr>>>()) {}
    expr operator()(const expr& x, const expr& y) const;
private:
    std::shared_ptr<std::function<expr(const expr&, const expr&)>> f_;
    std::shared_ptr<std::unordered_map<uint64_t, std::pair<z3::expr_vector, expr>>> memo_;
};

/// A world over the sort Task. Int fields: st (model::St), nr, code, attr,
/// info_code; Task fields with their "not none" flag: rp/has_rp, par/has_par,
/// fd/has_fd. slt(a, b): a comes before b on a children list (sibling_seq,
/// ties by slot), plt the same for ptrace_seq; anc(a, b): a is b or an
/// ancestor of b on the real-parent chain.
struct PWorld {
    F1 st, nr, code, attr, info_code;
    F1 ptraced, esig, autoreap, is_sub, has_sub, ign, nocldwait, pending, info, wact, woken, wall;
    F1 rp, has_rp, par, has_par, fd, has_fd;
    F2 slt, plt, anc;
    expr next_nr;
};

/// The kernel events of a transition (model::SymEvents), per task.
struct PEvents {
    F1 ntf, ntf_to, ntf_sig, ntf_self, ntf_traced, rep, rep_from, rep_to, reaped, reaper;
};

/// One action of the parameterized alphabet: an action of model::alphabet
/// with its actor and target slots replaced by parameters.
struct PAct {
    model::Act act;            ///< kind and arguments (actor/target slots unused)
    bool has_target = false;
};

struct PStep {
    expr enabled;              ///< the alphabet offers it
    Sides sides;               ///< the conditions of its chosen parameters
    PWorld post;
    expr ret, status;
    PEvents ev;
    expr actor, target;        ///< the parameters
    std::optional<expr> child; ///< clone: the new task (result.task); a wait: the reaped one
    expr got;                  ///< the call created / reaped it
    std::vector<std::pair<std::string, expr>> params;   ///< every parameter, for a counterexample
};

class PModel {
public:
    PModel(const Universe& u, const refimpl::Profile& p, const model::Features& f);

    [[nodiscard]] const Universe& universe() const { return u_; }
    [[nodiscard]] const refimpl::Profile& profile() const { return p_; }
    [[nodiscard]] const std::vector<PAct>& acts() const { return acts_; }

    /// A world of fresh uninterpreted symbols named `<prefix>.<field>` (uninterpreted universe only).
    [[nodiscard]] PWorld symbols(const std::string& prefix) const;
    /// The reading of an N-slot world in the finite universe (anc: the
    /// closure of rp, unrolled N times).
    [[nodiscard]] PWorld of_slots(const model::SymWorld& w) const;
    /// The initial world: init and main running, every other task FREE.
    [[nodiscard]] expr initial(const PWorld& w) const;
    /// Lemmas of the encoding (as model.lemmas for the N-slot model):
    /// statuses and attrs in range, a FREE task has its resting values and
    /// no pidfd refers to it, a RELEASED task's pid is held by a pidfd.
    [[nodiscard]] expr lemmas(const PWorld& w) const;
    [[nodiscard]] std::vector<std::pair<std::string, expr>> lemma_parts(const PWorld& w) const;
    /// Action `a` with actor `actor` (and target) from `pre`.
    [[nodiscard]] PStep step(const PWorld& pre, const PAct& a, const expr& actor, const expr& target) const;
    /// Fresh parameters for action `a` (uninterpreted universe).
    [[nodiscard]] PStep step(const PWorld& pre, const PAct& a) const;

    [[nodiscard]] expr linked(const PWorld& w, const expr& x) const;

    /// A world of the finite model read back as model::World (CTI printing):
    /// `elems` in the order of the slots to print.
    [[nodiscard]] model::World value(const z3::model& m, const PWorld& w, const std::vector<expr>& elems) const;

private:
    const Universe& u_;
    refimpl::Profile p_;
    model::Features f_;
    std::vector<PAct> acts_;
};

/// The agreement of the finite instance with the N-slot model
/// (model/symbolic.hpp, the model without threads): per action of
/// model::alphabet, over every pre-state in the value ranges that satisfies
/// model.lemmas and whose list positions lie below next_seq, the
/// parameterized action is enabled exactly when the N-slot one is, and then
/// its post-state, return value and events equal the N-slot ones (the list
/// orders compared on linked tasks: both models read them only there).
struct AgreeResult {
    int slots = 0;
    int actions = 0;
    std::vector<std::string> disagreements;   ///< action: what differs, with a pre-state
    int unknown = 0;
    double seconds = 0;
};
/// The N-slot pre-states agree() compares the models on (and the property
/// translations, unbounded.cpp): the value ranges, model.lemmas, parents
/// reset on FREE and RELEASED slots, only running tasks holding a pidfd, and
/// the list positions of linked tasks below next_seq.
expr agreement_states(const model::SymModel& sm, const model::SymWorld& pre);
/// What an agreement compares over: the finite instance of f.slots tasks
/// and the N-slot model of the same features, one N-slot pre-state `pre`
/// read in both (`pw`), and the pre-states compared (`base`).
struct Instance {
    Instance(const refimpl::Profile& p, const model::Features& f);
    model::Features f;   ///< tasks 0: the parameterized model has no bound on live tasks, the slots are the bound
    z3::context c;
    Universe u;
    PModel pm;
    model::SymModel sm;
    model::SymWorld pre;
    PWorld pw;
    expr base;
};
/// The parameterized action of the same kind and arguments as `a`, or null.
const PAct* same_act(const PModel& pm, const model::Act& a);
/// query_rlimit: Z3 resource units per query (0: none), as --query-rlimit.
AgreeResult agree(const refimpl::Profile& p, const model::Features& f, double query_seconds,
                  unsigned query_rlimit = 0);

}  // namespace reapcheck::symbolic::param
