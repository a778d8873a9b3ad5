// The model as Z3 terms: a world of N slots (model/world.hpp) as state
// variables, the initial world, and one guarded update per action of the
// symbolic alphabet, per profile. With checker/symbolic/, the only code that
// includes z3++.h; Z3 exceptions are translated to ModelError here and there.
//
// Each update follows the refimpl function it models (and through it the
// kernel function cited there), but is written independently as terms over
// slots: crosscheck compares the two.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <z3++.h>

#include "model/world.hpp"
#include "refimpl/profile.hpp"

namespace reapcheck::model {

struct ModelError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// One slot's state variables (Int or Bool terms, fields as in Slot). The
/// thread fields ldr, gx, gcode are variables only when the model has
/// threads (Features::threads > 1); otherwise they are the constants of a
/// single-threaded process (kNoSlot, false, 0), which no update writes, so
/// the no-thread encoding is what it was without them. Likewise the exec
/// fields sxid, pxid (and SymWorld::next_xid) are variables only with
/// Features::exec, else the constants 0 (and 1); ak (the slot's pidfd is its
/// pid's AUTOKILL file) is a variable only with Features::autokill, nocap
/// (CAP_SYS_ADMIN dropped) only with Features::capset; otherwise both are
/// false.
struct SymSlot {
    z3::expr st, nr, rp, par, ptraced, sib, pseq, esig, code, autoreap, is_sub, has_sub, ign, nocldwait, pending,
        fd, attr, info, info_code, wact, woken, wall, ldr, gx, gcode, sxid, pxid, ak, nocap;
};

struct SymWorld {
    std::vector<SymSlot> slot;
    z3::expr next_nr, next_seq;
    z3::expr next_xid;   ///< World::next_xid
};

/// What a transition did, per slot, as terms (the counterpart of refimpl's
/// Event records, refimpl/events.hpp): each slot is notified, reparented and
/// reaped at most once per transition. Slot references are kNoSlot when the
/// event did not happen; the other fields are then false.
struct SymEvents {
    std::vector<z3::expr> ntf;         ///< do_notify_parent(slot) ran
    std::vector<z3::expr> ntf_to;      ///< ... to this parent slot
    std::vector<z3::expr> ntf_sig;     ///< ... and sent SIGCHLD (refimpl: sig != 0)
    std::vector<z3::expr> ntf_self;    ///< ... and the task reaps itself
    std::vector<z3::expr> ntf_traced;  ///< ... while traced
    std::vector<z3::expr> rep;         ///< forget_original_parent moved the slot
    std::vector<z3::expr> rep_from;    ///< ... from this (exiting) slot
    std::vector<z3::expr> rep_to;      ///< ... to this reaper slot
    std::vector<z3::expr> reaped;      ///< wait_task_zombie consumed (or, with nowait, reported) the slot
    std::vector<z3::expr> reaper;      ///< ... in a wait by this slot
    // Variables only with Features::autokill / wnowait (else constants false).
    std::vector<z3::expr> autokill;    ///< pidfs_file_release SIGKILLed the slot's process (refimpl Event Autokill)
    std::vector<z3::expr> nowait;      ///< the reap is a WNOWAIT report (the slot stays as it was)
};

/// An action's effect: whether the alphabet offers it in the pre-state, the
/// post-state (meaningful where enabled), and the call's observable result.
struct SymStep {
    z3::expr enabled;
    SymWorld post;
    z3::expr ret;      ///< the return value (negative errno on failure)
    z3::expr blocks;   ///< the call went to sleep
    z3::expr status;   ///< wait status of a reaped child, else 0
    SymEvents ev;      ///< what the transition did
    /// The update cases this action's terms distinguish (a rule of the
    /// modelled kernel function, or a branch of it), each with the guard under
    /// which the transition takes it; crosscheck reports which were reached.
    std::vector<std::pair<std::string, z3::expr>> cases;
};

/// The successor as terms of the pre-state and the action variable
/// (SymModel::compact_next): the constraint that the action is enabled, and
/// the post-state, return value and events it leads to.
struct SymNext {
    z3::expr enabled;
    SymWorld post;
    z3::expr ret;
    SymEvents ev;
};

class SymModel {
public:
    SymModel(z3::context& ctx, const refimpl::Profile& profile, Features features);

    [[nodiscard]] z3::context& ctx() const { return ctx_; }
    [[nodiscard]] const Features& features() const { return f_; }
    [[nodiscard]] const refimpl::Profile& profile() const { return p_; }
    [[nodiscard]] const std::vector<Act>& acts() const { return acts_; }
    [[nodiscard]] int slots() const { return f_.slots; }
    /// Whether the thread-group fields are variables (Features::threads > 1,
    /// or kill, or autokill, whose SIGKILL sets SIGNAL_GROUP_EXIT and zaps
    /// the group).
    [[nodiscard]] bool threads() const { return f_.threads > 1 || f_.kill || f_.autokill; }
    /// Whether the exec fields are variables (Features::exec).
    [[nodiscard]] bool exec() const { return f_.exec; }
    /// The fields of SymSlot that are state variables, in declaration order.
    [[nodiscard]] std::vector<z3::expr SymSlot::*> state_fields() const;

    /// Fresh state variables named `<prefix>.<field><slot>`.
    [[nodiscard]] SymWorld vars(const std::string& prefix) const;
    /// A concrete world as numerals.
    [[nodiscard]] SymWorld constant(const World& w) const;
    /// Field-wise equality.
    [[nodiscard]] z3::expr equal(const SymWorld& a, const SymWorld& b) const;
    /// The initial world.
    [[nodiscard]] z3::expr initial(const SymWorld& w) const;
    /// Value ranges of every variable (statuses, slot references, attr).
    [[nodiscard]] z3::expr domain(const SymWorld& w) const;
    /// The update of one action (with its update cases when `with_cases`).
    [[nodiscard]] SymStep step(const SymWorld& w, const Act& a, bool with_cases = false) const;
    /// The transition relation: action `act` (an index into acts()) is
    /// enabled in `pre` and leads to `post` with return value `ret` and
    /// events `ev`, written compactly for the solver (compact_next): each
    /// post-state field, the return value and each event is one term, an
    /// if-then-else over the groups of actions that give it the same
    /// (simplified) value, defaulting to the pre-state's value (no change) or
    /// to no event; each action contributes its enabledness. Most actions
    /// leave most fields alone, so the relation is a fraction of the size of
    /// one full update per action. bmc and prove build compact_next once over
    /// template variables and instantiate it by substitution
    /// (checker/symbolic/engine.cpp); crosscheck enumerates successor sets
    /// from compact_transition.
    [[nodiscard]] SymNext compact_next(const SymWorld& pre, const z3::expr& act) const;
    [[nodiscard]] z3::expr compact_transition(const SymWorld& pre, const SymWorld& post, const z3::expr& act,
                                              const z3::expr& ret, const SymEvents& ev) const;
    /// Every variable of a world / an event record, in a fixed order (for substitution).
    void flatten(const SymWorld& w, z3::expr_vector& out) const;
    void flatten(const SymEvents& e, z3::expr_vector& out) const;
    /// The inverse of flatten, from position `at` on (advanced past what is read).
    [[nodiscard]] SymWorld unflatten_world(const z3::expr_vector& v, unsigned& at) const;
    [[nodiscard]] SymEvents unflatten_events(const z3::expr_vector& v, unsigned& at) const;
    /// Fresh event variables named `<prefix>.<field><slot>`.
    [[nodiscard]] SymEvents event_vars(const std::string& prefix) const;
    /// Field-wise equality of two event records.
    [[nodiscard]] z3::expr events_equal(const SymEvents& a, const SymEvents& b) const;

    /// Predicates over worlds used by properties.
    [[nodiscard]] z3::expr linked(const SymWorld& w, int k) const;
    /// Whether a wait4(-1) of slot t (with __WALL or not) would go to sleep.
    [[nodiscard]] z3::expr wait_would_block(const SymWorld& w, int t, const z3::expr& wall) const;
    /// Whether it would report a task (refimpl's wait_would_report).
    [[nodiscard]] z3::expr wait_would_report(const SymWorld& w, int t, const z3::expr& wall) const;

    /// Reads a world out of a Z3 model.
    [[nodiscard]] World value(const z3::model& m, const SymWorld& w) const;

private:
    z3::context& ctx_;
    refimpl::Profile p_;
    Features f_;
    std::vector<Act> acts_;
};

}  // namespace reapcheck::model
