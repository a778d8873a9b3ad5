#include "checker/scenario/refimpl_executor.hpp"

#include <stdexcept>

namespace reapcheck::scn {

using namespace refimpl;

uint64_t resolve_flags(const FlagSet& f, const Profile& p) {
    uint64_t bits = f.raw;
    for (int i = 0; i < int(CloneFlag::COUNT_); ++i)
        if (f.has(CloneFlag(i))) bits |= named_flag_bit(p, i);
    return bits;
}

namespace {
const Profile& profile_or_throw(const std::string& name) {
    const Profile* p = find_profile(name);
    if (!p) throw std::invalid_argument("unknown profile '" + name + "' (expected one of " + profile_names() + ")");
    return *p;
}

Result errno_result(int64_t ret) {
    Result r;
    r.kind = Result::Kind::Errno;
    r.value = -ret;
    return r;
}

void decode_status(int16_t status, Result& r) {
    if ((status & 0x7f) == 0) {
        r.killed = false;
        r.code = (status >> 8) & 0xff;
    } else {
        r.killed = true;
        r.code = status & 0x7f;
    }
}
}  // namespace

RefimplExecutor::RefimplExecutor(std::string profile_name, bool explicit_steps)
    : RefimplExecutor(profile_or_throw(profile_name), explicit_steps) {}

RefimplExecutor::RefimplExecutor(const Profile& profile, bool explicit_steps)
    : profile_(profile), explicit_steps_(explicit_steps), state_(initial_state()) {
    tasks_["init"] = kInit;
    tasks_["main"] = kMain;
}

std::string RefimplExecutor::name_of(Id t) const {
    for (const auto& [n, id] : tasks_)
        if (id == t) return n;
    return "";
}

Id RefimplExecutor::task_of(const std::string& name) const {
    auto it = tasks_.find(name);
    return it == tasks_.end() ? kNone : it->second;
}

std::vector<std::string> RefimplExecutor::task_names(bool alive_only) const {
    std::vector<std::string> v;
    for (Id t = 0; t < Id(state_.tasks.size()); ++t) {
        std::string n = name_of(t);
        if (n.empty()) continue;
        if (alive_only && cannot_act(state_, t) && !state_.tasks[t].wait.active) continue;
        v.push_back(n);
    }
    return v;
}

bool RefimplExecutor::is_blocked(const std::string& task) const {
    Id t = task_of(task);
    return t != kNone && state_.tasks[t].wait.active;
}

std::vector<std::string> RefimplExecutor::fd_names(const std::string& actor) const {
    std::vector<std::string> v;
    Id t = task_of(actor);
    if (t == kNone || state_.tasks[t].files == kNone) return v;
    for (const auto& [n, nr] : fds_)
        for (const Fd& fd : state_.fdtables[state_.tasks[t].files].fds)
            if (fd.nr == nr) v.push_back(n);
    return v;
}

Id RefimplExecutor::need_task(const Statement& st, const std::string& name) const {
    Id t = task_of(name);
    if (t == kNone) throw ParseError(st.loc, "unknown task '" + name + "' (no statement created it)");
    return t;
}

int RefimplExecutor::need_fd(const Statement& st, const std::string& name) const {
    auto it = fds_.find(name);
    if (it == fds_.end()) throw ParseError(st.loc, "unknown pidfd '" + name + "' (no statement created it)");
    return it->second;
}

Result RefimplExecutor::run(const Statement& st, const Fresh& fresh) {
    if (st.actor == "kernel") {
        if (!explicit_steps_)
            throw ParseError(st.loc, "kernel steps may only be written under 'steps explicit' (under steps auto they run by themselves)");
        const Id t = need_task(st, st.call.target);
        const Step want = st.call.sys == Sys::KDoExit        ? Step::DoExit
                          : st.call.sys == Sys::KExitNotify ? Step::ExitNotify
                          : st.call.sys == Sys::KPidfsExit  ? Step::PidfsExit
                                                            : Step::Unhash;
        if (state_.tasks[t].step != want)
            throw ParseError(st.loc, std::string("kernel step ") + to_string(st.call.sys) + " " + st.call.target +
                                         " is not pending (its pending step is " + to_string(state_.tasks[t].step) + ")");
        kernel_step(state_, profile_, t);
        return Result{};
    }
    const Id actor = need_task(st, st.actor);
    if (st.call.sys == Sys::Resume) {
        if (!state_.tasks[actor].wait.active)
            throw ParseError(st.loc, "'" + st.actor + "' has no blocked call to resume");
    } else if (const char* why = cannot_act(state_, actor)) {
        throw ParseError(st.loc, "'" + st.actor + "' cannot make a call: " + why);
    }
    Result r = run_call(st, fresh, actor);
    if (!explicit_steps_) run_pending(state_, profile_);
    return r;
}

Result RefimplExecutor::run_call(const Statement& st, const Fresh& fresh, Id actor) {
    const Call& c = st.call;
    State& s = state_;
    const Profile& p = profile_;
    auto simple = [](const SysResult& r) {
        return r.ret < 0 ? errno_result(r.ret) : Result{};
    };
    auto pid_of = [&](const std::string& name) { return s.tasks[need_task(st, name)].pid; };
    switch (c.sys) {
    case Sys::Clone3:
    case Sys::Clone:
    case Sys::Fork: {
        CloneArgs a;
        if (c.sys == Sys::Fork) {
            a.exit_signal = kSIGCHLD;
        } else {
            a.flags = resolve_flags(c.flags, p);
            a.exit_signal = c.exit_signal;
            a.legacy = c.sys == Sys::Clone;
            if (a.legacy) a.flags = (a.flags & ~kCSIGNAL) | (uint64_t(c.exit_signal) & kCSIGNAL);
        }
        {
            State probe = s;
            SysResult r = sys_clone(probe, p, actor, a);
            const uint64_t eff = a.legacy ? a.flags & 0xffffffffULL : a.flags;
            if (r.ok() && (eff & (kCLONE_NEWPID | kCLONE_VFORK | kCLONE_INTO_CGROUP)))
                throw ParseError(st.loc, "a successful clone with CLONE_NEWPID, CLONE_VFORK or CLONE_INTO_CGROUP is not modelled");
        }
        SysResult r = sys_clone(s, p, actor, a);
        if (r.ret < 0) return errno_result(r.ret);
        Result out;
        out.kind = Result::Kind::Child;
        out.name = fresh.task;
        tasks_[fresh.task] = r.task;
        if (r.fd >= 0) {
            out.name2 = fresh.fd;
            fds_[fresh.fd] = r.fd;
        }
        return out;
    }
    case Sys::Exit: sys_exit(s, p, actor, int(c.number)); return Result{};
    case Sys::ExitGroup: sys_exit_group(s, p, actor, int(c.number)); return Result{};
    case Sys::Execve: {
        const Id old_pid = s.tasks[actor].pid;
        const Id old_leader = s.tasks[actor].leader;
        SysResult r = sys_execve(s, p, actor);
        if (s.tasks[actor].pid != old_pid) {
            // de_thread: the caller took over the leader's pid, so the
            // leader's name now names the caller, and the caller's old name
            // the released old leader.
            std::string ln = name_of(old_leader), an = st.actor;
            if (!ln.empty()) {
                tasks_[ln] = actor;
                tasks_[an] = old_leader;
            }
        }
        return simple(r);
    }
    case Sys::Kill: return simple(sys_kill(s, p, actor, pid_of(c.target), int(c.number)));
    case Sys::PidfdSendSignal: return simple(sys_pidfd_send_signal(s, p, actor, need_fd(st, c.target), int(c.number)));
    case Sys::Wait4:
    case Sys::Waitid:
    case Sys::Resume: {
        SysResult r;
        bool waitid = c.sys == Sys::Waitid;
        if (c.sys == Sys::Resume) {
            waitid = s.tasks[actor].wait.waitid;
            r = sys_resume(s, p, actor);
        } else {
            WaitArgs a;
            a.waitid = waitid;
            a.any = c.any;
            a.options = c.options;
            if (!c.any) {
                if (c.sys == Sys::Waitid && c.idtype == IdType::Pidfd) a.fd = need_fd(st, c.target);
                else a.pid = pid_of(c.target);
            }
            r = sys_wait(s, p, actor, a);
        }
        Result out;
        if (r.blocks) { out.kind = Result::Kind::Blocks; return out; }
        if (r.ret < 0) return errno_result(r.ret);
        if (r.task == kNone) {
            out.kind = waitid ? Result::Kind::None : Result::Kind::Number;
            return out;
        }
        out.kind = Result::Kind::Reaped;
        out.name = name_of(r.task);
        if (out.name.empty()) out.name = "pid" + std::to_string(r.ret);
        decode_status(r.status, out);
        return out;
    }
    case Sys::Sigaction: return simple(sys_sigaction(s, p, actor, refimpl::Handler(c.handler), c.nocldwait));
    case Sys::PrctlSubreaper: return simple(sys_prctl_subreaper(s, p, actor, c.number));
    case Sys::PrctlPdeathsig: return simple(sys_prctl_pdeathsig(s, p, actor, c.number));
    case Sys::PidfdOpen: {
        SysResult r = sys_pidfd_open(s, p, actor, pid_of(c.target), c.pidfd_thread, c.pidfd_nonblock);
        if (r.ret < 0) return errno_result(r.ret);
        fds_[fresh.fd] = r.fd;
        Result out;
        out.kind = Result::Kind::Pidfd;
        out.name = fresh.fd;
        return out;
    }
    case Sys::Close: return simple(sys_close(s, p, actor, need_fd(st, c.target)));
    case Sys::Poll: {
        SysResult r = sys_poll(s, p, actor, need_fd(st, c.target));
        if (r.ret < 0) return errno_result(r.ret);
        Result out;
        out.kind = Result::Kind::PollMask;
        out.value = r.ret;
        return out;
    }
    case Sys::PidfdInfo: {
        SysResult r = sys_pidfd_info(s, p, actor, need_fd(st, c.target), c.info_exit);
        if (r.ret < 0) return errno_result(r.ret);
        Result out;
        out.kind = r.has_status ? Result::Kind::ExitInfo : Result::Kind::NoExit;
        if (r.has_status) decode_status(r.status, out);
        return out;
    }
    case Sys::Sigpending: {
        SysResult r = sys_sigpending(s, p, actor, c.peek);
        Result out;
        out.kind = r.ret ? Result::Kind::Signal : Result::Kind::None;
        out.value = r.ret;
        return out;
    }
    case Sys::Getppid: {
        SysResult r = sys_getppid(s, p, actor);
        Result out;
        if (r.task == kNone) {
            out.kind = Result::Kind::Number;
            out.value = r.ret;
        } else {
            out.kind = Result::Kind::Task;
            out.name = name_of(r.task);
        }
        return out;
    }
    case Sys::PtraceAttach: return simple(sys_ptrace_attach(s, p, actor, pid_of(c.target)));
    case Sys::PtraceDetach: return simple(sys_ptrace_detach(s, p, actor, pid_of(c.target)));
    case Sys::CapsetDrop: return simple(sys_capset_drop(s, p, actor));
    case Sys::KDoExit: case Sys::KExitNotify: case Sys::KPidfsExit: case Sys::KUnhash: break;
    }
    throw ParseError(st.loc, "internal: unhandled call");
}

ExpectOutcome RefimplExecutor::check(const Statement& st) {
    const Expect& e = st.expect;
    const State& s = state_;
    std::string observed;
    bool match = false;
    auto t = [&] { return need_task(st, e.subject); };
    auto num = [&](int64_t v) {
        observed = std::to_string(v);
        match = v == e.value;
    };
    auto named = [&](const std::string& v) {
        observed = v;
        match = v == e.value_name;
    };
    switch (e.field) {
    case ExpectField::State: named(to_string(s.tasks[t()].exit_state)); break;
    case ExpectField::Zombies: num(s.zombies()); break;
    case ExpectField::Parent: {
        const Id rp = s.tasks[t()].real_parent;
        named(rp == kNone ? "none" : name_of(s.tasks[rp].leader));
        break;
    }
    case ExpectField::Tracer: {
        const Task& tt = s.tasks[t()];
        named(tt.ptraced ? name_of(tt.parent) : "none");
        break;
    }
    case ExpectField::ExitSignal: num(s.tasks[t()].exit_signal); break;
    case ExpectField::Threads: num(s.procs[s.tasks[t()].proc].live); break;
    case ExpectField::Autoreap: num(s.procs[s.tasks[t()].proc].autoreap); break;
    case ExpectField::Subreaper: num(s.procs[s.tasks[t()].proc].is_child_subreaper); break;
    case ExpectField::HasSubreaper: num(s.procs[s.tasks[t()].proc].has_child_subreaper); break;
    case ExpectField::Nnp: num(s.tasks[t()].nnp); break;
    case ExpectField::Pending: named(s.procs[s.tasks[t()].proc].sigchld_pending ? "SIGCHLD" : "none"); break;
    }
    if (e.negate) match = !match;
    ExpectOutcome o;
    o.kind = match ? ExpectOutcome::Kind::Pass : ExpectOutcome::Kind::Fail;
    o.observed = observed;
    return o;
}

}  // namespace reapcheck::scn
