// kernel/ptrace.c: attach (PTRACE_SEIZE), detach, __ptrace_detach with the
// series' autoreap hunk, __ptrace_unlink (docs/kernel-rules.md §9).
#include "refimpl/internal.hpp"

namespace reapcheck::refimpl {

using namespace detail;

namespace detail {

/// __ptrace_unlink: back to the real parent.
void ptrace_unlink(State& s, Id t) {
    Task& task = s.tasks[t];
    task.ptraced = false;
    task.parent = task.real_parent;
    task.ptrace_seq = 0;
}

/// __ptrace_detach (kernel/ptrace.c), tasklist_lock held for write. Returns
/// whether t is now EXIT_DEAD and must be released by the caller.
bool ptrace_detach_locked(State& s, const Profile& p, Id tracer, Id t) {
    ptrace_unlink(s, t);
    if (s.tasks[t].exit_state != ExitState::Zombie) return false;
    bool dead = !s.is_leader(t);   // traced sub-thread zombies are just released
    if (!dead && s.thread_group_empty(t)) {
        if (!s.same_thread_group(s.tasks[t].real_parent, tracer)) {
            dead = do_notify_parent(s, p, t, s.tasks[t].exit_signal);
        } else {
            const Sighand& tp = s.sighand_of(tracer);
            const bool ignoring_children = tp.sigchld == Handler::Ign || tp.nocldwait;
            if (ignoring_children || (p.has_autoreap && s.procs[s.tasks[t].proc].autoreap &&
                                      p.fault != Fault::DetachIgnoresAutoreap)) {
                wake_up_parent(s, t, tracer);
                dead = true;
            }
        }
    }
    if (dead) s.tasks[t].exit_state = ExitState::Dead;
    return dead;
}

}  // namespace detail

/// PTRACE_SEIZE (ptrace_attach, kernel/ptrace.c). All tasks are root, so
/// __ptrace_may_access allows everything but the model's rules below.
SysResult sys_ptrace_attach(State& s, const Profile& p, Id caller, Id pid) {
    (void)p;
    const Id t = pid == kNone ? kNone : s.pids[pid].task;
    if (t == kNone) return SysResult::err(kESRCH);
    if (s.same_thread_group(t, caller)) return SysResult::err(kEPERM);
    const Task& target = s.tasks[t];
    if (target.exit_state != ExitState::Running || target.exiting) return SysResult::err(kEPERM);
    if (target.ptraced) return SysResult::err(kEPERM);
    Task& tt = s.tasks[t];
    tt.ptraced = true;
    tt.parent = caller;   // ptrace_link: the tracer is the calling thread
    tt.ptrace_seq = next_seq(s);
    return {};
}

/// PTRACE_DETACH (ptrace_detach, kernel/ptrace.c) after ptrace_check_attach:
/// the caller must be the tracer and the tracee alive (the harness puts it in
/// a ptrace stop first). A live tracee is never released here.
SysResult sys_ptrace_detach(State& s, const Profile& p, Id caller, Id pid) {
    const Id t = pid == kNone ? kNone : s.pids[pid].task;
    if (t == kNone) return SysResult::err(kESRCH);
    const Task& target = s.tasks[t];
    if (!target.ptraced || target.parent != caller) return SysResult::err(kESRCH);
    if (target.exit_state != ExitState::Running || target.exiting) return SysResult::err(kESRCH);
    const bool dead = ptrace_detach_locked(s, p, caller, t);
    REAPCHECK_REQUIRE(!dead);
    return {};
}

}  // namespace reapcheck::refimpl
