// Partial-order reduction for the explicit engine (`check --por`, `review
// --por`): an independence relation between the actions of the exploration
// alphabet (alphabet.hpp), the ample sets built from it, and the visibility
// of actions to the properties being checked (docs/por.md).
//
// 1. Independence, from what each action reads and writes in refimpl's state
// ------------------------------------------------------------------------
// An action's footprint is a set of objects read, a set written and a set of
// counters it only decrements (decrements of one counter commute with each
// other, not with a read or a write of it). Objects: a task (task_struct
// without the fields below), a task's pending kernel step (Task::step), its
// capabilities; per process (signal_struct) the SIGCHLD pending bits (shared
// and its threads' own), is_child_subreaper, group_exit, the counters
// live/quick_threads, its thread list and its threads' children lists; a
// sighand (action[SIGCHLD], SA_NOCLDWAIT) and its user count; per struct pid
// the linked task (pid->tasks), the pidfs attr and the exit information
// (exit_info, exit_code); a pidfd file (refs); a descriptor table; ALLOC
// (the tables' next free index, next_pid_nr, next_seq, which also orders
// children lists). Every action reads its actor's task and step (whether it
// is enabled: cannot_act, enabled_actions).
//
//   action (state condition)          reads                      writes                   kernel
//   kernel step pidfs_exit of t,      t, step t, attr(P)         step t, exit_info(P)     fs/pidfs.c:pidfs_exit
//     P = t's pid, attr(P) == alloc
//   pidfs_exit of t, attr(P) == none  t, step t, attr(P)         step t, attr(P)          (attr none: marks it dead)
//   kernel step do_exit of t, killed  t, step t, group_exit      t, step t, fd table;     kernel/exit.c:do_exit,
//     (group_exit set), no wait         (proc)                   counts: live and         synchronize_group_exit
//     pending, no descriptor whose                               quick_threads (proc),    (no group code to set),
//     final fput can AUTOKILL                                    refs of each file        exit_files -> fput
//   kernel step unhash of a leader t  t, step t                  t, step t, pid(P)->task, kernel/exit.c:release_task,
//     whose group is empty, untraced                             thread list (proc),      __exit_signal,
//                                                                children list of the     __unhash_process
//                                                                real parent's process;
//                                                                counts: sighand users
//   pidfd_open c -> leader v,         c, v, attr(P), P->task,    fd table of c, ALLOC;    kernel/pid.c:pidfd_open,
//     P = v's pid                     fd table of c              attr(P) unless alloc     pidfs_register_pid
//   close c fd, the file has another  c, fd table, file          fd table, file           fs/file.c:file_close_fd,
//     reference (refs > 1)                                                                fput: not the final one
//   sigaction SIGCHLD by c            c, thread list (proc c)    sighand of c, pending    kernel/signal.c:do_sigaction
//                                                                bits (proc c)            (flush_sigqueue_mask)
//   sigpending (dequeue) by c         c, pending bits (proc c)   pending bits (proc c)    sys_rt_sigpending,
//                                                                                         dequeue_signal
//   prctl SUBREAPER 0 by c            c                          is_child_subreaper       kernel/sys.c:prctl
//   prctl SUBREAPER 1 by c, whose     c, children lists (proc c) is_child_subreaper       (propagate_has_child_
//     process has no children                                                             subreaper walks nothing)
//   capset drop by c                  c                          caps of c                kernel/capability.c
//   everything else                   everything                 everything               (exit, exit_notify,
//                                                                                         wait, clone, kill, exec,
//                                                                                         ptrace: they walk lists,
//                                                                                         allocate, notify)
//
// Two actions are independent in a state when both are enabled, neither is
// "everything", neither writes an object the other reads, writes or counts,
// and neither counts an object the other reads or writes (independent()).
// Then (the property test in tests/unit/por_test.cpp checks it on random
// reachable states, every pair of every class above) executing them in
// either order gives the same canonical state, each stays enabled after the
// other, and each gives the same result and kernel events in either order.
// Actions that allocate (ALLOC) always conflict: a new task, pid, file or
// list position depends on the order.
//
// 2. Ample sets
// -------------
// The theorem used is the ample-set theorem for safety and stuttering-
// invariant properties (Peled, "All from one, one for all: on model checking
// using representatives", CAV 1993; Clarke, Grumberg, Peled, "Model
// Checking", ch. 10, conditions C0-C3), with BFS's cycle proviso from
// Bošnački, Leue and Lluch Lafuente, "Partial-order reduction for general
// state exploring algorithms" (SPIN 2006 / STTT 2009): every cycle of the
// reduced graph contains a fully expanded state. In a state s the ample set
// is either every enabled action or one kernel step a of a task t, chosen by
// Reducer::ample() (the first in alphabet order whose C1 and C2 hold). A
// task with a pending kernel step has that step as its only action
// (enabled_actions), and only the task itself takes it, so a stays enabled
// until taken unless another action runs t's steps for it (execve's
// de_thread, excluded below). The conditions:
//   C0 (nonempty): a is enabled, so ample(s) is not empty.
//   C1 (no action dependent on a runs before it on any path of the full graph
//      from s): the candidates are the kernel steps above; for each, what
//      any other task could do before a, now or after any number of steps
//      (refimpl/exit.cpp, signal.cpp, ptrace.cpp, pidfs.cpp, fork.cpp):
//      pidfs_exit of t (pidfs_exit_c1):
//        - execve by another thread of t's process (de_thread runs t's
//          remaining steps and swaps pids): no other thread of t's process
//          can act again (each is exiting, not running, or killed), and no
//          new thread can join (joining needs one of them to clone);
//        - pidfd_open of P when attr(P) is none (pidfs_register_pid then
//          allocates attr, which pidfs_exit would have marked dead):
//          attr(P) == alloc (which nothing undoes), or t is not a group
//          leader (the alphabet opens pidfds on leaders only, and only exec
//          in its process makes a thread a leader), or the bounds allow no
//          pidfds.
//        Kill, exit_group and the zapping of threads touch only running
//        tasks; do_exit writes exit_code of the exiting task only; t is
//        EXIT_DEAD. pidfd_info (the only reader of exit information) is not
//        in the check alphabet.
//      do_exit of t (do_exit_c1), with group_exit set in t's process:
//        - no thread of t's process acts again (group_exit is set only by
//          exit_group and a fatal signal, which give every running thread a
//          pending do_exit, or by the last thread's do_exit), so none calls
//          exec, exit_group, clone, prctl or a wait; other threads' do_exit
//          steps only decrement the same counters (the group code is set);
//        - a signal to t's process (kill, AUTOKILL's SIGKILL, a pdeath
//          signal, a child's SIGCHLD) is dropped by prepare_signal's
//          SIGNAL_GROUP_EXIT test before anything reads t; __wake_up_parent
//          wakes only active waits, and t has none;
//        - ptrace attach/detach of t: before do_exit they succeed, after it
//          (PF_EXITING) they fail: the bounds must have no ptrace;
//        - find_alive_thread (forget_original_parent's new reaper) reads
//          PF_EXITING of t: a sibling thread that can still reach
//          exit_notify (exit_state running) must have no children (it can
//          get none: CLONE_PARENT needs a child of it, reparenting needs a
//          father in t's process with children or a subreaper), and t's
//          process must not be a subreaper (nobody in it can call prctl);
//        - exit_files: every file in t's table is one whose release cannot
//          AUTOKILL (no autokill flag, not the rfc-v3 pointer profile, not
//          the close-any mutant), so each fput is a decrement that commutes
//          with every other holder's close and exit; a shared table only
//          loses a user.
//        Everything else reads nothing do_exit writes: waits see t RUNNING
//        either way (notask = 0), kill's enabledness reads exit_state, and
//        reparenting writes t's parent fields, which do_exit does not read.
//      unhash of t (unhash_c1): t is a group leader, its group is empty, it
//        is not traced (it cannot become traced: attach needs RUNNING), and:
//        - pidfd_open of t is enabled until t is released: the bounds must
//          allow no pidfds (so no pidfd refers to P either: waitid P_PIDFD
//          and close are out of the alphabet);
//        - t stays on its real parent's children list until unhash, and the
//          real parent's exit_notify would reparent it (a Reparent event
//          for a dead task): the real parent must be init (whose leader
//          never exits, kernel-rules.md §1.6). A prctl(SUBREAPER, 1) by
//          init walks t too (its dead process gets has_child_subreaper),
//          which the canonical form erases with the released task;
//        - waits skip EXIT_DEAD and released tasks alike (wait_consider_task).
//   C2 (invisibility): if ample(s) is reduced, a is invisible to every
//      property being checked (Reducer, visible()): a catalog property reads
//      facts of the state (properties/lang/ast.hpp: Fact nodes), ranges over
//      domains (quantifiers) and is about facts (its `about` clause, which
//      decides vacuity); an action is invisible to it when the facts it can
//      change in s (writes() below) are none of those. A transition property
//      (step, or a cover of transitions) must moreover not look at kernel
//      steps: its guard `call.kind == K => ...` names a K other than a
//      kernel step, so a's own edges satisfy it trivially, and an edge b
//      moved past a has the same call, result and events (C1) and pre/post
//      states that differ only in what a writes, which it does not read. A
//      user property is treated as observing every action.
//   C3 (cycle proviso, BFS form): the explorer (explorer.hpp, for_successors)
//      keeps the reduced set only if its successor is a new state (not yet
//      stored, so of the next BFS level) and a is not a self-loop; otherwise
//      it expands every action. An edge of a reduced state therefore always
//      goes one level down, so every cycle of the reduced graph has an edge
//      that does not, which starts at a fully expanded state. The store is
//      only read while a level is expanded, so the choice is the same for
//      every number of threads.
// With C0-C3 the reduced graph reaches a state (or transition) violating an
// `always` (`step`) property, or hitting a `sometimes` cover, iff the full
// graph does. Counterexamples stay real traces (every reduced edge is an
// edge of the full graph) but may be longer than the shortest one of the
// full graph: a reduced path runs the pending kernel steps first.
// A depth bound counts the steps of the reduced graph: a path of the full
// graph within the bound can need one more step per kernel step the reduced
// path runs first, so a depth-bounded run with --por covers the reduced
// paths of at most that many steps (a verdict it reports is right; it can
// miss a violation the unreduced run finds exactly at the bound). Exhaustive
// runs have no such caveat.
// `eventually` (liveness) is not reduced: check() explores without reduction
// when an eventually property is checked, and says so (por_note).
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checker/engine/alphabet.hpp"
#include "properties/catalog.hpp"

namespace reapcheck::engine::por {

enum class ObjKind : uint8_t {
    Task, TaskStep, Attr, ExitInfo, File, FdTable, Alloc,
    Caps,          ///< a task's capabilities (capset)
    PidTask,       ///< pid->tasks: the task a struct pid names
    Pending,       ///< a process's SIGCHLD pending bits (shared and its threads')
    Subreaper,     ///< a process's is_child_subreaper
    GroupExit,     ///< a process's group_exit, group_exit_code
    Counters,      ///< a process's live, quick_threads
    ThreadList,    ///< a process's thread list (which threads are listed)
    ChildLists,    ///< the children lists of a process's threads
    Sighand,       ///< a sighand's SIGCHLD action and SA_NOCLDWAIT
    SighandUsers,  ///< a sighand's user count
};

struct Obj {
    ObjKind kind;
    int16_t index;
    bool operator==(const Obj&) const = default;
};

struct Footprint {
    bool everything = true;   ///< reads and writes the whole state
    std::vector<Obj> reads, writes, counts;
};

/// The footprint of an enabled action in `s` (the table above).
Footprint footprint(const refimpl::State& s, const refimpl::Profile& p, const Action& a);

/// Whether a and b (both enabled in s) are independent in s (the table above).
bool independent(const refimpl::State& s, const refimpl::Profile& p, const Action& a, const Action& b);

/// What a property can observe, or what an action can change: facts of the
/// property language (properties/lang/ast.hpp), quantifier domains, `about`
/// facts (vacuity).
struct Observed {
    std::bitset<128> facts;
    std::bitset<32> domains;
    std::bitset<32> abouts;
    bool everything = false;
    [[nodiscard]] bool meets(const Observed& o) const {
        return everything || o.everything || (facts & o.facts).any() || (domains & o.domains).any() ||
               (abouts & o.abouts).any();
    }
    Observed& operator|=(const Observed& o) {
        facts |= o.facts;
        domains |= o.domains;
        abouts |= o.abouts;
        everything = everything || o.everything;
        return *this;
    }
};

/// What a catalog property reads (its parsed predicate and `about` clause);
/// `everything` for a user property or one without a parsed predicate.
Observed reads(const props::Property& pr);

/// What kernel step a (pending in s) can change of what properties observe.
Observed writes(const refimpl::State& s, const refimpl::Profile& p, const Action& a);

/// Whether a transition property looks at the edges of the reduced kernel
/// steps: not when its guard names another call kind, nor when it is about
/// kernel events only (the reduced steps have none), nor when it is one of
/// kReflexive.
bool sees_kernel_steps(const props::Property& pr);

/// Transition properties that hold on every edge whose pre- and post-state
/// agree on what they read (tests/unit/por_test.cpp evaluates them on such
/// edges).
extern const std::vector<std::string_view> kReflexive;

/// The kernel steps ample() may reduce: pidfs_exit, do_exit, unhash.
const std::vector<scn::Sys>& reducible_steps();

/// The most a reducible kernel step can change (writes() over all states).
Observed writes_at_most(scn::Sys step);

/// Chooses ample sets for one exploration (check()).
class Reducer {
public:
    /// `checked`: the properties being checked (visibility).
    Reducer(const refimpl::Profile& p, const Bounds& b, const std::vector<const props::Property*>& checked);
    /// Whether any reduction is possible.
    [[nodiscard]] bool active() const { return active_; }
    /// Why not active (empty when active).
    [[nodiscard]] const std::string& why_not() const { return why_not_; }
    /// When active, which reducible steps a checked property observes
    /// ("not pidfs_exit by aux.resting, ..."), else empty.
    [[nodiscard]] const std::string& partly() const { return partly_; }
    /// The index of a kernel step of `acts` (the actions enabled in s, in
    /// alphabet order) satisfying C0-C2, or -1 for a full expansion.
    [[nodiscard]] int ample(const refimpl::State& s, const std::vector<Action>& acts) const;

private:
    const refimpl::Profile& p_;
    const Bounds& b_;
    Observed observed_;   ///< the union of the checked properties' reads
    bool active_ = false;
    std::string why_not_, partly_;
};

/// Whether the kernel step pidfs_exit of t (pending in s) satisfies C1.
bool pidfs_exit_c1(const refimpl::State& s, const Bounds& b, refimpl::Id t);
/// Whether the kernel step do_exit of t (pending in s) satisfies C1.
bool do_exit_c1(const refimpl::State& s, const refimpl::Profile& p, const Bounds& b, refimpl::Id t);
/// Whether the kernel step unhash of t (pending in s) satisfies C1.
bool unhash_c1(const refimpl::State& s, const Bounds& b, refimpl::Id t);
/// C1 of the kernel step a (pending in s), whichever it is; false for
/// exit_notify (never reduced) and system calls.
bool c1(const refimpl::State& s, const refimpl::Profile& p, const Bounds& b, const Action& a);

}  // namespace reapcheck::engine::por
