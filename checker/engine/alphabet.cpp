#include "checker/engine/alphabet.hpp"

#include <fmt/format.h>

namespace reapcheck::engine {

using namespace refimpl;
using scn::Call;
using scn::CloneFlag;
using scn::Sys;

std::string Bounds::describe() const {
    std::string codes;
    for (int c : exit_codes) codes += (codes.empty() ? "" : ",") + std::to_string(c);
    return fmt::format("tasks={} threads={} pidfds={} depth={} exit-codes={} exec={} kill={} blocking={} "
                       "ptrace={} autokill={} parent={} subreaper={} sigaction={}",
                       tasks, threads, pidfds, depth == 0 ? std::string("none") : std::to_string(depth), codes,
                       exec, kill, blocking, ptrace, autokill, parent, subreaper, sigaction) +
           (autoreap_pidfd ? " autoreap-pidfd=true" : "") + (capset ? " capset=true" : "");
}

int live_tasks(const State& s) {
    int n = 0;
    for (const Task& t : s.tasks) n += t.exit_state != ExitState::Released;
    return n;
}

namespace {

int open_pidfds(const State& s, Id t) {
    const Id table = s.tasks[t].files;
    return table == kNone ? 0 : int(s.fdtables[table].fds.size());
}

int threads_in(const State& s, Id t) { return int(s.threads_of(t).size()); }

}  // namespace

void enabled_actions(const State& s, const Profile& p, const Bounds& b, std::vector<Action>& out) {
    // The alphabet is the same in every profile (failures are the profile's
    // business), with one exception: rfc-v1 accepts CLONE_AUTOREAP only with
    // CLONE_PIDFD, so in a configuration without pidfds it could not create
    // an autoreap process at all and every autoreap property would hold
    // vacuously there. Bounds::autoreap_pidfd gives rfc-v1 the clone3
    // PIDFD|AUTOREAP calls there (one pidfd per table, from clone3 only); the
    // default suite sets it where the cost is moderate (suite.cpp).
    const bool pidfd_for_autoreap = b.autoreap_pidfd && b.pidfds == 0 && p.autoreap_requires_pidfd;
    out.clear();
    const int live = live_tasks(s);
    auto add = [&](Id actor, Call c, Id target = kNone, int fd = -1) {
        Action a;
        a.call = std::move(c);
        a.r.actor = actor;
        a.r.target = target;
        a.r.fd = fd;
        out.push_back(std::move(a));
    };
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        const Task& task = s.tasks[t];
        if (task.step != Step::None) {
            Action a;
            a.kernel = true;
            a.call.sys = task.step == Step::DoExit        ? Sys::KDoExit
                         : task.step == Step::ExitNotify ? Sys::KExitNotify
                         : task.step == Step::PidfsExit  ? Sys::KPidfsExit
                                                         : Sys::KUnhash;
            a.r.actor = t;
            a.r.target = t;
            out.push_back(a);
            continue;
        }
        if (task.wait.active) {
            if (task.wait.woken) {
                Call c;
                c.sys = Sys::Resume;
                add(t, c);
            }
            continue;
        }
        if (cannot_act(s, t)) continue;
        const bool is_init = s.same_thread_group(t, kInit);
        // clone3: flags x exit_signal {0, SIGCHLD}
        if (live < b.tasks) {
            std::vector<scn::FlagSet> domain = {scn::FlagSet::of({}), scn::FlagSet::of({CloneFlag::AUTOREAP})};
            if (b.pidfds > 0 && open_pidfds(s, t) < b.pidfds) {
                domain.push_back(scn::FlagSet::of({CloneFlag::PIDFD}));
                domain.push_back(scn::FlagSet::of({CloneFlag::PIDFD, CloneFlag::AUTOREAP}));
                if (b.autokill) {
                    domain.push_back(scn::FlagSet::of({CloneFlag::PIDFD, CloneFlag::AUTOREAP, CloneFlag::PIDFD_AUTOKILL}));
                    // autokill.requires_autoreap speaks about this one (EINVAL: a self-loop)
                    domain.push_back(scn::FlagSet::of({CloneFlag::PIDFD, CloneFlag::PIDFD_AUTOKILL}));
                    // autokill.requires_privilege: CLONE_NNP is the unprivileged
                    // caller's way through (kernel/fork.c:copy_process)
                    if (b.capset)
                        domain.push_back(
                            scn::FlagSet::of({CloneFlag::PIDFD, CloneFlag::AUTOREAP, CloneFlag::PIDFD_AUTOKILL, CloneFlag::NNP}));
                }
            }
            if (pidfd_for_autoreap && open_pidfds(s, t) < 1) {
                domain.push_back(scn::FlagSet::of({CloneFlag::PIDFD, CloneFlag::AUTOREAP}));
                if (b.parent) domain.push_back(scn::FlagSet::of({CloneFlag::PIDFD, CloneFlag::AUTOREAP, CloneFlag::PARENT}));
            }
            if (b.parent) {
                domain.push_back(scn::FlagSet::of({CloneFlag::PARENT}));
                domain.push_back(scn::FlagSet::of({CloneFlag::AUTOREAP, CloneFlag::PARENT}));
                // rfc-v1 accepts AUTOREAP|PARENT only together with PIDFD
                if (b.pidfds > 0 && open_pidfds(s, t) < b.pidfds)
                    domain.push_back(scn::FlagSet::of({CloneFlag::PIDFD, CloneFlag::AUTOREAP, CloneFlag::PARENT}));
            }
            if (b.threads > 1 && threads_in(s, t) < b.threads) {
                domain.push_back(scn::FlagSet::of({CloneFlag::THREAD, CloneFlag::SIGHAND, CloneFlag::VM}));
                // autoreap.rejects_thread and nnp.rejects_thread speak about these
                // calls (EINVAL: self-loops)
                domain.push_back(scn::FlagSet::of({CloneFlag::THREAD, CloneFlag::SIGHAND, CloneFlag::VM, CloneFlag::AUTOREAP}));
                domain.push_back(scn::FlagSet::of({CloneFlag::THREAD, CloneFlag::SIGHAND, CloneFlag::VM, CloneFlag::NNP}));
                // rfc-v1 checks CLONE_PIDFD before CLONE_THREAD: only with
                // PIDFD does a THREAD|AUTOREAP call reach the thread check
                if (pidfd_for_autoreap && open_pidfds(s, t) < 1)
                    domain.push_back(scn::FlagSet::of({CloneFlag::THREAD, CloneFlag::SIGHAND, CloneFlag::VM, CloneFlag::PIDFD,
                                            CloneFlag::AUTOREAP}));
            }
            for (const auto& f : domain)
                for (int sig : {0, int(kSIGCHLD)}) {
                    Call c;
                    c.sys = Sys::Clone3;
                    c.flags = f;
                    c.exit_signal = sig;
                    add(t, c);
                }
            // Legacy clone(), which the catalog's CLONE_PARENT and inheritance
            // properties speak about too: the AUTOREAP bit (above 32) is dropped,
            // and CLONE_PARENT takes the leader's exit_signal whatever the low
            // byte says (kernel/fork.c:sys_clone, copy_process). In the correct
            // model both reach states clone3 reaches: transitions, no new states.
            if (b.legacy_clone) {
                Call c;
                c.sys = Sys::Clone;
                c.flags = scn::FlagSet::of({CloneFlag::AUTOREAP});
                c.exit_signal = 0;
                add(t, c);
                if (b.parent) {
                    c.flags = scn::FlagSet::of({CloneFlag::PARENT});
                    c.exit_signal = kSIGCHLD;
                    add(t, c);
                }
            }
        }
        for (int code : b.exit_codes) {
            Call c;
            c.sys = Sys::Exit;
            c.number = code;
            if (!cannot_end_process(s, t, false)) add(t, c);
            c.sys = Sys::ExitGroup;
            if (b.threads > 1 && !cannot_end_process(s, t, true)) add(t, c);
        }
        if (!is_init) {
            if (b.exec) {
                Call c;
                c.sys = Sys::Execve;
                add(t, c);
            }
        }
        if (b.kill)
            for (Id v = 1; v < Id(s.tasks.size()); ++v)
                if (s.tasks[v].exit_state != ExitState::Released && s.is_leader(v) && !s.same_thread_group(v, t) &&
                    s.tasks[v].exit_state == ExitState::Running) {
                    Call c;
                    c.sys = Sys::Kill;
                    c.number = kSIGKILL;
                    add(t, c, v);
                }
        // waits: -1 with and without WNOHANG, with and without __WALL
        for (uint32_t o : {scn::kWNOHANG, scn::kWNOHANG | scn::kWALL, 0u, scn::kWALL}) {
            if (!(o & scn::kWNOHANG) && !b.blocking) continue;
            Call c;
            c.sys = Sys::Wait4;
            c.any = true;
            c.options = o;
            add(t, c);
        }
        if (b.wnowait) {   // waitid P_ALL WNOWAIT: reports without reaping (a self-loop when it reports)
            Call c;
            c.sys = Sys::Waitid;
            c.any = true;
            c.idtype = scn::IdType::All;
            c.options = scn::kWEXITED | scn::kWNOHANG | scn::kWNOWAIT | scn::kWALL;
            add(t, c);
        }
        if (b.sigaction && !is_init)
            for (int h = 0; h < 3; ++h) {
                Call c;
                c.sys = Sys::Sigaction;
                c.handler = h == 1 ? scn::Handler::Ign : scn::Handler::Dfl;
                c.nocldwait = h == 2;
                add(t, c);
            }
        if (b.subreaper)
            for (int v : {0, 1}) {
                Call c;
                c.sys = Sys::PrctlSubreaper;
                c.number = v;
                add(t, c);
            }
        {
            Call c;
            c.sys = Sys::Sigpending;
            add(t, c);
        }
        if (b.capset && task.cap_sys_admin) {   // capset(2) dropping CAP_SYS_ADMIN (children inherit it)
            Call c;
            c.sys = Sys::CapsetDrop;
            add(t, c);
        }
        // pidfds: open one on another live process, close, wait on it
        if (task.files != kNone) {
            if (b.pidfds > 0 && open_pidfds(s, t) < b.pidfds)
                for (Id v = 1; v < Id(s.tasks.size()); ++v)
                    if (v != t && s.tasks[v].exit_state != ExitState::Released && s.is_leader(v)) {
                        Call c;
                        c.sys = Sys::PidfdOpen;
                        add(t, c, v);
                    }
            for (const Fd& fd : s.fdtables[task.files].fds) {
                Call c;
                c.sys = Sys::Close;
                add(t, c, kNone, fd.nr);
                c.sys = Sys::Waitid;
                c.idtype = scn::IdType::Pidfd;
                c.options = scn::kWEXITED | scn::kWNOHANG | scn::kWALL;
                add(t, c, kNone, fd.nr);
            }
        }
        if (b.ptrace)
            for (Id v = 1; v < Id(s.tasks.size()); ++v) {
                if (s.tasks[v].exit_state == ExitState::Released || s.same_thread_group(v, t)) continue;
                Call c;
                c.sys = s.tasks[v].ptraced && s.tasks[v].parent == t ? Sys::PtraceDetach : Sys::PtraceAttach;
                if (c.sys == Sys::PtraceAttach && (s.tasks[v].ptraced || s.tasks[v].exit_state != ExitState::Running))
                    continue;
                add(t, c, v);
            }
    }
}

Transition apply(const State& s, const Profile& p, const Action& a) {
    Transition tr;
    tr.post = s;
    RecordEvents rec(tr.events);
    if (a.kernel)
        kernel_step(tr.post, p, a.r.actor);
    else
        tr.result = scn::dispatch(tr.post, p, a.call, a.r);
    return tr;
}

}  // namespace reapcheck::engine
