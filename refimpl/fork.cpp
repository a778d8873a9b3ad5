// kernel/fork.c: clone3/clone/fork intake, copy_process's checks in source
// order, and the parent / exit_signal / flag assignment (docs/kernel-rules.md §2, §3).
#include "refimpl/gaps.hpp"
#include "refimpl/internal.hpp"

namespace reapcheck::refimpl {

using namespace detail;

uint64_t named_flag_bit(const Profile& p, int i) {
    // Order of scn::CloneFlag.
    switch (i) {
    case 0: return kCLONE_PIDFD;
    case 1: return p.autoreap_bit;
    case 2: return kCLONE_PARENT;
    case 3: return kCLONE_THREAD;
    case 4: return kCLONE_SIGHAND;
    case 5: return kCLONE_VM;
    case 6: return kCLONE_FILES;
    case 7: return kCLONE_FS;
    case 8: return p.nnp_bit;
    case 9: return p.autokill_bit;
    case 10: return kCLONE_PTRACE;
    case 11: return kCLONE_VFORK;
    case 12: return kCLONE_UNTRACED;
    case 13: return kCLONE_DETACHED;
    case 14: return kCLONE_NEWPID;
    case 15: return kCLONE_NEWUSER;
    case 16: return kCLONE_NEWNS;
    case 17: return kCLONE_CLEAR_SIGHAND;
    case 18: return kCLONE_INTO_CGROUP;
    case 19: return kCLONE_PARENT_SETTID;
    default: return 0;
    }
}

const char* cannot_end_process(const State& s, Id t, bool group) {
    if (!s.procs[s.tasks[t].proc].unkillable) return nullptr;
    // Its leader stays alive too: a pid-namespace init whose leader exits
    // while other threads live hands the reaper role to a thread
    // (find_child_reaper), which the single-namespace model leaves out.
    if (group || s.is_leader(t) || s.procs[s.tasks[t].proc].quick_threads <= 1)
        return "the namespace init (its leader and its process) never exits in the model (kernel-rules.md §1.6)";
    return nullptr;
}

const char* cannot_act(const State& s, Id t) {
    const Task& task = s.tasks[t];
    if (task.exit_state == ExitState::Released) return "it has been released";
    if (task.exit_state != ExitState::Running || task.exiting) return "it has exited";
    if (task.step == Step::DoExit) return "it has been killed";
    if (task.wait.active) return "it is blocked (use resume)";
    return nullptr;
}

namespace {

/// copy_clone_args_from_user's exit_signal check and clone3_args_valid
/// (kernel/fork.c), clone3 only. Returns 0 or an errno.
int clone3_args_valid(const Profile& p, uint64_t flags, int64_t exit_signal) {
    // copy_clone_args_from_user: bits outside CSIGNAL, or not valid_signal.
    if ((uint64_t(exit_signal) & ~kCSIGNAL) || exit_signal > 64 || exit_signal < 0) return kEINVAL;
    const uint64_t allowed = 0xffffffffULL | kCLONE_CLEAR_SIGHAND | kCLONE_INTO_CGROUP | p.allowed_new;
    if (flags & ~allowed) return kEINVAL;
    // Not valid with clone3: CLONE_DETACHED and the CSIGNAL byte (but NEWTIME).
    if (flags & (kCLONE_DETACHED | (kCSIGNAL & ~kCLONE_NEWTIME))) return kEINVAL;
    if ((flags & kCLONE_SIGHAND) && (flags & kCLONE_CLEAR_SIGHAND)) return kEINVAL;
    if ((flags & (kCLONE_THREAD | kCLONE_PARENT)) && exit_signal) return kEINVAL;
    return 0;
}

/// copy_process's early checks, in source order; first failure wins.
int copy_process_checks(const State& s, const Profile& p, Id caller, uint64_t flags,
                        int64_t exit_signal) {
    const Proc& cp = s.procs[s.tasks[caller].proc];
    if ((flags & (kCLONE_NEWNS | kCLONE_FS)) == (kCLONE_NEWNS | kCLONE_FS)) return kEINVAL;
    if ((flags & (kCLONE_NEWUSER | kCLONE_FS)) == (kCLONE_NEWUSER | kCLONE_FS)) return kEINVAL;
    if ((flags & kCLONE_THREAD) && !(flags & kCLONE_SIGHAND)) return kEINVAL;
    if ((flags & kCLONE_SIGHAND) && !(flags & kCLONE_VM)) return kEINVAL;
    if ((flags & kCLONE_PARENT) && cp.unkillable) return kEINVAL;
    if ((flags & kCLONE_THREAD) && (flags & (kCLONE_NEWUSER | kCLONE_NEWPID))) return kEINVAL;
    if ((flags & kCLONE_PIDFD) && (flags & kCLONE_DETACHED)) return kEINVAL;
    if (p.has_autoreap && (flags & p.autoreap_bit)) {
        if (p.autoreap_requires_pidfd && !(flags & kCLONE_PIDFD)) return kEINVAL;
        if ((flags & kCLONE_THREAD) && p.fault != Fault::AutoreapThread) return kEINVAL;
        if (p.autoreap_rejects_parent && (flags & kCLONE_PARENT) && p.fault != Fault::AutoreapParent) return kEINVAL;
        if (exit_signal && p.fault != Fault::AutoreapExitSignal) return kEINVAL;
    }
    if (p.parent_rejected_while_autoreap && (flags & kCLONE_PARENT) && cp.autoreap &&
        p.fault != Fault::ParentWhileAutoreap)
        return kEINVAL;
    if (p.has_nnp && (flags & p.nnp_bit) && (flags & kCLONE_THREAD) && p.fault != Fault::NnpThread) return kEINVAL;
    if (p.has_autokill && (flags & p.autokill_bit)) {
        if (!(flags & kCLONE_PIDFD)) return kEINVAL;
        if (!(p.has_autoreap && (flags & p.autoreap_bit)) && p.fault != Fault::AutokillWithoutAutoreap)
            return kEINVAL;
        if (flags & kCLONE_THREAD) return kEINVAL;
        if (p.autokill_needs_nnp_or_cap && !(p.has_nnp && (flags & p.nnp_bit)) &&
            !s.tasks[caller].cap_sys_admin && p.fault != Fault::AutokillNoPermCheck)
            return kEPERM;
    }
    return 0;
}

}  // namespace

/// kernel_clone + copy_process (kernel/fork.c) for clone3, legacy clone and
/// fork. Leaves out: stacks, TLS, set_tid, cgroups, vfork and new namespaces
/// (CLONE_NEWPID and CLONE_VFORK are refused by the scenario layer; NEWNS,
/// NEWUSER, FS have no effect in the model once the checks pass).
SysResult sys_clone(State& s, const Profile& p, Id caller, const CloneArgs& a) {
    uint64_t flags = a.flags;
    int64_t exit_signal = a.exit_signal;
    if (a.legacy) {
        // sys_clone: lower 32 bits only; the low byte is the exit signal.
        exit_signal = int64_t(flags & kCSIGNAL);
        flags = (p.fault == Fault::LegacyHighBits ? flags : flags & 0xffffffffULL) & ~kCSIGNAL;
        // kernel_clone: the legacy pidfd pointer is parent_tid.
        if ((flags & kCLONE_PIDFD) && (flags & kCLONE_PARENT_SETTID)) return SysResult::err(kEINVAL);
    } else if (int e = clone3_args_valid(p, flags, exit_signal)) {
        return SysResult::err(e);
    }
    if (int e = copy_process_checks(s, p, caller, flags, exit_signal)) return SysResult::err(e);

    const Task cur = s.tasks[caller];
    const bool thread = flags & kCLONE_THREAD;
    const bool autoreap = p.has_autoreap && (flags & p.autoreap_bit);
    const Id child = Id(s.tasks.size());
    Task c;
    // pid: alloc_pid in the single namespace; numbers are never reused here.
    s.pids.push_back(Pid{s.next_pid_nr++, child, Attr::None, false, 0});
    c.pid = Id(s.pids.size() - 1);
    c.nnp = cur.nnp;
    c.cap_sys_admin = cur.cap_sys_admin;
    c.self_exec_id = cur.self_exec_id;
    // copy_files: share with CLONE_FILES, else dup_fd (every file gains a reference).
    if (flags & kCLONE_FILES) {
        c.files = cur.files;
        s.fdtables[c.files].users++;
    } else {
        FdTable copy = s.fdtables[cur.files];
        copy.users = 1;
        for (const Fd& fd : copy.fds) s.files[fd.file].refs++;
        s.fdtables.push_back(std::move(copy));
        c.files = Id(s.fdtables.size() - 1);
    }
    // copy_sighand / copy_signal
    if (thread) {
        c.proc = cur.proc;
        c.leader = cur.leader;
        Proc& pr = s.procs[c.proc];
        pr.live++;
        pr.quick_threads++;
    } else {
        Proc np;   // copy_signal: zero-allocated
        const Proc& cp = s.procs[cur.proc];
        if (flags & kCLONE_SIGHAND) {   // copy_sighand: share
            np.sighand = cp.sighand;
            s.sighands[np.sighand].users++;
        } else {
            Sighand sh = s.sighands[cp.sighand];
            sh.users = 1;
            if (flags & kCLONE_CLEAR_SIGHAND) {   // flush_signal_handlers(p, 0)
                if (sh.sigchld == Handler::User) sh.sigchld = Handler::Dfl;
                sh.nocldwait = false;
            }
            s.sighands.push_back(sh);
            np.sighand = Id(s.sighands.size() - 1);
        }
        np.live = np.quick_threads = 1;
        np.autoreap = autoreap;
        if (p.fault == Fault::AutoreapInherited) np.autoreap |= cp.autoreap;
        if (p.fault == Fault::AutoreapNeedsPidfd && !(flags & kCLONE_PIDFD)) np.autoreap = false;
        s.procs.push_back(np);
        c.proc = Id(s.procs.size() - 1);
        c.leader = child;
    }
    // CLONE_NNP (v5, mainline) after copy_seccomp; AUTOKILL forces it in v4.
    if (p.has_nnp && (flags & p.nnp_bit) && p.fault != Fault::NnpNotSet) c.nnp = true;
    const bool autokill = p.has_autokill && (flags & p.autokill_bit);
    if (autokill && p.autokill_sets_nnp) c.nnp = true;

    // Parent and exit_signal, under tasklist_lock (docs/kernel-rules.md §3.1).
    if (flags & (kCLONE_PARENT | kCLONE_THREAD)) {
        c.real_parent = cur.real_parent;
        c.parent_exec_id = cur.parent_exec_id;
        if (thread)
            c.exit_signal = -1;
        else if ((p.autoreap_parent_zero_exit_signal && autoreap) || p.fault == Fault::ParentExitSignalFromArgs)
            c.exit_signal = int16_t(p.fault == Fault::ParentExitSignalFromArgs ? exit_signal : 0);
        else
            c.exit_signal = s.tasks[cur.leader].exit_signal;
    } else {
        c.real_parent = caller;
        c.parent_exec_id = cur.self_exec_id;
        c.exit_signal = int16_t(exit_signal);
    }
    c.parent = c.real_parent;
    // ptrace_init_task(p, (clone_flags & CLONE_PTRACE) || trace) in
    // copy_process: CLONE_UNTRACED only clears `trace` (kernel_clone: no
    // PTRACE_EVENT_* report), it does not cancel CLONE_PTRACE. Every tracer of
    // the model is PTRACE_SEIZE's, and a seized child starts with
    // JOBCTL_TRAP_STOP: a stop, which is a declared gap.
    if ((flags & kCLONE_PTRACE) && cur.ptraced) {
        report_gap(gap::kClonePtraceStop);
        c.ptraced = true;
        c.parent = cur.parent;
    }
    s.tasks.push_back(c);
    if (s.tasks[child].ptraced) s.tasks[child].ptrace_seq = next_seq(s);
    s.tasks[child].thread_seq = next_seq(s);   // list_add_tail_rcu(&p->thread_node, ...)
    if (!thread) {
        Proc& np = s.procs[s.tasks[child].proc];
        const Proc& rp = s.procs[s.tasks[s.tasks[child].real_parent].proc];
        np.has_child_subreaper = rp.has_child_subreaper || rp.is_child_subreaper;
        s.tasks[child].sibling_seq = next_seq(s);   // list_add_tail(&p->sibling, ...)
    }

    SysResult r;
    r.task = child;
    r.ret = s.pids[s.tasks[child].pid].nr;
    // CLONE_PIDFD: the file was reserved before attach (pidfs_register_pid
    // allocates attr); fd_install into the caller's table after attach, so a
    // child with its own table does not hold it.
    if (flags & kCLONE_PIDFD) {
        const Id file = pidfs_register_file(s, s.tasks[child].pid, thread, false);
        REAPCHECK_REQUIRE(file != kNone);
        if (autokill) {
            if (p.autokill_by_pointer)
                s.procs[s.tasks[child].proc].autokill_file = file;
            else
                s.files[file].autokill = true;
        }
        r.fd = fd_install(s, s.tasks[caller].files, file);
    }
    return r;
}

namespace detail {
uint16_t next_seq(State& s) { return s.next_seq++; }
}  // namespace detail

}  // namespace reapcheck::refimpl
