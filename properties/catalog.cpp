#include "properties/catalog.hpp"

namespace reapcheck::props {

using namespace refimpl;
using EK = Event::Kind;

const char* to_string(Kind k) {
    switch (k) {
    case Kind::Always: return "always";
    case Kind::Step: return "step";
    case Kind::Sometimes: return "sometimes";
    case Kind::Eventually: return "eventually";
    }
    return "?";
}

namespace {

bool autoreap_of(const State& s, Id t) { return s.procs[s.tasks[t].proc].autoreap; }
bool linked(const State& s, Id t) { return s.tasks[t].exit_state != ExitState::Released; }
bool has_autoreap(const Profile& p) { return p.has_autoreap; }
bool has_autokill(const Profile& p) { return p.has_autokill; }

/// The process of `t` has exited as a whole: its task has left RUNNING and no
/// other thread of the group is still listed (a delayed leader has not).
bool exited_as_a_whole(const State& s, Id t) {
    return s.tasks[t].exit_state != ExitState::Running && !s.delay_group_leader(t);
}

template <class F>
bool all_events(const StepView& v, EK kind, F f) {
    for (const Event& e : v.events)
        if (e.kind == kind && !f(e)) return false;
    return true;
}
template <class F>
bool any_event(const StepView& v, EK kind, F f) {
    for (const Event& e : v.events)
        if (e.kind == kind && f(e)) return true;
    return false;
}

/// Pidfd files still open (some descriptor refers to them).
template <class F>
bool all_open_files(const State& s, F f) {
    for (Id i = 0; i < Id(s.files.size()); ++i)
        if (s.files[i].refs > 0 && !f(i)) return false;
    return true;
}

bool is_clone_with(const StepView& v, uint64_t bits) {
    return v.call.kind == CallView::Kind::Clone && !v.call.legacy && (v.call.clone_flags & bits) == bits;
}

// --- the CLONE_AUTOREAP commit message ------------------------------------------

bool never_zombie(const Profile&, const State& s) {
    for (Id t = 0; t < Id(s.tasks.size()); ++t)
        if (s.is_leader(t) && autoreap_of(s, t) && s.tasks[t].exit_state == ExitState::Zombie) return false;
    return true;
}

bool never_reapable_zombie(const Profile&, const State& s) {
    for (Id t = 0; t < Id(s.tasks.size()); ++t)
        if (s.is_leader(t) && autoreap_of(s, t) && s.tasks[t].exit_state == ExitState::Zombie &&
            !s.tasks[t].ptraced && s.thread_group_empty(t))
            return false;
    return true;
}

bool selfreap_on_exit(const StepView& v) {
    return all_events(v, EK::Notify, [&](const Event& e) {
        return e.traced || !autoreap_of(v.pre, e.task) || e.selfreap;
    });
}

bool no_exit_signal(const StepView& v) {
    return all_events(v, EK::Notify, [&](const Event& e) {
        return e.traced || !autoreap_of(v.pre, e.task) || e.sig == 0;
    });
}

bool per_process(const StepView& v) {
    return all_events(v, EK::Notify, [&](const Event& e) {
        if (e.traced || autoreap_of(v.pre, e.task) || e.sig != kSIGCHLD) return true;
        return v.pre.sighand_of(e.other).nocldwait || !e.selfreap;
    });
}

bool flag_survives_reparent(const StepView& v) {
    return all_events(v, EK::Reparent, [&](const Event& e) {
        return autoreap_of(v.pre, e.task) == autoreap_of(v.post, e.task);
    });
}

bool pidfd_pollin_on_exit(const Profile& p, const State& s) {
    return all_open_files(s, [&](Id f) {
        const Id t = s.pids[s.files[f].pid].task;
        if (t == kNone || !autoreap_of(s, t) || !exited_as_a_whole(s, t)) return true;
        return (pidfd_poll(s, p, f) & kPOLLIN) != 0;
    });
}

bool exit_info_when_pollin(const Profile& p, const State& s) {
    return all_open_files(s, [&](Id f) {
        const Id t = s.pids[s.files[f].pid].task;
        if (t == kNone || !autoreap_of(s, t)) return true;
        return !(pidfd_poll(s, p, f) & kPOLLIN) || s.pids[s.files[f].pid].exit_info;
    });
}

bool exit_info_when_pollhup(const Profile& p, const State& s) {
    return all_open_files(s, [&](Id f) {
        return !(pidfd_poll(s, p, f) & kPOLLHUP) || s.pids[s.files[f].pid].exit_info;
    });
}

bool exit_signal_zero(const StepView& v) {
    if (!is_clone_with(v, v.profile.autoreap_bit) || v.call.exit_signal == 0) return true;
    return v.result.ret == -kEINVAL;
}

bool rejects_parent(const StepView& v) {
    if (!is_clone_with(v, v.profile.autoreap_bit | kCLONE_PARENT)) return true;
    return v.result.ret == -kEINVAL;
}

bool rejects_thread(const StepView& v) {
    if (!is_clone_with(v, v.profile.autoreap_bit | kCLONE_THREAD)) return true;
    return v.result.ret == -kEINVAL;
}

bool parent_grandchild(const StepView& v) {
    if (v.call.kind != CallView::Kind::Clone || !(v.call.clone_flags & kCLONE_PARENT)) return true;
    if (!autoreap_of(v.pre, v.call.actor) || !v.result.ok()) return true;
    const Id c = v.result.task;
    return !(v.post.tasks[c].exit_signal == 0 && !autoreap_of(v.post, c));
}

bool not_inherited(const StepView& v) {
    if (v.call.kind != CallView::Kind::Clone || !v.result.ok()) return true;
    if (v.call.clone_flags & v.profile.autoreap_bit && !v.call.legacy) return true;
    if (v.call.clone_flags & kCLONE_THREAD) return true;   // a thread shares its process's signal_struct
    return !autoreap_of(v.post, v.result.task);
}

// --- general lifecycle invariants -------------------------------------------------

bool reaped_once(const StepView& v) {
    int reaps = 0;
    for (const Event& e : v.events)
        if (e.kind == EK::Reap && !e.nowait) {
            if (v.pre.tasks[e.task].exit_state != ExitState::Zombie) return false;
            for (const Event& f : v.events)
                if (&f != &e && f.kind == EK::Reap && !f.nowait && f.task == e.task) return false;
            ++reaps;
        }
    return reaps <= 1;
}

bool zombie_has_reaper(const Profile&, const State& s) {
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        if (s.tasks[t].exit_state != ExitState::Zombie) continue;
        const Id parent = s.tasks[t].parent;
        if (parent == kNone) return false;
        bool alive = false;
        for (Id u : s.threads_of(parent)) alive |= linked(s, u);
        if (!alive) return false;
    }
    return true;
}

/// The reaper docs/kernel-rules.md §4.3 prescribes for the children of `father`,
/// derived here independently of refimpl's find_new_reaper: as a process.
Id expected_reaper_proc(const State& s, Id father) {
    for (Id u : s.threads_of(father))
        if (u != father && !s.tasks[u].exiting && s.tasks[u].exit_state == ExitState::Running)
            return s.tasks[father].proc;
    if (s.procs[s.tasks[father].proc].has_child_subreaper) {
        for (Id a = s.tasks[father].real_parent; a != kNone; a = s.tasks[a].real_parent) {
            if (!s.procs[s.tasks[a].proc].is_child_subreaper) continue;
            for (Id u : s.threads_of(a))
                if (!s.tasks[u].exiting && s.tasks[u].exit_state == ExitState::Running) return s.tasks[a].proc;
        }
    }
    return s.tasks[kInit].proc;
}

bool orphan_reaper(const StepView& v) {
    return all_events(v, EK::Reparent, [&](const Event& e) {
        return v.post.tasks[e.other].proc == expected_reaper_proc(v.pre, e.from);
    });
}

bool exit_info_immutable(const StepView& v) {
    for (std::size_t i = 0; i < v.pre.pids.size(); ++i) {
        const Pid& a = v.pre.pids[i];
        const Pid& b = v.post.pids[i];
        if (a.exit_info && (!b.exit_info || a.exit_code != b.exit_code)) return false;
    }
    return true;
}

bool poll_monotonic(const StepView& v) {
    for (Id f = 0; f < Id(v.pre.files.size()); ++f) {
        if (v.pre.files[f].refs == 0 || v.post.files[f].refs == 0) continue;
        const uint32_t before = pidfd_poll(v.pre, v.profile, f), after = pidfd_poll(v.post, v.profile, f);
        if ((before & after) != before) return false;
    }
    return true;
}

bool waiter_woken(const Profile& p, const State& s) {
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        const Wait& w = s.tasks[t].wait;
        if (w.active && !w.woken && !wait_would_block(s, p, t)) return false;
    }
    return true;
}

bool no_untraced_zombie_thread(const Profile&, const State& s) {
    for (Id t = 0; t < Id(s.tasks.size()); ++t)
        if (!s.is_leader(t) && !s.tasks[t].ptraced && s.tasks[t].exit_state == ExitState::Zombie) return false;
    return true;
}

bool init_alive(const Profile&, const State& s) {
    return s.tasks[kInit].exit_state == ExitState::Running && !s.tasks[kInit].exiting;
}

bool no_zombies(const Profile&, const State& s) { return s.zombies() == 0; }

bool no_blocked_waiters(const Profile&, const State& s) {
    for (const Task& t : s.tasks)
        if (t.wait.active) return false;
    return true;
}

bool all_exited_released(const Profile&, const State& s) {
    for (Id t = 0; t < Id(s.tasks.size()); ++t)
        if (autoreap_of(s, t) && s.tasks[t].exit_state != ExitState::Running &&
            s.tasks[t].exit_state != ExitState::Released && s.tasks[t].exit_state != ExitState::Zombie)
            return false;
    return true;
}

// --- auxiliary invariants (for k-induction; also checked by the explicit engine) ----------

bool outside_init(const State& s, Id t) { return !s.same_thread_group(t, kInit); }

bool aux_parents(const Profile&, const State& s) {
    const Task& init = s.tasks[kInit];
    if (init.real_parent != kNone || init.parent != kNone || init.ptraced) return false;
    for (const Pid& pid : s.pids)
        if (pid.nr < 1 || pid.nr >= s.next_pid_nr) return false;
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        const Task& task = s.tasks[t];
        if (!linked(s, t) || !outside_init(s, t)) continue;
        if (task.real_parent == kNone || task.parent == kNone) return false;
        if (!linked(s, task.real_parent) || !linked(s, task.parent)) return false;
        // The ancestry is acyclic: the real-parent chain reaches init's process.
        // (The symbolic form says it by pid order, ancestors being older; the
        // explicit engine's canonical states renumber pids, so not here.)
        Id a = t;
        for (std::size_t hops = 0; a != kNone && outside_init(s, a); ++hops) {
            if (hops > s.tasks.size()) return false;
            a = s.tasks[a].real_parent;
        }
        if (!task.ptraced && task.parent != task.real_parent) return false;
    }
    return true;
}

bool aux_orphans(const Profile&, const State& s) {
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        const Task& task = s.tasks[t];
        if (!linked(s, t) || !outside_init(s, t)) continue;
        if (s.tasks[task.real_parent].exit_state != ExitState::Running) return false;
        if (task.ptraced && s.tasks[task.parent].exit_state != ExitState::Running) return false;
    }
    return true;
}

bool aux_resting(const Profile&, const State& s) {
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        const Task& task = s.tasks[t];
        const Pid& pid = s.pids[task.pid];
        const bool running = task.exit_state == ExitState::Running && !task.exiting;
        if (!running && (task.files != kNone || task.wait.active)) return false;
        if (!task.wait.active && !(task.wait == Wait{})) return false;
        if (task.exit_state == ExitState::Released && task.ptraced) return false;
        const bool past_pidfs_exit = task.exit_state == ExitState::Released ||
                                     (task.exit_state == ExitState::Dead && task.step == Step::Unhash);
        if (pid.exit_info && !past_pidfs_exit) return false;
        if (past_pidfs_exit && (pid.attr == Attr::None || (pid.attr == Attr::Alloc) != pid.exit_info)) return false;
        if (task.exit_state == ExitState::Running && pid.attr == Attr::Dead) return false;
    }
    return all_open_files(s, [&](Id f) { return s.pids[s.files[f].pid].attr == Attr::Alloc; });
}

bool aux_autoreap_flag(const Profile& p, const State& s) {
    if (p.has_autoreap) return true;
    for (const Proc& pr : s.procs)
        if (pr.autoreap) return false;
    return true;
}

// --- properties added by mutation analysis (docs/mutation.md) -------------------------
// Each is keyed on what the program did (the call, the kernel event), never
// only on a flag the mechanism under test maintains, so that it does not turn
// vacuous when that mechanism breaks.

constexpr uint32_t kWallBit = 0x40000000u, kWcloneBit = 0x80000000u;

bool autoreap_set_by_clone(const StepView& v) {
    if (!is_clone_with(v, v.profile.autoreap_bit) || !v.result.ok() || (v.call.clone_flags & kCLONE_THREAD))
        return true;
    return autoreap_of(v.post, v.result.task);
}

bool parent_exit_signal(const StepView& v) {
    if (v.call.kind != CallView::Kind::Clone || !v.result.ok()) return true;
    const uint64_t f = v.call.clone_flags;
    if (!(f & kCLONE_PARENT) || (f & kCLONE_THREAD)) return true;
    const bool autoreap = v.profile.has_autoreap && !v.call.legacy && (f & v.profile.autoreap_bit);
    const int expected = v.profile.autoreap_parent_zero_exit_signal && autoreap
                             ? 0
                             : v.pre.tasks[v.pre.tasks[v.call.actor].leader].exit_signal;
    return v.post.tasks[v.result.task].exit_signal == expected;
}

bool reparent_sigchld(const StepView& v) {
    return all_events(v, EK::Reparent, [&](const Event& e) {
        // reparent_leader leaves an EXIT_DEAD task alone (here also one that
        // exit_ptrace made EXIT_DEAD earlier in the same exit_notify)
        const ExitState st = v.post.tasks[e.task].exit_state;
        if (v.pre.same_thread_group(e.other, e.from) || st == ExitState::Dead || st == ExitState::Released) return true;
        return v.post.tasks[e.task].exit_signal == kSIGCHLD;
    });
}

bool traced_not_selfreaped(const StepView& v) {
    return all_events(v, EK::Notify, [](const Event& e) { return !e.traced || !e.selfreap; });
}

/// The signal do_notify_parent starts from, after the exec-id fix-up (§6.4).
bool notifies_with_sigchld(const State& s, Id task, Id parent) {
    const Task& t = s.tasks[task];
    return t.exit_signal == kSIGCHLD || t.parent_exec_id != s.tasks[parent].self_exec_id;
}

bool ignoring_parent_selfreap(const StepView& v) {
    return all_events(v, EK::Notify, [&](const Event& e) {
        if (e.traced || !notifies_with_sigchld(v.post, e.task, e.other)) return true;
        const Sighand& sh = v.post.sighand_of(e.other);
        return !(sh.sigchld == Handler::Ign || sh.nocldwait) || e.selfreap;
    });
}

bool exec_id_fixup(const StepView& v) {
    return all_events(v, EK::Notify, [&](const Event& e) {
        const Task& t = v.post.tasks[e.task];
        if (e.traced || autoreap_of(v.post, e.task) || t.exit_signal == kSIGCHLD ||
            t.parent_exec_id == v.post.tasks[e.other].self_exec_id)
            return true;
        return e.sig == kSIGCHLD || (e.sig == 0 && v.post.sighand_of(e.other).sigchld == Handler::Ign);
    });
}

bool wnowait_keeps_zombie(const StepView& v) {
    return all_events(v, EK::Reap, [&](const Event& e) {
        return !e.nowait || v.post.tasks[e.task].exit_state == v.pre.tasks[e.task].exit_state;
    });
}

bool wait_selection(const StepView& v) {
    if (v.call.kind != CallView::Kind::Wait) return true;
    const Wait& blocked = v.pre.tasks[v.call.actor].wait;
    const uint32_t opts = blocked.active ? blocked.options : v.call.wait_options;
    if (opts & kWallBit) return true;
    return all_events(v, EK::Reap, [&](const Event& e) {
        const Task& c = v.pre.tasks[e.task];
        return c.ptraced || (c.exit_signal == kSIGCHLD) != bool(opts & kWcloneBit);
    });
}

bool exit_group_kills_threads(const StepView& v) {
    if (v.call.kind != CallView::Kind::Exit || !v.call.group) return true;
    for (Id th : v.pre.threads_of(v.call.actor)) {
        const Task& t = v.post.tasks[th];
        if (th != v.call.actor && t.exit_state == ExitState::Running && !t.exiting && t.step != Step::DoExit)
            return false;
    }
    return true;
}

bool exec_keeps_autoreap(const StepView& v) {
    if (v.call.kind != CallView::Kind::Exec || !v.result.ok()) return true;
    return autoreap_of(v.pre, v.call.actor) == autoreap_of(v.post, v.call.actor);
}

bool exec_resets(const StepView& v) {
    if (v.call.kind != CallView::Kind::Exec || !v.result.ok()) return true;
    const Sighand& sh = v.post.sighand_of(v.call.actor);
    return v.post.tasks[v.call.actor].exit_signal == kSIGCHLD && !sh.nocldwait && sh.sigchld != Handler::User;
}

bool pollhup_iff_released(const Profile& p, const State& s) {
    return all_open_files(s, [&](Id f) {
        const bool released = s.pids[s.files[f].pid].task == kNone;
        return bool(pidfd_poll(s, p, f) & kPOLLHUP) == released;
    });
}

bool autokill_last_reference(const StepView& v) {
    return all_events(v, EK::Autokill, [&](const Event& e) {
        const Id pid = v.pre.tasks[e.task].pid;
        for (Id f = 0; f < Id(v.pre.files.size()) && f < Id(v.post.files.size()); ++f)
            if (v.pre.files[f].pid == pid && v.pre.files[f].refs > 0 && v.post.files[f].refs == 0) return true;
        return false;
    });
}

bool autokill_requires_autoreap(const StepView& v) {
    if (!is_clone_with(v, v.profile.autokill_bit) || (v.call.clone_flags & v.profile.autoreap_bit)) return true;
    return v.result.ret == -kEINVAL;
}

bool legacy_low_bits(const StepView& v) {
    // the view holds what sys_clone keeps: the low 32 bits (trace.cpp)
    if (v.call.kind != CallView::Kind::Clone || !v.call.legacy || v.call.clone_flags != 0) return true;
    return v.result.ok() && !autoreap_of(v.post, v.result.task);
}

bool autokill_requires_privilege(const StepView& v) {
    if (!v.profile.autokill_needs_nnp_or_cap || !is_clone_with(v, v.profile.autokill_bit)) return true;
    if (v.call.clone_flags & v.profile.nnp_bit) return true;
    if (v.pre.tasks[v.call.actor].cap_sys_admin) return true;
    return !v.result.ok();
}

bool nnp_rejects_thread(const StepView& v) {
    if (!is_clone_with(v, v.profile.nnp_bit | kCLONE_THREAD)) return true;
    return v.result.ret == -kEINVAL;
}

bool has_nnp(const Profile& p) { return p.has_nnp; }

// --- covers --------------------------------------------------------------------------

bool c_autoreap_exit(const StepView& v) {
    return any_event(v, EK::Notify, [&](const Event& e) { return autoreap_of(v.pre, e.task) && e.selfreap; });
}
bool c_reparent_subreaper(const StepView& v) {
    return any_event(v, EK::Reparent, [&](const Event& e) {
        return v.post.tasks[e.other].proc != v.pre.tasks[kInit].proc && !v.pre.same_thread_group(e.other, e.from);
    });
}
bool c_wait_reaped(const StepView& v) {
    return any_event(v, EK::Reap, [](const Event& e) { return !e.nowait; });
}
bool c_traced_exit(const StepView& v) {
    return any_event(v, EK::Notify, [](const Event& e) { return e.traced; });
}
bool c_delayed_leader(const Profile&, const State& s) {
    for (Id t = 0; t < Id(s.tasks.size()); ++t)
        if (s.tasks[t].exit_state == ExitState::Zombie && s.delay_group_leader(t)) return true;
    return false;
}
bool c_woken_waiter_completes(const StepView& v) {
    return v.call.kind == CallView::Kind::Wait && v.pre.tasks[v.call.actor].wait.active && !v.result.blocks;
}
bool c_autokill(const StepView& v) {
    return any_event(v, EK::Autokill, [](const Event&) { return true; });
}
bool c_trace_handoff(const StepView& v) {
    return any_event(v, EK::TraceHandoff, [](const Event&) { return true; });
}
bool c_nocldwait_signal(const StepView& v) {
    return any_event(v, EK::Notify, [](const Event& e) { return e.selfreap && e.sig == kSIGCHLD; });
}
bool c_exit_info(const Profile&, const State& s) {
    for (const Pid& p : s.pids)
        if (p.exit_info) return true;
    return false;
}
bool c_zombie_renotified(const StepView& v) {
    // reparent_leader re-announces an existing zombie to its new parent
    for (const Event& r : v.events)
        if (r.kind == EK::Reparent && v.pre.tasks[r.task].exit_state == ExitState::Zombie)
            for (const Event& n : v.events)
                if (n.kind == EK::Notify && n.task == r.task) return true;
    return false;
}

constexpr std::string_view kCommit = "CLONE_AUTOREAP commit message (12ae2c81)";

const std::vector<Property> kCatalog = {
    // ---- claims of the commit message, as worded ----
    {"autoreap.never_zombie", Kind::Always,
     "A CLONE_AUTOREAP child auto-reaps on exit without ever becoming a zombie.",
     kCommit, never_zombie, nullptr, has_autoreap, "", "", true},
    {"autoreap.never_reapable_zombie", Kind::Always,
     "An untraced CLONE_AUTOREAP process whose threads have all exited is never left as a zombie.",
     "refines autoreap.never_zombie; kernel/exit.c:exit_notify, release_task", never_reapable_zombie, nullptr,
     has_autoreap, "autoreap.never_zombie",
     "exit_notify leaves a leader EXIT_ZOMBIE while other threads are listed (delayed group leader), and a "
     "traced task always stays EXIT_ZOMBIE for its tracer (SEMANTICS 4.2, 9.3). Neither is a zombie its parent "
     "could reap: the first self-reaps in the last thread's release_task, the second when the tracer lets go.",
     true},
    {"autoreap.selfreap_on_exit", Kind::Step,
     "Whenever an untraced autoreap child notifies its parent of its death, it reaps itself.",
     "kernel/signal.c:do_notify_parent (series hunk)", nullptr, selfreap_on_exit, has_autoreap, "", "", true},
    {"autoreap.no_exit_signal", Kind::Step,
     "No exit signal is delivered for an untraced autoreap child, whatever its exit_signal and the parent's "
     "SIGCHLD disposition.",
     kCommit, nullptr, no_exit_signal, has_autoreap, "", "", true},
    {"autoreap.per_process", Kind::Step,
     "Autoreap is per-process: an untraced non-autoreap child that notifies with SIGCHLD a parent without "
     "SA_NOCLDWAIT stays a zombie the parent can wait() on.",
     kCommit, nullptr, per_process, nullptr, "", "", true},
    {"autoreap.survives_reparent", Kind::Step,
     "The autoreap flag survives reparenting (to a sibling thread, a subreaper or init).",
     kCommit, nullptr, flag_survives_reparent, has_autoreap, "", "", true},
    {"autoreap.pidfd_pollin", Kind::Always,
     "With CLONE_PIDFD the parent can see the exit by poll(): once the autoreap process has exited, its pidfd "
     "polls POLLIN.",
     kCommit, pidfd_pollin_on_exit, nullptr, has_autoreap, "", "", true},
    {"autoreap.exit_info_on_pollin", Kind::Always,
     "With CLONE_PIDFD the parent can read the exit status with PIDFD_GET_INFO: whenever the pidfd of an "
     "autoreap child polls POLLIN, PIDFD_GET_INFO has its exit information.",
     kCommit, exit_info_when_pollin, nullptr, has_autoreap, "", "", true},
    {"pidfd.exit_info_on_pollhup", Kind::Always,
     "Whenever a pidfd polls POLLHUP (the task is released), PIDFD_GET_INFO has its exit information.",
     "refines autoreap.exit_info_on_pollin; fs/pidfs.c:pidfs_exit, __unhash_process", exit_info_when_pollhup,
     nullptr, nullptr, "autoreap.exit_info_on_pollin",
     "pidfs_exit publishes the exit information at release time, after exit_notify has made the task "
     "EXIT_DEAD (poll already POLLIN) and outside tasklist_lock (SEMANTICS 4.7, 12). Between the two a "
     "reader sees POLLIN without exit information; once the pid is unhashed (POLLHUP) it is always there.",
     true},
    {"autoreap.exit_signal_zero", Kind::Step, "clone3 with CLONE_AUTOREAP and a non-zero exit_signal fails with EINVAL.",
     "kernel/fork.c:copy_process; selftest autoreap_rejects_exit_signal", nullptr, exit_signal_zero, has_autoreap,
     "", "", true},
    {"autoreap.rejects_parent", Kind::Step, "clone3 with CLONE_AUTOREAP | CLONE_PARENT fails with EINVAL.",
     "v4+ kernel/fork.c:copy_process; selftest autoreap_rejects_parent", nullptr, rejects_parent, has_autoreap, "",
     "", true},
    {"autoreap.rejects_thread", Kind::Step, "clone3 with CLONE_AUTOREAP | CLONE_THREAD fails with EINVAL.",
     "kernel/fork.c:copy_process; selftest autoreap_rejects_thread", nullptr, rejects_thread, has_autoreap, "", "",
     false},
    {"autoreap.parent_grandchild", Kind::Step,
     "The CLONE_PARENT child of an autoreap process never becomes a zombie that sends no signal and is never "
     "autoreaped: it is never created with exit_signal 0 and without autoreap.",
     "mainline kernel/fork.c:copy_process (CLONE_PARENT && current->signal->autoreap)", nullptr,
     parent_grandchild, has_autoreap, "", "", true},
    {"autoreap.not_inherited", Kind::Step,
     "The flag is not inherited: a process created without CLONE_AUTOREAP, even by an autoreap process, does "
     "not autoreap.",
     "kernel/fork.c:copy_signal; selftest autoreap_no_inherit", nullptr, not_inherited, has_autoreap, "", "",
     true},
    // ---- general lifecycle ----
    {"lifecycle.reaped_once", Kind::Step, "No task is reaped twice: a wait consumes only a zombie, and once.",
     "kernel/exit.c:wait_task_zombie (cmpxchg on exit_state)", nullptr, reaped_once, nullptr, "", "", true},
    {"lifecycle.zombie_has_reaper", Kind::Always,
     "Every zombie has a parent or tracer whose process still exists to reap it.",
     "kernel/exit.c:forget_original_parent, exit_ptrace", zombie_has_reaper, nullptr, nullptr, "", "", true},
    {"lifecycle.orphan_reaper", Kind::Step,
     "Orphans go to a live sibling thread, else the nearest living subreaper, else init.",
     "kernel/exit.c:find_new_reaper", nullptr, orphan_reaper, nullptr, "", "", true},
    {"lifecycle.exit_info_immutable", Kind::Step, "Exit information, once published, never changes.",
     "fs/pidfs.c:pidfs_exit", nullptr, exit_info_immutable, nullptr, "", "", true},
    {"lifecycle.poll_monotonic", Kind::Step, "Pidfd readiness never goes back: 0, then POLLIN, then POLLIN|POLLHUP.",
     "fs/pidfs.c:pidfd_poll", nullptr, poll_monotonic, nullptr, "", "", true},
    {"lifecycle.waiter_woken", Kind::Always,
     "A blocked waiter whose wait could complete has been woken.",
     "kernel/exit.c:do_wait, child_wait_callback; kernel/signal.c:__wake_up_parent", waiter_woken, nullptr,
     nullptr, "", "", true},
    {"lifecycle.no_untraced_zombie_thread", Kind::Always, "An untraced non-leader thread never stays a zombie.",
     "kernel/exit.c:exit_notify", no_untraced_zombie_thread, nullptr, nullptr, "", "", false},
    {"lifecycle.init_alive", Kind::Always, "The namespace init never exits.", "SEMANTICS 1.6", init_alive, nullptr,
     nullptr, "", "", true},
    // ---- added by mutation analysis (docs/mutation.md): keyed on the call or the kernel event ----
    {"autoreap.set_by_clone", Kind::Step,
     "A successful clone3 with CLONE_AUTOREAP (not a thread) creates an autoreap process.",
     "kernel/fork.c:copy_signal (sig->autoreap); mutant copy_signal.autoreap_needs_pidfd", nullptr,
     autoreap_set_by_clone, has_autoreap, "", "", true},
    {"clone.parent_exit_signal", Kind::Step,
     "A CLONE_PARENT child (clone3 or legacy clone) gets the exit_signal of its creator's group leader, "
     "whatever the call asked for (rfc-v1, rfc-v3: 0 for an autoreap one).",
     "kernel/fork.c:copy_process (p->exit_signal = current->group_leader->exit_signal)", nullptr,
     parent_exit_signal, nullptr, "", "", true},
    {"reparent.exit_signal_sigchld", Kind::Step,
     "A child reparented to another process gets exit_signal SIGCHLD.",
     "kernel/exit.c:reparent_leader", nullptr, reparent_sigchld, nullptr, "", "", true},
    {"ptrace.traced_not_selfreaped", Kind::Step,
     "A traced task that notifies its tracer of its death never reaps itself there: the tracer reaps it "
     "(autoreap, SIG_IGN and SA_NOCLDWAIT apply only to untraced tasks).",
     "kernel/signal.c:do_notify_parent (!tsk->ptrace in both self-reap branches)", nullptr,
     traced_not_selfreaped, nullptr, "", "", true},
    {"signal.ignoring_parent_selfreap", Kind::Step,
     "An untraced child that notifies with SIGCHLD a parent whose SIGCHLD is SIG_IGN or has SA_NOCLDWAIT "
     "reaps itself.",
     "kernel/signal.c:do_notify_parent", nullptr, ignoring_parent_selfreap, nullptr, "", "", true},
    {"signal.exec_id_fixup", Kind::Step,
     "A child whose parent has exec'd since it was created notifies with SIGCHLD, whatever its exit_signal "
     "(or nothing when the parent ignores SIGCHLD).",
     "kernel/signal.c:do_notify_parent (self_exec_id check)", nullptr, exec_id_fixup, nullptr, "", "", false},
    {"wait.wnowait_keeps_zombie", Kind::Step, "A WNOWAIT report leaves the task as it was.",
     "kernel/exit.c:wait_task_zombie (WNOWAIT)", nullptr, wnowait_keeps_zombie, nullptr, "", "", false},
    {"wait.wclone_selection", Kind::Step,
     "Without __WALL, a wait reaps an untraced child only if its exit_signal is SIGCHLD (without __WCLONE) "
     "or is not (with __WCLONE).",
     "kernel/exit.c:eligible_child", nullptr, wait_selection, nullptr, "", "", true},
    {"thread.exit_group_kills", Kind::Step, "exit_group kills every other thread of the process.",
     "kernel/exit.c:do_group_exit, zap_other_threads", nullptr, exit_group_kills_threads, nullptr, "", "", false},
    {"exec.autoreap_kept", Kind::Step, "execve leaves the autoreap flag of the process as it was.",
     "fs/exec.c:begin_new_exec (signal_struct is kept)", nullptr, exec_keeps_autoreap, has_autoreap, "", "",
     false},
    {"exec.resets", Kind::Step,
     "After execve the process's exit_signal is SIGCHLD, SIGCHLD has no handler and SA_NOCLDWAIT is gone.",
     "fs/exec.c:de_thread; kernel/signal.c:flush_signal_handlers", nullptr, exec_resets, nullptr, "", "", false},
    {"pidfd.pollhup_iff_released", Kind::Always,
     "An open pidfd polls POLLHUP exactly when its pid has no task any more (released).",
     "fs/pidfs.c:pidfd_poll", pollhup_iff_released, nullptr, nullptr, "", "", false},
    {"autokill.last_reference", Kind::Step,
     "CLONE_PIDFD_AUTOKILL kills only when the last reference of the pidfd's file goes.",
     "fs/pidfs.c:pidfs_file_release", nullptr, autokill_last_reference, has_autokill, "", "", false},
    {"autokill.requires_autoreap", Kind::Step,
     "clone3 with CLONE_PIDFD_AUTOKILL but without CLONE_AUTOREAP fails with EINVAL.",
     "kernel/fork.c:copy_process; selftest autokill_requires_autoreap", nullptr, autokill_requires_autoreap,
     has_autokill, "", "", false},
    {"clone.legacy_low_bits", Kind::Step,
     "Legacy clone() takes only the low 32 flag bits: one with no flag among them (CLONE_AUTOREAP's bit, "
     "above 32, is dropped) creates a child, and not an autoreap one.",
     "kernel/fork.c:sys_clone (lower_32_bits)", nullptr, legacy_low_bits, has_autoreap, "", "", false},
    {"autokill.requires_privilege", Kind::Step,
     "clone3 with CLONE_PIDFD_AUTOKILL but without CLONE_NNP never succeeds for a caller without "
     "CAP_SYS_ADMIN (EPERM), where the profile has the privilege check.",
     "kernel/fork.c:copy_process (v5, mainline); selftest autokill_requires_cap_sys_admin", nullptr,
     autokill_requires_privilege, has_autokill, "", "", false},
    {"nnp.rejects_thread", Kind::Step, "clone3 with CLONE_NNP | CLONE_THREAD fails with EINVAL.",
     "kernel/fork.c:copy_process; selftest nnp_rejects_thread", nullptr, nnp_rejects_thread, has_nnp, "", "",
     false},
    // ---- auxiliary invariants: strengthen k-induction in `reapcheck prove` (model/properties.cpp) ----
    {"aux.parents", Kind::Always,
     "Every task outside init's process has a real parent and a parent that are not released, and its "
     "real-parent chain leads to init (no cycle); an untraced "
     "task's parent is its real parent; init has no parent and is not traced.",
     "kernel/exit.c:forget_original_parent, release_task; kernel/ptrace.c:__ptrace_unlink", aux_parents, nullptr,
     nullptr, "", "", true},
    {"aux.orphans", Kind::Always,
     "No task keeps a real parent or tracer that has passed exit_notify: the children and tracees of an "
     "exiting task are handed over before it becomes a zombie.",
     "kernel/exit.c:exit_notify, forget_original_parent; kernel/ptrace.c:exit_ptrace", aux_orphans, nullptr,
     nullptr, "", "", true},
    {"aux.resting", Kind::Always,
     "Only a running task holds descriptors or waits; woken implies waiting; open pidfds refer to pids with "
     "pidfs attr; exit information appears only after pidfs_exit; a released task is not traced; a pid is "
     "marked dead only after its task left RUNNING.",
     "kernel/exit.c:do_exit (exit_files), fs/pidfs.c:pidfs_exit, pidfs_register_pid", aux_resting, nullptr,
     nullptr, "", "", true},
    {"aux.autoreap_flag", Kind::Always, "Only profiles with CLONE_AUTOREAP have autoreap processes.",
     "kernel/fork.c:copy_signal", aux_autoreap_flag, nullptr, nullptr, "", "", true},
    // ---- liveness (branching: from every reachable state the good states stay reachable) ----
    {"eventually.zombies_reapable", Kind::Eventually,
     "Every zombie can still be reaped: from every reachable state, a state without zombies is reachable.",
     "kernel/exit.c:wait_task_zombie", no_zombies, nullptr, nullptr, "", "", false},
    {"eventually.waiters_wake", Kind::Eventually,
     "Every blocked waiter can still be woken: from every reachable state, a state without blocked waiters "
     "is reachable.",
     "kernel/exit.c:do_wait", no_blocked_waiters, nullptr, nullptr, "", "", false},
    {"eventually.autoreap_released", Kind::Eventually,
     "Every autoreap task that exited is eventually released (no exited autoreap task stays DEAD).",
     "kernel/exit.c:release_task", all_exited_released, nullptr, has_autoreap, "", "", false},
    // ---- covers ----
    {"cover.autoreap_exit", Kind::Sometimes, "An autoreap child exits and reaps itself.", kCommit, nullptr,
     c_autoreap_exit, has_autoreap, "", "", false},
    {"cover.reparent_to_subreaper", Kind::Sometimes, "A child is reparented to a subreaper.",
     "kernel/exit.c:find_new_reaper", nullptr, c_reparent_subreaper, nullptr, "", "", false},
    {"cover.wait_reaped_zombie", Kind::Sometimes, "A wait reaps a zombie.", "kernel/exit.c:wait_task_zombie",
     nullptr, c_wait_reaped, nullptr, "", "", false},
    {"cover.traced_exit", Kind::Sometimes, "A traced task exits.", "kernel/exit.c:exit_notify", nullptr,
     c_traced_exit, nullptr, "", "", false},
    {"cover.trace_handoff", Kind::Sometimes, "A tracer reaps a tracee whose real parent is another process.",
     "kernel/exit.c:wait_task_zombie (EXIT_TRACE)", nullptr, c_trace_handoff, nullptr, "", "", false},
    {"cover.delayed_leader", Kind::Sometimes, "A group leader exits while other threads live.",
     "kernel/exit.c:exit_notify", c_delayed_leader, nullptr, nullptr, "", "", false},
    {"cover.woken_waiter_completes", Kind::Sometimes, "A blocked waiter is woken and its wait completes.",
     "kernel/exit.c:do_wait", nullptr, c_woken_waiter_completes, nullptr, "", "", false},
    {"cover.autokill", Kind::Sometimes, "Closing the last reference of an AUTOKILL pidfd kills the child.",
     "fs/pidfs.c:pidfs_file_release", nullptr, c_autokill, has_autokill, "", "", false},
    {"cover.nocldwait_selfreap_signal", Kind::Sometimes,
     "A child of an SA_NOCLDWAIT parent reaps itself and SIGCHLD is still sent.", "kernel/signal.c:do_notify_parent",
     nullptr, c_nocldwait_signal, nullptr, "", "", false},
    {"cover.zombie_renotified", Kind::Sometimes, "A zombie is re-announced to its new parent at reparenting.",
     "kernel/exit.c:reparent_leader", nullptr, c_zombie_renotified, nullptr, "", "", false},
    {"cover.exit_info_published", Kind::Sometimes, "Exit information is published for a pid with a pidfd.",
     "fs/pidfs.c:pidfs_exit", c_exit_info, nullptr, nullptr, "", "", false},
};

}  // namespace

const std::vector<Property>& catalog() { return kCatalog; }

const Property* find(std::string_view id) {
    for (const auto& p : all())
        if (p.id == id) return &p;
    return nullptr;
}

}  // namespace reapcheck::props
