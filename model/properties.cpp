// Symbolic forms of the catalog's `always` properties over the slot world,
// each the counterpart of the predicate of the same id in
// properties/catalog.cpp, and the auxiliary invariants (aux.*) that make
// them inductive. tests/unit/model_test.cpp checks that each form agrees
// with the catalog's predicate on every state of an explicit exploration.
#include "model/symbolic.hpp"

namespace reapcheck::model {

namespace {

using z3::expr;

template <class F>
expr all_slots(const SymModel& m, F f) {
    z3::expr_vector v(m.ctx());
    for (int k = 0; k < m.slots(); ++k) v.push_back(f(k));
    return v.empty() ? m.ctx().bool_val(true) : z3::mk_and(v);
}

expr exited(const SymWorld& w, int k) {
    return w.slot[k].st == kZombie || w.slot[k].st == kDeadP || w.slot[k].st == kDeadU;
}

/// For every open pidfd (slot j's descriptor on slot k's pid).
template <class F>
expr all_pidfds(const SymModel& m, const SymWorld& w, F f) {
    return all_slots(m, [&](int j) {
        return all_slots(m, [&](int k) { return z3::implies(w.slot[j].fd == k, f(k)); });
    });
}

expr never_zombie(const SymModel& m, const SymWorld& w) {
    return all_slots(m, [&](int k) { return !(w.slot[k].autoreap && w.slot[k].st == kZombie); });
}
expr never_reapable_zombie(const SymModel& m, const SymWorld& w) {
    return all_slots(m, [&](int k) {
        return !(w.slot[k].autoreap && w.slot[k].st == kZombie && !w.slot[k].ptraced);
    });
}
// pidfd_poll: a linked task that left RUNNING polls POLLIN; a released pid POLLIN|POLLHUP.
expr pidfd_pollin(const SymModel& m, const SymWorld& w) {
    return all_pidfds(m, w, [&](int k) {
        const expr pollin = !m.linked(w, k) || exited(w, k);
        return z3::implies(m.linked(w, k) && w.slot[k].autoreap && exited(w, k), pollin);
    });
}
expr exit_info_on_pollin(const SymModel& m, const SymWorld& w) {
    return all_pidfds(m, w, [&](int k) {
        return z3::implies(m.linked(w, k) && w.slot[k].autoreap && exited(w, k), w.slot[k].info);
    });
}
expr exit_info_on_pollhup(const SymModel& m, const SymWorld& w) {
    return all_pidfds(m, w, [&](int k) { return z3::implies(!m.linked(w, k), w.slot[k].info); });
}
expr zombie_has_reaper(const SymModel& m, const SymWorld& w) {
    return all_slots(m, [&](int k) {
        expr alive = m.ctx().bool_val(false);
        for (int j = 0; j < m.slots(); ++j) alive = alive || (w.slot[k].par == j && m.linked(w, j));
        return z3::implies(w.slot[k].st == kZombie, alive);
    });
}
expr waiter_woken(const SymModel& m, const SymWorld& w) {
    return all_slots(m, [&](int t) {
        return z3::implies(w.slot[t].wact && !w.slot[t].woken, m.wait_would_block(w, t, w.slot[t].wall));
    });
}
expr init_alive(const SymModel&, const SymWorld& w) { return w.slot[0].st == kRun; }

// ---- auxiliary invariants ---------------------------------------------------------

/// Parent links: every linked task but init has a linked, older real parent
/// and a linked parent; only init has none; the parent is the real parent
/// unless traced.
expr aux_parents(const SymModel& m, const SymWorld& w) {
    return all_slots(m, [&](int k) {
        const SymSlot& s = w.slot[k];
        if (k == 0) return s.rp == kNoSlot && s.par == kNoSlot && !s.ptraced && s.nr >= 1 && s.nr < w.next_nr;
        expr rp_ok = m.ctx().bool_val(false), par_ok = m.ctx().bool_val(false);
        for (int j = 0; j < m.slots(); ++j) {
            if (j == k) continue;
            // an ancestor is older: pid numbers are never reused, so the real
            // parent's is smaller (this makes the ancestry acyclic)
            rp_ok = rp_ok || (s.rp == j && m.linked(w, j) && w.slot[j].nr < s.nr);
            par_ok = par_ok || (s.par == j && m.linked(w, j));
        }
        return z3::implies(m.linked(w, k), rp_ok && par_ok && z3::implies(!s.ptraced, s.par == s.rp)) &&
               z3::implies(s.st != kFree, s.nr >= 1 && s.nr < w.next_nr);
    });
}

/// A task whose parent or real parent has exited is past exit_notify itself
/// only if it was reparented: a child of an exited (not running) task is
/// dead, or the parent is a tracer that is still running.
expr aux_orphans(const SymModel& m, const SymWorld& w) {
    return all_slots(m, [&](int k) {
        const SymSlot& s = w.slot[k];
        expr ok = m.ctx().bool_val(true);
        for (int j = 0; j < m.slots(); ++j) {
            const SymSlot& p = w.slot[j];
            // a real parent past exit_notify has handed its children over
            ok = ok && z3::implies(m.linked(w, k) && s.rp == j && p.st != kRun && p.st != kExiting, 
                                   m.ctx().bool_val(false));
            // a tracer past exit_notify has detached its tracees
            ok = ok && z3::implies(m.linked(w, k) && s.ptraced && s.par == j && p.st != kRun && p.st != kExiting,
                                   m.ctx().bool_val(false));
        }
        return ok;
    });
}

/// Fields of slots that are free, released or not running have their
/// resting values: only a running task holds a pidfd or waits; a woken flag
/// needs an active wait; pidfds refer to linked or released (held) pids
/// with pidfs attr allocated; exit info only after pidfs_exit, and then
/// exactly for a pid with pidfs attr allocated. The clauses
/// on FREE and held RELEASED slots are the slot encoding's own hygiene (true
/// of every abstracted refimpl state by construction).
expr aux_resting(const SymModel& m, const SymWorld& w) {
    return all_slots(m, [&](int k) {
        const SymSlot& s = w.slot[k];
        expr fd_ok = s.fd == kNoSlot;
        for (int j = 0; j < m.slots(); ++j)
            fd_ok = fd_ok || (s.fd == j && (m.linked(w, j) || w.slot[j].st == kGone) && w.slot[j].attr == 2);
        expr held = m.ctx().bool_val(false);
        for (int j = 0; j < m.slots(); ++j) held = held || w.slot[j].fd == k;
        return z3::implies(s.st != kRun, s.fd == kNoSlot && !s.wact) && z3::implies(s.woken, s.wact) &&
               z3::implies(!s.wact, !s.wall && !s.woken) && fd_ok && z3::implies(s.st == kGone, held) &&
               z3::implies(s.st == kFree, s.attr == 0 && !s.info && !held) &&
               z3::implies(s.info, s.st == kDeadU || s.st == kGone) &&
               z3::implies(s.st == kDeadU || s.st == kGone, s.attr != 0 && (s.attr == 2) == s.info) &&
               z3::implies(s.st == kGone || s.st == kFree, !s.ptraced) &&
               z3::implies(m.linked(w, k) && (s.st == kRun || s.st == kExiting), s.attr != 1);
    });
}

/// Only profiles with the flag have autoreap processes.
expr aux_autoreap_flag(const SymModel& m, const SymWorld& w) {
    if (m.profile().has_autoreap) return m.ctx().bool_val(true);
    return all_slots(m, [&](int k) { return !w.slot[k].autoreap; });
}

// ---- step properties over one transition ------------------------------------------

/// The conjunction over the model's clone actions of `f(i, act)`.
template <class F>
expr over_clones(const SymModel& m, F f) {
    z3::expr_vector v(m.ctx());
    for (std::size_t i = 0; i < m.acts().size(); ++i)
        if (m.acts()[i].kind == ActKind::Clone) v.push_back(f(int(i), m.acts()[i]));
    return v.empty() ? m.ctx().bool_val(true) : z3::mk_and(v);
}

/// The slot a successful clone filled: FREE before, RUNNING after.
template <class F>
expr new_child(const SymModel& m, const SymTransition& tr, F f) {
    return all_slots(m, [&](int k) {
        return z3::implies(tr.pre.slot[k].st == kFree && tr.post.slot[k].st == kRun, f(k));
    });
}

constexpr int kEINVAL = 22;

expr exit_signal_zero(const SymModel& m, const SymTransition& tr) {
    return over_clones(m, [&](int i, const Act& a) {
        if (!(a.flags & kFlagAutoreap) || !a.sigchld) return m.ctx().bool_val(true);
        return z3::implies(tr.act == i, tr.ret == -kEINVAL);
    });
}
expr rejects_parent(const SymModel& m, const SymTransition& tr) {
    return over_clones(m, [&](int i, const Act& a) {
        if ((a.flags & (kFlagAutoreap | kFlagParent)) != (kFlagAutoreap | kFlagParent)) return m.ctx().bool_val(true);
        return z3::implies(tr.act == i, tr.ret == -kEINVAL);
    });
}
expr parent_grandchild(const SymModel& m, const SymTransition& tr) {
    return over_clones(m, [&](int i, const Act& a) {
        if (!(a.flags & kFlagParent)) return m.ctx().bool_val(true);
        return z3::implies(tr.act == i && tr.pre.slot[a.actor].autoreap && tr.ret >= 0,
                           new_child(m, tr, [&](int k) { return tr.post.slot[k].esig || tr.post.slot[k].autoreap; }));
    });
}
expr not_inherited(const SymModel& m, const SymTransition& tr) {
    return over_clones(m, [&](int i, const Act& a) {
        if (a.flags & kFlagAutoreap) return m.ctx().bool_val(true);
        return z3::implies(tr.act == i && tr.ret >= 0,
                           new_child(m, tr, [&](int k) { return !tr.post.slot[k].autoreap; }));
    });
}
/// A pid's published exit information never changes (the slot keeps the pid
/// while it is not FREE; its number says it is the same pid).
expr exit_info_immutable(const SymModel& m, const SymTransition& tr) {
    return all_slots(m, [&](int k) {
        const SymSlot &a = tr.pre.slot[k], &b = tr.post.slot[k];
        return z3::implies(a.st != kFree && b.st != kFree && a.nr == b.nr && a.info,
                           b.info && b.info_code == a.info_code);
    });
}
/// pidfd_poll's level: 0 running, POLLIN once exited, POLLIN|POLLHUP once released.
expr poll_level(const SymModel& m, const SymWorld& w, int k) {
    const expr& st = w.slot[k].st;
    z3::context& c = m.ctx();
    return z3::ite(st == kGone, c.int_val(2),
                   z3::ite(st == kZombie || st == kDeadP || st == kDeadU, c.int_val(1), c.int_val(0)));
}
expr poll_monotonic(const SymModel& m, const SymTransition& tr) {
    return all_slots(m, [&](int j) {
        return all_slots(m, [&](int k) {
            return z3::implies(tr.pre.slot[j].fd == k && tr.post.slot[j].fd == k,
                               poll_level(m, tr.post, k) >= poll_level(m, tr.pre, k));
        });
    });
}

// ---- step properties over the transition's events (SymEvents) ---------------------

/// The value of a boolean field of the slot `idx` refers to (false for none).
expr field_of(const SymModel& m, const SymWorld& w, const expr& idx, expr SymSlot::*f) {
    expr out = m.ctx().bool_val(false);
    for (int k = 0; k < m.slots(); ++k) out = z3::ite(idx == k, w.slot[k].*f, out);
    return out;
}

/// Every do_notify_parent of an untraced task of the transition satisfies f(k).
template <class F>
expr all_untraced_notifies(const SymModel& m, const SymTransition& tr, F f) {
    return all_slots(m, [&](int k) { return z3::implies(tr.ev.ntf[k] && !tr.ev.ntf_traced[k], f(k)); });
}

expr selfreap_on_exit(const SymModel& m, const SymTransition& tr) {
    return all_untraced_notifies(m, tr, [&](int k) { return z3::implies(tr.pre.slot[k].autoreap, tr.ev.ntf_self[k]); });
}
expr no_exit_signal(const SymModel& m, const SymTransition& tr) {
    return all_untraced_notifies(m, tr, [&](int k) { return z3::implies(tr.pre.slot[k].autoreap, !tr.ev.ntf_sig[k]); });
}
expr per_process(const SymModel& m, const SymTransition& tr) {
    return all_untraced_notifies(m, tr, [&](int k) {
        return z3::implies(!tr.pre.slot[k].autoreap && tr.ev.ntf_sig[k],
                           field_of(m, tr.pre, tr.ev.ntf_to[k], &SymSlot::nocldwait) || !tr.ev.ntf_self[k]);
    });
}
expr survives_reparent(const SymModel& m, const SymTransition& tr) {
    return all_slots(m, [&](int k) {
        return z3::implies(tr.ev.rep[k], tr.pre.slot[k].autoreap == tr.post.slot[k].autoreap);
    });
}
expr reaped_once(const SymModel& m, const SymTransition& tr) {
    expr reaps = m.ctx().int_val(0);
    for (int k = 0; k < m.slots(); ++k) reaps = reaps + z3::ite(tr.ev.reaped[k], m.ctx().int_val(1), m.ctx().int_val(0));
    return reaps <= 1 &&
           all_slots(m, [&](int k) { return z3::implies(tr.ev.reaped[k], tr.pre.slot[k].st == kZombie); });
}
/// docs/kernel-rules.md §4.3 for single-threaded processes, read off the
/// pre-state: the nearest running subreaper on the real-parent chain of
/// `father` when it has has_child_subreaper, else init.
expr expected_reaper(const SymModel& m, const SymWorld& w, int father) {
    std::vector<expr> chain;
    expr a = w.slot[father].rp;
    for (int lvl = 0; lvl < m.slots(); ++lvl) {
        chain.push_back(a);
        expr up = m.ctx().int_val(kNoSlot);
        for (int k = 0; k < m.slots(); ++k) up = z3::ite(a == k, w.slot[k].rp, up);
        a = up;
    }
    expr r = m.ctx().int_val(0);
    for (int lvl = int(chain.size()) - 1; lvl >= 0; --lvl) {
        expr ok = m.ctx().bool_val(false);
        for (int k = 0; k < m.slots(); ++k) ok = ok || (chain[lvl] == k && w.slot[k].is_sub && w.slot[k].st == kRun);
        r = z3::ite(ok, chain[lvl], r);
    }
    return z3::ite(w.slot[father].has_sub, r, m.ctx().int_val(0));
}
expr orphan_reaper(const SymModel& m, const SymTransition& tr) {
    return all_slots(m, [&](int k) {
        return all_slots(m, [&](int father) {
            return z3::implies(tr.ev.rep[k] && tr.ev.rep_from[k] == father,
                               tr.ev.rep_to[k] == expected_reaper(m, tr.pre, father));
        });
    });
}
expr traced_not_selfreaped(const SymModel& m, const SymTransition& tr) {
    return all_slots(m, [&](int k) { return z3::implies(tr.ev.ntf[k] && tr.ev.ntf_traced[k], !tr.ev.ntf_self[k]); });
}
/// The model has no execve, so the exec-id fix-up never applies: a task
/// notifies with SIGCHLD exactly when its exit_signal is SIGCHLD.
expr ignoring_parent_selfreap(const SymModel& m, const SymTransition& tr) {
    return all_untraced_notifies(m, tr, [&](int k) {
        const expr& to = tr.ev.ntf_to[k];
        const expr ignoring = field_of(m, tr.post, to, &SymSlot::ign) || field_of(m, tr.post, to, &SymSlot::nocldwait);
        return z3::implies(tr.post.slot[k].esig && ignoring, tr.ev.ntf_self[k]);
    });
}
expr reparent_sigchld(const SymModel& m, const SymTransition& tr) {
    return all_slots(m, [&](int k) {
        const expr& st = tr.post.slot[k].st;
        const expr dead = st == kDeadP || st == kDeadU || st == kGone || st == kFree;
        return z3::implies(tr.ev.rep[k] && !dead, tr.post.slot[k].esig);
    });
}
/// Without __WALL (the model has no __WCLONE), a wait reaps an untraced child
/// only if its exit_signal is SIGCHLD. waitid P_PIDFD always has __WALL.
expr wclone_selection(const SymModel& m, const SymTransition& tr) {
    z3::expr_vector v(m.ctx());
    for (std::size_t i = 0; i < m.acts().size(); ++i) {
        const Act& a = m.acts()[i];
        expr no_wall = m.ctx().bool_val(false);
        if (a.kind == ActKind::Wait4 && !a.wall) no_wall = m.ctx().bool_val(true);
        else if (a.kind == ActKind::Resume) no_wall = !tr.pre.slot[a.actor].wall;
        else continue;
        v.push_back(z3::implies(tr.act == int(i) && no_wall, all_slots(m, [&](int k) {
                                    return z3::implies(tr.ev.reaped[k], tr.pre.slot[k].ptraced || tr.pre.slot[k].esig);
                                })));
    }
    return v.empty() ? m.ctx().bool_val(true) : z3::mk_and(v);
}

expr set_by_clone(const SymModel& m, const SymTransition& tr) {
    return over_clones(m, [&](int i, const Act& a) {
        if (!(a.flags & kFlagAutoreap)) return m.ctx().bool_val(true);
        return z3::implies(tr.act == i && tr.ret >= 0,
                           new_child(m, tr, [&](int k) { return tr.post.slot[k].autoreap; }));
    });
}
expr parent_exit_signal(const SymModel& m, const SymTransition& tr) {
    return over_clones(m, [&](int i, const Act& a) {
        if (!(a.flags & kFlagParent)) return m.ctx().bool_val(true);
        const refimpl::Profile& p = m.profile();
        const bool zero = p.autoreap_parent_zero_exit_signal && p.has_autoreap && (a.flags & kFlagAutoreap);
        const expr expected = zero ? m.ctx().bool_val(false) : tr.pre.slot[a.actor].esig;
        return z3::implies(tr.act == i && tr.ret >= 0,
                           new_child(m, tr, [&](int k) { return tr.post.slot[k].esig == expected; }));
    });
}

const std::vector<SymProperty> kSymbolic = {
    {"autoreap.never_zombie", never_zombie, ""},
    {"autoreap.never_reapable_zombie", never_reapable_zombie, ""},
    {"autoreap.pidfd_pollin", pidfd_pollin, ""},
    {"autoreap.exit_info_on_pollin", exit_info_on_pollin, ""},
    {"pidfd.exit_info_on_pollhup", exit_info_on_pollhup, ""},
    {"lifecycle.zombie_has_reaper", zombie_has_reaper, ""},
    {"lifecycle.waiter_woken", waiter_woken, ""},
    {"lifecycle.no_untraced_zombie_thread", nullptr,
     "about non-leader threads; the symbolic model has single-threaded processes only (no CLONE_THREAD)"},
    {"lifecycle.init_alive", init_alive, ""},
    {"autoreap.exit_signal_zero", nullptr, "", exit_signal_zero},
    {"autoreap.rejects_parent", nullptr, "", rejects_parent},
    {"autoreap.rejects_thread", nullptr,
     "about CLONE_THREAD, which the symbolic model does not have (a form would hold vacuously)"},
    {"autoreap.parent_grandchild", nullptr, "", parent_grandchild},
    {"autoreap.not_inherited", nullptr, "", not_inherited},
    {"lifecycle.exit_info_immutable", nullptr, "", exit_info_immutable},
    {"lifecycle.poll_monotonic", nullptr, "", poll_monotonic},
    {"autoreap.selfreap_on_exit", nullptr, "", selfreap_on_exit},
    {"autoreap.no_exit_signal", nullptr, "", no_exit_signal},
    {"autoreap.per_process", nullptr, "", per_process},
    {"autoreap.survives_reparent", nullptr, "", survives_reparent},
    {"lifecycle.reaped_once", nullptr, "", reaped_once},
    {"lifecycle.orphan_reaper", nullptr, "", orphan_reaper},
    {"autoreap.set_by_clone", nullptr, "", set_by_clone},
    {"clone.parent_exit_signal", nullptr, "", parent_exit_signal},
    {"reparent.exit_signal_sigchld", nullptr, "", reparent_sigchld},
    {"ptrace.traced_not_selfreaped", nullptr, "", traced_not_selfreaped},
    {"signal.ignoring_parent_selfreap", nullptr, "", ignoring_parent_selfreap},
    {"signal.exec_id_fixup", nullptr,
     "about a parent that has exec'd; the symbolic model has no execve (a form would hold vacuously)"},
    {"wait.wnowait_keeps_zombie", nullptr,
     "about WNOWAIT, which the symbolic alphabet does not have (a form would hold vacuously)"},
    {"wait.wclone_selection", nullptr, "", wclone_selection},
    {"thread.exit_group_kills", nullptr, "about threads; the symbolic model has single-threaded processes only"},
    {"exec.autoreap_kept", nullptr, "about execve, which the symbolic model does not have"},
    {"exec.resets", nullptr, "about execve, which the symbolic model does not have"},
    {"pidfd.pollhup_iff_released", nullptr, "no form written yet (added by the mutation analysis, docs/mutation.md); the explicit engine checks it"},
    {"autokill.last_reference", nullptr, "about CLONE_PIDFD_AUTOKILL, which the symbolic model does not have"},
    {"autokill.requires_autoreap", nullptr, "about CLONE_PIDFD_AUTOKILL, which the symbolic model does not have"},
    {"nnp.rejects_thread", nullptr, "about CLONE_NNP and CLONE_THREAD, which the symbolic model does not have"},
    {"clone.legacy_low_bits", nullptr, "about legacy clone(), which the symbolic model does not have"},
    {"autokill.requires_privilege", nullptr,
     "about CLONE_PIDFD_AUTOKILL and CAP_SYS_ADMIN, which the symbolic model does not have"},
    {"aux.parents", aux_parents, ""},
    {"aux.orphans", aux_orphans, ""},
    {"aux.resting", aux_resting, ""},
    {"aux.autoreap_flag", aux_autoreap_flag, ""},
};

}  // namespace

const std::vector<SymProperty>& symbolic_properties() { return kSymbolic; }

const SymProperty* find_symbolic(const std::string& id) {
    for (const auto& p : kSymbolic)
        if (p.id == id) return &p;
    return nullptr;
}

}  // namespace reapcheck::model
