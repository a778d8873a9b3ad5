// Puppets: real processes and threads in a fresh pid namespace, each driven
// over its own SOCK_SEQPACKET socket by the controller (KernelExecutor). A
// puppet receives one Cmd at a time, runs it with raw syscalls and answers with
// one Reply. The wire format is fixed-size and carries kernel numbers only;
// the controller maps them to scenario names.
//
// Puppet code runs in children made by raw clone/clone3 (possibly sharing the
// address space and TLS of their parent, without glibc knowing), so it uses no
// libc calls, no allocation and no sanitizer instrumentation: raw syscalls on
// stack data only.
#pragma once

#include <cstdint>
#include <sys/types.h>

namespace reapcheck::conform::wire {

enum class Op : int32_t {
    Clone3 = 1, Clone, Fork, Exit, ExitGroup, Execve, Kill, PidfdSendSignal,
    Wait4, Waitid, Sigaction, Prctl, PidfdOpen, Close, Poll, PidfdInfo,
    Sigpending, Getppid, PtraceSeize, PtraceDetach, CapsetDrop,
};

/// One command. Arguments by op:
///   Clone3/Clone: a = flags, b = exit_signal.  Exit/ExitGroup: a = code.
///   Kill: a = pid, b = sig.  PidfdSendSignal: a = fd, b = sig.
///   Wait4: a = pid, b = options.  Waitid: a = idtype, b = id, c = options.
///   Sigaction: a = 0 dfl / 1 ign / 2 handler, b = SA_NOCLDWAIT given.
///   Prctl: a = option, b = arg.  PidfdOpen: a = pid, b = flags.
///   Close/Poll: a = fd.  PidfdInfo: a = fd, b = request mask.
///   Sigpending: a = peek.  PtraceSeize/PtraceDetach: a = pid.
struct Cmd {
    Op op = Op::Getppid;
    int32_t pad = 0;
    int64_t a = 0, b = 0, c = 0;
};

/// ret: >= 0 the call's value, < 0 a negated errno. Extra values by op:
///   Clone3/Clone/Fork: v1 = pidfd or -1 (the new channel comes as SCM_RIGHTS).
///   Wait4: v1 = status.  Waitid: v1 = si_pid, v2 = si_code, v3 = si_status.
///   PidfdInfo: v1 = returned mask, v2 = exit_code.  Poll: ret = revents.
///   Sigpending: ret = 1 when SIGCHLD was pending.
struct Reply {
    int64_t ret = 0;
    int64_t v1 = 0, v2 = 0, v3 = 0;
};

/// First message on a new channel, and again after a successful execve.
struct Hello {
    int32_t magic = 0;
    int32_t ns_tid = 0, ns_tgid = 0;   ///< as seen in the scenario's namespace
    int32_t g_tid = 0, g_tgid = 0;     ///< as seen in /proc of the controller
    int32_t execed = 0;
};
inline constexpr int32_t kHelloMagic = 0x52435050;   // "RCPP"

/// Puppet channels live at or above this descriptor number, so that the
/// scenario's pidfds get the same small numbers they would in a plain process.
inline constexpr int kChannelFdBase = 500;

/// argv[1] of a puppet re-executed by `execve`; argv[2] is its channel fd.
inline constexpr const char* kResumeArg = "--reapcheck-puppet";

}  // namespace reapcheck::conform::wire

namespace reapcheck::conform {

/// Creates the namespace init puppet: raw clone3(CLONE_NEWPID) from the
/// calling process with exit_signal SIGCHLD. `channel` is the
/// puppet's end of a socketpair; the caller keeps the other. Returns the
/// child's pid in the caller's namespace, or a negated errno.
long spawn_init_puppet(int channel);

}  // namespace reapcheck::conform
