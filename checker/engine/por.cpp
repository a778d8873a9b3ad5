#include "checker/engine/por.hpp"

#include <algorithm>

#include "properties/lang/ast.hpp"

namespace reapcheck::engine::por {

using namespace refimpl;
using scn::Sys;
using LFact = props::lang::Fact;
using LDomain = props::lang::Domain;
using LOp = props::lang::Op;

namespace {

Id fd_file(const State& s, Id task, int fd) {
    const Id table = s.tasks[task].files;
    if (table == kNone) return kNone;
    for (const Fd& e : s.fdtables[table].fds)
        if (e.nr == fd) return e.file;
    return kNone;
}

bool contains(const std::vector<Obj>& v, const Obj& o) { return std::find(v.begin(), v.end(), o) != v.end(); }

/// Whether x's writes or counts clash with anything of y (and the other way
/// round through the second call): a write against a read, write or count;
/// a count against a read or write. Two counts commute.
bool clash(const Footprint& x, const Footprint& y) {
    for (const Obj& w : x.writes)
        if (contains(y.reads, w) || contains(y.writes, w) || contains(y.counts, w)) return true;
    for (const Obj& c : x.counts)
        if (contains(y.reads, c) || contains(y.writes, c)) return true;
    return false;
}

bool has_children(const State& s, Id t) {
    for (Id th : s.threads_of(t))
        if (!s.children_of(th).empty()) return true;
    return false;
}

/// Whether the final fput of `file` can run pidfs_file_release's AUTOKILL
/// (fs/pidfs.c, refimpl/pidfs.cpp): the file's flag, or any file under the
/// rfc-v3 pointer rule, or every close under the close-any mutant.
bool release_may_kill(const State& s, const Profile& p, Id file) {
    return s.files[file].autokill || p.autokill_by_pointer || p.fault == Fault::AutokillAnyClose ||
           p.fault == Fault::AutokillNoKill;   // the mutant changes release; keep it out of the argument
}

/// The do_exit step of t in the form the table allows: killed (group_exit
/// set), no wait to scan, no fput that can AUTOKILL.
bool small_do_exit(const State& s, const Profile& p, Id t) {
    const Task& task = s.tasks[t];
    if (task.step != Step::DoExit || task.exiting || task.exit_state != ExitState::Running) return false;
    if (!s.procs[task.proc].group_exit || !(task.wait == Wait{})) return false;
    if (task.files != kNone)
        for (const Fd& e : s.fdtables[task.files].fds)
            if (release_may_kill(s, p, e.file)) return false;
    return true;
}

/// The unhash step of t in the form the table allows: the last task of its
/// process, untraced (no ptrace_unlink, no delayed-leader notification).
bool small_unhash(const State& s, Id t) {
    const Task& task = s.tasks[t];
    return task.step == Step::Unhash && task.exit_state == ExitState::Dead && !task.ptraced && s.is_leader(t) &&
           s.thread_group_empty(t);
}

}  // namespace

Footprint footprint(const State& s, const Profile& p, const Action& a) {
    Footprint f;
    const Id c = a.r.actor;
    if (c < 0 || std::size_t(c) >= s.tasks.size()) return f;
    const Id proc = s.tasks[c].proc;
    auto actor = [&] {
        f.everything = false;
        f.reads.push_back({ObjKind::Task, c});
        f.reads.push_back({ObjKind::TaskStep, c});
    };
    if (a.kernel) {
        const Step st = s.tasks[c].step;
        if (a.call.sys == Sys::KPidfsExit && st == Step::PidfsExit) {
            // fs/pidfs.c:pidfs_exit (refimpl/exit.cpp): reads t's pid and
            // exit_code and the pid's attr; writes t's step and either the exit
            // information (attr allocated) or the attr (none: marked dead).
            const Id pid = s.tasks[c].pid;
            actor();
            f.reads.push_back({ObjKind::Attr, pid});
            f.writes.push_back({ObjKind::TaskStep, c});
            if (s.pids[pid].attr == Attr::Alloc) f.writes.push_back({ObjKind::ExitInfo, pid});
            else f.writes.push_back({ObjKind::Attr, pid});
            return f;
        }
        if (a.call.sys == Sys::KDoExit && small_do_exit(s, p, c)) {
            // kernel/exit.c:do_exit (refimpl/exit.cpp): synchronize_group_exit
            // finds group_exit set (reads it, sets nothing); PF_EXITING,
            // exit_code, the step; signal->live and quick_threads decremented;
            // exit_files: the table loses a user, and its last user fputs
            // every file (refs decremented; no release can AUTOKILL).
            actor();
            f.reads.push_back({ObjKind::GroupExit, proc});
            f.writes.push_back({ObjKind::Task, c});
            f.writes.push_back({ObjKind::TaskStep, c});
            f.counts.push_back({ObjKind::Counters, proc});
            if (const Id table = s.tasks[c].files; table != kNone) {
                f.writes.push_back({ObjKind::FdTable, table});
                if (s.fdtables[table].users == 1)
                    for (const Fd& e : s.fdtables[table].fds) f.counts.push_back({ObjKind::File, e.file});
            }
            return f;
        }
        if (a.call.sys == Sys::KUnhash && small_unhash(s, c)) {
            // kernel/exit.c:release_task -> __exit_signal (flush of the
            // task's pending set, __cleanup_sighand) -> __unhash_process
            // (detach_pid: pid->tasks; list_del of thread and sibling links).
            actor();
            f.writes.push_back({ObjKind::Task, c});
            f.writes.push_back({ObjKind::TaskStep, c});
            f.writes.push_back({ObjKind::PidTask, s.tasks[c].pid});
            f.writes.push_back({ObjKind::ThreadList, proc});
            if (const Id rp = s.tasks[c].real_parent; rp != kNone)
                f.writes.push_back({ObjKind::ChildLists, s.tasks[rp].proc});
            f.counts.push_back({ObjKind::SighandUsers, s.procs[proc].sighand});
            return f;
        }
        return f;
    }
    switch (a.call.sys) {
    case Sys::PidfdOpen: {
        // kernel/pid.c:pidfd_open -> pidfd_prepare -> pidfs_register_pid;
        // fd_install into the caller's table (refimpl/pidfs.cpp).
        const Id v = a.r.target;
        const Id table = s.tasks[c].files;
        if (v < 0 || std::size_t(v) >= s.tasks.size() || table == kNone) return f;
        if (p.fault == Fault::OpenDeadPid) return f;   // the mutant writes attr of dead pids too
        const Id pid = s.tasks[v].pid;
        actor();
        f.reads.push_back({ObjKind::Task, v});
        f.reads.push_back({ObjKind::Attr, pid});
        f.reads.push_back({ObjKind::PidTask, pid});
        f.reads.push_back({ObjKind::FdTable, table});
        f.writes.push_back({ObjKind::FdTable, table});
        f.writes.push_back({ObjKind::Alloc, 0});
        if (s.pids[pid].attr != Attr::Alloc) f.writes.push_back({ObjKind::Attr, pid});
        return f;
    }
    case Sys::Close: {
        // fs/file.c:close_fd -> fput: not the final reference, so
        // pidfs_file_release (AUTOKILL) does not run.
        const Id table = s.tasks[c].files;
        const Id file = fd_file(s, c, a.r.fd);
        if (table == kNone || file == kNone || s.files[file].refs < 2 || p.fault == Fault::AutokillAnyClose) return f;
        actor();
        f.reads.push_back({ObjKind::FdTable, table});
        f.reads.push_back({ObjKind::File, file});
        f.writes.push_back({ObjKind::FdTable, table});
        f.writes.push_back({ObjKind::File, file});
        return f;
    }
    case Sys::Sigaction: {
        // kernel/signal.c:do_sigaction for SIGCHLD (refimpl/signal.cpp):
        // the caller's sighand; SIG_IGN/SIG_DFL flush SIGCHLD from the
        // process's shared set and every thread's own (threads_of).
        actor();
        f.reads.push_back({ObjKind::ThreadList, proc});
        f.writes.push_back({ObjKind::Sighand, s.procs[proc].sighand});
        f.writes.push_back({ObjKind::Pending, proc});
        return f;
    }
    case Sys::Sigpending: {
        // sys_rt_sigpending + dequeue_signal (refimpl/signal.cpp): the
        // caller's own and the shared SIGCHLD bit.
        actor();
        f.reads.push_back({ObjKind::Pending, proc});
        f.writes.push_back({ObjKind::Pending, proc});
        return f;
    }
    case Sys::PrctlSubreaper: {
        // kernel/sys.c:prctl(PR_SET_CHILD_SUBREAPER) (refimpl/sys.cpp):
        // is_child_subreaper; setting it walks the descendants
        // (propagate_has_child_subreaper), nothing when there are none.
        if (a.call.number != 0 && has_children(s, c)) return f;
        actor();
        if (a.call.number != 0) {
            f.reads.push_back({ObjKind::ThreadList, proc});
            f.reads.push_back({ObjKind::ChildLists, proc});
        }
        f.writes.push_back({ObjKind::Subreaper, proc});
        return f;
    }
    case Sys::CapsetDrop: {
        // kernel/capability.c:capset, CAP_SYS_ADMIN of the caller only.
        actor();
        f.writes.push_back({ObjKind::Caps, c});
        return f;
    }
    default: return f;
    }
}

bool independent(const State& s, const Profile& p, const Action& a, const Action& b) {
    const Footprint fa = footprint(s, p, a), fb = footprint(s, p, b);
    if (fa.everything || fb.everything) return false;
    return !clash(fa, fb) && !clash(fb, fa);
}

// --- C1 --------------------------------------------------------------------------

bool pidfs_exit_c1(const State& s, const Bounds& b, Id t) {
    const Task& task = s.tasks[t];
    if (task.step != Step::PidfsExit || task.exit_state != ExitState::Dead) return false;
    // No other thread of t's process acts again (execve's de_thread).
    for (Id u = 0; u < Id(s.tasks.size()); ++u) {
        if (u == t || s.tasks[u].proc != task.proc) continue;
        const Task& o = s.tasks[u];
        if (o.exit_state == ExitState::Released) continue;
        if (!(o.exiting || o.exit_state != ExitState::Running || o.step == Step::DoExit)) return false;
    }
    // No pidfd_open can allocate the attr of t's pid.
    const Pid& pid = s.pids[task.pid];
    return pid.attr == Attr::Alloc || !s.is_leader(t) || b.pidfds == 0;
}

bool do_exit_c1(const State& s, const Profile& p, const Bounds& b, Id t) {
    if (!small_do_exit(s, p, t) || b.ptrace) return false;
    const Task& task = s.tasks[t];
    const Proc& pr = s.procs[task.proc];
    if (pr.is_child_subreaper || pr.unkillable) return false;
    // find_alive_thread: a sibling that can still reach exit_notify with
    // children would hand them to t while t is not PF_EXITING.
    for (Id u : s.threads_of(t))
        if (u != t && s.tasks[u].exit_state == ExitState::Running && !s.children_of(u).empty()) return false;
    return true;
}

bool unhash_c1(const State& s, const Bounds& b, Id t) {
    if (!small_unhash(s, t) || b.pidfds != 0) return false;
    // The real parent never runs exit_notify: init's leader (kernel-rules.md §1.6).
    return s.tasks[t].real_parent == kInit;
}

bool c1(const State& s, const Profile& p, const Bounds& b, const Action& a) {
    if (!a.kernel) return false;
    const Id t = a.r.actor;
    switch (a.call.sys) {
    case Sys::KPidfsExit: return pidfs_exit_c1(s, b, t);
    case Sys::KDoExit: return do_exit_c1(s, p, b, t);
    case Sys::KUnhash: return unhash_c1(s, b, t);
    default: return false;
    }
}

// --- C2 --------------------------------------------------------------------------

namespace {

void set(Observed& o, LFact f) { o.facts.set(std::size_t(f)); }
void set(Observed& o, LDomain d) { o.domains.set(std::size_t(d)); }
void set(Observed& o, props::About a) { o.abouts.set(std::size_t(a)); }

}  // namespace

Observed reads(const props::Property& pr) {
    Observed o;
    const props::lang::Program* prog = pr.text ? pr.text->program() : nullptr;
    if (!prog) {
        o.everything = true;
        return o;
    }
    for (const props::lang::Node& n : prog->nodes) {
        if (n.op == LOp::Fact) set(o, n.fact);
        if (n.op == LOp::Forall || n.op == LOp::Exists || n.op == LOp::Count || n.op == LOp::First) set(o, n.domain);
    }
    for (props::About a : pr.about) set(o, a);
    return o;
}

Observed writes(const State& s, const Profile& p, const Action& a) {
    Observed o;
    if (!a.kernel) {
        o.everything = true;
        return o;
    }
    const Id t = a.r.actor;
    set(o, LFact::TStep);
    switch (a.call.sys) {
    case Sys::KPidfsExit:
        // the pid's attr, or its exit information
        set(o, LFact::PAttr);
        set(o, LFact::PExitInfo);
        set(o, LFact::PExitCode);
        break;
    case Sys::KDoExit: {
        // PF_EXITING, exit_code, exit_files, signal->live; the wait is
        // already clear (small_do_exit), group_exit already set
        set(o, LFact::TExiting);
        set(o, LFact::TAlive);
        set(o, LFact::TExitCode);
        set(o, LFact::THasFiles);
        set(o, LFact::TLiveThreads);
        const Id table = s.tasks[t].files;
        if (table != kNone && s.fdtables[table].users == 1 && !s.fdtables[table].fds.empty()) {
            // the fputs: a file's references, and whether it is open at all
            set(o, LFact::FRefs);
            set(o, LFact::FOpen);
            set(o, LFact::FPoll);
            set(o, LDomain::Pidfds);
            set(o, props::About::Pidfd);
            set(o, props::About::AutokillPidfd);
        }
        break;
    }
    case Sys::KUnhash:
        // RELEASED: off the thread and children lists, pid->tasks cleared
        // (pollers see POLLHUP), the task's own pending set flushed
        set(o, LFact::TExitState);
        set(o, LFact::TLinked);
        set(o, LFact::TSigchldPending);
        set(o, LFact::TThreadSigchldPending);
        set(o, LFact::PTask);
        set(o, LFact::FTask);
        set(o, LFact::FPoll);
        set(o, LDomain::Threads);
        set(o, LDomain::Children);
        set(o, LDomain::Tracees);
        set(o, props::About::AutoreapTask);
        break;
    default: o.everything = true;
    }
    (void)p;
    return o;
}

namespace {

bool event_domain(LDomain d) {
    return d == LDomain::Events || d == LDomain::Notifies || d == LDomain::Reparents || d == LDomain::Reaps ||
           d == LDomain::Autokills || d == LDomain::Handoffs;
}

/// The value of node i on a transition without kernel events, when its
/// structure settles it (a quantifier over the events is vacuous, a count of
/// them is 0), else -1.
int without_events(const props::lang::Program& prog, int32_t i) {
    if (i < 0 || std::size_t(i) >= prog.nodes.size()) return -1;
    const props::lang::Node& n = prog.nodes[std::size_t(i)];
    auto kids = [&](auto f) {
        if (n.op == LOp::AndN || n.op == LOp::OrN)
            for (int32_t k = n.a; k < n.a + n.b; ++k) f(without_events(prog, prog.kids[std::size_t(k)]));
        else {
            f(without_events(prog, n.a));
            f(without_events(prog, n.b));
        }
    };
    switch (n.op) {
    case LOp::Forall: return event_domain(n.domain) ? 1 : -1;
    case LOp::Exists: return event_domain(n.domain) ? 0 : -1;
    case LOp::Not: {
        const int v = without_events(prog, n.a);
        return v < 0 ? -1 : 1 - v;
    }
    case LOp::And: case LOp::AndN: {
        bool all = true, any_false = false;
        kids([&](int v) { all = all && v == 1; any_false = any_false || v == 0; });
        return any_false ? 0 : all ? 1 : -1;
    }
    case LOp::Or: case LOp::OrN: {
        bool all = true, any_true = false;
        kids([&](int v) { all = all && v == 0; any_true = any_true || v == 1; });
        return any_true ? 1 : all ? 0 : -1;
    }
    case LOp::Implies: {
        const int x = without_events(prog, n.a), y = without_events(prog, n.b);
        return x == 0 || y == 1 ? 1 : x == 1 && y == 0 ? 0 : -1;
    }
    case LOp::Le: case LOp::Lt: {   // count(e in <events>: ...) <= k
        const props::lang::Node& l = prog.nodes[std::size_t(n.a)];
        const props::lang::Node& r = prog.nodes[std::size_t(n.b)];
        if (l.op != LOp::Count || !event_domain(l.domain) || r.op != LOp::Const) return -1;
        return (n.op == LOp::Le ? 0 <= r.value : 0 < r.value) ? 1 : 0;
    }
    default: return -1;
    }
}

}  // namespace

const std::vector<std::string_view> kReflexive = {
    "lifecycle.poll_monotonic",      // forall f: post(f.open) => has(post(f.poll), pre(f.poll))
    "lifecycle.exit_info_immutable", // forall p: pre(p.exit_info) => post(p.exit_info) and codes equal
};

bool sees_kernel_steps(const props::Property& pr) {
    if (pr.has_state()) return false;
    const props::lang::Program* prog = pr.text ? pr.text->program() : nullptr;
    if (!prog) return true;
    // `call.kind == K and ... => ...`: a kernel step settles it (guard_value)
    if (prog->guard_kind >= 0 && prog->guard_kind != int(props::CallView::Kind::KernelStep)) return false;
    // a reduced kernel step has no events (por.hpp, the table): a property
    // about events only holds (a cover is not hit) on its edges
    if (without_events(*prog, prog->root) == (pr.kind == props::Kind::Step ? 1 : 0)) return false;
    // true on every edge that changes nothing it reads
    if (pr.kind == props::Kind::Step && std::find(kReflexive.begin(), kReflexive.end(), pr.id) != kReflexive.end())
        return false;
    return true;
}

Observed writes_at_most(Sys step) {
    // writes() of a state where the step changes the most (its fd table
    // closes files)
    State s = initial_state();
    Action a;
    a.kernel = true;
    a.call.sys = step;
    a.r.actor = kMain;
    Observed o = writes(s, Profile{}, a);
    if (step == Sys::KDoExit) {
        set(o, LFact::FRefs);
        set(o, LFact::FOpen);
        set(o, LFact::FPoll);
        set(o, LDomain::Pidfds);
        set(o, props::About::Pidfd);
        set(o, props::About::AutokillPidfd);
    }
    return o;
}

const std::vector<Sys>& reducible_steps() {
    static const std::vector<Sys> v = {Sys::KPidfsExit, Sys::KDoExit, Sys::KUnhash};
    return v;
}

Reducer::Reducer(const Profile& p, const Bounds& b, const std::vector<const props::Property*>& checked)
    : p_(p), b_(b) {
    if (p.fault == Fault::OpenDeadPid) {
        why_not_ = "the mutant open_dead_pid lets pidfd_open undo pidfs_exit";
        return;
    }
    std::vector<std::string> blocker(reducible_steps().size());
    for (const props::Property* pr : checked) {
        if (pr->kind == props::Kind::Eventually) {
            why_not_ = "liveness (" + std::string(pr->id) + ") needs the unreduced graph";
            return;
        }
        const bool builtin = std::any_of(props::catalog().begin(), props::catalog().end(),
                                         [&](const props::Property& c) { return c.id == pr->id; });
        if (!builtin) {
            why_not_ = "user property " + std::string(pr->id) + " may observe every action";
            return;
        }
        if (sees_kernel_steps(*pr)) {
            why_not_ = std::string(pr->id) + " observes kernel-step transitions";
            return;
        }
        const Observed r = reads(*pr);
        for (std::size_t k = 0; k < reducible_steps().size(); ++k)
            if (blocker[k].empty() && writes_at_most(reducible_steps()[k]).meets(r)) blocker[k] = pr->id;
        observed_ |= r;
    }
    std::string why;
    for (std::size_t k = 0; k < reducible_steps().size(); ++k) {
        if (blocker[k].empty()) active_ = true;
        else why += std::string(why.empty() ? "" : ", ") + scn::to_string(reducible_steps()[k]) + " by " + blocker[k];
    }
    if (!active_) why_not_ = "kernel steps observed: " + why;
    else if (!why.empty()) partly_ = "not " + why;
}

int Reducer::ample(const State& s, const std::vector<Action>& acts) const {
    if (!active_) return -1;
    for (std::size_t i = 0; i < acts.size(); ++i) {
        const Action& a = acts[i];
        if (!a.kernel) continue;
        if (a.call.sys != Sys::KPidfsExit && a.call.sys != Sys::KDoExit && a.call.sys != Sys::KUnhash) continue;
        if (writes(s, p_, a).meets(observed_)) continue;   // C2
        if (c1(s, p_, b_, a)) return int(i);
    }
    return -1;
}

}  // namespace reapcheck::engine::por
