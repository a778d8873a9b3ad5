#include "checker/engine/por.hpp"

#include <algorithm>

namespace reapcheck::engine::por {

using namespace refimpl;
using scn::Sys;

const std::vector<std::string_view> kPidfsExitObservers = {
    "autoreap.exit_info_on_pollin",   // f.pid.exit_info
    "pidfd.exit_info_on_pollhup",     // f.pid.exit_info
    "lifecycle.exit_info_immutable",  // p.exit_info, p.exit_code
    "thread.exit_group_kills",        // u.step
    "aux.resting",                    // t.step, t.pid.attr, t.pid.exit_info
    "cover.exit_info_published",      // p.exit_info
};

namespace {

Id fd_file(const State& s, Id task, int fd) {
    const Id table = s.tasks[task].files;
    if (table == kNone) return kNone;
    for (const Fd& e : s.fdtables[table].fds)
        if (e.nr == fd) return e.file;
    return kNone;
}

bool conflict(const std::vector<Obj>& writes, const Footprint& other) {
    for (const Obj& w : writes) {
        if (std::find(other.reads.begin(), other.reads.end(), w) != other.reads.end()) return true;
        if (std::find(other.writes.begin(), other.writes.end(), w) != other.writes.end()) return true;
    }
    return false;
}

}  // namespace

Footprint footprint(const State& s, const Profile& p, const Action& a) {
    Footprint f;
    const Id c = a.r.actor;
    if (c < 0 || std::size_t(c) >= s.tasks.size()) return f;
    auto actor = [&] {
        f.reads.push_back({ObjKind::Task, c});
        f.reads.push_back({ObjKind::TaskStep, c});
    };
    if (a.kernel) {
        if (a.call.sys != Sys::KPidfsExit || s.tasks[c].step != Step::PidfsExit) return f;
        // fs/pidfs.c:pidfs_exit (refimpl/exit.cpp): reads t's pid and
        // exit_code and the pid's attr; writes t's step and either the exit
        // information (attr allocated) or the attr (none: marked dead).
        const Id pid = s.tasks[c].pid;
        f.everything = false;
        actor();
        f.reads.push_back({ObjKind::Attr, pid});
        f.writes.push_back({ObjKind::TaskStep, c});
        if (s.pids[pid].attr == Attr::Alloc) f.writes.push_back({ObjKind::ExitInfo, pid});
        else f.writes.push_back({ObjKind::Attr, pid});
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
        f.everything = false;
        actor();
        f.reads.push_back({ObjKind::Task, v});
        f.reads.push_back({ObjKind::Attr, pid});
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
        f.everything = false;
        actor();
        f.reads.push_back({ObjKind::FdTable, table});
        f.reads.push_back({ObjKind::File, file});
        f.writes.push_back({ObjKind::FdTable, table});
        f.writes.push_back({ObjKind::File, file});
        return f;
    }
    default: return f;
    }
}

bool independent(const State& s, const Profile& p, const Action& a, const Action& b) {
    const Footprint fa = footprint(s, p, a), fb = footprint(s, p, b);
    if (fa.everything || fb.everything) return false;
    return !conflict(fa.writes, fb) && !conflict(fb.writes, fa);
}

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

Reducer::Reducer(const Profile& p, const Bounds& b, const std::vector<const props::Property*>& checked)
    : p_(p), b_(b) {
    if (p.fault == Fault::OpenDeadPid) {
        why_not_ = "the mutant open_dead_pid lets pidfd_open undo pidfs_exit";
        return;
    }
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
        if (std::find(kPidfsExitObservers.begin(), kPidfsExitObservers.end(), pr->id) != kPidfsExitObservers.end()) {
            why_not_ = std::string(pr->id) + " observes pidfs_exit";
            return;
        }
    }
    active_ = true;
}

int Reducer::ample(const State& s, const std::vector<Action>& acts) const {
    if (!active_) return -1;
    for (std::size_t i = 0; i < acts.size(); ++i) {
        const Action& a = acts[i];
        if (a.kernel && a.call.sys == Sys::KPidfsExit && pidfs_exit_c1(s, b_, a.r.actor)) return int(i);
    }
    return -1;
}

}  // namespace reapcheck::engine::por
