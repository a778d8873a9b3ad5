// kernel/signal.c: death notification, signal generation, sigaction,
// sigpending, kill and pidfd_send_signal (docs/kernel-rules.md §4.6, §6, §10.4).
#include <cstring>

#include "refimpl/gaps.hpp"
#include "refimpl/internal.hpp"

namespace reapcheck::refimpl {

namespace {
struct NameValue { const char* name; int value; };
constexpr NameValue kErrnos[] = {
    {"EPERM", kEPERM}, {"ENOENT", kENOENT}, {"ESRCH", kESRCH}, {"EINTR", kEINTR},
    {"E2BIG", kE2BIG}, {"EBADF", kEBADF}, {"ECHILD", kECHILD}, {"EAGAIN", kEAGAIN},
    {"ENOMEM", kENOMEM}, {"EFAULT", kEFAULT}, {"EINVAL", kEINVAL}, {"ENFILE", kENFILE},
    {"EMFILE", kEMFILE}, {"ENOTTY", kENOTTY}, {"EREMOTE", kEREMOTE},
};
constexpr NameValue kSignals[] = {
    {"SIGHUP", 1}, {"SIGINT", 2}, {"SIGQUIT", 3}, {"SIGILL", 4}, {"SIGTRAP", 5},
    {"SIGABRT", 6}, {"SIGBUS", 7}, {"SIGFPE", 8}, {"SIGKILL", 9}, {"SIGUSR1", 10},
    {"SIGSEGV", 11}, {"SIGUSR2", 12}, {"SIGPIPE", 13}, {"SIGALRM", 14}, {"SIGTERM", 15},
    {"SIGSTKFLT", 16}, {"SIGCHLD", 17}, {"SIGCONT", 18}, {"SIGSTOP", 19}, {"SIGTSTP", 20},
    {"SIGTTIN", 21}, {"SIGTTOU", 22}, {"SIGURG", 23}, {"SIGXCPU", 24}, {"SIGXFSZ", 25},
    {"SIGVTALRM", 26}, {"SIGPROF", 27}, {"SIGWINCH", 28}, {"SIGIO", 29}, {"SIGPWR", 30},
    {"SIGSYS", 31},
};
}  // namespace

const char* errno_name(int e) {
    for (const auto& x : kErrnos)
        if (x.value == e) return x.name;
    return nullptr;
}
int errno_from_name(const std::string& s) {
    for (const auto& x : kErrnos)
        if (s == x.name) return x.value;
    return 0;
}
const char* signal_name(int sig) {
    for (const auto& x : kSignals)
        if (x.value == sig) return x.name;
    return nullptr;
}
int signal_from_name(const std::string& s) {
    for (const auto& x : kSignals)
        if (s == x.name) return x.value;
    return -1;
}

EventSink*& event_sink() {
    thread_local EventSink* sink = nullptr;
    return sink;
}

GapSink*& gap_sink() {
    thread_local GapSink* sink = nullptr;
    return sink;
}

namespace detail {

// sig_kernel_ignore / sig_kernel_stop: the signals whose default action does
// not terminate (sig_fatal is false for them). Stop signals are a declared
// gap of the model (send_signal reports it, refimpl/gaps.hpp).
bool sig_fatal_default(int sig) {
    switch (sig) {
    case 17: case 18: case 19: case 20: case 21: case 22: case 23: case 28: return false;
    default: return sig >= 1 && sig <= 64;
    }
}

/// __wake_up_parent(p, parent) with child_wait_callback's filter: wake the
/// waiters on parent's process wait_chldexit whose selector matches p and,
/// with __WNOTHREAD, whose thread is p->parent.
void wake_up_parent(State& s, Id p, Id parent) {
    const Id proc = s.tasks[parent].proc;
    for (Id w = 0; w < Id(s.tasks.size()); ++w) {
        Task& wt = s.tasks[w];
        if (wt.proc != proc || !wt.wait.active) continue;
        if (wt.wait.idtype == 1 && wt.wait.pid != s.tasks[p].pid) continue;   // eligible_pid
        if ((wt.wait.options & 0x20000000u) && w != s.tasks[p].parent) continue;
        wt.wait.woken = true;
    }
}

namespace {
constexpr int kSIGCONT = 18;

/// sig_kernel_stop (include/linux/signal.h): SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU.
bool sig_kernel_stop(int sig) { return sig == 19 || sig == 20 || sig == 21 || sig == 22; }

/// sig_kernel_coredump (include/linux/signal.h): SIGQUIT, SIGILL, SIGTRAP,
/// SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS.
bool sig_kernel_coredump(int sig) {
    switch (sig) {
    case 3: case 4: case 5: case 6: case 7: case 8: case 11: case 24: case 25: case 31: return true;
    default: return false;
    }
}

/// wants_signal (kernel/signal.c) for a signal other than SIGCHLD: not
/// blocked (puppets block only SIGCHLD), not PF_EXITING, not stopped (the
/// model has no stops), and task_curr || !task_sigpending: a live thread of
/// the model never has an unblocked signal pending (a fatal one starts the
/// group exit, after which prepare_signal drops everything).
bool wants_signal(const State& s, Id t) {
    const Task& task = s.tasks[t];
    return !task.exiting && task.exit_state == ExitState::Running && task.step != Step::DoExit;
}

/// complete_signal's fatal branch, and do_group_exit from get_signal when a
/// thread dequeues it: SIGNAL_GROUP_EXIT with the signal as the code, and
/// SIGKILL to every thread (zap_other_threads), traced or not.
void start_group_exit(State& s, Id p, int sig) {
    Proc& proc = s.procs[s.tasks[p].proc];
    proc.group_exit = true;
    proc.group_exit_code = int16_t(sig);
    for (Id th : s.threads_of(p)) {
        Task& tt = s.tasks[th];
        if (tt.exiting || tt.exit_state != ExitState::Running) continue;
        tt.step = Step::DoExit;   // woken with SIGKILL; a blocked wait scans once more (do_exit)
    }
}

/// send_signal_locked -> __send_signal_locked (kernel/signal.c) for a signal
/// generated at task p, the task the pid names (kill_pid_info_type:
/// pid_task(pid, PIDTYPE_PID)), with scope PIDTYPE_PID (`thread`, a
/// PIDFD_THREAD pidfd) or PIDTYPE_TGID. `force` is SEND_SIG_PRIV.
void send_signal(State& s, Id p, int sig, bool force, bool thread) {
    Proc& proc = s.procs[s.tasks[p].proc];
    if (sig < 1 || sig > 64) return;
    // prepare_signal: SIGNAL_GROUP_EXIT, "the process is in the middle of
    // dying": the signal is dropped (no core dumps are modelled, so the
    // core_state exception never applies).
    if (proc.group_exit) return;
    const auto threads = s.threads_of(p);
    const bool p_traced = s.tasks[p].ptraced;
    if (sig == kSIGCHLD) {
        // sig_ignored: blocked signals are never ignored; puppets block
        // SIGCHLD in every thread, so wants_signal is false everywhere and
        // complete_signal wakes nobody: the signal just stays pending.
        // __send_signal_locked queues on the thread's own pending set for
        // PIDTYPE_PID, else on the process's shared_pending.
        (thread ? s.tasks[p].sigchld_pending : proc.sigchld_pending) = true;
        return;
    }
    // prepare_signal, SIGCONT: every PTRACE_SEIZEd thread gets
    // ptrace_trap_notify, a STOP trap its tracer's wait4 reports: a gap.
    if (sig == kSIGCONT)
        for (Id th : threads)
            if (s.tasks[th].ptraced && wants_signal(s, th)) {
                report_gap(gap::kSeizedTrap);
                return;
            }
    // sig_ignored: a traced target ignores nothing but SIGKILL's special
    // cases; otherwise sig_task_ignored: SIGNAL_UNKILLABLE with SIG_DFL
    // (unless forced and SIGKILL/SIGSTOP), or ignored by default
    // (sig_kernel_ignore). Only SIGCHLD has handlers in the model.
    const bool kernel_only = sig == kSIGKILL || sig == 19;
    if (!(p_traced && sig != kSIGKILL)) {
        if (proc.unkillable && !(force && kernel_only)) return;
        if (!sig_fatal_default(sig) && !sig_kernel_stop(sig)) return;   // SIGCONT, SIGURG, SIGWINCH
    }
    // legacy_queue (an instance already pending in the same set is dropped)
    // changes nothing here: a fatal signal the model queues without a group
    // exit sits only at threads that will never dequeue it (PF_EXITING).
    //
    // complete_signal: which thread takes the signal. p first if it wants
    // it; for PIDTYPE_PID, or a single thread, nobody else (rule of issue 19:
    // a thread pidfd's SIGKILL to an exiting delayed leader does nothing);
    // else the first thread from signal->curr_target on that wants it.
    // curr_target is round-robin history the model does not keep: what
    // matters for the lifecycle is only whether the chosen thread is traced,
    // so the model looks at every candidate and declares a gap when the
    // choice could fall on a traced one.
    std::vector<Id> cand;
    if (wants_signal(s, p)) {
        cand.push_back(p);
    } else if (!thread && threads.size() > 1) {
        for (Id th : threads)
            if (wants_signal(s, th)) cand.push_back(th);
    }
    if (cand.empty()) return;   // queued where nobody will dequeue it
    // Found a killable thread: sig_fatal (SIG_DFL, not ignored or stop by
    // default) and (sig == SIGKILL || !p->ptrace): the ptrace test is on p,
    // the task the pid names, not on the chosen thread nor on any other
    // thread; a non-coredump signal then starts the group exit at once.
    const bool fatal = sig_fatal_default(sig) && !sig_kernel_stop(sig);
    if (fatal && (sig == kSIGKILL || !p_traced) && !sig_kernel_coredump(sig)) {
        start_group_exit(s, p, sig);
        return;
    }
    // Otherwise signal_wake_up(t): the chosen thread dequeues it in
    // get_signal. A traced one stops in ptrace_signal (a gap).
    for (Id t : cand)
        if (s.tasks[t].ptraced) {
            report_gap(gap::kPtraceStop);
            return;
        }
    // An untraced thread acts on it: a stop signal stops the group
    // (do_signal_stop, a gap); SIG_DFL of an ignored signal does nothing;
    // SIGNAL_UNKILLABLE ignores all but SIGKILL/SIGSTOP; a fatal one is
    // do_group_exit(sig), after do_coredump for a coredump signal (the
    // puppets run with RLIMIT_CORE 0; the status's core flag, WCOREDUMP, is
    // not part of a scenario result either way).
    if (sig_kernel_stop(sig)) {
        report_gap(gap::kJobStop);
        return;
    }
    if (!fatal) return;
    if (proc.unkillable && !kernel_only) return;
    start_group_exit(s, p, sig);
}
}  // namespace

void group_send_sig(State& s, const Profile& p, Id t, int sig, bool priv) {
    (void)p;
    send_signal(s, t, sig, priv, false);
}

void thread_send_sig(State& s, const Profile& p, Id t, int sig) {
    (void)p;
    send_signal(s, t, sig, false, true);
}

/// do_notify_parent (kernel/signal.c) with the series hunk. Called with
/// tasklist_lock held for write; returns whether tsk reaps itself.
/// Leaves out: siginfo contents (si_pid, si_status), which the model does
/// not observe, and do_notify_pidfd, since pidfd_poll is computed from state.
bool do_notify_parent(State& s, const Profile& p, Id tsk, int sig) {
    const Task& t = s.tasks[tsk];
    REAPCHECK_REQUIRE(t.ptraced || (s.is_leader(tsk) && s.thread_group_empty(tsk)));
    const Id parent = t.parent;
    REAPCHECK_REQUIRE(parent != kNone && s.tasks[parent].exit_state != ExitState::Released);
    // §6.4: the exec-id fix-up turns a non-SIGCHLD exit signal (0 too) into SIGCHLD.
    if (sig != kSIGCHLD && t.parent_exec_id != s.tasks[parent].self_exec_id && p.fault != Fault::NoExecIdFixup)
        sig = kSIGCHLD;
    const Sighand& pp = s.sighand_of(parent);
    bool selfreap = false;
    if (!t.ptraced && sig == kSIGCHLD && (pp.sigchld == Handler::Ign || pp.nocldwait) &&
        !(p.fault == Fault::IgnKeepsZombie && pp.sigchld == Handler::Ign)) {
        selfreap = true;
        // SA_NOCLDWAIT alone still sends SIGCHLD
        if (pp.sigchld == Handler::Ign || p.fault == Fault::NocldwaitSilent) sig = 0;
    }
    // The CLONE_AUTOREAP hunk: an untraced autoreap child reaps itself, silently.
    if (p.has_autoreap && (!t.ptraced || p.fault == Fault::AutoreapWhileTraced) && s.procs[t.proc].autoreap) {
        selfreap = true;
        if (p.fault != Fault::AutoreapSendsSignal) sig = 0;
    }
    if (sig >= 1 && sig <= 64) group_send_sig(s, p, parent, sig, false);
    if (p.fault != Fault::NotifyNoWakeup) wake_up_parent(s, tsk, parent);
    emit(Event{Event::Kind::Notify, tsk, parent, kNone, (sig >= 1 && sig <= 64) ? sig : 0, selfreap,
               t.ptraced, false, 0});
    return selfreap;
}

}  // namespace detail

using namespace detail;

/// kill(2): kill_proc_info -> kill_pid_info_type(..., PIDTYPE_TGID), which finds
/// the task at PIDTYPE_PID (any thread) and signals its whole group (kernel/signal.c).
SysResult sys_kill(State& s, const Profile& p, Id caller, Id pid, int sig) {
    (void)caller;
    const Id t = pid == kNone ? kNone : s.pids[pid].task;
    if (t == kNone) return SysResult::err(kESRCH);
    // valid_signal is checked later, in check_kill_permission.
    if (sig < 0 || sig > 64) return SysResult::err(kEINVAL);
    if (sig != 0) group_send_sig(s, p, t, sig, false);
    return {};
}

/// pidfd_send_signal(2) without siginfo and flags (kernel/signal.c): with
/// flags 0 the scope is inferred from the pidfd, PIDTYPE_PID for a
/// PIDFD_THREAD pidfd, else PIDTYPE_TGID; kill_pid_info_type then signals
/// pid_task(pid, PIDTYPE_PID) with that scope (group_send_sig_info ->
/// do_send_sig_info -> send_signal_locked). The scope decides where the
/// signal is queued and, in complete_signal, whether another thread may take
/// it when the named one does not want it (it is exiting).
SysResult sys_pidfd_send_signal(State& s, const Profile& p, Id caller, int fd, int sig) {
    const Id file = fd_lookup(s, caller, fd);
    if (file == kNone) return SysResult::err(kEBADF);
    const File& f = s.files[file];
    const Id t = s.pids[f.pid].task;
    if (t == kNone) return SysResult::err(kESRCH);
    if (sig < 0 || sig > 64) return SysResult::err(kEINVAL);
    if (sig != 0) {
        if (f.thread) thread_send_sig(s, p, t, sig);   // PIDFD_THREAD: PIDTYPE_PID scope
        else group_send_sig(s, p, t, sig, false);
    }
    return {};
}

/// do_sigaction for SIGCHLD: installing SIG_IGN or SIG_DFL (ignored by default)
/// discards a pending SIGCHLD, blocked or not (docs/kernel-rules.md §6.3).
SysResult sys_sigaction(State& s, const Profile& p, Id caller, Handler h, bool nocldwait) {
    (void)p;
    Sighand& sh = s.sighand_of(caller);
    sh.sigchld = h;
    sh.nocldwait = nocldwait;
    // flush_sigqueue_mask on the caller's process only, even when the
    // sighand is shared with another process.
    if (h != Handler::User) {
        s.procs[s.tasks[caller].proc].sigchld_pending = false;
        for (Id th : s.threads_of(caller)) s.tasks[th].sigchld_pending = false;
    }
    return {};
}

/// sigpending + sigtimedwait(SIGCHLD, 0) as the harness observes it:
/// rt_sigpending shows the thread's own and the shared set; dequeue_signal
/// takes the thread's own instance first.
SysResult sys_sigpending(State& s, const Profile& p, Id caller, bool peek) {
    (void)p;
    Proc& proc = s.procs[s.tasks[caller].proc];
    bool& mine = s.tasks[caller].sigchld_pending;
    SysResult r;
    r.ret = (mine || proc.sigchld_pending) ? kSIGCHLD : 0;
    if (!peek) (mine ? mine : proc.sigchld_pending) = false;
    return r;
}

}  // namespace reapcheck::refimpl
