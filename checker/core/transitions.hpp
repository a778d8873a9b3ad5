// The transition function of the core benchmark alphabet (docs/core-alphabet.md), per
// profile. Every enabled action of every ALIVE slot is one transition; a
// failed call or an action with no effect is a transition to the same world.
//
// Actions of an ALIVE slot p, in this order:
//   clone3 flags=F exit_signal=E   F in {none, AUTOREAP, PARENT, AUTOREAP|PARENT},
//                                  E in {0, SIGCHLD}; only while a slot is FREE
//                                  (the child takes the lowest FREE slot)
//   exit C                         C in {0, 1}; not init. exit_notify as one step:
//                                  reparenting (find_new_reaper, reparent_leader),
//                                  do_notify_parent, self-reap release
//   wait4 c WNOHANG [__WALL]       for each child c of p in slot order
//   sigaction SIGCHLD ...          SIG_DFL, SIG_IGN, SIG_DFL SA_NOCLDWAIT; not init
//   prctl PR_SET_CHILD_SUBREAPER   0, 1
//   sigpending                     consumes a pending SIGCHLD
// The rules and their docs/kernel-rules.md sections are in transitions.cpp.
#pragma once

#include <cstdint>
#include <string>

#include "checker/core/world.hpp"

namespace reapcheck::core {

enum class ActionKind : uint8_t { Clone3, Exit, Wait4, Sigaction, Prctl, Sigpending };

/// clone3 flag bits of the core alphabet (not kernel values).
inline constexpr uint8_t kFlagAutoreap = 1, kFlagParent = 2;

/// What the call returned.
enum class Outcome : uint8_t {
    Ok,          ///< 0 (sigaction, prctl), or nothing to report (exit)
    Child,       ///< clone3 created `Action::target`
    Einval,      ///< clone3 rejected; the world is unchanged
    Echild,      ///< wait4: c is not eligible (exit_signal 0 without __WALL)
    Zero,        ///< wait4 WNOHANG: c is alive
    Reaped,      ///< wait4 reaped `target` (exited with `Action::arg2`)
    Pending,     ///< sigpending: SIGCHLD was pending (now consumed)
    None,        ///< sigpending: nothing pending
};

/// One action with its arguments and its outcome.
struct Action {
    ActionKind kind = ActionKind::Sigpending;
    uint8_t actor = 0;    ///< slot of the caller
    uint8_t arg = 0;      ///< clone3: flag bits; exit: code; wait4: 1 = __WALL;
                          ///< sigaction: Disp; prctl: 0/1
    uint8_t arg2 = 0;     ///< clone3: 1 = exit_signal SIGCHLD; wait4 Reaped: exit code
    uint8_t target = 0;   ///< clone3: child slot (Outcome::Child); wait4: the child c
    Outcome outcome = Outcome::Ok;
    bool operator==(const Action&) const = default;
};

/// One successor: the action, the world after it, and whether it differs.
struct Successor {
    Action action;
    World next;
    bool changed = false;
    /// Bit i set: slot i of `next` may differ from the world's; every other
    /// slot is equal to it. The explorer re-encodes only these slots. The
    /// caller, or the new child of a clone3, or the reaped child of a wait4;
    /// exit adds the caller's parent, children and their new reaper, prctl 1
    /// the descendants it gave has_child_subreaper.
    std::uint8_t touched = 0;
};

/// Upper bound on the number of actions enabled in one world.
inline constexpr int kMaxActions = kMaxSlots * (8 + 2 + 2 * (kMaxSlots - 1) + 3 + 2 + 1);

/// Writes every enabled action of w, in the documented order, to out (room
/// for kMaxActions) and returns how many. require: valid(w).
int successors(const World& w, Profile profile, Successor* out);

/// The successors of `successors(w, profile, ...)` whose `changed` is set,
/// in the same order, and nothing else (what the explorer stores); sets
/// transitions to the number of all enabled actions. Returns how many it
/// wrote. require: valid(w).
int changed_successors(const World& w, Profile profile, Successor* out, int& transitions);

/// Calls cb(const Action&, const World& next, bool changed) for each enabled action.
template <class F>
void for_each_successor(const World& w, Profile profile, F&& cb) {
    Successor buf[kMaxActions];
    const int k = successors(w, profile, buf);
    for (int i = 0; i < k; ++i) cb(buf[i].action, buf[i].next, buf[i].changed);
}

/// The action as a scenario statement with slot names T0..Tn-1, e.g.
/// `T2: clone3 flags=AUTOREAP exit_signal=0`, `T0: wait4 T2 WNOHANG __WALL`;
/// with_result appends ` -> child T3`, ` -> EINVAL`, ` -> T2 exited(1)`, ...
/// (exit has no result).
[[nodiscard]] std::string to_statement(const Action& a, bool with_result = false);

}  // namespace reapcheck::core
