// The action alphabet of exploration over refimpl: which calls every live
// task may make in a state, within bounds, and the kernel steps that are
// pending. An action is a scenario-language call with its names resolved, so
// a path of actions prints as a replayable .scn trace.
#pragma once

#include <string>
#include <vector>

#include "checker/scenario/dispatch.hpp"
#include "refimpl/events.hpp"

namespace reapcheck::engine {

/// Bounds and argument domains (the command line of check/review).
struct Bounds {
    int tasks = 4;                    ///< tasks not yet released, init and main included
    int threads = 1;                  ///< threads per process (1: no CLONE_THREAD)
    int pidfds = 1;                   ///< open pidfds per descriptor table
    int depth = 0;                    ///< BFS depth bound; 0 = until exhausted
    std::vector<int> exit_codes{3};   ///< codes for exit / exit_group
    bool exec = true;                 ///< execve
    bool kill = true;                 ///< kill SIGKILL
    bool blocking = true;             ///< blocking wait4 and resume
    bool ptrace = false;              ///< ptrace_attach / ptrace_detach
    bool autokill = true;             ///< CLONE_PIDFD_AUTOKILL in the clone domain (+ close)
    bool parent = true;               ///< CLONE_PARENT in the clone domain
    bool subreaper = true;            ///< prctl PR_SET_CHILD_SUBREAPER
    bool sigaction = true;            ///< sigaction SIGCHLD
    /// With pidfds == 0: profiles whose CLONE_AUTOREAP needs CLONE_PIDFD
    /// (rfc-v1) get clone3 PIDFD|AUTOREAP anyway (one pidfd per table), so
    /// that they create autoreap processes in this configuration too.
    bool autoreap_pidfd = false;
    bool legacy_clone = true;         ///< legacy clone() (AUTOREAP bit; PARENT with SIGCHLD)
    bool wnowait = true;              ///< waitid P_ALL WEXITED|WNOHANG|WNOWAIT|__WALL
    /// `capset drop` (a task gives up CAP_SYS_ADMIN) and, with pidfds and
    /// autokill, clone3 PIDFD|AUTOREAP|PIDFD_AUTOKILL|NNP: the privilege
    /// check of CLONE_PIDFD_AUTOKILL (v5, mainline) meets a caller without
    /// the capability, with and without CLONE_NNP.
    bool capset = false;
    [[nodiscard]] std::string describe() const;
};

struct Action {
    bool kernel = false;              ///< a kernel step of `r.actor` (call.sys says which)
    scn::Call call;
    scn::Resolved r;
};

/// Every action enabled in `s`, in a fixed order.
void enabled_actions(const refimpl::State& s, const refimpl::Profile& p, const Bounds& b,
                     std::vector<Action>& out);

/// What one transition did.
struct Transition {
    refimpl::State post;
    refimpl::SysResult result;
    refimpl::EventSink events;
};

/// Applies `a` to a copy of `s`.
Transition apply(const refimpl::State& s, const refimpl::Profile& p, const Action& a);

/// Task-count check for the clone actions (bounds.tasks).
int live_tasks(const refimpl::State& s);

}  // namespace reapcheck::engine
