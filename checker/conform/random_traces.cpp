#include "checker/conform/random_traces.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <optional>
#include <ostream>
#include <random>

#include "checker/scenario/printer.hpp"

namespace reapcheck::conform {

using scn::CloneFlag;
using scn::Statement;
using scn::Sys;

const char* const kNotRunnable = "not runnable in refimpl (the actor cannot act, or a name is unbound)";

namespace {

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

int roll(std::mt19937_64& rng, int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }

/// Every kind of signal the model tells apart (refimpl/signal.cpp
/// send_signal): none, SIGKILL, SIGCHLD (blocked, pending), fatal by default
/// (SIGTERM, SIGUSR1, SIGHUP, a real-time one), fatal with a core dump
/// (SIGQUIT, SIGSEGV), ignored by default (SIGCONT, SIGURG, SIGWINCH), stop
/// signals (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU: a declared gap, refused and
/// counted, unless the target does not take it), and one
/// that is not a signal (65: EINVAL). SIGKILL comes more often: it is the one
/// the lifecycle rules turn on.
int draw_signal(std::mt19937_64& rng) {
    static const int sigs[] = {SIGKILL, SIGKILL, SIGKILL, 0,       SIGCHLD, SIGTERM, SIGUSR1, SIGHUP,
                               34,      SIGQUIT, SIGSEGV, SIGCONT, SIGURG,  SIGWINCH, SIGSTOP, SIGTSTP,
                               SIGTTIN, SIGTTOU, 65};
    return sigs[roll(rng, int(sizeof sigs / sizeof sigs[0]))];
}

/// Whether pidfd `fd` of `actor` names a task that has started to exit
/// (PF_EXITING) in a process that has not: a delayed leader, say.
bool names_exiting_task(const scn::RefimplExecutor& ref, const std::string& actor, const std::string& fd) {
    const refimpl::State& s = ref.state();
    const refimpl::Id a = ref.task_of(actor);
    if (a == refimpl::kNone || s.tasks[size_t(a)].files == refimpl::kNone) return false;
    for (const refimpl::Fd& e : s.fdtables[size_t(s.tasks[size_t(a)].files)].fds) {
        if (e.nr != ref.fd_of(fd)) continue;
        const refimpl::Id t = s.pids[size_t(s.files[size_t(e.file)].pid)].task;
        return t != refimpl::kNone && s.tasks[size_t(t)].exiting && !s.procs[size_t(s.tasks[size_t(t)].proc)].group_exit;
    }
    return false;
}

/// The pidfds among `fds` that `actor` holds on an exiting task of a live process.
std::vector<std::string> exiting_pidfds(const scn::RefimplExecutor& ref, const std::string& actor,
                                        const std::vector<std::string>& fds) {
    std::vector<std::string> v;
    for (const auto& n : fds)
        if (names_exiting_task(ref, actor, n)) v.push_back(n);
    return v;
}

/// The tasks that have started to exit (PF_EXITING) in a process that has
/// not: delayed leaders and threads on their way out.
std::vector<std::string> exiting_tasks(const scn::RefimplExecutor& ref, const std::vector<std::string>& names) {
    const refimpl::State& s = ref.state();
    std::vector<std::string> v;
    for (const auto& n : names) {
        const refimpl::Id t = ref.task_of(n);
        if (t == refimpl::kNone) continue;
        const refimpl::Task& task = s.tasks[size_t(t)];
        if (task.exiting && task.exit_state != refimpl::ExitState::Released && !s.procs[size_t(task.proc)].group_exit)
            v.push_back(n);
    }
    return v;
}

/// Whether `actor` leads a process (not init, whose exits the model refuses)
/// with another live thread: its `exit` makes a delayed leader.
bool leads_live_threads(const scn::RefimplExecutor& ref, const std::string& actor) {
    const refimpl::State& s = ref.state();
    const refimpl::Id a = ref.task_of(actor);
    if (a == refimpl::kNone || !s.is_leader(a) || s.procs[size_t(s.tasks[size_t(a)].proc)].unkillable) return false;
    for (refimpl::Id th : s.threads_of(a))
        if (th != a && !s.tasks[size_t(th)].exiting) return true;
    return false;
}

/// Whether `st` is issue 19's rule 1 on this state: SIGKILL through a
/// PIDFD_THREAD pidfd to a thread that is exiting while its process lives on
/// (complete_signal, PIDTYPE_PID: nobody takes it). Counted per run. Not a
/// thread of init: SIGNAL_UNKILLABLE drops the signal before (sig_task_ignored).
bool thread_pidfd_kill_of_exiting(const scn::RefimplExecutor& ref, const Statement& st) {
    if (st.kind != Statement::Kind::Call || st.call.sys != Sys::PidfdSendSignal || st.call.number != SIGKILL)
        return false;
    const refimpl::State& s = ref.state();
    const refimpl::Id a = ref.task_of(st.actor);
    if (a == refimpl::kNone || s.tasks[size_t(a)].files == refimpl::kNone) return false;
    for (const refimpl::Fd& e : s.fdtables[size_t(s.tasks[size_t(a)].files)].fds)
        if (e.nr == ref.fd_of(st.call.target)) {
            const refimpl::Id t = s.pids[size_t(s.files[size_t(e.file)].pid)].task;
            return s.files[size_t(e.file)].thread && t != refimpl::kNone &&
                   !s.procs[size_t(s.tasks[size_t(t)].proc)].unkillable && names_exiting_task(ref, st.actor, st.call.target);
        }
    return false;
}

/// One random statement by `actor`, or nullopt when the drawn action does not
/// apply (no fd, init may not exit, ...): the caller draws again.
std::optional<TraceStep> draw(std::mt19937_64& rng, scn::RefimplExecutor& ref, const std::string& actor,
                              int max_tasks, int& counter, const std::string& file, int line) {
    TraceStep ts;
    Statement& st = ts.st;
    st.loc = scn::Loc{file, line, 1};
    st.actor = actor;
    scn::Call& c = st.call;
    const auto all = ref.task_names(false);
    const auto alive = ref.task_names(true);
    const auto fds = ref.fd_names(actor);
        auto fresh = [&] {
        ++counter;
        ts.fresh = scn::Fresh{"t" + std::to_string(counter), "f" + std::to_string(counter)};
    };
    // complete_signal's rule for an exiting thread (issue 19, rule 1) needs
    // three draws in a row: a leader with live threads calls exit, a thread
    // pidfd names it, a signal goes through that pidfd. Each gets a push
    // where the one before it has happened, or short traces never line them up.
    if (roll(rng, 6) == 0) {
        if (leads_live_threads(ref, actor)) {
            c.sys = Sys::Exit;
            c.number = roll(rng, 2);
            return ts;
        }
        if (const auto ex = exiting_tasks(ref, all); !ex.empty()) {
            const auto held = exiting_pidfds(ref, actor, fds);
            if (!held.empty() && roll(rng, 3)) {
                c.sys = Sys::PidfdSendSignal;
                c.target = pick(rng, held);
                c.number = roll(rng, 2) ? SIGKILL : draw_signal(rng);
                return ts;
            }
            c.sys = Sys::PidfdOpen;
            c.target = pick(rng, ex);
            c.pidfd_thread = roll(rng, 4) != 0;
            fresh();
            ts.fresh.task.clear();
            return ts;
        }
    }
    switch (roll(rng, 16)) {
    case 0:
    case 1: {
        if (int(alive.size()) >= max_tasks) return std::nullopt;
        c.sys = Sys::Clone3;
        switch (roll(rng, 7)) {
        case 0: break;
        case 1: c.flags.add(CloneFlag::AUTOREAP); break;
        case 2: c.flags.add(CloneFlag::PARENT); break;
        case 3: c.flags.add(CloneFlag::PIDFD); break;
        case 4: c.flags.add(CloneFlag::AUTOREAP); c.flags.add(CloneFlag::PIDFD); break;
        default:
            // In init too: what refimpl lacks (init's exit_group, a thread of
            // init taking over pid 1 in execve) it refuses, and that is counted.
            c.flags.add(CloneFlag::THREAD); c.flags.add(CloneFlag::SIGHAND); c.flags.add(CloneFlag::VM);
            break;
        }
        // THREAD and PARENT with an exit signal are EINVAL: now and then.
        c.exit_signal = (c.flags.has(CloneFlag::THREAD) || c.flags.has(CloneFlag::PARENT)) && roll(rng, 4)
                            ? 0
                            : roll(rng, 2) ? SIGCHLD : 0;
        fresh();
        return ts;
    }
    case 2:
        if (int(alive.size()) >= max_tasks) return std::nullopt;
        c.sys = Sys::Fork;
        fresh();
        return ts;
    case 3:
        // init too: refimpl refuses the exits of the namespace init (counted).
        // A leader with live threads mostly calls exit: a delayed leader, the
        // target of complete_signal's rule for an exiting thread.
        c.sys = roll(rng, leads_live_threads(ref, actor) ? 4 : 2) ? Sys::Exit : Sys::ExitGroup;
        c.number = roll(rng, 2);
        return ts;
    case 4:
    case 5:
        c.sys = Sys::Wait4;
        c.any = roll(rng, 3) == 0;
        if (!c.any) c.target = pick(rng, all);
        c.options = scn::kWNOHANG | (roll(rng, 2) ? scn::kWALL : 0);
        return ts;
    case 6:
        if (fds.empty()) return std::nullopt;
        c.sys = Sys::Waitid;
        c.idtype = scn::IdType::Pidfd;
        c.target = pick(rng, fds);
        c.options = scn::kWEXITED | scn::kWNOHANG;
        return ts;
    case 7:
        c.sys = Sys::Sigaction;
        switch (roll(rng, 3)) {
        case 0: c.handler = scn::Handler::Dfl; break;
        case 1: c.handler = scn::Handler::Ign; break;
        default: c.handler = scn::Handler::Dfl; c.nocldwait = true; break;
        }
        return ts;
    case 8:
        c.sys = Sys::PrctlSubreaper;
        c.number = roll(rng, 2);
        return ts;
    case 9:
        // Thread pidfds too: kill through them reaches complete_signal's
        // PIDTYPE_PID rules (an exiting thread takes nothing).
        c.sys = Sys::PidfdOpen;
        c.target = pick(rng, all);
        c.pidfd_thread = roll(rng, 3) == 0;
        // Half the time, a thread pidfd of an exiting task of a live process
        // (a delayed leader), when there is one.
        if (const auto ex = exiting_tasks(ref, all); !ex.empty() && roll(rng, 2)) {
            c.target = pick(rng, ex);
            c.pidfd_thread = true;
        }
        fresh();
        ts.fresh.task.clear();
        return ts;
    case 10:
    case 11: {
        if (fds.empty()) return std::nullopt;
        int k = roll(rng, 3);
        c.sys = k == 0 ? Sys::Poll : k == 1 ? Sys::PidfdInfo : Sys::Close;
        c.info_exit = true;
        c.target = pick(rng, fds);
        if (c.sys != Sys::PidfdInfo) c.info_exit = false;
        return ts;
    }
    case 12:
    case 13:
        c.sys = Sys::Sigpending;
        return ts;
    case 14:
        c.sys = Sys::Getppid;
        return ts;
    default:
        // Any task (threads, zombies, released ones, init) and any signal,
        // by kill or through a pidfd (thread or process) the actor holds.
        if (!fds.empty() && roll(rng, 2)) {
            c.sys = Sys::PidfdSendSignal;
            c.target = pick(rng, fds);
            // Half the time, a pidfd of an exiting task whose process lives on
            // (a delayed leader): complete_signal's rules for a target that
            // does not want the signal (PIDTYPE_PID: nobody takes it).
            const auto exiting = exiting_pidfds(ref, actor, fds);
            if (!exiting.empty() && roll(rng, 2)) {
                c.target = pick(rng, exiting);
                // SIGKILL half the time: the signal that would end the group.
                c.number = roll(rng, 2) ? SIGKILL : draw_signal(rng);
                return ts;
            }
        } else {
            c.sys = Sys::Kill;
            c.target = pick(rng, all);
        }
        c.number = draw_signal(rng);
        return ts;
    }
}

/// The extended alphabet (--extended): execve, pdeath signals, blocking waits
/// (resumed later), waitid P_ALL/P_PID with WNOWAIT, ptrace, pidfd signals,
/// kill with other signals, handlers, legacy clone and more flag sets,
/// PIDFD_THREAD/NONBLOCK pidfds, capset.
std::optional<TraceStep> draw_extended(std::mt19937_64& rng, scn::RefimplExecutor& ref, const std::string& actor,
                                       int max_tasks, int& counter, const std::string& file, int line) {
    TraceStep ts;
    Statement& st = ts.st;
    st.loc = scn::Loc{file, line, 1};
    st.actor = actor;
    scn::Call& c = st.call;
    const auto all = ref.task_names(false);
    const auto alive = ref.task_names(true);
    const auto fds = ref.fd_names(actor);
    auto fresh = [&] {
        ++counter;
        ts.fresh = scn::Fresh{"t" + std::to_string(counter), "f" + std::to_string(counter)};
    };
    switch (roll(rng, 17)) {
    case 14: {
        // Flag sets for copy_process's and clone3_args_valid's checks, and the
        // sharing flags (FILES, FS, SIGHAND without THREAD, CLEAR_SIGHAND, VM,
        // PTRACE, UNTRACED). NEWNS and NEWUSER come only where they are
        // EINVAL: a new user namespace changes ptrace permissions and NEWNS
        // needs CAP_SYS_ADMIN, neither of which the model has.
        if (int(alive.size()) >= max_tasks) return std::nullopt;
        c.sys = roll(rng, 2) ? Sys::Clone : Sys::Clone3;
        const CloneFlag pool[] = {CloneFlag::PIDFD, CloneFlag::PARENT, CloneFlag::THREAD, CloneFlag::SIGHAND,
                                  CloneFlag::VM, CloneFlag::FILES, CloneFlag::FS, CloneFlag::CLEAR_SIGHAND,
                                  CloneFlag::PTRACE, CloneFlag::UNTRACED, CloneFlag::DETACHED};
        for (CloneFlag f : pool)
            if (roll(rng, 3) == 0) c.flags.add(f);
        switch (roll(rng, 8)) {
        case 0: c.flags.add(CloneFlag::NEWNS); c.flags.add(CloneFlag::FS); break;
        case 1: c.flags.add(CloneFlag::NEWUSER); c.flags.add(roll(rng, 2) ? CloneFlag::FS : CloneFlag::THREAD); break;
        case 2:
            if (c.sys == Sys::Clone) { c.flags.add(CloneFlag::PIDFD); c.flags.add(CloneFlag::PARENT_SETTID); }
            break;
        case 3:
            // The series' flags: bits 34-36, EINVAL under linux-6.18 for
            // clone3, dropped by legacy clone.
            c.flags.add(roll(rng, 3) == 0 ? CloneFlag::AUTOREAP
                        : roll(rng, 2)    ? CloneFlag::NNP
                                          : CloneFlag::PIDFD_AUTOKILL);
            break;
        case 4:
            // A new pid namespace or vfork: refused by refimpl when the clone
            // would succeed (counted), compared when it is EINVAL.
            c.flags.add(roll(rng, 2) ? CloneFlag::NEWPID : CloneFlag::VFORK);
            break;
        default: break;
        }
        const int sigs[] = {0, 0, SIGCHLD, SIGCHLD, SIGUSR1, 65, 0x111};
        c.exit_signal = sigs[roll(rng, 7)];
        fresh();
        return ts;
    }
    case 15: {
        // Wait options as given, valid or not (EINVAL), __WCLONE and __WNOTHREAD,
        // waitid WSTOPPED|WCONTINUED (no stops exist in the model's worlds).
        const uint32_t bits[] = {scn::kWNOHANG, scn::kWALL,    scn::kWCLONE, scn::kWNOTHREAD,
                                 scn::kWNOWAIT, scn::kWEXITED, 0x2 /*WSTOPPED*/, 0x8 /*WCONTINUED*/};
        c.options = scn::kWNOHANG;
        for (uint32_t b : bits)
            if (roll(rng, 3) == 0) c.options |= b;
        if (roll(rng, 8) == 0) c.options |= 0x10;   // no such option: EINVAL
        if (roll(rng, 2)) {
            c.sys = Sys::Wait4;
            c.any = roll(rng, 2) == 0;
            if (!c.any) c.target = pick(rng, all);
        } else {
            c.sys = Sys::Waitid;
            c.idtype = roll(rng, 2) ? scn::IdType::All : scn::IdType::Pid;
            c.any = c.idtype == scn::IdType::All;
            if (c.idtype == scn::IdType::Pid) c.target = pick(rng, all);
        }
        return ts;
    }
    case 16: {
        // A pidfd name whose descriptor may be closed in this table (EBADF),
        // or another process's (the numbers are the same in both worlds).
        std::vector<std::string> names;
        for (const auto& [n, nr] : ref.fd_bindings()) names.push_back(n);
        if (names.empty()) return std::nullopt;
        c.target = pick(rng, names);
        switch (roll(rng, 5)) {
        case 0: c.sys = Sys::Close; break;
        case 1: c.sys = Sys::Poll; break;
        case 2: c.sys = Sys::PidfdInfo; c.info_exit = roll(rng, 2); break;
        case 3: c.sys = Sys::PidfdSendSignal; c.number = draw_signal(rng); break;
        default:
            // Without WNOHANG too: an O_NONBLOCK pidfd gives EAGAIN, another blocks.
            c.sys = Sys::Waitid;
            c.idtype = scn::IdType::Pidfd;
            c.options = scn::kWEXITED | (roll(rng, 3) ? scn::kWNOHANG : 0) | (roll(rng, 2) ? scn::kWALL : 0);
            break;
        }
        return ts;
    }
    case 13: {
        // A fact /proc can show; conform compares what both sides observe.
        st.kind = Statement::Kind::Expect;
        st.actor.clear();
        scn::Expect& e = st.expect;
        const scn::ExpectField fields[] = {scn::ExpectField::State, scn::ExpectField::Zombies,
                                           scn::ExpectField::Parent, scn::ExpectField::Tracer,
                                           scn::ExpectField::ExitSignal, scn::ExpectField::Threads,
                                           scn::ExpectField::Nnp, scn::ExpectField::Pending};
        e.field = fields[roll(rng, 8)];
        if (e.field != scn::ExpectField::Zombies) e.subject = pick(rng, all);
        e.value_name = e.field == scn::ExpectField::State     ? "RUNNING"
                       : e.field == scn::ExpectField::Pending ? "none"
                       : e.field == scn::ExpectField::Parent || e.field == scn::ExpectField::Tracer ? "init"
                                                                                                    : "";
        return ts;
    }
    case 0:
        c.sys = Sys::Execve;   // by threads too; a thread of init is refused (counted)
        return ts;
    case 1:
        c.sys = Sys::PrctlPdeathsig;
        c.number = draw_signal(rng);
        return ts;
    case 2:
        c.sys = Sys::Wait4;
        c.any = roll(rng, 2) == 0;
        if (!c.any) c.target = pick(rng, all);
        c.options = (roll(rng, 2) ? scn::kWALL : 0) | (roll(rng, 4) == 0 ? scn::kWNOTHREAD : 0);
        return ts;
    case 3:
        c.sys = Sys::Waitid;
        c.idtype = roll(rng, 2) ? scn::IdType::All : scn::IdType::Pid;
        c.any = c.idtype == scn::IdType::All;   // as the parser writes P_ALL
        if (c.idtype == scn::IdType::Pid) c.target = pick(rng, all);
        c.options = scn::kWEXITED | (roll(rng, 4) ? scn::kWNOHANG : 0) | (roll(rng, 2) ? scn::kWNOWAIT : 0) |
                    (roll(rng, 2) ? scn::kWALL : 0);
        return ts;
    case 4:
        c.sys = Sys::PtraceAttach;
        c.target = pick(rng, all);
        return ts;
    case 5:
        // Attach twice as often as detach: tracers with several tracees,
        // tracers that exit with live and zombie tracees (exit_ptrace).
        c.sys = roll(rng, 2) ? Sys::PtraceDetach : Sys::PtraceAttach;
        c.target = pick(rng, all);
        return ts;
    case 6:
        // Thread and process pidfds alike (pidfd_open below makes both).
        if (fds.empty()) return std::nullopt;
        c.sys = Sys::PidfdSendSignal;
        c.target = pick(rng, fds);
        c.number = draw_signal(rng);
        return ts;
    case 7:
        // A signal that would stop a traced thread is refused by refimpl
        // (a declared gap) and counted; nothing is avoided here.
        c.sys = Sys::Kill;
        c.target = pick(rng, all);
        c.number = draw_signal(rng);
        return ts;
    case 8:
        c.sys = Sys::Sigaction;
        c.handler = scn::Handler::User;
        c.nocldwait = roll(rng, 2);
        return ts;
    case 9: {
        if (int(alive.size()) >= max_tasks) return std::nullopt;
        c.sys = roll(rng, 3) == 0 ? Sys::Clone : Sys::Clone3;
        switch (roll(rng, 4)) {
        case 0: c.flags.add(CloneFlag::PARENT); c.flags.add(CloneFlag::AUTOREAP); break;
        case 1: c.flags.add(CloneFlag::AUTOREAP); c.flags.add(CloneFlag::PIDFD); break;
        case 2:
            c.flags.add(CloneFlag::THREAD); c.flags.add(CloneFlag::SIGHAND); c.flags.add(CloneFlag::VM);
            c.flags.add(CloneFlag::PIDFD);
            break;
        default: c.flags.add(CloneFlag::PIDFD); c.flags.add(CloneFlag::PARENT); break;
        }
        c.exit_signal = roll(rng, 2) ? SIGCHLD : 0;
        fresh();
        return ts;
    }
    case 10:
        c.sys = Sys::PidfdOpen;
        c.target = pick(rng, all);
        c.pidfd_thread = roll(rng, 2);
        c.pidfd_nonblock = roll(rng, 2);
        fresh();
        ts.fresh.task.clear();
        return ts;
    case 11:
        c.sys = Sys::CapsetDrop;
        return ts;
    default:
        c.sys = Sys::Sigpending;
        c.peek = true;
        return ts;
    }
}

}  // namespace

long first_mismatch(const std::vector<TraceStep>& trace, const RandomConfig& cfg, Lockstep::Step* at) {
    Lockstep ls(cfg.profile, false, cfg.fault);
    for (size_t i = 0; i < trace.size(); ++i) {
        Lockstep::Step s;
        try {
            s = ls.step(trace[i].st, trace[i].fresh, !ls.in_window(trace[i].st));
        } catch (const scn::ParseError&) {
            return -2;
        }
        if (s.outcome == Lockstep::Outcome::Differ) {
            if (at) *at = s;
            return long(i);
        }
    }
    return -1;
}

std::vector<TraceStep> shrink(std::vector<TraceStep> trace, const RandomConfig& cfg) {
    if (trace.empty()) return trace;
    const TraceStep last = trace.back();
    std::vector<TraceStep> body(trace.begin(), trace.end() - 1);
    auto fails = [&](const std::vector<TraceStep>& cand) {
        if (cfg.stop && *cfg.stop) return false;   // interrupted: keep what is shrunk so far
        std::vector<TraceStep> t = cand;
        t.push_back(last);
        return first_mismatch(t, cfg) == long(cand.size());
    };
    // ddmin over the statements before the mismatching one.
    size_t n = 2;
    while (body.size() >= 2) {
        const size_t chunk = (body.size() + n - 1) / n;
        bool reduced = false;
        for (size_t start = 0; start < body.size(); start += chunk) {
            std::vector<TraceStep> comp(body.begin(), body.begin() + long(start));
            comp.insert(comp.end(), body.begin() + long(std::min(start + chunk, body.size())), body.end());
            if (fails(comp)) {
                body = std::move(comp);
                n = std::max<size_t>(n - 1, 2);
                reduced = true;
                break;
            }
        }
        if (!reduced) {
            if (n >= body.size()) break;
            n = std::min(body.size(), n * 2);
        }
    }
    // Then single statements until nothing more can go (1-minimal).
    for (bool again = true; again;) {
        again = false;
        for (size_t i = body.size(); i-- > 0;) {
            std::vector<TraceStep> comp = body;
            comp.erase(comp.begin() + long(i));
            if (fails(comp)) {
                body = std::move(comp);
                again = true;
            }
        }
    }
    body.push_back(last);
    return body;
}

std::string trace_to_scn(const std::vector<TraceStep>& trace, const RandomConfig& cfg,
                         const std::vector<std::string>& header) {
    scn::Scenario sc;
    sc.profile = cfg.profile;
    for (const auto& h : header) sc.header.push_back("# " + h);
    Lockstep ls(cfg.profile, false, cfg.fault);
    int line = 0;
    for (const auto& ts : trace) {
        Statement st = ts.st;
        st.loc.line = ++line;
        Lockstep::Step s = ls.step(ts.st, ts.fresh, !ls.in_window(ts.st));
        // The kernel's answers are the expectations: replay through refimpl
        // fails exactly where refimpl differs.
        if (s.kernel_ran && st.call.sys != Sys::Exit && st.call.sys != Sys::ExitGroup)
            st.expected = s.kernel_result;
        sc.statements.push_back(st);
    }
    std::string text = scn::print(sc);
    if (!text.empty() && text.back() != '\n') text += '\n';
    return text;
}

RandomReport run_random(const RandomConfig& cfg, std::ostream& log) {
    RandomReport rep;
    const auto t0 = std::chrono::steady_clock::now();
    auto stopped = [&] { return cfg.stop && *cfg.stop; };
    for (int i = 0; i < cfg.traces && !stopped(); ++i) {
        if (cfg.max_mismatches > 0 && rep.mismatches >= size_t(cfg.max_mismatches)) {
            log << "conform: stopping after " << rep.mismatches << " mismatches\n";
            break;
        }
        std::seed_seq seq{uint32_t(cfg.seed), uint32_t(cfg.seed >> 32), uint32_t(i)};
        std::mt19937_64 rng(seq);
        const std::string file = "seed" + std::to_string(cfg.seed) + "-trace" + std::to_string(i);
        std::vector<TraceStep> trace;
        int counter = 0;
        std::optional<TraceStep> ts;
        try {   // a harness failure ends the run with one line saying where
            Lockstep ls(cfg.profile, false, cfg.fault);
            ++rep.traces;
            for (int step = 0; step < cfg.length && !stopped(); ++step) {
                std::vector<std::string> actors;
                for (const auto& n : ls.refimpl().task_names(true))
                    if (cfg.extended || !ls.refimpl().is_blocked(n)) actors.push_back(n);
                if (actors.empty()) break;
                // A woken waiter has already finished on the kernel: resume it at
                // once so that both worlds agree again (see Lockstep::in_window).
                std::vector<std::string> woken;
                for (const auto& n : actors) {
                    refimpl::Id t = ls.refimpl().task_of(n);
                    if (t != refimpl::kNone && ls.refimpl().state().tasks[size_t(t)].wait.active &&
                        ls.refimpl().state().tasks[size_t(t)].wait.woken)
                        woken.push_back(n);
                }
                if (!woken.empty()) actors = {woken.front()};
                ts.reset();
                for (int tries = 0; tries < 20 && !ts; ++tries) {
                    const std::string& actor = pick(rng, actors);
                    if (ls.refimpl().is_blocked(actor)) {
                        TraceStep r;
                        r.st.loc = scn::Loc{file, step + 1, 1};
                        r.st.actor = actor;
                        r.st.call.sys = Sys::Resume;
                        ts = r;
                    } else if (cfg.extended && roll(rng, 5) < 2) {
                        ts = draw_extended(rng, ls.refimpl(), actor, cfg.tasks, counter, file, step + 1);
                    } else {
                        ts = draw(rng, ls.refimpl(), actor, cfg.tasks, counter, file, step + 1);
                    }
                }
                if (!ts) continue;
                const bool rule1 = thread_pidfd_kill_of_exiting(ls.refimpl(), ts->st);
                Lockstep::Step s;
                if (cfg.echo) log << "trace " << i << ": " << call_text(ts->st) << "\n" << std::flush;
                try {
                    s = ls.step(ts->st, ts->fresh, !ls.in_window(ts->st));
                } catch (const scn::ModelGap& g) {
                    ++rep.refused[g.reason()];   // a declared gap: counted, not run anywhere
                    continue;
                } catch (const scn::ParseError&) {
                    ++rep.refused[kNotRunnable];   // refimpl cannot run it at all: draw again
                    continue;
                }
                trace.push_back(*ts);
                ++rep.statements;
                if (rule1) ++rep.thread_pidfd_kills_of_exiting;
                if (s.outcome == Lockstep::Outcome::Skipped) ++rep.skipped;
                if (s.outcome != Lockstep::Outcome::Differ) continue;
                ++rep.mismatches;
                log << "conform: trace " << i << " (seed " << cfg.seed << "): " << call_text(ts->st)
                    << ": kernel " << s.kernel << ", refimpl " << s.refimpl << "\n";
                auto small = shrink(trace, cfg);
                Lockstep::Step at;
                first_mismatch(small, cfg, &at);
                std::vector<std::string> header = {
                    "conform: the running kernel and refimpl (" + cfg.profile + ") differ at the last statement",
                    "found by: reapcheck conform --profile " + cfg.profile + " --random " + std::to_string(cfg.traces) + " --seed " +
                        std::to_string(cfg.seed) + " --tasks " + std::to_string(cfg.tasks) + " --length " +
                        std::to_string(cfg.length) + " (trace " + std::to_string(i) + ", shrunk from " +
                        std::to_string(trace.size()) + " statements)",
                    "kernel:  " + at.kernel, "refimpl: " + at.refimpl,
                    "the results written below are the kernel's"};
                std::string text = trace_to_scn(small, cfg, header);
                rep.shrunk.push_back(text);
                if (cfg.write_files) {
                    std::string path = cfg.out_dir + "/conform-seed" + std::to_string(cfg.seed) + "-" +
                                       std::to_string(i) + ".scn";
                    std::ofstream out(path);
                    if (!out) throw ConformError("cannot write " + path);
                    out << text;
                    rep.files.push_back(path);
                    log << "conform: shrunk to " << small.size() << " statements: " << path << "\n";
                } else {
                    log << text;
                }
                break;
            }
        } catch (const ConformError& e) {
            rep.error = file + ", statement " + std::to_string(trace.size() + 1) +
                        (ts ? " (" + call_text(ts->st) + ")" : std::string()) + ": " + e.what();
            break;
        }
    }
    rep.interrupted = stopped();
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return rep;
}

}  // namespace reapcheck::conform
