// Unit tests per refimpl function (docs/kernel-rules.md section in each case name).
#include <doctest/doctest.h>

#include "refimpl/gaps.hpp"
#include "refimpl/kernel.hpp"

using namespace reapcheck::refimpl;

namespace {

const Profile& P(const char* name) { return *find_profile(name); }

struct World {
    State s = initial_state();
    const Profile& p;
    explicit World(const char* profile = "mainline") : p(P(profile)) {}
    SysResult clone3(Id caller, uint64_t flags, int64_t sig) {
        return sys_clone(s, p, caller, CloneArgs{flags, sig, false});
    }
    Id child(Id caller, uint64_t flags = 0, int64_t sig = kSIGCHLD) {
        SysResult r = clone3(caller, flags, sig);
        REQUIRE(r.ok());
        return r.task;
    }
    void exit(Id t, int code) {
        sys_exit(s, p, t, code);
        run_pending(s, p);
    }
    SysResult wait(Id caller, Id target, uint32_t options) {
        WaitArgs a;
        a.any = target == kNone;
        a.pid = target == kNone ? kNone : s.tasks[target].pid;
        a.options = options;
        SysResult r = sys_wait(s, p, caller, a);
        run_pending(s, p);
        return r;
    }
    ExitState st(Id t) const { return s.tasks[t].exit_state; }
    uint64_t AUTOREAP() const { return p.autoreap_bit; }
};

constexpr uint32_t kWNOHANG = 0x1, kWALL = 0x40000000u, kWCLONE = 0x80000000u;
constexpr uint64_t THREADF = kCLONE_THREAD | kCLONE_SIGHAND | kCLONE_VM;

}  // namespace

TEST_CASE("profiles: six, in patch order, with the kernel-rules §13 flag values") {
    REQUIRE(all_profiles().size() == 6);
    CHECK(all_profiles().front().name == "linux-6.18");
    CHECK(all_profiles().back().name == "mainline");
    CHECK(P("mainline").nnp_bit == (1ULL << 35));
    CHECK(P("mainline").autokill_bit == (1ULL << 36));
    CHECK(P("v5").nnp_bit == (1ULL << 36));
    CHECK(P("v5").autokill_bit == (1ULL << 35));
    CHECK(find_profile("v6") == nullptr);
}

TEST_CASE("clone3_args_valid (kernel-rules §2.2, §2.3)") {
    World w;
    CHECK(w.clone3(kMain, 0, 65).ret == -kEINVAL);               // not valid_signal
    CHECK(w.clone3(kMain, 0, 0x100 | 17).ret == -kEINVAL);       // bits outside CSIGNAL
    CHECK(w.clone3(kMain, 1ULL << 37, 0).ret == -kEINVAL);       // unknown flag
    CHECK(w.clone3(kMain, 0x1, 0).ret == -kEINVAL);              // a CSIGNAL bit in flags
    CHECK(w.clone3(kMain, kCLONE_DETACHED, 0).ret == -kEINVAL);
    CHECK(w.clone3(kMain, kCLONE_SIGHAND | kCLONE_VM | kCLONE_CLEAR_SIGHAND, 0).ret == -kEINVAL);
    CHECK(w.clone3(kMain, kCLONE_PARENT, kSIGCHLD).ret == -kEINVAL);
    CHECK(w.clone3(kMain, THREADF, kSIGCHLD).ret == -kEINVAL);
    World old("linux-6.18");
    for (int b : {34, 35, 36}) CHECK(old.clone3(kMain, 1ULL << b, 0).ret == -kEINVAL);
    // legacy clone drops the high bits [EMP-6.18 T3]
    SysResult r = sys_clone(old.s, old.p, kMain, CloneArgs{(1ULL << 34) | kSIGCHLD, 0, true});
    REQUIRE(r.ok());
    CHECK(old.s.tasks[r.task].exit_signal == kSIGCHLD);
    CHECK_FALSE(old.s.procs[old.s.tasks[r.task].proc].autoreap);
}

TEST_CASE("copy_process checks in source order (kernel-rules §2.5)") {
    World w;
    CHECK(w.clone3(kMain, kCLONE_THREAD, 0).ret == -kEINVAL);                  // THREAD without SIGHAND
    CHECK(w.clone3(kMain, kCLONE_SIGHAND, 0).ret == -kEINVAL);                 // SIGHAND without VM
    CHECK(w.clone3(kInit, kCLONE_PARENT, 0).ret == -kEINVAL);                  // from the namespace init
    CHECK(w.clone3(kMain, THREADF | w.AUTOREAP(), 0).ret == -kEINVAL);
    CHECK(w.clone3(kMain, kCLONE_PARENT | w.AUTOREAP(), 0).ret == -kEINVAL);   // v4 on
    CHECK(w.clone3(kMain, w.AUTOREAP(), kSIGCHLD).ret == -kEINVAL);
    CHECK(w.clone3(kMain, THREADF | w.p.nnp_bit, 0).ret == -kEINVAL);
    const uint64_t AK = w.p.autokill_bit;
    CHECK(w.clone3(kMain, AK | w.AUTOREAP(), 0).ret == -kEINVAL);              // without PIDFD
    CHECK(w.clone3(kMain, AK | kCLONE_PIDFD, 0).ret == -kEINVAL);              // without AUTOREAP
    // root keeps CAP_SYS_ADMIN: allowed; after capset drop: EPERM unless NNP.
    CHECK(w.clone3(kMain, AK | kCLONE_PIDFD | w.AUTOREAP(), 0).ok());
    sys_capset_drop(w.s, w.p, kMain);
    CHECK(w.clone3(kMain, AK | kCLONE_PIDFD | w.AUTOREAP(), 0).ret == -kEPERM);
    CHECK(w.clone3(kMain, AK | kCLONE_PIDFD | w.AUTOREAP() | w.p.nnp_bit, 0).ok());
    // rfc-v1 needs CLONE_PIDFD; rfc-v3 does not
    World v1("rfc-v1");
    CHECK(v1.clone3(kMain, v1.AUTOREAP(), 0).ret == -kEINVAL);
    CHECK(v1.clone3(kMain, v1.AUTOREAP() | kCLONE_PIDFD, 0).ok());
    World v3("rfc-v3");
    CHECK(v3.clone3(kMain, v3.AUTOREAP(), 0).ok());
}

TEST_CASE("copy_process: CLONE_PARENT while autoreap is mainline only (kernel-rules §2.5 item 9)") {
    for (const auto& prof : all_profiles()) {
        State s = initial_state();
        SysResult a = sys_clone(s, prof, kMain, CloneArgs{prof.autoreap_bit | kCLONE_PIDFD, 0, false});
        if (!prof.has_autoreap) {
            CHECK(a.ret == -kEINVAL);
            continue;
        }
        REQUIRE(a.ok());
        SysResult b = sys_clone(s, prof, a.task, CloneArgs{kCLONE_PARENT, 0, false});
        CAPTURE(prof.name);
        CHECK((b.ret == -kEINVAL) == prof.parent_rejected_while_autoreap);
    }
}

TEST_CASE("copy_process assignment: CLONE_PARENT exit_signal from the caller's leader (kernel-rules §3.1)") {
    World w;
    Id c = w.child(kMain, 0, 0);                 // exit_signal 0
    Id g = w.child(c, kCLONE_PARENT, 0);         // sibling of c, exit_signal from c's leader: 0
    CHECK(w.s.tasks[g].real_parent == kMain);
    CHECK(w.s.tasks[g].exit_signal == 0);
    World v1("rfc-v3");
    Id c1 = v1.child(kMain, 0, kSIGCHLD);
    Id g1 = v1.child(c1, kCLONE_PARENT | v1.AUTOREAP(), 0);   // rfc: forced to 0
    CHECK(v1.s.tasks[g1].exit_signal == 0);
    CHECK(v1.s.procs[v1.s.tasks[g1].proc].autoreap);
}

TEST_CASE("autoreap is not inherited; has_child_subreaper is (kernel-rules §3.2)") {
    World w;
    sys_prctl_subreaper(w.s, w.p, kMain, 1);
    Id a = w.child(kMain, w.AUTOREAP(), 0);
    Id g = w.child(a, 0, kSIGCHLD);
    CHECK(w.s.procs[w.s.tasks[a].proc].autoreap);
    CHECK_FALSE(w.s.procs[w.s.tasks[g].proc].autoreap);
    CHECK(w.s.procs[w.s.tasks[g].proc].has_child_subreaper);
    CHECK_FALSE(w.s.procs[w.s.tasks[g].proc].is_child_subreaper);
}

TEST_CASE("do_notify_parent: the disposition table (kernel-rules §6.1)") {
    struct Row { Handler h; bool nocldwait; int sig; bool autoreap; bool selfreap; bool pending; };
    const Row rows[] = {
        {Handler::Dfl, false, kSIGCHLD, false, false, true},
        {Handler::Dfl, false, 0, false, false, false},
        {Handler::User, false, kSIGCHLD, false, false, true},
        {Handler::Ign, false, kSIGCHLD, false, true, false},
        {Handler::Ign, false, 0, false, false, false},          // [EMP-6.18 T10]
        {Handler::Dfl, true, kSIGCHLD, false, true, true},      // [EMP-6.18 T11]
        {Handler::User, true, kSIGCHLD, false, true, true},
        {Handler::Dfl, false, 0, true, true, false},            // autoreap: silent self-reap
        {Handler::User, false, 0, true, true, false},
        {Handler::Ign, false, 0, true, true, false},
    };
    for (const Row& r : rows) {
        World w;
        sys_sigaction(w.s, w.p, kMain, r.h, r.nocldwait);
        Id c = w.child(kMain, r.autoreap ? w.AUTOREAP() : 0, r.sig);
        w.exit(c, 3);
        CAPTURE(int(r.h)); CAPTURE(r.nocldwait); CAPTURE(r.sig); CAPTURE(r.autoreap);
        CHECK((w.st(c) == ExitState::Released) == r.selfreap);
        CHECK(w.s.procs[1].sigchld_pending == r.pending);
    }
}

TEST_CASE("do_notify_parent: linux-6.18 has no autoreap branch (kernel-rules §13)") {
    World w("linux-6.18");
    Id c = w.child(kMain, 0, 0);
    w.exit(c, 1);
    CHECK(w.st(c) == ExitState::Zombie);
}

TEST_CASE("do_notify_parent: exec-id fix-up turns exit_signal 0 into SIGCHLD (kernel-rules §6.4)") {
    World w;
    Id c = w.child(kMain, 0, 0);
    sys_execve(w.s, w.p, kMain);
    sys_sigaction(w.s, w.p, kMain, Handler::Ign, false);
    w.exit(c, 0);
    CHECK(w.st(c) == ExitState::Released);   // SIGCHLD + SIG_IGN: self-reap
}

TEST_CASE("find_new_reaper: sibling thread, then nearest live subreaper, then init (kernel-rules §4.3)") {
    World w;
    sys_prctl_subreaper(w.s, w.p, kMain, 1);
    Id a = w.child(kMain);
    Id b = w.child(a);
    Id g = w.child(b);
    Id bt = w.child(b, THREADF, 0);
    w.exit(b, 0);                                  // b's thread bt lives: g goes to bt
    CHECK(w.s.tasks[g].real_parent == bt);
    w.exit(bt, 0);                                 // then to the subreaper main, not to a
    CHECK(w.s.tasks[g].real_parent == kMain);
    Id h = w.child(g);
    sys_prctl_subreaper(w.s, w.p, kMain, 0);
    w.exit(g, 0);                                  // no subreaper left: init
    CHECK(w.s.tasks[h].real_parent == kInit);
    (void)a;
}

TEST_CASE("reparent_leader: exit_signal reset and zombie re-notification (kernel-rules §4.4)") {
    World w;
    Id a = w.child(kMain);
    Id z = w.child(a, 0, 0);                       // exit_signal 0
    w.exit(z, 5);
    CHECK(w.st(z) == ExitState::Zombie);
    sys_sigaction(w.s, w.p, kInit, Handler::Ign, false);
    w.exit(a, 0);                                  // z to init, re-notified with SIGCHLD
    CHECK(w.st(z) == ExitState::Released);
    // sibling-thread reparenting keeps exit_signal
    World v;
    Id b = v.child(kMain);
    Id bt = v.child(b, THREADF, 0);
    Id c = v.child(b, 0, 0);
    v.exit(b, 0);
    CHECK(v.s.tasks[c].real_parent == bt);
    CHECK(v.s.tasks[c].exit_signal == 0);
}

TEST_CASE("autoreap survives reparenting to a subreaper (kernel-rules §7, selftest autoreap_reparent)") {
    World w;
    sys_prctl_subreaper(w.s, w.p, kMain, 1);
    Id mid = w.child(kMain);
    Id c = w.child(mid, w.AUTOREAP(), 0);
    w.exit(mid, 0);
    CHECK(w.s.tasks[c].real_parent == kMain);
    CHECK(w.s.tasks[c].exit_signal == kSIGCHLD);
    w.s.procs[1].sigchld_pending = false;
    w.exit(c, 0);
    CHECK(w.st(c) == ExitState::Released);
    CHECK_FALSE(w.s.procs[1].sigchld_pending);
}

TEST_CASE("release_task: the delayed group leader (kernel-rules §4.5, EMP-6.18 B)") {
    World w;
    Id c = w.child(kMain);
    Id t = w.child(c, THREADF, 0);
    sys_exit(w.s, w.p, c, 9);
    run_pending(w.s, w.p);
    CHECK(w.st(c) == ExitState::Zombie);
    CHECK(w.s.delay_group_leader(c));
    CHECK(w.wait(kMain, c, kWNOHANG).ret == 0);    // still "running" to a waiter
    w.exit(t, 5);
    SysResult r = w.wait(kMain, c, 0);
    CHECK(r.task == c);
    CHECK(r.status == (5 << 8));                   // the last thread's code
}

TEST_CASE("complete_signal: PIDTYPE_PID to an exiting thread does nothing; PIDTYPE_TGID finds another thread") {
    World w("linux-6.18");
    Id c = w.child(kMain);
    Id t = w.child(c, THREADF, 0);
    const SysResult tfd = sys_pidfd_open(w.s, w.p, kMain, w.s.tasks[c].pid, true, false);
    const SysResult pfd = sys_pidfd_open(w.s, w.p, kMain, w.s.tasks[c].pid, false, false);
    REQUIRE(tfd.ok());
    REQUIRE(pfd.ok());
    w.exit(c, 0);                                           // a delayed-leader zombie
    CHECK(sys_pidfd_send_signal(w.s, w.p, kMain, tfd.fd, kSIGKILL).ret == 0);
    run_pending(w.s, w.p);
    CHECK(w.st(t) == ExitState::Running);                   // wants_signal(leader) is false: nothing
    CHECK(!w.s.procs[w.s.tasks[c].proc].group_exit);
    CHECK(w.wait(kMain, c, kWNOHANG).ret == 0);
    CHECK(sys_pidfd_send_signal(w.s, w.p, kMain, pfd.fd, 10).ret == 0);   // SIGUSR1, process scope
    run_pending(w.s, w.p);
    SysResult r = w.wait(kMain, c, 0);
    CHECK(r.task == c);
    CHECK(r.status == 10);                                  // killed(SIGUSR1)
}

TEST_CASE("complete_signal: the ptrace test is on the task the pid names, not on the other threads") {
    World w("linux-6.18");
    Id c = w.child(kMain);
    Id t = w.child(c, THREADF, 0);
    Id tracer = w.child(kMain);
    REQUIRE(sys_ptrace_attach(w.s, w.p, tracer, w.s.tasks[t].pid).ok());
    GapSink gaps;
    {
        RecordGaps rec(gaps);
        CHECK(sys_kill(w.s, w.p, kMain, w.s.tasks[c].pid, 15).ret == 0);   // SIGTERM to the untraced leader
        run_pending(w.s, w.p);
    }
    CHECK(gaps.empty());
    CHECK(w.st(t) == ExitState::Zombie);                    // killed although traced
    CHECK(w.wait(kMain, c, kWNOHANG).ret == 0);             // the delayed leader waits for the tracer
    SysResult rt = w.wait(tracer, t, kWALL);
    CHECK(rt.task == t);
    CHECK(rt.status == 15);
    SysResult rc = w.wait(kMain, c, 0);
    CHECK(rc.task == c);
    CHECK(rc.status == 15);
}

TEST_CASE("send_signal: the declared gaps are reported, and the signal is dropped") {
    World w("linux-6.18");
    Id c = w.child(kMain);
    Id t = w.child(c, THREADF, 0);
    REQUIRE(sys_ptrace_attach(w.s, w.p, kMain, w.s.tasks[t].pid).ok());
    auto gap_of = [&](Id target, int sig) {
        GapSink gaps;
        RecordGaps rec(gaps);
        State before = w.s;
        CHECK(sys_kill(w.s, w.p, kMain, w.s.tasks[target].pid, sig).ret == 0);
        const char* g = gaps.empty() ? nullptr : gaps.front();
        if (g) CHECK(w.s == before);
        w.s = before;
        return g;
    };
    CHECK(gap_of(t, 10) == gap::kPtraceStop);               // the named task is traced
    CHECK(gap_of(t, 23) == gap::kPtraceStop);               // SIGURG: ignored only when untraced
    CHECK(gap_of(c, 18) == gap::kSeizedTrap);               // SIGCONT with a seized thread
    CHECK(gap_of(c, 19) == gap::kJobStop);                  // SIGSTOP, untraced leader
    CHECK(gap_of(c, 3) == nullptr);                         // SIGQUIT: the untraced leader takes it (core dump path)
    CHECK(gap_of(t, kSIGKILL) == nullptr);                  // SIGKILL never stops
    CHECK(gap_of(kInit, 19) == nullptr);                    // SIGNAL_UNKILLABLE ignores it
    // copy_process: ptrace_init_task(p, CLONE_PTRACE || trace); CLONE_UNTRACED
    // does not cancel CLONE_PTRACE, and a seized child starts in a trap stop.
    GapSink gaps;
    {
        RecordGaps rec(gaps);
        REQUIRE(w.clone3(t, kCLONE_PTRACE | kCLONE_UNTRACED, kSIGCHLD).ok());
    }
    REQUIRE(gaps.size() == 1);
    CHECK(gaps.front() == gap::kClonePtraceStop);
}

TEST_CASE("wait_consider_task: exit_signal 0 needs __WALL or __WCLONE (kernel-rules §5.3, EMP-6.18 T4)") {
    World w;
    Id c = w.child(kMain, 0, 0);
    CHECK(w.wait(kMain, c, kWNOHANG).ret == -kECHILD);
    CHECK(w.wait(kMain, c, kWNOHANG | kWALL).ret == 0);
    CHECK(w.wait(kMain, c, kWNOHANG | kWCLONE).ret == 0);
    w.exit(c, 3);
    SysResult r = w.wait(kMain, c, kWALL);
    CHECK(r.task == c);
    CHECK(w.st(c) == ExitState::Released);
}

TEST_CASE("blocking wait: woken by do_notify_parent; ECHILD after a SIG_IGN self-reap (kernel-rules §5.6, T9)") {
    World w;
    sys_sigaction(w.s, w.p, kMain, Handler::Ign, false);
    Id c = w.child(kMain);
    SysResult b = w.wait(kMain, kNone, 0);
    CHECK(b.blocks);
    CHECK(sys_resume(w.s, w.p, kMain).blocks);     // nobody woke it
    w.exit(c, 0);
    CHECK(w.s.tasks[kMain].wait.woken);
    CHECK(sys_resume(w.s, w.p, kMain).ret == -kECHILD);
}

TEST_CASE("pidfs_exit and pidfd_poll: exit info only at release (kernel-rules §4.7, §10.2)") {
    World w;
    SysResult r = w.clone3(kMain, kCLONE_PIDFD, kSIGCHLD);
    REQUIRE(r.ok());
    const Id c = r.task;
    CHECK(sys_poll(w.s, w.p, kMain, r.fd).ret == 0);
    w.exit(c, 7);
    CHECK(sys_poll(w.s, w.p, kMain, r.fd).ret == kPOLLIN);
    CHECK_FALSE(sys_pidfd_info(w.s, w.p, kMain, r.fd, true).has_status);
    WaitArgs a;
    a.any = false;
    a.pid = w.s.tasks[c].pid;
    REQUIRE(sys_wait(w.s, w.p, kMain, a).task == c);
    kernel_step(w.s, w.p, c);                      // pidfs_exit
    CHECK(sys_pidfd_info(w.s, w.p, kMain, r.fd, true).status == (7 << 8));
    CHECK(sys_poll(w.s, w.p, kMain, r.fd).ret == kPOLLIN);
    kernel_step(w.s, w.p, c);                      // unhash
    CHECK(sys_poll(w.s, w.p, kMain, r.fd).ret == (kPOLLIN | kPOLLHUP));
    CHECK(sys_pidfd_info(w.s, w.p, kMain, r.fd, false).ret == -kESRCH);
    CHECK(sys_pidfd_open(w.s, w.p, kMain, w.s.tasks[c].pid, false, false).ret == -kESRCH);
}

TEST_CASE("pidfd_open after pidfs_exit marked the pid dead: ESRCH (kernel-rules §4.7)") {
    World w;
    Id c = w.child(kMain, w.AUTOREAP(), 0);
    sys_exit(w.s, w.p, c, 0);
    kernel_step(w.s, w.p, c);                      // exit_notify: DEAD
    CHECK(sys_pidfd_open(w.s, w.p, kMain, w.s.tasks[c].pid, false, false).ok());
    World v;
    Id d = v.child(kMain, v.AUTOREAP(), 0);
    sys_exit(v.s, v.p, d, 0);
    kernel_step(v.s, v.p, d);
    kernel_step(v.s, v.p, d);                      // pidfs_exit: PIDFS_PID_DEAD
    CHECK(sys_pidfd_open(v.s, v.p, kMain, v.s.tasks[d].pid, false, false).ret == -kESRCH);
}

TEST_CASE("__ptrace_detach: the autoreap hunk (kernel-rules §9.5)") {
    // Tracer in the real parent's group exits while the autoreap tracee is a zombie.
    World w;
    Id c = w.child(kMain, w.AUTOREAP(), 0);
    Id t = w.child(kMain, THREADF, 0);            // a thread of main traces c
    REQUIRE(sys_ptrace_attach(w.s, w.p, t, w.s.tasks[c].pid).ok());
    w.exit(c, 1);
    CHECK(w.st(c) == ExitState::Zombie);          // traced: never self-reaps at exit (§9.3)
    w.exit(t, 0);                                  // exit_ptrace -> __ptrace_detach
    CHECK(w.st(c) == ExitState::Released);
    World old("linux-6.18");
    Id c2 = old.child(kMain, 0, 0);
    Id t2 = old.child(kMain, THREADF, 0);
    REQUIRE(sys_ptrace_attach(old.s, old.p, t2, old.s.tasks[c2].pid).ok());
    old.exit(c2, 1);
    old.exit(t2, 0);
    CHECK(old.st(c2) == ExitState::Zombie);        // stays for its real parent
}

TEST_CASE("wait_task_zombie: EXIT_TRACE hand-off to the real parent (kernel-rules §5.4)") {
    World w;
    Id tracer = w.child(kMain);
    Id c = w.child(kMain, w.AUTOREAP(), 0);
    REQUIRE(sys_ptrace_attach(w.s, w.p, tracer, w.s.tasks[c].pid).ok());
    w.exit(c, 4);
    CHECK(w.st(c) == ExitState::Zombie);
    SysResult r = w.wait(tracer, kNone, kWNOHANG);
    CHECK(r.task == c);
    CHECK(w.st(c) == ExitState::Released);         // autoreap applies after the hand-off
}

TEST_CASE("exec: exit_signal, handlers, close-on-exec autokill (kernel-rules §11, §10.5)") {
    World w;
    Id c = w.child(kMain, 0, 0);
    sys_sigaction(w.s, w.p, c, Handler::User, true);
    sys_execve(w.s, w.p, c);
    CHECK(w.s.tasks[c].exit_signal == kSIGCHLD);
    CHECK(w.s.sighand_of(c).sigchld == Handler::Dfl);
    CHECK_FALSE(w.s.sighand_of(c).nocldwait);
    SysResult k = w.clone3(kMain, w.p.autokill_bit | kCLONE_PIDFD | w.AUTOREAP(), 0);
    REQUIRE(k.ok());
    sys_execve(w.s, w.p, kMain);                   // closes the AUTOKILL pidfd
    run_pending(w.s, w.p);
    CHECK(w.st(k.task) == ExitState::Released);
}

TEST_CASE("exec by a non-leader takes over the leader's pid (kernel-rules §11)") {
    World w;
    Id c = w.child(kMain);
    Id t = w.child(c, THREADF, 0);
    const Id leader_pid = w.s.tasks[c].pid;
    sys_execve(w.s, w.p, t);
    CHECK(w.s.tasks[t].pid == leader_pid);
    CHECK(w.s.is_leader(t));
    CHECK(w.st(c) == ExitState::Released);
    CHECK(w.s.children_of(kMain).back() == t);
}

TEST_CASE("State: value semantics and hashing") {
    World a, b;
    CHECK(a.s == b.s);
    CHECK(a.s.hash() == b.s.hash());
    a.child(kMain);
    CHECK_FALSE(a.s == b.s);
    CHECK(a.s.hash() != b.s.hash());
    State copy = a.s;
    CHECK(copy == a.s);
}
