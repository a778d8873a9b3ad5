#include "checker/conform/kernel_executor.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

#include "checker/conform/proc.hpp"
#include "checker/conform/puppet.hpp"
#include "checker/scenario/dispatch.hpp"
#include "refimpl/profile.hpp"

namespace reapcheck::conform {

using scn::CloneFlag;
using scn::Result;
using scn::Statement;
using scn::Sys;
using Clock = std::chrono::steady_clock;

namespace {

int ms_since(Clock::time_point t0) {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

void pause_us(int us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); }

Result mk(Result::Kind k, int64_t v = 0) {
    Result r;
    r.kind = k;
    r.value = v;
    return r;
}
Result errno_result(int64_t neg) { return mk(Result::Kind::Errno, -neg); }
Result ok_or_errno(int64_t ret) { return ret < 0 ? errno_result(ret) : mk(Result::Kind::Ok); }

/// A task that has not finished what it is doing: running, in uninterruptible
/// sleep, waking, or EXIT_DEAD on its way to release.
bool unsettled(char s) { return s == 'R' || s == 'D' || s == 'X' || s == 'x' || s == 'W'; }

wire::Op op_of(Sys s) {
    switch (s) {
    case Sys::Clone3: return wire::Op::Clone3;
    case Sys::Clone: return wire::Op::Clone;
    case Sys::Fork: return wire::Op::Fork;
    case Sys::Exit: return wire::Op::Exit;
    case Sys::ExitGroup: return wire::Op::ExitGroup;
    case Sys::Execve: return wire::Op::Execve;
    case Sys::Kill: return wire::Op::Kill;
    case Sys::PidfdSendSignal: return wire::Op::PidfdSendSignal;
    case Sys::Wait4: return wire::Op::Wait4;
    case Sys::Waitid: return wire::Op::Waitid;
    case Sys::Sigaction: return wire::Op::Sigaction;
    case Sys::PrctlSubreaper:
    case Sys::PrctlPdeathsig: return wire::Op::Prctl;
    case Sys::PidfdOpen: return wire::Op::PidfdOpen;
    case Sys::Close: return wire::Op::Close;
    case Sys::Poll: return wire::Op::Poll;
    case Sys::PidfdInfo: return wire::Op::PidfdInfo;
    case Sys::Sigpending: return wire::Op::Sigpending;
    case Sys::Getppid: return wire::Op::Getppid;
    case Sys::PtraceAttach: return wire::Op::PtraceSeize;
    case Sys::PtraceDetach: return wire::Op::PtraceDetach;
    case Sys::CapsetDrop: return wire::Op::CapsetDrop;
    default: throw ConformError("internal: no puppet op for this call");
    }
}

/// The syscall a puppet sleeps in when this call blocks (for /proc/<tid>/syscall).
long blocking_syscall(const scn::Call& c) {
    switch (c.sys) {
    case Sys::Wait4: return 61;
    case Sys::Waitid: return 247;
    case Sys::Clone3: return 435;
    case Sys::Clone:
    case Sys::Fork: return 56;
    default: return -1;
    }
}

bool may_block(const scn::Call& c) {
    switch (c.sys) {
    case Sys::Wait4:
    case Sys::Waitid: return !(c.options & scn::kWNOHANG);
    case Sys::Clone3:
    case Sys::Clone: return c.flags.has(CloneFlag::VFORK) || (c.flags.raw & 0x4000);
    default: return false;
    }
}

std::string sys_name(const scn::Call& c) { return scn::to_string(c.sys); }

}  // namespace

// ---------------------------------------------------------------------------

void KernelExecutor::require_root() {
    if (::geteuid() != 0)
        throw ConformError(
            "conform needs root: it creates a pid namespace and real processes "
            "(run it as root)");
}

std::string KernelExecutor::auto_profile() {
    struct utsname u {};
    ::uname(&u);
    int major = 0, minor = 0;
    std::sscanf(u.release, "%d.%d", &major, &minor);
    return (major > 7 || (major == 7 && minor >= 1)) ? "mainline" : "linux-6.18";
}

KernelExecutor::KernelExecutor(std::string profile, Timeouts t)
    : profile_(std::move(profile)), to_(t) {
    require_root();
    if (!refimpl::find_profile(profile_))
        throw ConformError("unknown profile '" + profile_ + "' (" + refimpl::profile_names() + ")");
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        throw ConformError(std::string("socketpair: ") + std::strerror(errno));
    long pid = spawn_init_puppet(sv[1]);
    ::close(sv[1]);
    if (pid < 0) {
        ::close(sv[0]);
        throw ConformError(std::string("cannot create a pid namespace (clone3 CLONE_NEWPID): ") +
                           std::strerror(static_cast<int>(-pid)));
    }
    init_gpid_ = static_cast<pid_t>(pid);
    try {
        add_task("init", sv[0], 1);
        Statement st;
        st.actor = "init";
        st.call.sys = Sys::Fork;
        Result r = run(st, scn::Fresh{"main", ""});
        if (r.kind != Result::Kind::Child) throw ConformError("cannot fork main in the namespace");
        auto_task_ = 0;
    } catch (...) {
        kill_namespace();
        throw;
    }
}

KernelExecutor::~KernelExecutor() { kill_namespace(); }

void KernelExecutor::kill_namespace() {
    if (init_gpid_ > 0) {
        // SIGKILL to a namespace's init kills every task in it (zap_pid_ns_processes).
        ::kill(init_gpid_, SIGKILL);
        auto t0 = Clock::now();
        for (;;) {
            pid_t w = ::waitpid(init_gpid_, nullptr, WNOHANG | __WALL);
            if (w == init_gpid_ || (w < 0 && errno == ECHILD)) break;
            if (ms_since(t0) > 10000) {
                std::fprintf(stderr, "reapcheck: conform: namespace init %d not reaped after 10 s\n",
                             init_gpid_);
                break;
            }
            pause_us(200);
        }
        init_gpid_ = -1;
    }
    for (auto& t : tasks_)
        if (t.ch >= 0) {
            ::close(t.ch);
            t.ch = -1;
        }
}

bool KernelExecutor::skips(const Statement& st) {
    return st.kind == Statement::Kind::Call && scn::is_kernel_step(st.call.sys);
}

std::vector<pid_t> KernelExecutor::global_pids() const {
    std::vector<pid_t> v;
    for (const auto& t : tasks_) v.push_back(t.g_tid);
    return v;
}

pid_t KernelExecutor::global_tid(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? -1 : tasks_[it->second].g_tid;
}

// --- names -----------------------------------------------------------------

KernelExecutor::Task& KernelExecutor::task(const std::string& name, const scn::Loc& loc) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) throw scn::ParseError(loc, "unknown task '" + name + "'");
    return tasks_[it->second];
}

KernelExecutor::Task& KernelExecutor::actor_of(const Statement& st) {
    Task& t = task(st.actor, st.loc);
    if (st.call.sys == Sys::Resume) {
        if (!t.blocked) throw scn::ParseError(st.loc, "'" + st.actor + "' is not blocked");
    } else if (t.blocked) {
        throw scn::ParseError(st.loc, "'" + st.actor + "' is blocked in " + sys_name(t.pending) +
                                          " (use resume)");
    }
    if (t.life != Life::Alive || t.ch < 0)
        throw scn::ParseError(st.loc, "'" + st.actor + "' has exited");
    return t;
}

int KernelExecutor::fd_number(const std::string& name, const scn::Loc& loc) const {
    auto it = fds_.find(name);
    if (it == fds_.end()) throw scn::ParseError(loc, "unknown fd '" + name + "'");
    return it->second;
}

void KernelExecutor::bind_fd(const std::string& name, int number) { fds_[name] = number; }

std::string KernelExecutor::name_of_ns(pid_t ns_pid) const {
    // The latest task with that number (numbers are not reused within one run,
    // except by an exec'ing thread taking over its leader's).
    for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it)
        if (it->ns_tid == ns_pid) return it->name;
    return "";
}

std::string KernelExecutor::name_of_global(pid_t gpid) const {
    for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it)
        if (it->g_tid == gpid) return it->name;
    return "";
}

uint64_t KernelExecutor::flag_bits(const scn::FlagSet& f) const {
    // The same mapping as refimpl's, so both worlds get the same bits.
    return scn::resolve_flags(f, *refimpl::find_profile(profile_));
}

// --- channels ----------------------------------------------------------------

KernelExecutor::Task& KernelExecutor::add_task(std::string name, int ch, pid_t ns_tid_hint) {
    Task t;
    t.name = std::move(name);
    t.ch = ch;
    t.ns_tid = ns_tid_hint;
    tasks_.push_back(std::move(t));
    Task& nt = tasks_.back();
    by_name_[nt.name] = tasks_.size() - 1;
    Received r = receive(nt, false, to_.reply);
    if (r.kind != Received::Kind::Hello)
        throw ConformError("puppet '" + nt.name + "' did not start (no hello on its channel)");
    wire::Hello h;
    std::memcpy(&h, r.buf, sizeof h);
    if (h.g_tid <= 0) throw ConformError("puppet '" + nt.name + "' cannot read /proc/thread-self");
    // The creator's view of the child's pid is authoritative (CLONE_NEWPID
    // children see themselves as 1).
    if (ns_tid_hint <= 0) nt.ns_tid = h.ns_tid;
    nt.ns_tgid = (h.ns_tid == h.ns_tgid) ? nt.ns_tid : h.ns_tgid;
    nt.g_tid = h.g_tid;
    nt.g_tgid = h.g_tgid;
    if (auto s = proc::stat(nt.g_tid)) nt.starttime = s->starttime;
    return nt;
}

KernelExecutor::Received KernelExecutor::receive(Task& t, bool blockable, int wait_ms) {
    Received out;
    const auto t0 = Clock::now();
    const long sc = blockable ? blocking_syscall(t.pending) : -1;
    int slice = 0;
    for (;;) {
        struct pollfd pf{t.ch, POLLIN, 0};
        int n = ::poll(&pf, 1, slice);
        if (n > 0 && (pf.revents & POLLIN)) {
            struct iovec iov{out.buf, sizeof out.buf};
            alignas(struct cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
            struct msghdr mh {};
            mh.msg_iov = &iov;
            mh.msg_iovlen = 1;
            mh.msg_control = cbuf;
            mh.msg_controllen = sizeof cbuf;
            ssize_t got = ::recvmsg(t.ch, &mh, MSG_CMSG_CLOEXEC);
            if (got > 0) {
                for (auto* cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
                        std::memcpy(&out.fd, CMSG_DATA(cm), sizeof(int));
                if (got == sizeof(wire::Hello)) {
                    out.kind = Received::Kind::Hello;
                } else if (got == sizeof(wire::Reply)) {
                    out.kind = Received::Kind::Reply;
                } else {
                    throw ConformError("puppet '" + t.name + "' sent a malformed message");
                }
                return out;
            }
        }
        if (n > 0 && (pf.revents & (POLLHUP | POLLERR)) && !(pf.revents & POLLIN)) {
            out.kind = Received::Kind::Died;
            return out;
        }
        // No answer yet: dead, blocked in the call, or still working. (An
        // exec'ing thread changes its tid: only the hello tells.)
        if (t.g_tid > 0 && !(t.pending.sys == Sys::Execve && !blockable)) {
            auto st = proc::stat(t.g_tid);
            if (!st || st->state == 'Z' || st->state == 'X' ||
                (t.starttime && st->starttime != t.starttime)) {
                out.kind = Received::Kind::Died;
                return out;
            }
            if (blockable && st->state == 'S' && sc >= 0) {
                auto s = proc::read("/proc/" + std::to_string(t.g_tid) + "/syscall");
                if (s && std::atol(s->c_str()) == sc) {
                    // Asleep in the call itself; look once more for a late answer.
                    struct pollfd pf2{t.ch, POLLIN, 0};
                    if (::poll(&pf2, 1, 1) == 0) {
                        out.kind = Received::Kind::Blocked;
                        return out;
                    }
                    continue;
                }
            }
        }
        if (ms_since(t0) >= wait_ms) {
            if (blockable) {
                out.kind = Received::Kind::Blocked;
                return out;
            }
            const auto st = proc::stat(t.g_tid);   // 'T': stopped, 'S': asleep elsewhere, ...
            throw ConformError("puppet '" + t.name + "' (pid " + std::to_string(t.g_tid) +
                               ") did not answer within " + std::to_string(wait_ms) + " ms" +
                               (st ? std::string(" (state ") + st->state + ")" : std::string()));
        }
        slice = slice < 5 ? slice + 1 : 5;
    }
}

// --- run ---------------------------------------------------------------------

Result KernelExecutor::run(const Statement& st, const scn::Fresh& fresh) {
    if (skips(st)) return mk(Result::Kind::Ok);
    if (st.kind != Statement::Kind::Call) throw scn::ParseError(st.loc, "not a call");
    Task& t = actor_of(st);
    const scn::Call& c = st.call;

    if (c.sys == Sys::Resume) {
        Received r = receive(t, true, to_.grace);
        if (r.kind == Received::Kind::Blocked) return mk(Result::Kind::Blocks);
        t.blocked = false;
        Result res = decode(t, t.pending, r, fresh);
        settle();
        return res;
    }

    wire::Cmd cmd;
    cmd.op = op_of(c.sys);
    switch (c.sys) {
    case Sys::Clone3:
    case Sys::Clone:
        cmd.a = static_cast<int64_t>(flag_bits(c.flags));
        cmd.b = c.exit_signal;
        break;
    case Sys::Exit:
    case Sys::ExitGroup: cmd.a = c.number; break;
    case Sys::Kill:
        cmd.a = task(c.target, st.loc).ns_tid;
        cmd.b = c.number;
        break;
    case Sys::PidfdSendSignal:
        cmd.a = fd_number(c.target, st.loc);
        cmd.b = c.number;
        break;
    case Sys::Wait4:
        cmd.a = c.any ? -1 : task(c.target, st.loc).ns_tid;
        cmd.b = c.options;
        break;
    case Sys::Waitid:
        cmd.a = c.idtype == scn::IdType::All ? P_ALL : c.idtype == scn::IdType::Pid ? P_PID : 3;
        cmd.b = c.idtype == scn::IdType::All   ? 0
                : c.idtype == scn::IdType::Pid ? task(c.target, st.loc).ns_tid
                                               : fd_number(c.target, st.loc);
        cmd.c = c.options;
        break;
    case Sys::Sigaction:
        cmd.a = c.handler == scn::Handler::Dfl ? 0 : c.handler == scn::Handler::Ign ? 1 : 2;
        cmd.b = c.nocldwait;
        break;
    case Sys::PrctlSubreaper:
        cmd.a = 36;   // PR_SET_CHILD_SUBREAPER
        cmd.b = c.number;
        break;
    case Sys::PrctlPdeathsig:
        cmd.a = 1;    // PR_SET_PDEATHSIG
        cmd.b = c.number;
        break;
    case Sys::PidfdOpen:
        cmd.a = task(c.target, st.loc).ns_tid;
        cmd.b = (c.pidfd_thread ? 0x80 : 0) | (c.pidfd_nonblock ? 0x800 : 0);
        break;
    case Sys::Close:
    case Sys::Poll: cmd.a = fd_number(c.target, st.loc); break;
    case Sys::PidfdInfo:
        cmd.a = fd_number(c.target, st.loc);
        cmd.b = 0x1 | (c.info_exit ? 0x8 : 0);
        break;
    case Sys::Sigpending: cmd.a = c.peek; break;
    case Sys::PtraceAttach:
    case Sys::PtraceDetach: cmd.a = task(c.target, st.loc).ns_tid; break;
    default: break;
    }

    if (::send(t.ch, &cmd, sizeof cmd, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof cmd))
        throw ConformError("cannot reach puppet '" + t.name + "': " + std::strerror(errno));

    if (c.sys == Sys::Exit || c.sys == Sys::ExitGroup) {
        settle();
        return mk(Result::Kind::Ok);
    }
    t.pending = c;
    const bool blockable = may_block(c);
    Received r = receive(t, blockable, blockable ? to_.grace
                                      : c.sys == Sys::Execve ? to_.exec : to_.reply);
    if (r.kind == Received::Kind::Blocked) {
        t.blocked = true;
        settle();
        return mk(Result::Kind::Blocks);
    }
    Result res = decode(t, c, r, fresh);
    settle();
    return res;
}

Result KernelExecutor::decode(Task& t, const scn::Call& c, const Received& r, const scn::Fresh& fresh) {
    using K = Result::Kind;
    if (r.kind == Received::Kind::Died) {
        settle();   // a zombie or released: /proc says which
        // A signal that kills its own sender: the call itself succeeded.
        if (c.sys == Sys::Kill || c.sys == Sys::PidfdSendSignal) return mk(K::Ok);
        throw ConformError("puppet '" + t.name + "' (pid " + std::to_string(t.g_tid) +
                           ") died during " + sys_name(c));
    }
    if (r.kind == Received::Kind::Hello) {
        if (c.sys != Sys::Execve)
            throw ConformError("puppet '" + t.name + "' restarted unexpectedly");
        wire::Hello h;
        std::memcpy(&h, r.buf, sizeof h);
        // A non-leader that execs takes over its leader's pid (de_thread): as in
        // refimpl, the leader's name now names the caller, and the caller's old
        // name the released old leader.
        if (h.g_tid != t.g_tid) {
            const size_t ti = by_name_.at(t.name);
            for (size_t oi = 0; oi < tasks_.size(); ++oi) {
                Task& o = tasks_[oi];
                if (oi == ti || o.g_tid != h.g_tid || o.life == Life::Gone) continue;
                std::swap(o.name, t.name);
                by_name_[o.name] = oi;
                by_name_[t.name] = ti;
                std::swap(o.ns_tid, t.ns_tid);
                o.life = Life::Gone;
                released_ = true;   // de_thread released the old leader: settle fences
                if (o.ch >= 0) ::close(o.ch);
                o.ch = -1;
                break;
            }
            t.g_tid = h.g_tid;
            t.ns_tid = t.ns_tgid;
        }
        t.g_tgid = h.g_tgid;
        if (auto s = proc::stat(t.g_tid)) t.starttime = s->starttime;
        return mk(K::Ok);
    }
    wire::Reply rep;
    std::memcpy(&rep, r.buf, sizeof rep);
    if (rep.v3 == 1 && (c.sys == Sys::Clone3 || c.sys == Sys::Clone || c.sys == Sys::Fork) &&
        rep.ret < 0)
        throw ConformError("puppet '" + t.name + "' could not prepare a channel: " +
                           std::strerror(static_cast<int>(-rep.ret)));
    switch (c.sys) {
    case Sys::Clone3:
    case Sys::Clone:
    case Sys::Fork: {
        if (rep.ret < 0) {
            if (r.fd >= 0) ::close(r.fd);
            return errno_result(rep.ret);
        }
        if (r.fd < 0) throw ConformError("puppet '" + t.name + "' created a child without a channel");
        std::string name = fresh.task.empty() ? "t" + std::to_string(++auto_task_) : fresh.task;
        add_task(name, r.fd, static_cast<pid_t>(rep.ret));
        Result res = mk(K::Child);
        res.name = name;
        if (rep.v1 >= 0) {
            res.name2 = fresh.fd.empty() ? "fd" + std::to_string(++auto_fd_) : fresh.fd;
            bind_fd(res.name2, static_cast<int>(rep.v1));
        }
        return res;
    }
    case Sys::Wait4: {
        if (rep.ret < 0) return errno_result(rep.ret);
        if (rep.ret == 0) return mk(K::Number, 0);
        int status = static_cast<int>(rep.v1);
        Result res = mk(K::Reaped);
        res.name = name_of_ns(static_cast<pid_t>(rep.ret));
        if (WIFSIGNALED(status)) {
            res.killed = true;
            res.code = WTERMSIG(status);
        } else if (WIFEXITED(status)) {
            res.code = WEXITSTATUS(status);
        } else {
            return mk(K::Number, rep.ret);   // a stop: outside the model
        }
        return res;
    }
    case Sys::Waitid: {
        if (rep.ret < 0) return errno_result(rep.ret);
        if (rep.v1 == 0) return mk(K::None);
        Result res = mk(K::Reaped);
        res.name = name_of_ns(static_cast<pid_t>(rep.v1));
        res.killed = rep.v2 == CLD_KILLED || rep.v2 == CLD_DUMPED;
        res.code = rep.v3;
        if (rep.v2 != CLD_EXITED && !res.killed) return mk(K::Number, rep.v1);
        return res;
    }
    case Sys::PidfdOpen: {
        if (rep.ret < 0) return errno_result(rep.ret);
        Result res = mk(K::Pidfd);
        res.name = fresh.fd.empty() ? "fd" + std::to_string(++auto_fd_) : fresh.fd;
        bind_fd(res.name, static_cast<int>(rep.ret));
        return res;
    }
    case Sys::Poll: {
        if (rep.ret < 0) return errno_result(rep.ret);
        if (rep.ret & POLLNVAL) return mk(K::Errno, EBADF);
        return mk(K::PollMask, rep.ret & (POLLIN | POLLHUP));
    }
    case Sys::PidfdInfo: {
        if (rep.ret < 0) return errno_result(rep.ret);
        if (!(rep.v1 & 0x8)) return mk(K::NoExit);
        int status = static_cast<int>(rep.v2);
        Result res = mk(K::ExitInfo);
        res.killed = WIFSIGNALED(status);
        res.code = res.killed ? WTERMSIG(status) : WEXITSTATUS(status);
        return res;
    }
    case Sys::Sigpending:
        return rep.ret == 1 ? mk(K::Signal, SIGCHLD) : mk(K::None);
    case Sys::Getppid: {
        if (rep.ret < 0) return errno_result(rep.ret);
        std::string n = rep.ret ? name_of_ns(static_cast<pid_t>(rep.ret)) : "";
        if (n.empty()) return mk(K::Number, rep.ret);
        Result res = mk(K::Task);
        res.name = n;
        return res;
    }
    default: return ok_or_errno(rep.ret);
    }
}

// --- settling ----------------------------------------------------------------

std::optional<char> KernelExecutor::proc_state(const Task& t) const {
    if (t.life == Life::Gone) return std::nullopt;   // released (pids are not reused here)
    auto s = proc::stat(t.g_tid);
    if (!s || (t.starttime && s->starttime != t.starttime)) return std::nullopt;
    return s->state;
}

void KernelExecutor::refresh(Task& t) {
    if (t.life == Life::Gone) return;
    auto s = proc_state(t);
    if (!s) t.life = Life::Gone;
    else if (*s == 'Z') t.life = Life::Zombie;
    if (t.life != Life::Alive && t.ch >= 0) {
        ::close(t.ch);
        t.ch = -1;
        t.blocked = false;
    }
}

namespace {

/// Waits until no writer holds tasklist_lock. /proc shows an exit's visible
/// step before the work done under the same lock hold is finished:
/// exit_notify (kernel/exit.c) sets EXIT_ZOMBIE and only then calls
/// do_notify_parent, and release_task unhashes the last thread of a group
/// (its /proc entry disappears) and only then notifies the parent of the
/// zombie leader it delayed, both inside one write_lock_irq(&tasklist_lock).
/// A poll that lands in between sees every task settled while the SIGCHLD is
/// not yet queued; the next statement then races it (a `sigaction SIG_DFL`
/// flushed refimpl's signal and not the kernel's, which came after it).
/// waitid(P_ALL) takes read_lock(&tasklist_lock) before it looks at any child
/// (__do_wait: only P_PID and P_PGID return early without the lock), so when
/// it returns, the hold whose effect the poll saw is over. WNOHANG|WNOWAIT:
/// it neither blocks nor reaps.
void tasklist_barrier() {
    siginfo_t info{};
    (void)::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT | __WALL);
}

}  // namespace

void KernelExecutor::settle() {
    const auto t0 = Clock::now();
    int sleep_us = 20;
    bool moved = std::exchange(released_, false);   // a task became a zombie or went
    bool fenced = false;   // a barrier since the last busy poll
    for (;;) {
        bool busy = false;
        for (auto& t : tasks_) {
            if (t.life == Life::Gone) continue;
            const Life was = t.life;
            auto s = proc_state(t);
            if (s && unsettled(*s)) busy = true;
            else refresh(t);
            if (t.life != was) moved = true;
        }
        if (ms_since(t0) > to_.settle) return;
        if (!busy) {
            // Settled once the whole picture was read after a barrier: the
            // notification the barrier waited for may have woken a task. Every
            // exit the barrier is for ends in a task we know becoming a zombie
            // or going (the exiting task, or a thread whose release notifies
            // for its leader); after any other statement (getppid, a wait4
            // that finds nothing) there is nothing to wait for.
            if (fenced || !moved) return;
            tasklist_barrier();
            fenced = true;
            continue;
        }
        fenced = false;
        pause_us(sleep_us);
        sleep_us = std::min(sleep_us * 2, 2000);
    }
}

}  // namespace reapcheck::conform
