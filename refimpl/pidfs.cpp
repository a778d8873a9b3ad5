// fs/pidfs.c and kernel/pid.c: pidfd files, pidfd_open, pidfd_poll,
// PIDFD_GET_INFO, and pidfs_file_release with CLONE_PIDFD_AUTOKILL
// (docs/kernel-rules.md §4.7, §10); plus the fd-table plumbing (fs/file.c) they need.
#include <algorithm>

#include "refimpl/internal.hpp"

namespace reapcheck::refimpl {

using namespace detail;

namespace detail {

Id fd_lookup(const State& s, Id task, int fd) {
    const Id table = s.tasks[task].files;
    if (table == kNone) return kNone;
    for (const Fd& e : s.fdtables[table].fds)
        if (e.nr == fd) return e.file;
    return kNone;
}

int16_t fd_install(State& s, Id table, Id file) {
    auto& fds = s.fdtables[table].fds;
    int16_t nr = 3;   // 0..2 are the standard streams
    for (const Fd& e : fds)
        if (e.nr == nr) ++nr;
        else if (e.nr > nr) break;
    fds.push_back(Fd{nr, file});
    std::sort(fds.begin(), fds.end(), [](const Fd& a, const Fd& b) { return a.nr < b.nr; });
    return nr;
}

namespace {
/// pidfs_file_release: the final fput of the AUTOKILL file SIGKILLs the
/// process (SEND_SIG_PRIV: no permission check), if it is not yet released.
void pidfs_file_release(State& s, const Profile& p, Id file) {
    const File& f = s.files[file];
    const Id t = s.pids[f.pid].task;
    bool autokill = f.autokill;
    if (p.autokill_by_pointer && t != kNone) autokill = s.procs[s.tasks[t].proc].autokill_file == file;
    if (!autokill || t == kNone || !s.is_leader(t) || p.fault == Fault::AutokillNoKill) return;   // PIDTYPE_TGID
    emit(Event{Event::Kind::Autokill, t, kNone, kNone, kSIGKILL, false, false, false, 0});
    group_send_sig(s, p, t, kSIGKILL, true);
}
}  // namespace

void fput(State& s, const Profile& p, Id file) {
    REAPCHECK_REQUIRE(s.files[file].refs > 0);
    if (--s.files[file].refs == 0 || p.fault == Fault::AutokillAnyClose) pidfs_file_release(s, p, file);
}

/// put_files_struct: the last user of a table closes every descriptor.
void put_files_struct(State& s, const Profile& p, Id table) {
    if (table == kNone) return;
    FdTable& t = s.fdtables[table];
    if (--t.users > 0) return;
    const auto fds = std::move(t.fds);
    t.fds.clear();
    for (const Fd& e : fds) fput(s, p, e.file);
}

/// pidfs_register_pid + the new file: allocates attr, fails once the pid is
/// marked dead by pidfs_exit.
Id pidfs_register_file(State& s, Id pid, bool thread, bool nonblock) {
    Pid& sp = s.pids[pid];
    if (sp.attr == Attr::Dead) return kNone;
    sp.attr = Attr::Alloc;
    s.files.push_back(File{pid, thread, nonblock, false, 1});
    return Id(s.files.size() - 1);
}

}  // namespace detail

/// pidfd_open (kernel/pid.c, pidfd_prepare): released → ESRCH; a non-leader
/// without PIDFD_THREAD → ENOENT; attr dead → ESRCH.
SysResult sys_pidfd_open(State& s, const Profile& p, Id caller, Id pid, bool thread, bool nonblock) {
    if (pid == kNone) return SysResult::err(kESRCH);
    const Id t = s.pids[pid].task;
    if (t == kNone) return SysResult::err(kESRCH);
    if (!thread && !s.is_leader(t)) return SysResult::err(kENOENT);
    if (p.fault == Fault::OpenDeadPid && s.pids[pid].attr == Attr::Dead) s.pids[pid].attr = Attr::None;
    const Id file = pidfs_register_file(s, pid, thread, nonblock);
    if (file == kNone) return SysResult::err(kESRCH);
    SysResult r;
    r.fd = fd_install(s, s.tasks[caller].files, file);
    r.ret = r.fd;
    return r;
}

/// close(2): the deferred fput runs before the closer returns (§12).
SysResult sys_close(State& s, const Profile& p, Id caller, int fd) {
    const Id table = s.tasks[caller].files;
    auto& fds = s.fdtables[table].fds;
    const auto it = std::find_if(fds.begin(), fds.end(), [&](const Fd& e) { return e.nr == fd; });
    if (it == fds.end()) return SysResult::err(kEBADF);
    const Id file = it->file;
    fds.erase(it);
    fput(s, p, file);
    return {};
}

/// pidfd_poll (fs/pidfs.c), with events = POLLIN: 0, POLLIN, POLLIN|POLLHUP.
uint32_t pidfd_poll(const State& s, const Profile& p, Id file) {
    const Id t = s.pids[s.files[file].pid].task;
    if (t == kNone) return p.fault == Fault::PollNoHup ? kPOLLIN : kPOLLIN | kPOLLHUP;
    if (s.tasks[t].exit_state != ExitState::Running &&
        (!s.delay_group_leader(t) || p.fault == Fault::PollinDelayedLeader))
        return kPOLLIN;
    return 0;
}

SysResult sys_poll(State& s, const Profile& p, Id caller, int fd) {
    const Id file = fd_lookup(s, caller, fd);
    if (file == kNone) return SysResult::err(kEBADF);
    SysResult r;
    r.ret = pidfd_poll(s, p, file);
    return r;
}

/// ioctl(PIDFD_GET_INFO) (fs/pidfs.c:pidfd_info) with PIDFD_INFO_PID and,
/// when asked, PIDFD_INFO_EXIT. Exit info comes only from attr (set at
/// release by pidfs_exit), never from exit_state.
SysResult sys_pidfd_info(State& s, const Profile& p, Id caller, int fd, bool want_exit) {
    (void)p;
    const Id file = fd_lookup(s, caller, fd);
    if (file == kNone) return SysResult::err(kEBADF);
    const Pid& pid = s.pids[s.files[file].pid];
    SysResult r;
    if (want_exit && pid.exit_info) {
        r.has_status = true;
        r.status = pid.exit_code;
    }
    if (pid.task == kNone && !want_exit) return SysResult::err(kESRCH);
    return r;
}

}  // namespace reapcheck::refimpl
