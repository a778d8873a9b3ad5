// fs/exec.c: a successful execve (docs/kernel-rules.md §11): de_thread, exit_signal
// reset, self_exec_id, signal handlers, close-on-exec.
#include <algorithm>
#include <utility>

#include "refimpl/gaps.hpp"
#include "refimpl/internal.hpp"

namespace reapcheck::refimpl {

using namespace detail;

namespace {

/// Run t's remaining kernel work now (de_thread waits for it).
void finish_exit(State& s, const Profile& p, Id t) {
    while (s.tasks[t].step != Step::None) kernel_step(s, p, t);
}

/// de_thread (fs/exec.c): kill the other threads and wait for them; a
/// non-leader caller takes over the leader's pid, and the old leader is
/// released as EXIT_DEAD without notification.
void de_thread(State& s, const Profile& p, Id me) {
    // zap_other_threads counts every other listed thread but the leader, and
    // de_thread sleeps until __exit_signal has released each: a traced one
    // stays a zombie until its tracer reaps it, so the exec waits on another
    // process. The model finishes the exec at once: a declared gap.
    for (Id th : s.threads_of(me))
        if (th != me && th != s.tasks[me].leader && s.tasks[th].ptraced) report_gap(gap::kExecTracedThread);
    for (Id th : s.threads_of(me)) {
        if (th == me) continue;
        Task& tt = s.tasks[th];
        if (!tt.exiting && tt.exit_state == ExitState::Running) {
            // zap_other_threads: SIGKILL; do_group_exit gives code 0 while
            // group_exec_task is set.
            tt.step = Step::None;
            do_exit(s, p, th, 0);   // a blocked wait scans once more first
        }
        if (th == s.tasks[me].leader) {
            if (s.tasks[th].step == Step::ExitNotify) exit_notify(s, p, th);
        } else {
            finish_exit(s, p, th);
        }
    }
    const Id leader = s.tasks[me].leader;
    if (leader == me) return;
    REAPCHECK_REQUIRE(s.tasks[leader].exit_state == ExitState::Zombie);
    // exchange_tids + transfer_pid: me takes the leader's pid and its place.
    Task& m = s.tasks[me];
    Task& l = s.tasks[leader];
    std::swap(m.pid, l.pid);
    s.pids[m.pid].task = me;
    s.pids[l.pid].task = leader;
    m.sibling_seq = l.sibling_seq;
    m.exit_signal = kSigchldValue;
    l.exit_signal = -1;
    for (Id th : s.threads_of(me)) s.tasks[th].leader = me;
    if (l.ptraced) wake_up_parent(s, leader, l.parent);
    release_task_begin(s, leader);
    finish_exit(s, p, leader);
}

}  // namespace

SysResult sys_execve(State& s, const Profile& p, Id t) {
    de_thread(s, p, t);
    Task& me = s.tasks[t];
    if (p.fault != Fault::ExecKeepsExitSignal) me.exit_signal = kSigchldValue;   // end of de_thread, whatever it was
    if (p.fault == Fault::ExecClearsAutoreap) s.procs[me.proc].autoreap = false;
    // begin_new_exec: self_exec_id + 1. The model takes a value no task holds
    // yet: the kernel only ever compares exec ids for equality, and a fresh
    // value keeps every such comparison as the counter would while letting
    // the checker compress ids to their ranks.
    uint8_t fresh = 0;
    for (const Task& x : s.tasks) fresh = std::max({fresh, x.self_exec_id, x.parent_exec_id});
    me.self_exec_id = uint8_t(fresh + 1);
    // flush_signal_handlers(me, 0): handlers to SIG_DFL, SIG_IGN stays, flags cleared.
    // unshare_sighand first: a sighand shared with another process is copied.
    Proc& pr = s.procs[me.proc];
    if (s.sighands[pr.sighand].users > 1) {
        Sighand copy = s.sighands[pr.sighand];
        copy.users = 1;
        s.sighands[pr.sighand].users--;
        s.sighands.push_back(copy);
        pr.sighand = Id(s.sighands.size() - 1);
    }
    Sighand& sh = s.sighands[pr.sighand];
    if (sh.sigchld == Handler::User) sh.sigchld = Handler::Dfl;
    if (p.fault != Fault::ExecKeepsNocldwait) sh.nocldwait = false;
    // unshare_files, then do_close_on_exec: every pidfd is O_CLOEXEC.
    const Id table = s.tasks[t].files;
    if (s.fdtables[table].users > 1) {
        FdTable copy = s.fdtables[table];
        copy.users = 1;
        for (const Fd& fd : copy.fds) s.files[fd.file].refs++;
        s.fdtables[table].users--;
        s.fdtables.push_back(std::move(copy));
        s.tasks[t].files = Id(s.fdtables.size() - 1);
    }
    FdTable& mine = s.fdtables[s.tasks[t].files];
    const auto fds = std::move(mine.fds);
    mine.fds.clear();
    for (const Fd& fd : fds) fput(s, p, fd.file);
    return {};
}

}  // namespace reapcheck::refimpl
