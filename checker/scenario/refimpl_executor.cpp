#include "checker/scenario/refimpl_executor.hpp"

#include "checker/scenario/dispatch.hpp"
#include "refimpl/gaps.hpp"

#include <stdexcept>

namespace reapcheck::scn {

using namespace refimpl;

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

namespace {
constexpr const char* kGapInitExec =
    "a thread of the namespace init taking over pid 1 in execve (fs/exec.c de_thread) is not modelled";
constexpr const char* kGapCloneFlags =
    "a successful clone with CLONE_NEWPID, CLONE_VFORK or CLONE_INTO_CGROUP (kernel/fork.c copy_process) is not modelled";
}  // namespace

Result RefimplExecutor::run(const Statement& st, const Fresh& fresh) {
    // A statement that reaches a declared gap is refused as a whole: the
    // world and the names go back to what they were.
    const State before = state_;
    const auto tasks_before = tasks_;
    const auto fds_before = fds_;
    GapSink gaps;
    Result r;
    {
        RecordGaps rec(gaps);
        r = run_unchecked(st, fresh);
    }
    if (!gaps.empty()) {
        state_ = before;
        tasks_ = tasks_before;
        fds_ = fds_before;
        throw ModelGap(st.loc, "refimpl cannot run this statement", gaps.front());
    }
    return r;
}

Result RefimplExecutor::run_unchecked(const Statement& st, const Fresh& fresh) {
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
    if (st.call.sys == Sys::Exit || st.call.sys == Sys::ExitGroup)
        if (const char* why = cannot_end_process(state_, actor, st.call.sys == Sys::ExitGroup))
            throw ModelGap(st.loc, "'" + st.actor + "' cannot exit", why);
    if (st.call.sys == Sys::Execve && state_.procs[state_.tasks[actor].proc].unkillable && !state_.is_leader(actor))
        throw ModelGap(st.loc, "'" + st.actor + "' cannot execve", kGapInitExec);
    Result r = run_call(st, fresh, actor);
    if (!explicit_steps_) run_pending(state_, profile_);
    return r;
}

Result RefimplExecutor::run_call(const Statement& st, const Fresh& fresh, Id actor) {
    const Call& c = st.call;
    State& s = state_;
    Resolved r;
    r.actor = actor;
    switch (c.sys) {
    case Sys::Kill: case Sys::Wait4: case Sys::PidfdOpen: case Sys::PtraceAttach: case Sys::PtraceDetach:
        if (!c.any) r.target = need_task(st, c.target);
        break;
    case Sys::Waitid:
        if (c.idtype == IdType::Pid) r.target = need_task(st, c.target);
        if (c.idtype == IdType::Pidfd) r.fd = need_fd(st, c.target);
        break;
    case Sys::PidfdSendSignal: case Sys::Close: case Sys::Poll: case Sys::PidfdInfo:
        r.fd = need_fd(st, c.target);
        break;
    default: break;
    }
    const bool is_clone = c.sys == Sys::Clone3 || c.sys == Sys::Clone || c.sys == Sys::Fork;
    if (is_clone) {
        State probe = s;
        const CloneArgs a = clone_args(c, profile_);
        const uint64_t eff = a.legacy ? a.flags & 0xffffffffULL : a.flags;
        if (sys_clone(probe, profile_, actor, a).ok() && (eff & (kCLONE_NEWPID | kCLONE_VFORK | kCLONE_INTO_CGROUP)))
            throw ModelGap(st.loc, "'" + st.actor + "' cannot clone", kGapCloneFlags);
    }
    const bool waitid = c.sys == Sys::Waitid || (c.sys == Sys::Resume && s.tasks[actor].wait.waitid);
    const Id old_pid = s.tasks[actor].pid, old_leader = s.tasks[actor].leader;
    const SysResult res = dispatch(s, profile_, c, r);
    Result out;
    if (res.blocks) {
        out.kind = Result::Kind::Blocks;
        return out;
    }
    if (res.ret < 0) return errno_result(res.ret);
    switch (c.sys) {
    case Sys::Clone3: case Sys::Clone: case Sys::Fork:
        out.kind = Result::Kind::Child;
        out.name = fresh.task;
        tasks_[fresh.task] = res.task;
        if (res.fd >= 0) {
            out.name2 = fresh.fd;
            fds_[fresh.fd] = res.fd;
        }
        return out;
    case Sys::Execve:
        if (s.tasks[actor].pid != old_pid) {
            // de_thread: the caller took over the leader's pid, so the
            // leader's name now names the caller, and the caller's old name
            // the released old leader.
            std::string ln = name_of(old_leader);
            if (!ln.empty()) {
                tasks_[ln] = actor;
                tasks_[st.actor] = old_leader;
            }
        }
        return out;
    case Sys::Wait4: case Sys::Waitid: case Sys::Resume:
        if (res.task == kNone) {
            out.kind = waitid ? Result::Kind::None : Result::Kind::Number;
            return out;
        }
        out.kind = Result::Kind::Reaped;
        out.name = name_of(res.task);
        if (out.name.empty()) out.name = "pid" + std::to_string(res.ret);
        decode_status(res.status, out);
        return out;
    case Sys::PidfdOpen:
        fds_[fresh.fd] = res.fd;
        out.kind = Result::Kind::Pidfd;
        out.name = fresh.fd;
        return out;
    case Sys::Poll:
        out.kind = Result::Kind::PollMask;
        out.value = res.ret;
        return out;
    case Sys::PidfdInfo:
        out.kind = res.has_status ? Result::Kind::ExitInfo : Result::Kind::NoExit;
        if (res.has_status) decode_status(res.status, out);
        return out;
    case Sys::Sigpending:
        out.kind = res.ret ? Result::Kind::Signal : Result::Kind::None;
        out.value = res.ret;
        return out;
    case Sys::Getppid:
        if (res.task == kNone) {
            out.kind = Result::Kind::Number;
            out.value = res.ret;
        } else {
            out.kind = Result::Kind::Task;
            out.name = name_of(res.task);
        }
        return out;
    default: return out;   // ok
    }
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
    case ExpectField::Pending: {
        const Id x = t();   // what that thread's sigpending shows: its own and the shared set
        named(s.procs[s.tasks[x].proc].sigchld_pending || s.tasks[x].sigchld_pending ? "SIGCHLD" : "none");
        break;
    }
    }
    if (e.negate) match = !match;
    ExpectOutcome o;
    o.kind = match ? ExpectOutcome::Kind::Pass : ExpectOutcome::Kind::Fail;
    o.observed = observed;
    return o;
}

}  // namespace reapcheck::scn
