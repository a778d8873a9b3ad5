// Partial-order reduction for the explicit engine (`check --por`, `review
// --por`; off by default): an independence relation between the actions of
// the exploration alphabet (alphabet.hpp), and the ample sets built from it
// (docs/por.md).
//
// 1. Independence, from what each action reads and writes in refimpl's state
// ------------------------------------------------------------------------
// An action's footprint is a set of objects read and a set written. Objects:
// a task (task_struct without its pending kernel step), a task's pending
// step (Task::step), a struct pid's pidfs attr (attr) and its exit
// information (exit_info, exit_code) as two objects, a pidfd file, a
// descriptor table, and ALLOC (the tables' next free index: a new task,
// pid, file; next_pid_nr, next_seq, which also orders children lists).
// Every action reads its actor's task and step (whether it is enabled:
// cannot_act, enabled_actions).
//
//   action (state condition)          reads                      writes                kernel reason
//   kernel step pidfs_exit of t,      task t, step t, attr(P)    step t, exit_info(P)  fs/pidfs.c:pidfs_exit reads
//     P = t's pid, attr(P) == alloc                                                    pid->attr, sets exit info
//   pidfs_exit of t, attr(P) == none  task t, step t, attr(P)    step t, attr(P)       (attr none: marks it dead)
//   pidfd_open c -> leader v,         task c, task v, attr(P)    fd table of c, ALLOC  pidfd_prepare/pidfs_register_pid:
//     P = v's pid, attr(P) == alloc                                                    attr exists: nothing to allocate
//   pidfd_open c -> v, attr != alloc  task c, task v, attr(P)    attr(P), fd table,    pidfs_register_pid allocates attr
//                                                                ALLOC
//   close c fd, the file has another  task c, fd table, file     fd table, file        fs/file.c:file_close_fd, fput:
//     reference (refs > 1)                                       (refs)                not the final one, so
//                                                                                      pidfs_file_release (AUTOKILL) does not run
//   everything else                   everything                 everything            (exit, exit_notify, unhash, wait,
//                                                                                      clone, kill, exec, ptrace, signals:
//                                                                                      they walk lists, allocate, notify)
//
// Two actions are independent in a state when both are enabled, neither is
// "everything", and neither writes an object the other reads or writes
// (independent()). Then (the property test in tests/unit/test_por.cpp checks
// it on random reachable states) executing them in either order gives the
// same canonical state, each stays enabled after the other, and each gives
// the same result and kernel events in either order.
//
// 2. Ample sets (the only reduced action so far: pidfs_exit)
// -----------------------------------------------------------
// The theorem used is the ample-set theorem for safety and stuttering-
// invariant properties (Peled, "All from one, one for all: on model checking
// using representatives", CAV 1993; Clarke, Grumberg, Peled, "Model
// Checking", ch. 10, conditions C0-C3), with BFS's cycle proviso from
// Bošnački, Leue and Lluch Lafuente, "Partial-order reduction for general
// state exploring algorithms" (SPIN 2006 / STTT 2009): every cycle of the
// reduced graph contains a fully expanded state. In a state s the ample set
// is either every enabled action or one kernel step a = pidfs_exit of a task t,
// chosen by Reducer::ample() when:
//   C0 (nonempty): a is enabled, so ample(s) is not empty.
//   C1 (no action dependent on a runs before it on any path of the full graph
//      from s): a is pidfs_exit, the only step of t in EXIT_DEAD; by the table
//      and kernel/exit.c, fs/exec.c, kernel/signal.c, only these actions touch
//      what it reads or writes while it is pending:
//        - execve by another thread of t's process (de_thread runs t's
//          remaining steps and swaps pids): ample() requires that no other
//          thread of t's process can act again (each is exiting, not running,
//          or killed), and no new thread can join (joining needs one of them
//          to clone);
//        - pidfd_open of P when attr(P) is none (pidfs_register_pid then
//          allocates attr, which pidfs_exit would have marked dead):
//          ample() requires attr(P) == alloc (which nothing undoes), or that
//          no pidfd_open can name P: the alphabet opens pidfds on group
//          leaders only and t is not one (and cannot become one: only exec
//          in its process makes a thread a leader), or the bounds allow no
//          pidfds.
//      Kill, exit_group and the zapping of threads touch only tasks that are
//      running and not exiting; do_exit writes exit_code of the exiting
//      task only; release of a delayed leader writes a zombie leader's
//      exit_code; t is EXIT_DEAD. pidfd_info (the only reader of exit
//      information) is not in the check alphabet.
//   C2 (invisibility): if ample(s) is reduced, a changes no property being
//      checked: the property must be a catalog property that reads none of
//      t's step, the pid's attr, exit_info or exit_code (kPidfsExitObservers
//      lists those that do; a unit test scans properties/catalog/*.rcp for
//      the facts `step`, `attr`, `exit_info`, `exit_code` and fails if one
//      that names them is missing from the list); a user property is always
//      treated as observing it. Step properties: an edge b moved past a has
//      the same call, result and events (C1) and pre/post states that differ
//      only in what a writes, which the property does not read.
//   C3 (cycle proviso, BFS form): the explorer (explorer.hpp, for_successors)
//      keeps the reduced set only if every successor through it is a new
//      state (not yet stored, so of the next BFS level) and no action of it
//      is a self-loop; otherwise it expands every action. An edge of a
//      reduced state therefore always goes one level down, so every cycle
//      of the reduced graph has an edge that does not, which starts at a
//      fully expanded state. The store is only read while a level is
//      expanded, so the choice is the same for every number of threads.
// With C0-C3 the reduced graph reaches a state (or transition) violating an
// `always` (`step`) property, or hitting a `sometimes` cover, iff the full
// graph does. Counterexamples stay real traces (every reduced edge is an
// edge of the full graph) but may be longer than the shortest one of the
// full graph: a reduced path runs pending pidfs_exit steps first.
// A depth bound counts the steps of the reduced graph: a path of the full
// graph within the bound can need one more step per pidfs_exit the reduced
// path runs first, so a depth-bounded run with --por covers the reduced
// paths of at most that many steps (a verdict it reports is right; it can
// miss a violation the unreduced run finds exactly at the bound). Exhaustive
// runs have no such caveat.
// `eventually` (liveness) is not reduced: check() explores without reduction
// when an eventually property is checked, and says so (por_note).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checker/engine/alphabet.hpp"
#include "properties/catalog.hpp"

namespace reapcheck::engine::por {

enum class ObjKind : uint8_t { Task, TaskStep, Attr, ExitInfo, File, FdTable, Alloc };

struct Obj {
    ObjKind kind;
    int16_t index;
    bool operator==(const Obj&) const = default;
};

struct Footprint {
    bool everything = true;   ///< reads and writes the whole state
    std::vector<Obj> reads, writes;
};

/// The footprint of an enabled action in `s` (the table above).
Footprint footprint(const refimpl::State& s, const refimpl::Profile& p, const Action& a);

/// Whether a and b (both enabled in s) are independent in s (the table above).
bool independent(const refimpl::State& s, const refimpl::Profile& p, const Action& a, const Action& b);

/// Catalog properties that read what pidfs_exit writes (a task's step, a
/// pid's attr, exit_info, exit_code): pidfs_exit is visible to them.
extern const std::vector<std::string_view> kPidfsExitObservers;

/// Chooses ample sets for one exploration (check()).
class Reducer {
public:
    /// `props`: the properties being checked (visibility).
    Reducer(const refimpl::Profile& p, const Bounds& b, const std::vector<const props::Property*>& checked);
    /// Whether any reduction is possible (pidfs_exit invisible to every checked property).
    [[nodiscard]] bool active() const { return active_; }
    /// Why not active (empty when active).
    [[nodiscard]] const std::string& why_not() const { return why_not_; }
    /// The index of a pidfs_exit action of `acts` (the actions enabled in s,
    /// in alphabet order) satisfying C0-C2, or -1 for a full expansion.
    [[nodiscard]] int ample(const refimpl::State& s, const std::vector<Action>& acts) const;

private:
    const refimpl::Profile& p_;
    const Bounds& b_;
    bool active_ = false;
    std::string why_not_;
};

/// Whether pidfs_exit of t (pending in s) satisfies C1 (the conditions above).
bool pidfs_exit_c1(const refimpl::State& s, const Bounds& b, refimpl::Id t);

}  // namespace reapcheck::engine::por
