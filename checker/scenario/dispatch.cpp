#include "checker/scenario/dispatch.hpp"

namespace reapcheck::scn {

using namespace refimpl;

uint64_t resolve_flags(const FlagSet& f, const Profile& p) {
    uint64_t bits = f.raw;
    for (int i = 0; i < int(CloneFlag::COUNT_); ++i)
        if (f.has(CloneFlag(i))) bits |= named_flag_bit(p, i);
    return bits;
}

CloneArgs clone_args(const Call& c, const Profile& p) {
    CloneArgs a;
    if (c.sys == Sys::Fork) {
        a.exit_signal = kSIGCHLD;
        return a;
    }
    a.flags = resolve_flags(c.flags, p);
    a.exit_signal = c.exit_signal;
    a.legacy = c.sys == Sys::Clone;
    if (a.legacy) a.flags = (a.flags & ~kCSIGNAL) | (uint64_t(c.exit_signal) & kCSIGNAL);
    return a;
}

SysResult dispatch(State& s, const Profile& p, const Call& c, const Resolved& r) {
    const Id pid = r.target == kNone ? kNone : s.tasks[r.target].pid;
    switch (c.sys) {
    case Sys::Clone3: case Sys::Clone: case Sys::Fork: return sys_clone(s, p, r.actor, clone_args(c, p));
    case Sys::Exit: sys_exit(s, p, r.actor, int(c.number)); return {};
    case Sys::ExitGroup: sys_exit_group(s, p, r.actor, int(c.number)); return {};
    case Sys::Execve: return sys_execve(s, p, r.actor);
    case Sys::Kill: return sys_kill(s, p, r.actor, pid, int(c.number));
    case Sys::PidfdSendSignal: return sys_pidfd_send_signal(s, p, r.actor, r.fd, int(c.number));
    case Sys::Wait4:
    case Sys::Waitid: {
        WaitArgs a;
        a.waitid = c.sys == Sys::Waitid;
        a.any = c.any;
        a.options = c.options;
        if (!c.any) {
            if (c.sys == Sys::Waitid && c.idtype == IdType::Pidfd) a.fd = r.fd;
            else a.pid = pid;
        }
        return sys_wait(s, p, r.actor, a);
    }
    case Sys::Resume: return sys_resume(s, p, r.actor);
    case Sys::Sigaction: return sys_sigaction(s, p, r.actor, refimpl::Handler(c.handler), c.nocldwait);
    case Sys::PrctlSubreaper: return sys_prctl_subreaper(s, p, r.actor, c.number);
    case Sys::PrctlPdeathsig: return sys_prctl_pdeathsig(s, p, r.actor, c.number);
    case Sys::PidfdOpen: return sys_pidfd_open(s, p, r.actor, pid, c.pidfd_thread, c.pidfd_nonblock);
    case Sys::Close: return sys_close(s, p, r.actor, r.fd);
    case Sys::Poll: return sys_poll(s, p, r.actor, r.fd);
    case Sys::PidfdInfo: return sys_pidfd_info(s, p, r.actor, r.fd, c.info_exit);
    case Sys::Sigpending: return sys_sigpending(s, p, r.actor, c.peek);
    case Sys::Getppid: return sys_getppid(s, p, r.actor);
    case Sys::PtraceAttach: return sys_ptrace_attach(s, p, r.actor, pid);
    case Sys::PtraceDetach: return sys_ptrace_detach(s, p, r.actor, pid);
    case Sys::CapsetDrop: return sys_capset_drop(s, p, r.actor);
    case Sys::KDoExit: case Sys::KExitNotify: case Sys::KPidfsExit: case Sys::KUnhash: break;
    }
    throw ContractError("dispatch: kernel steps go through refimpl::kernel_step");
}

}  // namespace reapcheck::scn
