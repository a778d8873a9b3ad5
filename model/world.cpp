#include "model/world.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace reapcheck::model {

using refimpl::ExitState;
using refimpl::Id;
using refimpl::kNone;
using refimpl::Step;

const char* st_name(int st) {
    switch (st) {
    case kFree: return "FREE";
    case kRun: return "RUNNING";
    case kExiting: return "EXITING";
    case kZombie: return "ZOMBIE";
    case kDeadP: return "DEAD(pidfs_exit pending)";
    case kDeadU: return "DEAD(unhash pending)";
    case kGone: return "RELEASED(pid held by a pidfd)";
    case kKilled: return "KILLED(do_exit pending)";
    default: return "?";
    }
}

std::string Features::describe() const {
    std::string codes;
    for (int c : exit_codes) codes += (codes.empty() ? "" : ",") + std::to_string(c);
    return fmt::format("slots={} tasks={} threads={} exit-codes={} ptrace={} parent={} pidfds={} blocking={} "
                       "subreaper={} sigaction={} kill={} exec={} autokill={} capset={} wnowait={}",
                       slots, task_bound(), threads, codes, ptrace, parent, pidfds ? 1 : 0, blocking, subreaper,
                       sigaction, kill, exec, autokill, capset, wnowait);
}

std::string Act::describe() const {
    const std::string who = "slot" + std::to_string(actor);
    const std::string whom = "slot" + std::to_string(target);
    switch (kind) {
    case ActKind::Clone: {
        std::string fl;
        if (flags & kFlagPidfd) fl += "PIDFD|";
        if (flags & kFlagAutoreap) fl += "AUTOREAP|";
        if (flags & kFlagParent) fl += "PARENT|";
        if (flags & kFlagThread) fl += "THREAD|SIGHAND|VM|";
        if (flags & kFlagAutokill) fl += "PIDFD_AUTOKILL|";
        if (flags & kFlagNnp) fl += "NNP|";
        if (fl.empty()) fl = "0";
        else fl.pop_back();
        return fmt::format("{}: clone3 flags={} exit_signal={}", who, fl, sigchld ? "SIGCHLD" : "0");
    }
    case ActKind::Exit: return fmt::format("{}: exit {}", who, code);
    case ActKind::ExitGroup: return fmt::format("{}: exit_group {}", who, code);
    case ActKind::KDoExit: return "kernel: do_exit " + who;
    case ActKind::Kill: return who + ": kill " + whom + " SIGKILL";
    case ActKind::Wait4:
        return fmt::format("{}: wait4 -1 {}{}", who, nohang ? "WNOHANG" : "0", wall ? "|__WALL" : "");
    case ActKind::Resume: return who + ": resume";
    case ActKind::Waitid: return who + ": waitid P_PIDFD WEXITED|WNOHANG|__WALL";
    case ActKind::Sigaction:
        return who + (handler == 1 ? ": sigaction SIGCHLD SIG_IGN"
                                   : handler == 2 ? ": sigaction SIGCHLD SIG_DFL SA_NOCLDWAIT"
                                                  : ": sigaction SIGCHLD SIG_DFL");
    case ActKind::Subreaper: return fmt::format("{}: prctl PR_SET_CHILD_SUBREAPER {}", who, value);
    case ActKind::Sigpending: return who + ": sigpending";
    case ActKind::PidfdOpen: return who + ": pidfd_open " + whom;
    case ActKind::Close: return who + ": close its pidfd";
    case ActKind::PtraceAttach: return who + ": ptrace_attach " + whom;
    case ActKind::PtraceDetach: return who + ": ptrace_detach " + whom;
    case ActKind::KExitNotify: return "kernel: exit_notify " + who;
    case ActKind::KPidfsExit: return "kernel: pidfs_exit " + who;
    case ActKind::KUnhash: return "kernel: unhash " + who;
    case ActKind::Exec: return who + ": execve";
    case ActKind::Capset: return who + ": capset drop CAP_SYS_ADMIN";
    case ActKind::WaitidNowait: return who + ": waitid P_ALL WEXITED|WNOHANG|WNOWAIT|__WALL";
    }
    return "?";
}

std::vector<Act> alphabet(const Features& f) {
    std::vector<Act> out;
    const int n = f.slots;
    for (int t = 0; t < n; ++t) {
        for (ActKind k : {ActKind::KExitNotify, ActKind::KPidfsExit, ActKind::KUnhash, ActKind::Resume})
            out.push_back(Act{k, t});
        std::vector<int> domain = {0, kFlagAutoreap};
        if (f.pidfds) {
            domain.push_back(kFlagPidfd);
            domain.push_back(kFlagPidfd | kFlagAutoreap);
        }
        if (f.parent) {
            domain.push_back(kFlagParent);
            domain.push_back(kFlagAutoreap | kFlagParent);
            if (f.pidfds) domain.push_back(kFlagPidfd | kFlagAutoreap | kFlagParent);
        }
        if (f.threads > 1)   // checker/engine/alphabet.cpp: the thread clones
            for (int fl : {kFlagThread, kFlagThread | kFlagAutoreap, kFlagThread | kFlagNnp}) domain.push_back(fl);
        if (f.autokill && f.pidfds) {   // checker/engine/alphabet.cpp: the AUTOKILL clones
            domain.push_back(kFlagPidfd | kFlagAutoreap | kFlagAutokill);
            domain.push_back(kFlagPidfd | kFlagAutokill);
            if (f.capset) domain.push_back(kFlagPidfd | kFlagAutoreap | kFlagAutokill | kFlagNnp);
        }
        for (int fl : domain)
            for (bool sig : {false, true}) {
                Act a{ActKind::Clone, t};
                a.flags = fl;
                a.sigchld = sig;
                out.push_back(a);
            }
        if (t != 0)
            for (int c : f.exit_codes) {
                Act a{ActKind::Exit, t};
                a.code = c;
                out.push_back(a);
                if (f.threads > 1) {
                    a.kind = ActKind::ExitGroup;
                    out.push_back(a);
                }
            }
        if ((f.threads > 1 || f.kill || f.autokill) && t != 0) out.push_back(Act{ActKind::KDoExit, t});
        if (f.kill)
            for (int v = 1; v < n; ++v)
                if (v != t) out.push_back(Act{ActKind::Kill, t, v});
        if (f.exec && t != 0) out.push_back(Act{ActKind::Exec, t});   // not by init (checker/engine/alphabet.cpp)
        for (int o = 0; o < 4; ++o) {
            Act a{ActKind::Wait4, t};
            a.nohang = o < 2;
            a.wall = o % 2 == 1;
            if (!a.nohang && !f.blocking) continue;
            out.push_back(a);
        }
        if (f.sigaction && t != 0)
            for (int h = 0; h < 3; ++h) {
                Act a{ActKind::Sigaction, t};
                a.handler = h;
                out.push_back(a);
            }
        if (f.subreaper)
            for (int v : {0, 1}) {
                Act a{ActKind::Subreaper, t};
                a.value = v;
                out.push_back(a);
            }
        out.push_back(Act{ActKind::Sigpending, t});
        if (f.pidfds) {
            for (int v = 1; v < n; ++v)
                if (v != t) out.push_back(Act{ActKind::PidfdOpen, t, v});
            out.push_back(Act{ActKind::Close, t});
            out.push_back(Act{ActKind::Waitid, t});
        }
        if (f.ptrace)
            for (int v = 1; v < n; ++v)
                if (v != t) {
                    out.push_back(Act{ActKind::PtraceAttach, t, v});
                    out.push_back(Act{ActKind::PtraceDetach, t, v});
                }
        if (f.wnowait) out.push_back(Act{ActKind::WaitidNowait, t});
        if (f.capset) out.push_back(Act{ActKind::Capset, t});
    }
    return out;
}

World initial_world(int slots) {
    World w;
    w.slot.assign(std::size_t(slots), Slot{});
    Slot& init = w.slot[0];
    init.st = kRun;
    init.nr = 1;
    init.esig = true;
    Slot& main = w.slot[1];
    main.st = kRun;
    main.nr = 2;
    main.rp = main.par = 0;
    main.esig = true;
    main.sib = 1;
    w.next_nr = 3;
    w.next_seq = 2;
    return w;
}

namespace {

constexpr uint32_t kWEXITED = 0x4, kWALL = 0x40000000u;

std::optional<std::string> outside(Id t, const std::string& why) {
    return fmt::format("task {} is outside the symbolic model: {}", t, why);
}

}  // namespace

std::optional<std::string> abstract(const refimpl::State& s, const Features& f, const std::vector<int>& hint,
                                    Abstraction& out) {
    const int slots = f.slots, threads = f.threads;
    const bool exec = f.exec;
    const bool groups = threads > 1 || f.kill || f.autokill;
    // The AUTOKILL file of a pid: the PIDFD_AUTOKILL f_flag (v4 on), or
    // signal->autokill_pidfd (rfc-v3), which names no other file.
    std::vector<bool> autokill_file(s.files.size(), false);
    for (std::size_t i = 0; i < s.files.size(); ++i) autokill_file[i] = s.files[i].autokill;
    for (const refimpl::Proc& pr : s.procs)
        if (pr.autokill_file != kNone) autokill_file[std::size_t(pr.autokill_file)] = true;
    const Id n = Id(s.tasks.size());
    // Which released tasks are pinned: an open file refers to their pid.
    std::vector<bool> pinned(s.tasks.size(), false);
    for (std::size_t i = 0; i < s.files.size(); ++i) {
        const refimpl::File& file = s.files[i];
        if (file.refs <= 0) continue;
        if (autokill_file[i] && !f.autokill) return std::string("an AUTOKILL pidfd");
        if (file.thread || file.nonblock) return std::string("a pidfd with PIDFD_THREAD or O_NONBLOCK");
        for (Id t = 0; t < n; ++t)
            if (s.tasks[t].pid == file.pid) pinned[t] = true;
    }
    out.slot_of.assign(s.tasks.size(), kNoSlot);
    std::vector<bool> used(std::size_t(slots), false);
    std::vector<Id> unplaced;
    for (Id t = 0; t < n; ++t) {
        const bool needed = s.tasks[t].exit_state != ExitState::Released || pinned[t];
        if (!needed) continue;
        const int h = t < Id(hint.size()) ? hint[t] : kNoSlot;
        if (h != kNoSlot && h < slots && !used[h]) {
            out.slot_of[t] = h;
            used[h] = true;
        } else {
            unplaced.push_back(t);
        }
    }
    for (Id t : unplaced) {
        int k = 0;
        while (k < slots && used[k]) ++k;
        if (k == slots) return fmt::format("the state needs more than {} slots", slots);
        out.slot_of[t] = k;
        used[k] = true;
    }
    World& w = out.world;
    w = World{};
    w.slot.assign(std::size_t(slots), Slot{});
    w.next_nr = s.next_pid_nr;
    w.next_seq = s.next_seq;
    // sys_execve's next self_exec_id: one more than every exec id of every
    // task, released ones included (refimpl/exec.cpp)
    int max_xid = 0;
    for (const refimpl::Task& task : s.tasks) max_xid = std::max({max_xid, int(task.self_exec_id), int(task.parent_exec_id)});
    if (!exec && max_xid != 0) {
        for (Id t = 0; t < n; ++t)
            if (s.tasks[t].self_exec_id != 0 || s.tasks[t].parent_exec_id != 0) return outside(t, "it has exec'd");
    }
    w.next_xid = max_xid + 1;
    for (Id t = 0; t < n; ++t) {
        const int k = out.slot_of[t];
        if (k == kNoSlot) continue;
        const refimpl::Task& task = s.tasks[t];
        const refimpl::Pid& pid = s.pids[task.pid];
        Slot& sl = w.slot[k];
        sl.nr = pid.nr;
        sl.attr = int(pid.attr);
        sl.info = pid.exit_info;
        sl.info_code = pid.exit_code;
        if (task.exit_state == ExitState::Released) {
            sl.st = kGone;
            continue;
        }
        const bool thread = task.leader != t;
        if (thread && threads <= 1) return outside(t, "a thread (CLONE_THREAD)");
        sl.sxid = task.self_exec_id;
        sl.pxid = task.parent_exec_id;
        if (task.pdeath_signal != 0) return outside(t, "a parent-death signal");
        if (task.sigchld_pending) return outside(t, "a thread-directed SIGCHLD");
        if (task.exit_signal != 0 && task.exit_signal != refimpl::kSigchldValue && !(thread && task.exit_signal == -1))
            return outside(t, "an exit_signal other than 0 or SIGCHLD");
        switch (task.exit_state) {
        case ExitState::Running:
            if (task.step == Step::DoExit) {
                if (!groups) return outside(t, "killed (do_exit pending)");
                sl.st = kKilled;
                break;
            }
            sl.st = task.exiting ? kExiting : kRun;
            if (task.exiting && task.step != Step::ExitNotify) return outside(t, "exiting without exit_notify pending");
            break;
        case ExitState::Zombie: sl.st = kZombie; break;
        case ExitState::Dead:
            if (task.step == Step::PidfsExit) sl.st = kDeadP;
            else if (task.step == Step::Unhash) sl.st = kDeadU;
            else return outside(t, "EXIT_DEAD without a pending release step");
            break;
        default: return outside(t, "EXIT_TRACE");
        }
        auto slot_ref = [&](Id x) -> int { return x == kNone ? kNoSlot : out.slot_of[x]; };
        sl.rp = slot_ref(task.real_parent);
        sl.par = slot_ref(task.parent);
        if ((task.real_parent != kNone && sl.rp == kNoSlot) || (task.parent != kNone && sl.par == kNoSlot))
            return outside(t, "its parent is released");
        sl.ptraced = task.ptraced;
        sl.sib = task.sibling_seq;
        sl.pseq = task.ptrace_seq;
        sl.esig = task.exit_signal == refimpl::kSigchldValue;
        sl.code = task.exit_code;
        const refimpl::Proc& pr = s.procs[task.proc];
        if (groups) {
            if (thread) {
                sl.ldr = out.slot_of[task.leader];
                if (sl.ldr == kNoSlot) return outside(t, "its group leader is released");
            }
            sl.gx = pr.group_exit;
            sl.gcode = pr.group_exit ? pr.group_exit_code : 0;
        }
        if (!task.cap_sys_admin) {
            if (!f.capset) return outside(t, "CAP_SYS_ADMIN dropped (capset)");
            sl.nocap = true;
        }
        sl.autoreap = pr.autoreap;
        sl.is_sub = pr.is_child_subreaper;
        sl.has_sub = pr.has_child_subreaper;
        sl.pending = pr.sigchld_pending;
        const refimpl::Sighand& sh = s.sighands[pr.sighand];
        if (sh.users != 1) return outside(t, "a shared sighand (CLONE_SIGHAND)");
        if (sh.sigchld == refimpl::Handler::User) return outside(t, "a SIGCHLD handler");
        sl.ign = sh.sigchld == refimpl::Handler::Ign;
        sl.nocldwait = sh.nocldwait;
        if (task.files != kNone) {
            const refimpl::FdTable& ft = s.fdtables[task.files];
            if (ft.users != 1) return outside(t, "a shared descriptor table (CLONE_FILES)");
            if (ft.fds.size() > 1) return outside(t, "more than one pidfd");
            if (ft.fds.size() == 1) {
                if (ft.fds[0].nr != 3) return outside(t, "a pidfd not numbered 3");
                const Id pid_idx = s.files[ft.fds[0].file].pid;
                for (Id u = 0; u < n; ++u)
                    if (s.tasks[u].pid == pid_idx) sl.fd = out.slot_of[u];
                sl.ak = autokill_file[std::size_t(ft.fds[0].file)];
            }
        }
        const refimpl::Wait& wt = task.wait;
        if (wt.active) {
            if (wt.waitid || wt.idtype != 0 || (wt.options != kWEXITED && wt.options != (kWEXITED | kWALL)))
                return outside(t, "a blocked wait other than wait4(-1)");
            sl.wact = true;
            sl.woken = wt.woken;
            sl.wall = wt.options & kWALL;
        } else if (!(wt == refimpl::Wait{})) {
            return outside(t, "a stale wait record");
        }
    }
    return std::nullopt;
}

std::string describe(const World& w) {
    std::string out = fmt::format("  next_pid_nr={} next_seq={}{}\n", w.next_nr, w.next_seq,
                                  w.next_xid != 1 ? fmt::format(" next_exec_id={}", w.next_xid) : "");
    for (std::size_t k = 0; k < w.slot.size(); ++k) {
        const Slot& s = w.slot[k];
        if (s.st == kFree) continue;
        out += fmt::format("  slot{} {} pid={}", k, st_name(s.st), s.nr);
        if (s.st != kGone) {
            out += fmt::format(" real_parent={} parent={}{} sibling_seq={}", s.rp, s.par,
                               s.ptraced ? fmt::format(" ptraced(seq {})", s.pseq) : "", s.sib);
            out += fmt::format(" exit_signal={} exit_code={}", s.esig ? "SIGCHLD" : "0", s.code);
            if (s.autoreap) out += " autoreap";
            if (s.is_sub) out += " subreaper";
            if (s.has_sub) out += " has_child_subreaper";
            if (s.ign) out += " SIGCHLD=SIG_IGN";
            if (s.nocldwait) out += " SA_NOCLDWAIT";
            if (s.pending) out += " SIGCHLD-pending";
            if (s.fd != kNoSlot) out += fmt::format(" pidfd->slot{}", s.fd);
            if (s.wact) out += fmt::format(" blocked-in-wait4{}{}", s.wall ? "(__WALL)" : "", s.woken ? "(woken)" : "");
            if (s.ldr != kNoSlot) out += fmt::format(" thread-of-slot{}", s.ldr);
            if (s.gx) out += fmt::format(" group-exit={}", s.gcode);
            if (s.sxid != 0 || s.pxid != 0) out += fmt::format(" exec-ids(self {} parent {})", s.sxid, s.pxid);
            if (s.ak) out += " (its pidfd is the AUTOKILL file)";
            if (s.nocap) out += " no-CAP_SYS_ADMIN";
        }
        out += fmt::format(" pid-attr={}", s.attr == 0 ? "none" : s.attr == 1 ? "dead" : "alloc");
        if (s.info) out += fmt::format(" exit-info={}", s.info_code);
        out += "\n";
    }
    return out;
}

}  // namespace reapcheck::model
