// refimpl's system-call and kernel-step interface. Each entry point mirrors
// one syscall; the functions behind them live in one file per kernel file
// (fork.cpp, exit.cpp, signal.cpp, ptrace.cpp, pidfs.cpp, sys.cpp, exec.cpp)
// and carry the kernel names. Modelled failures are values (-EINVAL, ...);
// broken internal invariants throw ContractError.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "refimpl/profile.hpp"
#include "refimpl/state.hpp"

namespace reapcheck::refimpl {

/// A broken internal invariant: a refimpl bug, never bad user input.
struct ContractError : std::logic_error {
    using std::logic_error::logic_error;
};
#define REAPCHECK_REQUIRE(cond)                                                      \
    do {                                                                             \
        if (!(cond))                                                                 \
            throw ::reapcheck::refimpl::ContractError(std::string(__FILE__) + ":" +  \
                                                      std::to_string(__LINE__) +     \
                                                      ": contract failed: " #cond);  \
    } while (0)

// errno values (docs/kernel-rules.md §14)
enum Errno : int {
    kEPERM = 1, kENOENT = 2, kESRCH = 3, kEINTR = 4, kE2BIG = 7, kEBADF = 9, kECHILD = 10,
    kEAGAIN = 11, kENOMEM = 12, kEFAULT = 14, kEINVAL = 22, kENFILE = 23, kEMFILE = 24,
    kENOTTY = 25, kEREMOTE = 66,
};
const char* errno_name(int e);
int errno_from_name(const std::string& s);   ///< 0 when unknown

// signals (x86_64)
inline constexpr int kSIGKILL = 9, kSIGCHLD = 17;
const char* signal_name(int sig);             ///< "SIGCHLD", or nullptr
int signal_from_name(const std::string& s);   ///< -1 when unknown

// clone flag bits (docs/kernel-rules.md §14)
inline constexpr uint64_t kCSIGNAL = 0xff, kCLONE_NEWTIME = 0x80, kCLONE_VM = 0x100,
    kCLONE_FS = 0x200, kCLONE_FILES = 0x400, kCLONE_SIGHAND = 0x800, kCLONE_PIDFD = 0x1000,
    kCLONE_PTRACE = 0x2000, kCLONE_VFORK = 0x4000, kCLONE_PARENT = 0x8000,
    kCLONE_THREAD = 0x10000, kCLONE_NEWNS = 0x20000, kCLONE_PARENT_SETTID = 0x100000,
    kCLONE_DETACHED = 0x400000, kCLONE_UNTRACED = 0x800000, kCLONE_NEWUSER = 0x10000000,
    kCLONE_NEWPID = 0x20000000, kCLONE_CLEAR_SIGHAND = 1ULL << 32,
    kCLONE_INTO_CGROUP = 1ULL << 33;

// poll bits
inline constexpr uint32_t kPOLLIN = 0x1, kPOLLHUP = 0x10;

/// What a call returned. `ret < 0` is `-errno`.
struct SysResult {
    int64_t ret = 0;
    bool blocks = false;     ///< the call sleeps; the caller's Task::wait holds it
    Id task = kNone;         ///< clone: the child; wait: the task reported
    int16_t fd = -1;         ///< clone3 pidfd / pidfd_open: descriptor number
    int16_t status = 0;      ///< wait: wait status; pidfd_info: exit_code
    bool has_status = false; ///< pidfd_info: exit information present
    static SysResult err(int e) { SysResult r; r.ret = -e; return r; }
    [[nodiscard]] bool ok() const { return ret >= 0 && !blocks; }
};

/// Arguments of clone3 / legacy clone / fork.
struct CloneArgs {
    uint64_t flags = 0;
    int64_t exit_signal = 0;
    bool legacy = false;     ///< sys_clone: high bits dropped, no clone3_args_valid
};

/// Wait arguments: wait4 (waitid = false) or waitid.
struct WaitArgs {
    bool waitid = false;
    bool any = true;         ///< P_ALL / wait4 -1; else `pid` (or `fd` for P_PIDFD)
    Id pid = kNone;          ///< struct pid selected (P_PID, wait4 pid)
    int fd = -1;             ///< P_PIDFD descriptor number (>= 0)
    uint32_t options = 0;
};

/// Why `t` cannot end its process (exit of the last thread, exit_group) in the
/// model, or nullptr: the namespace init never exits (docs/kernel-rules.md §1.6, §8).
const char* cannot_end_process(const State& s, Id t, bool group);

/// Why a task cannot issue a syscall now, or nullptr when it can.
const char* cannot_act(const State& s, Id t);

// --- system calls ---------------------------------------------------------
SysResult sys_clone(State& s, const Profile& p, Id caller, const CloneArgs& a);
void sys_exit(State& s, const Profile& p, Id t, int code);
void sys_exit_group(State& s, const Profile& p, Id t, int code);
SysResult sys_execve(State& s, const Profile& p, Id t);
SysResult sys_kill(State& s, const Profile& p, Id caller, Id pid, int sig);
SysResult sys_pidfd_send_signal(State& s, const Profile& p, Id caller, int fd, int sig);
SysResult sys_wait(State& s, const Profile& p, Id caller, const WaitArgs& a);
/// Completes a blocked wait: re-scans if woken; `blocks` again if it cannot complete.
SysResult sys_resume(State& s, const Profile& p, Id caller);
SysResult sys_sigaction(State& s, const Profile& p, Id caller, Handler h, bool nocldwait);
SysResult sys_prctl_subreaper(State& s, const Profile& p, Id caller, int64_t arg);
SysResult sys_prctl_pdeathsig(State& s, const Profile& p, Id caller, int64_t sig);
SysResult sys_pidfd_open(State& s, const Profile& p, Id caller, Id pid, bool thread, bool nonblock);
SysResult sys_close(State& s, const Profile& p, Id caller, int fd);
SysResult sys_poll(State& s, const Profile& p, Id caller, int fd);
SysResult sys_pidfd_info(State& s, const Profile& p, Id caller, int fd, bool want_exit);
SysResult sys_sigpending(State& s, const Profile& p, Id caller, bool peek);
SysResult sys_getppid(State& s, const Profile& p, Id caller);
SysResult sys_ptrace_attach(State& s, const Profile& p, Id caller, Id pid);
SysResult sys_ptrace_detach(State& s, const Profile& p, Id caller, Id pid);
SysResult sys_capset_drop(State& s, const Profile& p, Id caller);

// --- lock-free readers, for properties --------------------------------------
/// pidfd_poll of a pidfd file: 0, POLLIN or POLLIN|POLLHUP.
uint32_t pidfd_poll(const State& s, const Profile& p, Id file);
/// Whether a blocked waiter's scan, run now, would still go back to sleep.
bool wait_would_block(const State& s, const Profile& p, Id t);
/// Whether a blocked waiter's scan, run now, would report a task (a zombie
/// to reap or, with WNOWAIT, to show), rather than sleep or fail (ECHILD).
bool wait_would_report(const State& s, const Profile& p, Id t);

// --- kernel steps ------------------------------------------------------------
/// Runs t's pending step (Task::step); t must have one.
void kernel_step(State& s, const Profile& p, Id t);
/// `steps auto`: runs every pending step, lowest pid first, each task to completion.
void run_pending(State& s, const Profile& p);
/// The task with the lowest pid that has a pending step, or kNone.
Id next_pending(const State& s);

/// Resolve a flag set: named flags by the profile's bits (CLONE_* above for
/// the legacy ones). Index = scn::CloneFlag order.
uint64_t named_flag_bit(const Profile& p, int flag_index);

}  // namespace reapcheck::refimpl
