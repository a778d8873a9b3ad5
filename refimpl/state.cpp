#include "refimpl/state.hpp"

#include <algorithm>
#include <boost/container_hash/hash.hpp>

namespace reapcheck::refimpl {

const char* to_string(ExitState s) {
    switch (s) {
    case ExitState::Running: return "RUNNING";
    case ExitState::Zombie: return "ZOMBIE";
    case ExitState::Trace: return "TRACE";
    case ExitState::Dead: return "DEAD";
    case ExitState::Released: return "RELEASED";
    }
    return "?";
}

const char* to_string(Step s) {
    switch (s) {
    case Step::None: return "none";
    case Step::DoExit: return "do_exit";
    case Step::ExitNotify: return "exit_notify";
    case Step::PidfsExit: return "pidfs_exit";
    case Step::Unhash: return "unhash";
    }
    return "?";
}

bool State::thread_group_empty(Id t) const {
    const Id proc = tasks[t].proc;
    for (Id i = 0; i < Id(tasks.size()); ++i)
        if (i != t && tasks[i].proc == proc && tasks[i].exit_state != ExitState::Released)
            return false;
    return true;
}

IdList State::threads_of(Id t) const {
    IdList v;
    const Id proc = tasks[t].proc;
    for (Id i = 0; i < Id(tasks.size()); ++i)
        if (tasks[i].proc == proc && tasks[i].exit_state != ExitState::Released) v.push_back(i);
    // leader first, then thread-list order (for_each_thread)
    std::sort(v.begin(), v.end(), [&](Id a, Id b) {
        if (is_leader(a) != is_leader(b)) return is_leader(a);
        return tasks[a].thread_seq < tasks[b].thread_seq;
    });
    return v;
}

IdList State::children_of(Id t) const {
    IdList v;
    for (Id i = 0; i < Id(tasks.size()); ++i)
        if (tasks[i].real_parent == t && is_leader(i) && tasks[i].exit_state != ExitState::Released)
            v.push_back(i);
    std::sort(v.begin(), v.end(),
              [&](Id a, Id b) { return tasks[a].sibling_seq < tasks[b].sibling_seq; });
    return v;
}

IdList State::ptraced_of(Id t) const {
    IdList v;
    for (Id i = 0; i < Id(tasks.size()); ++i)
        if (tasks[i].ptraced && tasks[i].parent == t && tasks[i].exit_state != ExitState::Released)
            v.push_back(i);
    std::sort(v.begin(), v.end(),
              [&](Id a, Id b) { return tasks[a].ptrace_seq < tasks[b].ptrace_seq; });
    return v;
}

Id State::find_alive_thread(Id t) const {
    for (Id i : threads_of(t))
        if (!tasks[i].exiting) return i;
    return kNone;
}

int State::zombies() const {
    return int(std::count_if(tasks.begin(), tasks.end(),
                             [](const Task& t) { return t.exit_state == ExitState::Zombie; }));
}

Id State::task_of_pid_nr(int32_t nr) const {
    for (const auto& p : pids)
        if (p.nr == nr) return p.task;
    return kNone;
}

namespace {
template <class T>
void mix(std::size_t& seed, const T& v) {
    boost::hash_combine(seed, v);
}
}  // namespace

std::size_t State::hash() const {
    std::size_t h = 0;
    for (const Task& t : tasks) {
        mix(h, t.pid); mix(h, t.proc); mix(h, t.files); mix(h, t.leader);
        mix(h, t.real_parent); mix(h, t.parent); mix(h, t.sibling_seq); mix(h, t.ptrace_seq); mix(h, t.thread_seq);
        mix(h, t.exit_code); mix(h, t.exit_signal); mix(h, t.pdeath_signal);
        mix(h, t.parent_exec_id); mix(h, t.self_exec_id); mix(h, int(t.exit_state));
        mix(h, int(t.step)); mix(h, t.exiting); mix(h, t.ptraced); mix(h, t.nnp);
        mix(h, t.cap_sys_admin); mix(h, t.sigchld_pending); mix(h, t.wait.active); mix(h, t.wait.woken);
        mix(h, t.wait.waitid); mix(h, t.wait.idtype); mix(h, t.wait.pid);
        mix(h, t.wait.nonblock_fd); mix(h, t.wait.options);
    }
    for (const Proc& p : procs) {
        mix(h, p.autoreap); mix(h, p.is_child_subreaper); mix(h, p.has_child_subreaper);
        mix(h, p.unkillable); mix(h, p.group_exit); mix(h, p.group_exit_code); mix(h, p.live);
        mix(h, p.quick_threads); mix(h, p.sighand);
        mix(h, p.sigchld_pending); mix(h, p.autokill_file);
    }
    for (const Sighand& sh : sighands) { mix(h, int(sh.sigchld)); mix(h, sh.nocldwait); mix(h, sh.users); }
    for (const Pid& p : pids) {
        mix(h, p.nr); mix(h, p.task); mix(h, int(p.attr)); mix(h, p.exit_info); mix(h, p.exit_code);
    }
    for (const File& f : files) {
        mix(h, f.pid); mix(h, f.thread); mix(h, f.nonblock); mix(h, f.autokill); mix(h, f.refs);
    }
    for (const FdTable& t : fdtables) {
        mix(h, t.users);
        for (const Fd& fd : t.fds) { mix(h, fd.nr); mix(h, fd.file); }
        mix(h, std::size_t(0xfd));
    }
    mix(h, next_pid_nr);
    mix(h, next_seq);
    return h;
}

State initial_state() {
    State s;
    // init: pid 1 of the namespace, its child_reaper, SIGNAL_UNKILLABLE.
    Proc init_proc;
    init_proc.unkillable = true;
    init_proc.live = init_proc.quick_threads = 1;
    Proc main_proc;
    main_proc.live = main_proc.quick_threads = 1;
    init_proc.sighand = 0;
    main_proc.sighand = 1;
    s.procs = {init_proc, main_proc};
    s.sighands = {Sighand{Handler::Dfl, false, 1}, Sighand{Handler::Dfl, false, 1}};
    s.pids = {Pid{1, kInit, Attr::None, false, 0}, Pid{2, kMain, Attr::None, false, 0}};
    s.fdtables = {FdTable{1, {}}, FdTable{1, {}}};
    Task init;
    init.pid = 0; init.proc = 0; init.files = 0; init.leader = kInit;
    init.exit_signal = kSigchldValue;
    Task main = init;
    main.pid = 1; main.proc = 1; main.files = 1; main.leader = kMain;
    main.real_parent = main.parent = kInit;
    main.sibling_seq = 1;
    s.tasks = {init, main};
    s.next_pid_nr = 3;
    s.next_seq = 2;
    return s;
}

}  // namespace reapcheck::refimpl
