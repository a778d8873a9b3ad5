#include "refimpl/mutants.hpp"

namespace reapcheck::refimpl {

namespace {

bool autoreap(const Profile& p) { return p.has_autoreap; }
bool autoreap_not_rfc1(const Profile& p) { return p.has_autoreap && !p.autoreap_requires_pidfd; }
bool rejects_parent(const Profile& p) { return p.autoreap_rejects_parent; }
bool parent_while(const Profile& p) { return p.parent_rejected_while_autoreap; }
bool autokill(const Profile& p) { return p.has_autokill; }
bool autokill_perm(const Profile& p) { return p.autokill_needs_nnp_or_cap; }
bool nnp(const Profile& p) { return p.has_nnp; }

const std::vector<Mutant> kMutants = {
    // ---- kernel/fork.c ----
    {Fault::AutoreapExitSignal, "copy_process.autoreap_exit_signal", "kernel/fork.c:copy_process",
     "CLONE_AUTOREAP with a non-zero exit_signal is accepted.", autoreap, ""},
    {Fault::AutoreapThread, "copy_process.autoreap_thread", "kernel/fork.c:copy_process",
     "CLONE_AUTOREAP | CLONE_THREAD is accepted (the thread silently gets no flag of its own).", autoreap, ""},
    {Fault::AutoreapParent, "copy_process.autoreap_parent", "kernel/fork.c:copy_process",
     "CLONE_AUTOREAP | CLONE_PARENT is accepted again.", rejects_parent, ""},
    {Fault::ParentWhileAutoreap, "copy_process.parent_while_autoreap", "kernel/fork.c:copy_process",
     "CLONE_PARENT from an autoreap process is accepted (mainline's check on current->signal->autoreap is "
     "missing).",
     parent_while, ""},
    {Fault::AutoreapInherited, "copy_signal.autoreap_inherited", "kernel/fork.c:copy_signal",
     "A new process inherits its creator's autoreap flag.", autoreap, ""},
    {Fault::AutoreapNeedsPidfd, "copy_signal.autoreap_needs_pidfd", "kernel/fork.c:copy_signal",
     "signal->autoreap is set only when CLONE_PIDFD is given too.", autoreap_not_rfc1, ""},
    {Fault::LegacyHighBits, "sys_clone.high_bits", "kernel/fork.c:sys_clone",
     "Legacy clone() keeps the flag bits above 32, so CLONE_AUTOREAP works through clone().", autoreap, ""},
    {Fault::ParentExitSignalFromArgs, "copy_process.parent_exit_signal", "kernel/fork.c:copy_process",
     "A CLONE_PARENT child takes the caller's exit_signal argument instead of the group leader's exit_signal.",
     nullptr, ""},
    {Fault::AutokillWithoutAutoreap, "copy_process.autokill_without_autoreap", "kernel/fork.c:copy_process",
     "CLONE_PIDFD_AUTOKILL is accepted without CLONE_AUTOREAP.", autokill, ""},
    {Fault::AutokillNoPermCheck, "copy_process.autokill_perm", "kernel/fork.c:copy_process",
     "CLONE_PIDFD_AUTOKILL without CLONE_NNP is accepted from a caller without CAP_SYS_ADMIN.", autokill_perm,
     ""},
    {Fault::NnpNotSet, "copy_process.nnp_not_set", "kernel/fork.c:copy_process",
     "CLONE_NNP does not set no_new_privs on the child.", nnp,
     "no call of the model reads no_new_privs: the AUTOKILL privilege check tests the CLONE_NNP flag of the "
     "call, not the caller's no_new_privs, and PR_GET_NO_NEW_PRIVS and setuid execs are not modelled; only an "
     "`expect nnp` line sees it"},
    {Fault::NnpThread, "copy_process.nnp_thread", "kernel/fork.c:copy_process",
     "CLONE_NNP | CLONE_THREAD is accepted.", nnp, ""},
    // ---- kernel/signal.c ----
    {Fault::AutoreapSendsSignal, "do_notify_parent.autoreap_signal", "kernel/signal.c:do_notify_parent",
     "An untraced autoreap child reaps itself but still sends its exit signal.", autoreap, ""},
    {Fault::AutoreapWhileTraced, "do_notify_parent.autoreap_traced", "kernel/signal.c:do_notify_parent",
     "The autoreap hunk forgets !tsk->ptrace: a traced autoreap task reaps itself instead of waiting for its "
     "tracer.",
     autoreap, ""},
    {Fault::NocldwaitSilent, "do_notify_parent.nocldwait_silent", "kernel/signal.c:do_notify_parent",
     "SA_NOCLDWAIT alone (SIGCHLD not ignored) suppresses the SIGCHLD.", nullptr, ""},
    {Fault::IgnKeepsZombie, "do_notify_parent.ign_zombie", "kernel/signal.c:do_notify_parent",
     "A parent whose SIGCHLD is SIG_IGN no longer makes its children reap themselves.", nullptr, ""},
    {Fault::NoExecIdFixup, "do_notify_parent.exec_id", "kernel/signal.c:do_notify_parent",
     "The exec-id fix-up is missing: a child whose parent has exec'd sends its own exit signal, not SIGCHLD.",
     nullptr, ""},
    {Fault::NotifyNoWakeup, "do_notify_parent.no_wakeup", "kernel/signal.c:do_notify_parent",
     "__wake_up_parent is not called: a parent blocked in wait is not woken by its child's death.", nullptr, ""},
    // ---- kernel/exit.c ----
    {Fault::ReparentKeepsExitSignal, "reparent_leader.exit_signal", "kernel/exit.c:reparent_leader",
     "A child reparented to another process keeps its exit_signal instead of getting SIGCHLD.", nullptr, ""},
    {Fault::NoRenotify, "reparent_leader.no_renotify", "kernel/exit.c:reparent_leader",
     "A zombie reparented to another process is not announced to its new parent.", nullptr, ""},
    {Fault::ReparentClearsAutoreap, "reparent_leader.clears_autoreap", "kernel/exit.c:reparent_leader",
     "Reparenting to another process clears the autoreap flag.", autoreap, ""},
    {Fault::NoSubreaper, "find_new_reaper.no_subreaper", "kernel/exit.c:find_new_reaper",
     "Orphans skip the subreapers and go straight to init.", nullptr, ""},
    {Fault::FarthestSubreaper, "find_new_reaper.farthest", "kernel/exit.c:find_new_reaper",
     "Orphans go to the farthest living ancestor subreaper instead of the nearest.", nullptr, ""},
    {Fault::ExitingSubreaper, "find_new_reaper.exiting_subreaper", "kernel/exit.c:find_new_reaper",
     "The nearest subreaper is taken even when all its threads are exiting.", nullptr, ""},
    {Fault::NoSiblingThread, "find_new_reaper.no_sibling_thread", "kernel/exit.c:find_new_reaper",
     "Children of an exiting thread skip its live sibling threads.", nullptr, ""},
    {Fault::DelayedLeaderNotifies, "exit_notify.delayed_leader", "kernel/exit.c:exit_notify",
     "A group leader notifies its parent at its own exit although other threads still live (breaks "
     "do_notify_parent's precondition: a refimpl contract).",
     nullptr, ""},
    {Fault::ThreadZombie, "exit_notify.thread_zombie", "kernel/exit.c:exit_notify",
     "An untraced non-leader thread stays a zombie instead of being released.", nullptr, ""},
    {Fault::DelayedLeaderSilent, "release_task.delayed_leader_silent", "kernel/exit.c:release_task",
     "When the last other thread is released, the delayed group leader is not announced to its parent.",
     nullptr, ""},
    {Fault::WcloneIgnored, "eligible_child.wclone", "kernel/exit.c:eligible_child",
     "wait without __WALL sees every child: the __WCLONE / exit_signal != SIGCHLD selection is gone.", nullptr,
     ""},
    {Fault::WnowaitReaps, "wait_task_zombie.wnowait", "kernel/exit.c:wait_task_zombie",
     "WNOWAIT reaps the zombie anyway.", nullptr, ""},
    {Fault::HandoffSilent, "wait_task_zombie.handoff_silent", "kernel/exit.c:wait_task_zombie",
     "A tracer reaping a tracee whose real parent is elsewhere hands it back without notifying the real "
     "parent (no do_notify_parent, so an autoreap tracee stays a zombie).",
     nullptr, ""},
    {Fault::ExitGroupNoZap, "do_group_exit.no_zap", "kernel/exit.c:do_group_exit",
     "exit_group does not kill the other threads.", nullptr, ""},
    // ---- kernel/ptrace.c ----
    {Fault::DetachIgnoresAutoreap, "__ptrace_detach.autoreap", "kernel/ptrace.c:__ptrace_detach",
     "Detaching from a zombie autoreap tracee whose real parent is the tracer leaves it a zombie (the "
     "series' hunk is missing).",
     autoreap, ""},
    // ---- fs/pidfs.c ----
    {Fault::NoExitInfo, "pidfs_exit.no_exit_info", "fs/pidfs.c:pidfs_exit",
     "pidfs_exit does not publish the exit information.", nullptr, ""},
    {Fault::PollNoHup, "pidfd_poll.no_hup", "fs/pidfs.c:pidfd_poll",
     "pidfd_poll never reports POLLHUP, even once the task is released.", nullptr, ""},
    {Fault::PollinDelayedLeader, "pidfd_poll.delayed_leader", "fs/pidfs.c:pidfd_poll",
     "pidfd_poll reports POLLIN for a group leader that has exited while other threads live.", nullptr, ""},
    {Fault::AutokillNoKill, "pidfs_file_release.no_kill", "fs/pidfs.c:pidfs_file_release",
     "Closing the last reference of an AUTOKILL pidfd does not kill the child.", autokill, ""},
    {Fault::AutokillAnyClose, "pidfs_file_release.any_close", "fs/file.c:fput",
     "Any close of an AUTOKILL pidfd kills the child, not only the last reference.", autokill, ""},
    {Fault::OpenDeadPid, "pidfs_register_pid.dead_pid", "fs/pidfs.c:pidfs_register_pid",
     "pidfd_open succeeds on a pid that pidfs_exit has already marked dead.", nullptr, ""},
    // ---- fs/exec.c ----
    {Fault::ExecKeepsExitSignal, "de_thread.exit_signal", "fs/exec.c:de_thread",
     "execve does not reset exit_signal to SIGCHLD.", nullptr, ""},
    {Fault::ExecClearsAutoreap, "begin_new_exec.clears_autoreap", "fs/exec.c:begin_new_exec",
     "execve clears the autoreap flag.", autoreap, ""},
    {Fault::ExecKeepsNocldwait, "flush_signal_handlers.nocldwait", "kernel/signal.c:flush_signal_handlers",
     "execve keeps SA_NOCLDWAIT.", nullptr, ""},
};

}  // namespace

const std::vector<Mutant>& mutants() { return kMutants; }

const Mutant* find_mutant(std::string_view id) {
    for (const Mutant& m : kMutants)
        if (m.id == id) return &m;
    return nullptr;
}

Profile mutated(const Profile& p, const Mutant& m) {
    Profile q = p;
    q.fault = m.fault;
    return q;
}

}  // namespace reapcheck::refimpl
