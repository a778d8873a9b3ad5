// kernel/sys.c: prctl(PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG), getppid, and
// capset as far as CAP_SYS_ADMIN goes (docs/kernel-rules.md §7, §1.1).
#include "refimpl/internal.hpp"

namespace reapcheck::refimpl {

using namespace detail;

namespace {
/// walk_process_tree + propagate_has_child_subreaper: every descendant
/// process (zombies too: they are still on children lists) gets
/// has_child_subreaper, without descending below one that already has it or
/// below the namespace's child_reaper.
void propagate_has_child_subreaper(State& s, Id top) {
    for (Id th : s.threads_of(top)) {
        for (Id c : s.children_of(th)) {
            Proc& pc = s.procs[s.tasks[c].proc];
            if (pc.has_child_subreaper || c == kInit) continue;
            pc.has_child_subreaper = true;
            propagate_has_child_subreaper(s, c);
        }
    }
}
}  // namespace

SysResult sys_prctl_subreaper(State& s, const Profile& p, Id caller, int64_t arg) {
    (void)p;
    s.procs[s.tasks[caller].proc].is_child_subreaper = arg != 0;
    if (arg != 0) propagate_has_child_subreaper(s, s.tasks[caller].leader);
    return {};
}

SysResult sys_prctl_pdeathsig(State& s, const Profile& p, Id caller, int64_t sig) {
    (void)p;
    if (sig < 0 || sig > 64) return SysResult::err(kEINVAL);   // valid_signal
    s.tasks[caller].pdeath_signal = int8_t(sig);
    return {};
}

/// getppid: the tgid of real_parent in the caller's namespace; 0 for the
/// namespace init, whose parent is outside.
SysResult sys_getppid(State& s, const Profile& p, Id caller) {
    (void)p;
    SysResult r;
    const Id rp = s.tasks[caller].real_parent;
    if (rp == kNone) return r;
    r.task = s.tasks[rp].leader;
    r.ret = s.pids[s.tasks[r.task].pid].nr;
    return r;
}

SysResult sys_capset_drop(State& s, const Profile& p, Id caller) {
    (void)p;
    s.tasks[caller].cap_sys_admin = false;
    return {};
}

}  // namespace reapcheck::refimpl
