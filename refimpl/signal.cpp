// kernel/signal.c: death notification, signal generation, sigaction,
// sigpending, kill and pidfd_send_signal (SEMANTICS.md §4.6, §6, §10.4).
#include <cstring>

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

namespace detail {

// sig_kernel_ignore / sig_kernel_stop: the signals whose default action does
// not terminate. The model has no stops, so stop signals are treated as
// ignored (documented in docs/scenario-language.md).
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

/// group_send_sig_info(sig, info, t, PIDTYPE_TGID) as far as the model goes:
/// prepare_signal's drop rules, SIGCHLD pending (blocked in every task), and
/// complete_signal's group exit for a fatal signal.
namespace {
void send_sig(State& s, Id t, int sig, bool priv, bool thread) {
    Proc& proc = s.procs[s.tasks[t].proc];
    if (sig < 1 || sig > 64) return;
    // prepare_signal: a process in the middle of dying drops everything.
    if (proc.group_exit) return;
    if (sig == kSIGCHLD) {
        // Blocked signals are never ignored at generation (sig_ignored).
        // __send_signal_locked queues on the thread's own pending set for
        // PIDTYPE_PID, else on the process's shared_pending.
        (thread ? s.tasks[t].sigchld_pending : proc.sigchld_pending) = true;
        return;
    }
    if (!sig_fatal_default(sig)) return;
    // sig_task_ignored: SIGNAL_UNKILLABLE with SIG_DFL, unless forced (SEND_SIG_PRIV).
    if (proc.unkillable && !priv) return;
    // complete_signal: a fatal signal becomes a group exit, except that a
    // traced target handles non-SIGKILL signals through a ptrace stop, which
    // the model does not have: such signals are dropped (model gap).
    const auto threads = s.threads_of(t);
    if (sig != kSIGKILL)
        for (Id th : threads)
            if (s.tasks[th].ptraced) return;
    proc.group_exit = true;
    proc.group_exit_code = int16_t(sig);
    for (Id th : threads) {
        Task& tt = s.tasks[th];
        if (tt.exiting || tt.exit_state != ExitState::Running) continue;
        tt.step = Step::DoExit;   // woken with SIGKILL; a blocked wait is abandoned
        tt.wait = Wait{};
    }
}
}  // namespace

void group_send_sig(State& s, const Profile& p, Id t, int sig, bool priv) {
    (void)p;
    send_sig(s, t, sig, priv, false);
}

void thread_send_sig(State& s, const Profile& p, Id t, int sig) {
    (void)p;
    send_sig(s, t, sig, false, true);
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

/// pidfd_send_signal(2) without siginfo and flags (kernel/signal.c).
SysResult sys_pidfd_send_signal(State& s, const Profile& p, Id caller, int fd, int sig) {
    const Id file = fd_lookup(s, caller, fd);
    if (file == kNone) return SysResult::err(kEBADF);
    const File& f = s.files[file];
    // kill_pid_info_type: pid_task(pid, PIDTYPE_PID); the scope (thread or
    // group) only changes where a non-fatal signal is queued.
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
/// discards a pending SIGCHLD, blocked or not (SEMANTICS.md §6.3).
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
