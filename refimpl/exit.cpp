// kernel/exit.c: do_exit, exit_notify, reparenting, release_task and the wait
// family (docs/kernel-rules.md §4, §5). Lock context: exit_notify, reparenting and
// unhash are write-locked critical sections and each is one transition here;
// pidfs_exit runs outside tasklist_lock and is a transition of its own.
#include <algorithm>

#include "refimpl/internal.hpp"

namespace reapcheck::refimpl {

using namespace detail;

namespace {
constexpr int kBlock = 512;   // -ERESTARTSYS inside do_wait: "go to sleep"
constexpr uint32_t kAllWait4 = 0x1 | 0x2 | 0x8 | 0x20000000u | 0x40000000u | 0x80000000u;
constexpr uint32_t kAllWaitid =
    0x1 | 0x01000000u | 0x4 | 0x2 | 0x8 | 0x20000000u | 0x40000000u | 0x80000000u;
constexpr uint32_t kWNOHANG = 0x1, kWEXITED = 0x4, kWSTOPPED = 0x2, kWCONTINUED = 0x8,
                   kWNOWAIT = 0x01000000u, kWNOTHREAD = 0x20000000u, kWALL = 0x40000000u,
                   kWCLONE = 0x80000000u;

int16_t exit_status(int code) { return int16_t((code & 0xff) << 8); }
}  // namespace

namespace detail {

/// do_exit up to exit_notify (kernel/exit.c): synchronize_group_exit,
/// PF_EXITING, signal->live, exit_code, exit_files (whose deferred fputs,
/// AUTOKILL's kill included, run before exit_notify). Leaves out: mm, fs,
/// ptrace_event(PTRACE_EVENT_EXIT), job control.
void do_exit(State& s, const Profile& p, Id t, int16_t code) {
    // A thread killed while blocked in do_wait: the SIGKILL wakes it, and
    // do_wait's loop calls __do_wait again before it looks at
    // signal_pending, so the dying waiter still reaps a zombie that has
    // become ready (the child whose exit signal killed it, say). Its result
    // goes nowhere: the thread is on its way out.
    if (s.tasks[t].wait.active) {
        const Wait w = s.tasks[t].wait;
        s.tasks[t].wait = Wait{};
        do_wait_scan(s, p, t, w);
    }
    Task& task = s.tasks[t];
    REAPCHECK_REQUIRE(!task.exiting && task.exit_state == ExitState::Running);
    REAPCHECK_REQUIRE(!cannot_end_process(s, t, false));   // the namespace init never exits
    Proc& pr = s.procs[task.proc];
    // synchronize_group_exit: the last thread to leave sets the group code.
    if (--pr.quick_threads == 0 && !pr.group_exit) {
        pr.group_exit = true;
        pr.group_exit_code = code;
    }
    task.exiting = true;
    task.wait = Wait{};
    pr.live--;
    task.exit_code = code;
    task.step = Step::ExitNotify;
    const Id table = task.files;
    task.files = kNone;
    put_files_struct(s, p, table);
}

void release_task_begin(State& s, Id t) {
    s.tasks[t].exit_state = ExitState::Dead;
    s.tasks[t].step = Step::PidfsExit;
}

}  // namespace detail

namespace {

/// reparent_leader (kernel/exit.c): a child moving to another process gets
/// exit_signal SIGCHLD, and an existing zombie is announced to its new parent.
void reparent_leader(State& s, const Profile& p, Id father, Id c, std::vector<Id>& dead) {
    (void)father;
    Task& ct = s.tasks[c];
    if (ct.exit_state == ExitState::Dead) return;
    if (p.fault != Fault::ReparentKeepsExitSignal) ct.exit_signal = kSigchldValue;
    if (p.fault == Fault::ReparentClearsAutoreap) s.procs[ct.proc].autoreap = false;
    if (!ct.ptraced && ct.exit_state == ExitState::Zombie && s.thread_group_empty(c) &&
        p.fault != Fault::NoRenotify) {
        if (do_notify_parent(s, p, c, kSIGCHLD)) {
            s.tasks[c].exit_state = ExitState::Dead;
            dead.push_back(c);
        }
    }
    // kill_orphaned_pgrp: job control, out of scope.
}

/// find_new_reaper (kernel/exit.c): a live sibling thread; else, with
/// has_child_subreaper, the nearest ancestor subreaper with a live thread;
/// else the namespace's child_reaper (init; find_child_reaper is trivial
/// because the model's init never exits).
Id find_new_reaper(const State& s, const Profile& p, Id father) {
    if (Id th = s.find_alive_thread(father); th != kNone && p.fault != Fault::NoSiblingThread) return th;
    Id farthest = kNone;
    if (s.procs[s.tasks[father].proc].has_child_subreaper && p.fault != Fault::NoSubreaper) {
        for (Id r = s.tasks[father].real_parent; r != kNone; r = s.tasks[r].real_parent) {
            if (!s.procs[s.tasks[r].proc].is_child_subreaper) continue;
            if (p.fault == Fault::ExitingSubreaper) return r;
            Id th = s.find_alive_thread(r);
            if (th != kNone && p.fault == Fault::FarthestSubreaper) {
                farthest = th;
                continue;
            }
            if (th != kNone) return th;
        }
    }
    return farthest != kNone ? farthest : kInit;
}

/// exit_ptrace (kernel/ptrace.c): an exiting tracer detaches every tracee;
/// zombies that __ptrace_detach says are dead are released afterwards.
void exit_ptrace(State& s, const Profile& p, Id tracer, std::vector<Id>& dead) {
    for (Id c : s.ptraced_of(tracer))
        if (ptrace_detach_locked(s, p, tracer, c)) dead.push_back(c);
}

/// forget_original_parent (kernel/exit.c).
void forget_original_parent(State& s, const Profile& p, Id father, std::vector<Id>& dead) {
    exit_ptrace(s, p, father, dead);
    const auto children = s.children_of(father);
    if (children.empty()) return;
    const Id reaper = find_new_reaper(s, p, father);
    REAPCHECK_REQUIRE(reaper != kNone && s.tasks[reaper].exit_state != ExitState::Released);
    const bool other_process = !s.same_thread_group(reaper, father);
    for (Id c : children) {
        for (Id t : s.threads_of(c)) {
            Task& tt = s.tasks[t];
            tt.real_parent = reaper;
            if (!tt.ptraced) tt.parent = reaper;
            if (tt.pdeath_signal) group_send_sig(s, p, t, tt.pdeath_signal, false);
        }
        emit(Event{Event::Kind::Reparent, c, reaper, father, 0, false, false, false, 0});
        if (other_process) reparent_leader(s, p, father, c, dead);
    }
    // list_splice_tail_init(&father->children, &reaper->children)
    for (Id c : children) s.tasks[c].sibling_seq = next_seq(s);
}

}  // namespace

namespace detail {

/// exit_notify (kernel/exit.c), one write-locked critical section; the tasks
/// collected on `dead` are released afterwards (their pidfs_exit is pending).
void exit_notify(State& s, const Profile& p, Id t) {
    std::vector<Id> dead;
    forget_original_parent(s, p, t, dead);
    Task& task = s.tasks[t];
    task.exit_state = ExitState::Zombie;
    task.step = Step::None;
    bool autoreap;
    if (task.ptraced) {
        const int sig = s.is_leader(t) && s.thread_group_empty(t) && !s.ptrace_reparented(t)
                            ? s.tasks[t].exit_signal
                            : kSIGCHLD;
        autoreap = do_notify_parent(s, p, t, sig);
    } else if (s.is_leader(t)) {
        autoreap = (s.thread_group_empty(t) || p.fault == Fault::DelayedLeaderNotifies) &&
                   do_notify_parent(s, p, t, s.tasks[t].exit_signal);
    } else {
        autoreap = p.fault != Fault::ThreadZombie;   // untraced sub-thread; do_notify_pidfd
    }
    if (autoreap) dead.push_back(t);
    for (Id d : dead) release_task_begin(s, d);
}

/// pidfs_exit (fs/pidfs.c): first step of release_task, outside tasklist_lock.
/// Publishes exit info, or marks the pid dead when no pidfd ever existed.
void pidfs_exit(State& s, Id t) {
    Task& task = s.tasks[t];
    Pid& pid = s.pids[task.pid];
    if (pid.attr == Attr::None) {
        pid.attr = Attr::Dead;
    } else if (pid.attr == Attr::Alloc) {
        pid.exit_info = true;
        pid.exit_code = task.exit_code;
    }
    task.step = Step::Unhash;
}

/// The rest of release_task (kernel/exit.c): ptrace_release_task,
/// __exit_signal / __unhash_process (the pid is detached: pollers see
/// POLLHUP), and the delayed group leader's notification when t was its last
/// other thread.
void unhash_task(State& s, const Profile& p, Id t) {
    Task& task = s.tasks[t];
    if (task.ptraced) ptrace_unlink(s, t);
    s.pids[task.pid].task = kNone;
    task.sigchld_pending = false;   // __exit_signal: flush_sigqueue(&tsk->pending)
    task.exit_state = ExitState::Released;
    task.step = Step::None;
    // __exit_signal -> __cleanup_sighand when the process's last thread goes.
    if (s.thread_group_empty(t) && s.is_leader(t)) s.sighand_of(t).users--;
    const Id leader = task.leader;
    if (leader != t && s.thread_group_empty(leader) &&
        s.tasks[leader].exit_state == ExitState::Zombie && p.fault != Fault::DelayedLeaderSilent) {
        const Proc& pr = s.procs[s.tasks[leader].proc];
        if (pr.group_exit) s.tasks[leader].exit_code = pr.group_exit_code;
        if (do_notify_parent(s, p, leader, s.tasks[leader].exit_signal))
            release_task_begin(s, leader);
    }
}

}  // namespace detail

void sys_exit(State& s, const Profile& p, Id t, int code) {
    do_exit(s, p, t, exit_status(code));
}

/// do_group_exit (kernel/exit.c): the first caller sets the group code and
/// zaps the other threads, which exit with it.
void sys_exit_group(State& s, const Profile& p, Id t, int code) {
    Proc& pr = s.procs[s.tasks[t].proc];
    int16_t status = exit_status(code);
    if (pr.group_exit) {
        status = pr.group_exit_code;
    } else {
        pr.group_exit = true;
        pr.group_exit_code = status;
        for (Id th : s.threads_of(t)) {   // zap_other_threads
            if (p.fault == Fault::ExitGroupNoZap) break;
            Task& tt = s.tasks[th];
            if (th == t || tt.exiting || tt.exit_state != ExitState::Running) continue;
            tt.step = Step::DoExit;   // a blocked wait scans once more (do_exit)
        }
    }
    do_exit(s, p, t, status);
}

// --- wait ---------------------------------------------------------------------

namespace {

struct Scan {
    const State& s;
    Id caller;
    const Wait& w;
    int notask = kECHILD;
    Fault fault = Fault::None;
};

bool is_effectively_child(const Scan& sc, bool ptrace, Id target) {
    const Task& t = sc.s.tasks[target];
    const Id parent = ptrace ? t.parent : t.real_parent;
    if (parent == kNone) return false;
    return parent == sc.caller ||
           (!(sc.w.options & kWNOTHREAD) && sc.s.same_thread_group(sc.caller, parent));
}

bool eligible_child(const Scan& sc, bool ptrace, Id c) {
    if (ptrace || (sc.w.options & kWALL) || sc.fault == Fault::WcloneIgnored) return true;
    return (sc.s.tasks[c].exit_signal != kSIGCHLD) == bool(sc.w.options & kWCLONE);
}

/// wait_task_zombie (kernel/exit.c). Returns the report; the compare-and-
/// exchange always succeeds in a sequential model.
SysResult wait_task_zombie(State& s, const Profile& p, Id caller, const Wait& w, Id c) {
    const Proc& pr = s.procs[s.tasks[c].proc];
    SysResult r;
    r.task = c;
    r.ret = s.pids[s.tasks[c].pid].nr;
    r.status = pr.group_exit ? pr.group_exit_code : s.tasks[c].exit_code;
    r.has_status = true;
    emit(Event{Event::Kind::Reap, c, caller, kNone, 0, false, false, bool(w.options & kWNOWAIT), r.status});
    if ((w.options & kWNOWAIT) && p.fault != Fault::WnowaitReaps) return r;
    ExitState state =
        s.ptrace_reparented(c) && s.is_leader(c) ? ExitState::Trace : ExitState::Dead;
    s.tasks[c].exit_state = state;
    if (state == ExitState::Trace) {
        // The tracer reaped a child whose real parent is elsewhere: hand it
        // back (one transition here; the kernel retakes the lock).
        ptrace_unlink(s, c);
        emit(Event{Event::Kind::TraceHandoff, c, s.tasks[c].real_parent, kNone, 0, false, false, false, 0});
        state = p.fault != Fault::HandoffSilent && do_notify_parent(s, p, c, s.tasks[c].exit_signal)
                    ? ExitState::Dead
                    : ExitState::Zombie;
        s.tasks[c].exit_state = state;
    }
    if (state == ExitState::Dead) release_task_begin(s, c);
    return r;
}

/// wait_consider_task (kernel/exit.c). Returns true with `out` set when the
/// scan ends here.
bool wait_consider_task(State& s, const Profile& p, Scan& sc, bool ptrace, Id c,
                        SysResult& out) {
    const ExitState st = s.tasks[c].exit_state;
    if (st == ExitState::Dead || st == ExitState::Released) return false;
    if (!eligible_child(sc, ptrace, c)) return false;
    if (st == ExitState::Trace) {
        if (!ptrace) sc.notask = 0;
        return false;
    }
    if (!ptrace && s.tasks[c].ptraced && !s.ptrace_reparented(c)) ptrace = true;
    if (st == ExitState::Zombie) {
        if (!s.delay_group_leader(c) && (ptrace || !s.tasks[c].ptraced)) {
            if (!(sc.w.options & kWEXITED)) return false;
            out = wait_task_zombie(s, p, sc.caller, sc.w, c);
            return true;
        }
        if (!ptrace || (sc.w.options & (kWCONTINUED | kWEXITED))) sc.notask = 0;
    } else {
        sc.notask = 0;   // alive: it can still exit
    }
    return false;   // wait_task_stopped / wait_task_continued: no stops modelled
}

}  // namespace

namespace detail {

/// One __do_wait scan under the read lock.
SysResult do_wait_scan(State& s, const Profile& p, Id caller, const Wait& w) {
    Scan sc{s, caller, w, kECHILD, p.fault};
    SysResult out;
    if (w.idtype == 1) {
        const Id t = w.pid == kNone ? kNone : s.pids[w.pid].task;
        if (t == kNone) return SysResult::err(kECHILD);
        // do_wait_pid: the task as TGID (a leader), then as PID if traced.
        if (s.is_leader(t) && is_effectively_child(sc, false, t) &&
            wait_consider_task(s, p, sc, false, t, out))
            return out;
        if (s.tasks[t].ptraced && is_effectively_child(sc, true, t) &&
            wait_consider_task(s, p, sc, true, t, out))
            return out;
    } else {
        // tsk = current; do { ... } while_each_thread(current, tsk): the
        // caller's own children first, then the other threads' in list
        // order from the caller on, wrapping round to the leader.
        IdList waiters;
        if (w.options & kWNOTHREAD) {
            waiters.push_back(caller);
        } else {
            waiters = s.threads_of(caller);
            const auto me = std::find(waiters.begin(), waiters.end(), caller);
            if (me != waiters.end()) std::rotate(waiters.begin(), me, waiters.end());
        }
        for (Id wt : waiters) {
            for (Id c : s.children_of(wt))
                if (wait_consider_task(s, p, sc, false, c, out)) return out;
            for (Id c : s.ptraced_of(wt))
                if (wait_consider_task(s, p, sc, true, c, out)) return out;
        }
    }
    if (sc.notask == 0 && !(w.options & kWNOHANG)) return SysResult::err(kBlock);
    return SysResult::err(sc.notask);   // 0 with kWNOHANG: nothing to report yet
}

}  // namespace detail

/// wait4 (kernel_wait4) and waitid (kernel_waitid_prepare) entry validation,
/// then do_wait.
SysResult sys_wait(State& s, const Profile& p, Id caller, const WaitArgs& a) {
    uint32_t options = a.options;
    Wait w;
    w.waitid = a.waitid;
    if (!a.waitid) {
        if (options & ~kAllWait4) return SysResult::err(kEINVAL);
        options |= kWEXITED;
    } else {
        if (options & ~kAllWaitid) return SysResult::err(kEINVAL);
        if (!(options & (kWEXITED | kWSTOPPED | kWCONTINUED))) return SysResult::err(kEINVAL);
    }
    if (!a.any) {
        w.idtype = 1;
        if (a.fd >= 0) {   // P_PIDFD: pidfd_get_pid
            const Id file = fd_lookup(s, caller, a.fd);
            if (file == kNone) return SysResult::err(kEBADF);
            w.pid = s.files[file].pid;
            if (s.files[file].nonblock) {
                w.nonblock_fd = true;
                options |= kWNOHANG;
            }
        } else {
            w.pid = a.pid;
        }
    }
    w.options = options;
    SysResult r = do_wait_scan(s, p, caller, w);
    if (r.ret == -kBlock) {
        w.active = true;
        s.tasks[caller].wait = w;
        SysResult b;
        b.blocks = true;
        return b;
    }
    // An O_NONBLOCK pidfd turned the wait into kWNOHANG: nothing yet is EAGAIN
    // unless the caller asked for kWNOHANG itself.
    if (w.nonblock_fd && r.ret == 0 && r.task == kNone && !(a.options & kWNOHANG))
        return SysResult::err(kEAGAIN);
    return r;
}

bool wait_would_block(const State& s, const Profile& p, Id t) {
    State copy = s;
    const Wait w = copy.tasks[t].wait;
    REAPCHECK_REQUIRE(w.active);
    return do_wait_scan(copy, p, t, w).ret == -kBlock;
}

bool wait_would_report(const State& s, const Profile& p, Id t) {
    // A scan reports only through wait_task_zombie, that is an EXIT_ZOMBIE
    // task: without one, no need to copy the state and scan.
    if (std::none_of(s.tasks.begin(), s.tasks.end(), [](const Task& k) { return k.exit_state == ExitState::Zombie; }))
        return false;
    State copy = s;
    const Wait w = copy.tasks[t].wait;
    REAPCHECK_REQUIRE(w.active);
    const SysResult r = do_wait_scan(copy, p, t, w);
    return r.ret >= 0 && r.task != kNone;
}

SysResult sys_resume(State& s, const Profile& p, Id caller) {
    Wait& w = s.tasks[caller].wait;
    REAPCHECK_REQUIRE(w.active);
    SysResult b;
    b.blocks = true;
    if (!w.woken) return b;   // nobody woke it: still asleep
    w.woken = false;
    const Wait copy = w;
    SysResult r = do_wait_scan(s, p, caller, copy);
    if (r.ret == -kBlock) return b;
    s.tasks[caller].wait = Wait{};
    return r;
}

// --- kernel steps ---------------------------------------------------------------

void kernel_step(State& s, const Profile& p, Id t) {
    switch (s.tasks[t].step) {
    case Step::DoExit: do_exit(s, p, t, s.procs[s.tasks[t].proc].group_exit_code); break;
    case Step::ExitNotify: exit_notify(s, p, t); break;
    case Step::PidfsExit:
        pidfs_exit(s, t);
        if (p.fault == Fault::NoExitInfo) s.pids[s.tasks[t].pid].exit_info = false;
        break;
    case Step::Unhash: unhash_task(s, p, t); break;
    case Step::None: REAPCHECK_REQUIRE(!"kernel_step without a pending step");
    }
}

Id next_pending(const State& s) {
    Id best = kNone;
    for (Id t = 0; t < Id(s.tasks.size()); ++t)
        if (s.tasks[t].step != Step::None &&
            (best == kNone || s.pids[s.tasks[t].pid].nr < s.pids[s.tasks[best].pid].nr))
            best = t;
    return best;
}

void run_pending(State& s, const Profile& p) {
    for (Id t = next_pending(s); t != kNone; t = next_pending(s))
        while (s.tasks[t].step != Step::None) kernel_step(s, p, t);
}

}  // namespace reapcheck::refimpl
