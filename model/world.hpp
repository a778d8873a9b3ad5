// The formal model's world: N task slots, each a task (a single-threaded
// process, or with Features::threads = 2 a thread of a group), as plain
// values (no Z3 here). model/symbolic.hpp encodes the same world and
// its transitions as Z3 terms; this file gives the concrete side: the slot
// world, the action alphabet over slots, and the abstraction from a refimpl
// State to slots, which is how the model is checked against refimpl
// (crosscheck) and how Z3 counterexamples are replayed.
//
// What the model covers (the symbolic alphabet) is the explicit alphabet of
// checker/engine/alphabet.cpp under these bounds: threads=1 (no CLONE_THREAD)
// or, with Features::threads = 2, CLONE_THREAD|SIGHAND|VM, exit_group and the
// do_exit step of a zapped thread; kill SIGKILL with Features::kill;
// execve with Features::exec (de_thread, the exit_signal reset, exec ids
// and do_notify_parent's exec-id check; refimpl/exec.cpp);
// CLONE_PIDFD_AUTOKILL with Features::autokill (the clone3 flag checks of
// copy_process, the kill at the final fput of the AUTOKILL file, in close and
// in exit_files), capset dropping CAP_SYS_ADMIN with Features::capset (and
// with both, clone3 PIDFD|AUTOREAP|PIDFD_AUTOKILL|NNP), waitid P_ALL
// WEXITED|WNOHANG|WNOWAIT|__WALL with Features::wnowait; at most
// one pidfd per descriptor table; clone3 (flags from {PIDFD, AUTOREAP, PARENT}, exit_signal
// 0 or SIGCHLD), exit, wait4 -1 (WNOHANG and blocking, with and without
// __WALL), resume of a woken waiter, waitid P_PIDFD, sigaction SIGCHLD,
// prctl PR_SET_CHILD_SUBREAPER, sigpending, pidfd_open, close,
// PTRACE_SEIZE/DETACH, and the kernel steps exit_notify, pidfs_exit, unhash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "refimpl/profile.hpp"
#include "refimpl/state.hpp"

namespace reapcheck::model {

/// Slot status: a task's exit_state and pending kernel step together.
enum St : int {
    kFree = 0,      ///< unused (or released with no pidfd left on its pid)
    kRun = 1,       ///< running, not exiting
    kExiting = 2,   ///< in do_exit, exit_notify pending
    kZombie = 3,    ///< EXIT_ZOMBIE
    kDeadP = 4,     ///< EXIT_DEAD, pidfs_exit pending
    kDeadU = 5,     ///< EXIT_DEAD, unhash pending
    kGone = 6,      ///< released; its struct pid lives on, held by a pidfd
    kKilled = 7,    ///< running, zapped by exit_group: do_exit pending (threads only)
    kStCount = 8,
};
const char* st_name(int st);

inline constexpr int kNoSlot = -1;

struct Slot {
    int st = kFree;
    int nr = 0;               ///< pid number
    int rp = kNoSlot;         ///< real_parent
    int par = kNoSlot;        ///< parent (real parent or tracer)
    bool ptraced = false;
    int sib = 0;              ///< sibling_seq: position on real_parent's children list
    int pseq = 0;             ///< ptrace_seq
    bool esig = false;        ///< exit_signal is SIGCHLD (else 0)
    int code = 0;             ///< exit_code (wait-status encoding)
    bool autoreap = false;    ///< signal->autoreap
    bool is_sub = false;      ///< is_child_subreaper
    bool has_sub = false;     ///< has_child_subreaper
    bool ign = false;         ///< SIGCHLD handler SIG_IGN (else SIG_DFL)
    bool nocldwait = false;   ///< SA_NOCLDWAIT
    bool pending = false;     ///< SIGCHLD pending in shared_pending
    int fd = kNoSlot;         ///< the slot whose pid the process's one pidfd refers to
    int attr = 0;             ///< pidfs attr: 0 none, 1 dead, 2 allocated
    bool info = false;        ///< exit info published (PIDFD_INFO_EXIT)
    int info_code = 0;
    bool wact = false;        ///< blocked in wait4(-1)
    bool woken = false;
    bool wall = false;        ///< the blocked wait has __WALL
    // Thread fields (Features::threads > 1; constants of the no-thread model).
    int ldr = kNoSlot;        ///< group_leader's slot for a thread (CLONE_THREAD); kNoSlot: leads itself
    bool gx = false;          ///< signal->flags & SIGNAL_GROUP_EXIT (per process, in each of its slots)
    int gcode = 0;            ///< signal->group_exit_code while gx (per process)
    // Exec fields (Features::exec; constants 0 of the model without execve).
    int sxid = 0;             ///< self_exec_id
    int pxid = 0;             ///< parent_exec_id
    // AUTOKILL and privilege fields (Features::autokill / capset; constants otherwise).
    bool ak = false;          ///< the slot's pidfd is the AUTOKILL file of its pid (one per pid, shared by dup_fd)
    bool nocap = false;       ///< CAP_SYS_ADMIN dropped (capset; inherited by clone)
    bool operator==(const Slot&) const = default;
};

struct World {
    std::vector<Slot> slot;
    int next_nr = 1;
    int next_seq = 1;
    /// The next self_exec_id an execve hands out (Features::exec): one more
    /// than every exec id any task ever held, released ones included, which
    /// is refimpl's sys_execve value; 1 while nobody has exec'd.
    int next_xid = 1;
    bool operator==(const World&) const = default;
};

/// What the model explores: slots and the alphabet's switches.
struct Features {
    int slots = 4;                   ///< N
    int tasks = 0;                   ///< live-task bound for clone (0: = slots)
    int threads = 1;                 ///< threads per process (1: no CLONE_THREAD; the model has at most 2)
    bool kill = false;               ///< kill(pid, SIGKILL) of another process in the alphabet
    bool exec = false;               ///< execve in the alphabet (de_thread, exit_signal reset, exec ids)
    std::vector<int> exit_codes{3};
    bool ptrace = true;
    bool parent = true;
    bool pidfds = true;
    bool blocking = true;
    bool subreaper = true;
    bool sigaction = true;
    bool autokill = false;           ///< CLONE_PIDFD_AUTOKILL in the clone domain (needs pidfds)
    bool capset = false;             ///< capset dropping CAP_SYS_ADMIN (with autokill: clone3 ...|PIDFD_AUTOKILL|NNP)
    bool wnowait = false;            ///< waitid P_ALL WEXITED|WNOHANG|WNOWAIT|__WALL
    [[nodiscard]] int task_bound() const { return tasks > 0 ? tasks : slots; }
    [[nodiscard]] std::string describe() const;
};

enum class ActKind : int {
    Clone, Exit, Wait4, Resume, Waitid, Sigaction, Subreaper, Sigpending,
    PidfdOpen, Close, PtraceAttach, PtraceDetach, KExitNotify, KPidfsExit, KUnhash,
    ExitGroup, KDoExit,   ///< threads only (KDoExit: or kill)
    Kill,                 ///< kill(target, SIGKILL)
    Exec,                 ///< execve (Features::exec)
    Capset,               ///< capset dropping CAP_SYS_ADMIN (Features::capset)
    WaitidNowait,         ///< waitid P_ALL WEXITED|WNOHANG|WNOWAIT|__WALL (Features::wnowait)
};

/// Clone flags; kFlagThread stands for CLONE_THREAD|CLONE_SIGHAND|CLONE_VM,
/// kFlagNnp for CLONE_NNP (with threads: the calls nnp.rejects_thread is
/// about; with autokill and capset: PIDFD|AUTOREAP|PIDFD_AUTOKILL|NNP),
/// kFlagAutokill for CLONE_PIDFD_AUTOKILL (Features::autokill).
inline constexpr int kFlagPidfd = 1, kFlagAutoreap = 2, kFlagParent = 4, kFlagThread = 8, kFlagNnp = 16;
inline constexpr int kFlagAutokill = 32;

/// One action over slots; `actor` and `target` are slot indices.
struct Act {
    ActKind kind;
    int actor = 0;
    int target = kNoSlot;
    int flags = 0;        ///< Clone: kFlag* bits
    bool sigchld = false; ///< Clone: exit_signal SIGCHLD (else 0)
    int code = 0;         ///< Exit: the exit code (0..255)
    bool nohang = false;  ///< Wait4
    bool wall = false;    ///< Wait4
    int handler = 0;      ///< Sigaction: 0 SIG_DFL, 1 SIG_IGN, 2 SIG_DFL + SA_NOCLDWAIT
    int value = 0;        ///< Subreaper
    [[nodiscard]] std::string describe() const;
};

/// Every action over `f.slots` slots, in a fixed order (the model's action ids).
std::vector<Act> alphabet(const Features& f);

/// The initial world: init in slot 0, main in slot 1.
World initial_world(int slots);

/// The abstraction of a refimpl state into slots, under the switches of `f`.
/// `slot_of[t]` gives the slot of refimpl task t (kNoSlot: released and
/// unpinned); an empty `slot_hint` maps tasks in index order to slots 0, 1,
/// ... Returns the reason when the state lies outside the model (threads
/// when `f.threads` is 1, a killed task or SIGNAL_GROUP_EXIT without threads
/// or `kill`, exec ids without `exec`, an AUTOKILL pidfd without `autokill`,
/// a task without CAP_SYS_ADMIN without `capset`, ...), or when it needs
/// more slots than `f.slots`.
struct Abstraction {
    World world;
    std::vector<int> slot_of;   ///< per refimpl task index
};
std::optional<std::string> abstract(const refimpl::State& s, const Features& f, const std::vector<int>& slot_hint,
                                    Abstraction& out);

/// A readable dump of a world, one line per used slot.
std::string describe(const World& w);

}  // namespace reapcheck::model
