// The world refimpl mirrors: task_structs, signal_structs, struct pids, pidfd
// files and fd tables (docs/kernel-rules.md §1). A State is a value: copyable,
// comparable, hashable. Objects refer to each other by index; an index is
// stable for the life of a State (released tasks stay as RELEASED tombstones;
// the checker compacts them away, see checker/engine/canon.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/container/small_vector.hpp>

namespace reapcheck::refimpl {

/// The object tables of a State keep their first N entries inline, so that
/// copying a State of the sizes the checker explores (a few tasks) allocates
/// nothing: the engine copies a State for every transition. Longer scenarios
/// (replay, conformance) grow onto the heap as a std::vector would.
template <class T, std::size_t N>
using Table = boost::container::small_vector<T, N>;

using Id = int16_t;
inline constexpr Id kNone = -1;
/// A list of task indices (threads_of, children_of, ptraced_of): inline up
/// to 8, so the queries the rules make on every transition allocate nothing.
using IdList = Table<Id, 8>;
inline constexpr int8_t kSigchldValue = 17;   ///< SIGCHLD on x86_64

/// exit_state, plus RELEASED for a task that release_task has unhashed.
enum class ExitState : uint8_t { Running, Zombie, Trace, Dead, Released };
const char* to_string(ExitState s);

/// Kernel work a task still has to do, each step a separate transition
/// (docs/kernel-rules.md §12): killed and not yet exiting, in do_exit before
/// exit_notify, EXIT_DEAD before pidfs_exit, between pidfs_exit and unhash.
enum class Step : uint8_t { None, DoExit, ExitNotify, PidfsExit, Unhash };
const char* to_string(Step s);

enum class Handler : uint8_t { Dfl, Ign, User };

/// A wait blocked in do_wait (docs/kernel-rules.md §5.6).
struct Wait {
    bool active = false;
    bool woken = false;       ///< __wake_up_parent matched it since it last scanned
    bool waitid = false;      ///< waitid (result none/si_pid) rather than wait4
    uint8_t idtype = 0;       ///< 0 = any child, 1 = a struct pid (P_PID, wait4 pid, P_PIDFD)
    Id pid = kNone;           ///< the selected struct pid
    bool nonblock_fd = false; ///< P_PIDFD of an O_NONBLOCK pidfd
    uint32_t options = 0;
    bool operator==(const Wait&) const = default;
};

/// task_struct, the fields the lifecycle uses (docs/kernel-rules.md §1.1).
struct Task {
    Id pid = kNone;           ///< struct pid at PIDTYPE_PID
    Id proc = kNone;          ///< signal_struct + sighand
    Id files = kNone;         ///< files_struct (fd table); kNone after exit_files
    Id leader = kNone;        ///< group_leader
    Id real_parent = kNone;   ///< a thread; kNone for init
    Id parent = kNone;        ///< real_parent, or the tracer
    uint16_t sibling_seq = 0; ///< position on real_parent's children list (list order)
    uint16_t ptrace_seq = 0;  ///< position on the tracer's ptraced list
    uint16_t thread_seq = 0;  ///< position on its group's thread list (for_each_thread order)
    int16_t exit_code = 0;    ///< wait-status encoding
    int16_t exit_signal = 0;  ///< -1 for a non-leader thread; legacy clone allows up to 255
    int8_t pdeath_signal = 0;
    uint8_t parent_exec_id = 0, self_exec_id = 0;
    ExitState exit_state = ExitState::Running;
    Step step = Step::None;
    bool exiting = false;     ///< PF_EXITING
    bool ptraced = false;     ///< ptrace != 0 (PTRACE_SEIZE, no options)
    bool nnp = false;         ///< no_new_privs
    bool cap_sys_admin = true;
    bool sigchld_pending = false;  ///< SIGCHLD in this thread's own pending set (thread-directed)
    Wait wait;
    bool operator==(const Task&) const = default;
};

/// signal_struct and sighand_struct of one process (docs/kernel-rules.md §1.2, §1.3).
struct Proc {
    bool autoreap = false;
    bool is_child_subreaper = false;
    bool has_child_subreaper = false;
    bool unkillable = false;          ///< SIGNAL_UNKILLABLE (the namespace init)
    bool group_exit = false;          ///< SIGNAL_GROUP_EXIT
    int16_t group_exit_code = 0;
    int8_t live = 0;                  ///< threads not yet in do_exit
    int8_t quick_threads = 0;
    Id sighand = kNone;               ///< sighand_struct, shared through CLONE_SIGHAND
    bool sigchld_pending = false;     ///< SIGCHLD in shared_pending (blocked everywhere)
    Id autokill_file = kNone;         ///< rfc-v3 signal.autokill_pidfd
    bool operator==(const Proc&) const = default;
};

/// sighand_struct: the SIGCHLD action (docs/kernel-rules.md §1.3); shared by the
/// threads of a process and, through CLONE_SIGHAND, by other processes.
struct Sighand {
    Handler sigchld = Handler::Dfl;   ///< action[SIGCHLD].handler
    bool nocldwait = false;           ///< SA_NOCLDWAIT
    int8_t users = 0;                 ///< processes using it
    bool operator==(const Sighand&) const = default;
};

/// pidfs attr of a struct pid (docs/kernel-rules.md §1.4, §4.7).
enum class Attr : uint8_t { None, Dead, Alloc };

struct Pid {
    int32_t nr = 0;           ///< the number in the (single) pid namespace
    Id task = kNone;          ///< task linked at PIDTYPE_PID; kNone once unhashed
    Attr attr = Attr::None;
    bool exit_info = false;   ///< attr_mask has PIDFD_INFO_EXIT
    int16_t exit_code = 0;
    bool operator==(const Pid&) const = default;
};

/// A pidfd struct file (docs/kernel-rules.md §1.5).
struct File {
    Id pid = kNone;
    bool thread = false;      ///< PIDFD_THREAD
    bool nonblock = false;    ///< O_NONBLOCK
    bool autokill = false;    ///< PIDFD_AUTOKILL f_flag (v4+)
    int8_t refs = 0;          ///< fd table entries referring to it; 0 = released
    bool operator==(const File&) const = default;
};

struct Fd {
    int16_t nr = 0;
    Id file = kNone;
    bool operator==(const Fd&) const = default;
};

/// files_struct: the descriptor table, shared through CLONE_FILES.
struct FdTable {
    int8_t users = 0;         ///< tasks using it (0 = freed)
    Table<Fd, 4> fds;         ///< sorted by nr
    bool operator==(const FdTable&) const = default;
};

struct State {
    Table<Task, 8> tasks;
    Table<Proc, 6> procs;
    Table<Sighand, 6> sighands;
    Table<Pid, 10> pids;
    Table<File, 6> files;
    Table<FdTable, 6> fdtables;
    int32_t next_pid_nr = 1;
    uint16_t next_seq = 1;
    bool operator==(const State&) const = default;

    // Queries used throughout refimpl, named after the kernel helpers.
    [[nodiscard]] bool is_leader(Id t) const { return tasks[t].leader == t; }
    [[nodiscard]] bool same_thread_group(Id a, Id b) const {
        return tasks[a].proc == tasks[b].proc;
    }
    /// thread_group_empty: no other thread of the group is still listed
    /// (threads leave the list in release_task).
    [[nodiscard]] bool thread_group_empty(Id t) const;
    /// delay_group_leader: a leader whose group is not empty.
    [[nodiscard]] bool delay_group_leader(Id t) const {
        return is_leader(t) && !thread_group_empty(t);
    }
    /// ptrace_reparented: traced by a task outside real_parent's thread group.
    /// A thread of the namespace init has its real parent outside the
    /// namespace (kNone here), so any tracer is outside that group.
    [[nodiscard]] bool ptrace_reparented(Id t) const {
        if (!tasks[t].ptraced) return false;
        return tasks[t].real_parent == kNone || !same_thread_group(tasks[t].parent, tasks[t].real_parent);
    }
    /// Threads still listed in t's group, in creation order (leader first).
    [[nodiscard]] IdList threads_of(Id t) const;
    /// real_parent's children list in list order (leaders only).
    [[nodiscard]] IdList children_of(Id t) const;
    /// tracer's ptraced list in list order.
    [[nodiscard]] IdList ptraced_of(Id t) const;
    /// find_alive_thread: a thread of t's process without PF_EXITING.
    [[nodiscard]] Id find_alive_thread(Id t) const;
    /// Number of tasks in EXIT_ZOMBIE.
    [[nodiscard]] int zombies() const;
    [[nodiscard]] Id task_of_pid_nr(int32_t nr) const;
    [[nodiscard]] std::size_t hash() const;
    [[nodiscard]] const Sighand& sighand_of(Id t) const { return sighands[procs[tasks[t].proc].sighand]; }
    Sighand& sighand_of(Id t) { return sighands[procs[tasks[t].proc].sighand]; }
};

/// The initial world: `init` (pid 1, namespace reaper, SIGNAL_UNKILLABLE) and
/// `main`, its child (exit_signal SIGCHLD). Task 0 is init, task 1 is main.
State initial_state();

inline constexpr Id kInit = 0;
inline constexpr Id kMain = 1;

}  // namespace reapcheck::refimpl
