// One call of the scenario language executed on a refimpl State, with its
// names already resolved to indices. Shared by the refimpl executor (replay)
// and the exploration engine, so both run calls the same way.
#pragma once

#include "checker/scenario/ast.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::scn {

struct Resolved {
    refimpl::Id actor = refimpl::kNone;    ///< calling task
    refimpl::Id target = refimpl::kNone;   ///< task named by the call (kill, wait4, P_PID, pidfd_open, ptrace, steps)
    int fd = -1;                           ///< descriptor named by the call
};

/// Runs `c` (not a kernel step) for `r.actor`. Kernel steps: refimpl::kernel_step.
refimpl::SysResult dispatch(refimpl::State& s, const refimpl::Profile& p, const Call& c, const Resolved& r);

/// A scenario-language flag set resolved to clone bits under a profile.
uint64_t resolve_flags(const FlagSet& f, const refimpl::Profile& p);

/// clone arguments of a clone3 / clone / fork call.
refimpl::CloneArgs clone_args(const Call& c, const refimpl::Profile& p);

}  // namespace reapcheck::scn
