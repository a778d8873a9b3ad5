#include "checker/symbolic/bridge.hpp"

#include <fmt/format.h>

#include "refimpl/kernel.hpp"

namespace reapcheck::symbolic {

using model::Act;
using model::ActKind;
using refimpl::Id;
using refimpl::kNone;
using scn::Sys;

engine::Bounds bounds_of(const model::Features& f, int depth) {
    engine::Bounds b;
    b.tasks = f.task_bound();
    b.threads = f.threads;
    b.pidfds = f.pidfds ? 1 : 0;
    b.depth = depth;
    b.exit_codes = f.exit_codes;
    b.exec = f.exec;
    b.kill = f.kill;
    b.blocking = f.blocking;
    b.ptrace = f.ptrace;
    b.autokill = f.autokill;
    b.capset = f.capset;
    b.parent = f.parent;
    b.subreaper = f.subreaper;
    b.sigaction = f.sigaction;
    b.legacy_clone = false;   // calls the symbolic model does not have
    b.wnowait = f.wnowait;
    return b;
}

namespace {
constexpr int kPidfdNr = 3;   // the one descriptor of a table (fd_install's lowest free after 0..2)
}

engine::Action to_action(const Act& a, const std::vector<Id>& task_of) {
    engine::Action out;
    out.r.actor = task_of[a.actor];
    if (a.target != model::kNoSlot) out.r.target = task_of[a.target];
    scn::Call& c = out.call;
    switch (a.kind) {
    case ActKind::KExitNotify: case ActKind::KPidfsExit: case ActKind::KUnhash: case ActKind::KDoExit:
        out.kernel = true;
        c.sys = a.kind == ActKind::KExitNotify ? Sys::KExitNotify
                : a.kind == ActKind::KPidfsExit ? Sys::KPidfsExit
                : a.kind == ActKind::KDoExit    ? Sys::KDoExit
                                                : Sys::KUnhash;
        out.r.target = out.r.actor;
        break;
    case ActKind::Clone:
        c.sys = Sys::Clone3;
        if (a.flags & model::kFlagPidfd) c.flags.add(scn::CloneFlag::PIDFD);
        if (a.flags & model::kFlagAutoreap) c.flags.add(scn::CloneFlag::AUTOREAP);
        if (a.flags & model::kFlagParent) c.flags.add(scn::CloneFlag::PARENT);
        if (a.flags & model::kFlagThread)
            for (auto fl : {scn::CloneFlag::THREAD, scn::CloneFlag::SIGHAND, scn::CloneFlag::VM}) c.flags.add(fl);
        if (a.flags & model::kFlagNnp) c.flags.add(scn::CloneFlag::NNP);
        if (a.flags & model::kFlagAutokill) c.flags.add(scn::CloneFlag::PIDFD_AUTOKILL);
        c.exit_signal = a.sigchld ? refimpl::kSIGCHLD : 0;
        break;
    case ActKind::Exit: c.sys = Sys::Exit; c.number = a.code; break;
    case ActKind::ExitGroup: c.sys = Sys::ExitGroup; c.number = a.code; break;
    case ActKind::Kill: c.sys = Sys::Kill; c.number = refimpl::kSIGKILL; break;
    case ActKind::Wait4:
        c.sys = Sys::Wait4;
        c.any = true;
        c.options = (a.nohang ? scn::kWNOHANG : 0u) | (a.wall ? scn::kWALL : 0u);
        break;
    case ActKind::Resume: c.sys = Sys::Resume; break;
    case ActKind::Waitid:
        c.sys = Sys::Waitid;
        c.idtype = scn::IdType::Pidfd;
        c.options = scn::kWEXITED | scn::kWNOHANG | scn::kWALL;
        out.r.fd = kPidfdNr;
        break;
    case ActKind::Sigaction:
        c.sys = Sys::Sigaction;
        c.handler = a.handler == 1 ? scn::Handler::Ign : scn::Handler::Dfl;
        c.nocldwait = a.handler == 2;
        break;
    case ActKind::Subreaper: c.sys = Sys::PrctlSubreaper; c.number = a.value; break;
    case ActKind::Sigpending: c.sys = Sys::Sigpending; break;
    case ActKind::PidfdOpen: c.sys = Sys::PidfdOpen; break;
    case ActKind::Close: c.sys = Sys::Close; out.r.fd = kPidfdNr; break;
    case ActKind::PtraceAttach: c.sys = Sys::PtraceAttach; break;
    case ActKind::PtraceDetach: c.sys = Sys::PtraceDetach; break;
    case ActKind::Exec: c.sys = Sys::Execve; break;
    case ActKind::Capset: c.sys = Sys::CapsetDrop; break;
    case ActKind::WaitidNowait:
        c.sys = Sys::Waitid;
        c.any = true;
        c.idtype = scn::IdType::All;
        c.options = scn::kWEXITED | scn::kWNOHANG | scn::kWNOWAIT | scn::kWALL;
        break;
    }
    return out;
}

namespace {

bool same(const Act& x, const Act& y) {
    return x.kind == y.kind && x.actor == y.actor && x.target == y.target && x.flags == y.flags &&
           x.sigchld == y.sigchld && x.code == y.code && x.nohang == y.nohang && x.wall == y.wall &&
           x.handler == y.handler && x.value == y.value;
}

}  // namespace

std::optional<int> to_act(const engine::Action& a, const std::vector<int>& slot_of, const std::vector<Act>& acts) {
    Act m{ActKind::Sigpending};
    m.actor = slot_of[a.r.actor];
    const scn::Call& c = a.call;
    switch (c.sys) {
    case Sys::KExitNotify: m.kind = ActKind::KExitNotify; break;
    case Sys::KPidfsExit: m.kind = ActKind::KPidfsExit; break;
    case Sys::KUnhash: m.kind = ActKind::KUnhash; break;
    case Sys::KDoExit: m.kind = ActKind::KDoExit; break;
    case Sys::ExitGroup: m.kind = ActKind::ExitGroup; m.code = int(c.number); break;
    case Sys::Kill:
        if (c.number != refimpl::kSIGKILL) return std::nullopt;
        m.kind = ActKind::Kill;
        break;
    case Sys::Clone3:
        m.kind = ActKind::Clone;
        if (c.flags.raw != 0) return std::nullopt;
        {
            scn::FlagSet known;
            if (c.flags.has(scn::CloneFlag::PIDFD)) m.flags |= model::kFlagPidfd, known.add(scn::CloneFlag::PIDFD);
            if (c.flags.has(scn::CloneFlag::AUTOREAP))
                m.flags |= model::kFlagAutoreap, known.add(scn::CloneFlag::AUTOREAP);
            if (c.flags.has(scn::CloneFlag::PARENT)) m.flags |= model::kFlagParent, known.add(scn::CloneFlag::PARENT);
            if (c.flags.has(scn::CloneFlag::THREAD) && c.flags.has(scn::CloneFlag::SIGHAND) &&
                c.flags.has(scn::CloneFlag::VM)) {
                m.flags |= model::kFlagThread;
                for (auto fl : {scn::CloneFlag::THREAD, scn::CloneFlag::SIGHAND, scn::CloneFlag::VM}) known.add(fl);
            }
            if (c.flags.has(scn::CloneFlag::NNP)) m.flags |= model::kFlagNnp, known.add(scn::CloneFlag::NNP);
            if (c.flags.has(scn::CloneFlag::PIDFD_AUTOKILL))
                m.flags |= model::kFlagAutokill, known.add(scn::CloneFlag::PIDFD_AUTOKILL);
            if (!(known == c.flags)) return std::nullopt;
        }
        if (c.exit_signal != 0 && c.exit_signal != refimpl::kSIGCHLD) return std::nullopt;
        m.sigchld = c.exit_signal == refimpl::kSIGCHLD;
        break;
    case Sys::Exit: m.kind = ActKind::Exit; m.code = int(c.number); break;
    case Sys::Wait4:
        if (!c.any) return std::nullopt;
        m.kind = ActKind::Wait4;
        m.nohang = c.options & scn::kWNOHANG;
        m.wall = c.options & scn::kWALL;
        break;
    case Sys::Resume: m.kind = ActKind::Resume; break;
    case Sys::Waitid:
        m.kind = ActKind::Waitid;
        if (c.idtype == scn::IdType::All) {
            if (c.options != (scn::kWEXITED | scn::kWNOHANG | scn::kWNOWAIT | scn::kWALL)) return std::nullopt;
            m.kind = ActKind::WaitidNowait;
        }
        break;
    case Sys::CapsetDrop: m.kind = ActKind::Capset; break;
    case Sys::Sigaction:
        m.kind = ActKind::Sigaction;
        m.handler = c.nocldwait ? 2 : c.handler == scn::Handler::Ign ? 1 : 0;
        break;
    case Sys::PrctlSubreaper: m.kind = ActKind::Subreaper; m.value = c.number != 0; break;
    case Sys::Sigpending: m.kind = ActKind::Sigpending; break;
    case Sys::PidfdOpen: m.kind = ActKind::PidfdOpen; break;
    case Sys::Close: m.kind = ActKind::Close; break;
    case Sys::PtraceAttach: m.kind = ActKind::PtraceAttach; break;
    case Sys::PtraceDetach: m.kind = ActKind::PtraceDetach; break;
    case Sys::Execve: m.kind = ActKind::Exec; break;
    default: return std::nullopt;
    }
    if (a.r.target != kNone && !a.kernel) m.target = slot_of[a.r.target];
    for (std::size_t i = 0; i < acts.size(); ++i)
        if (same(acts[i], m)) return int(i);
    return std::nullopt;
}

std::optional<std::string> rerun(const refimpl::Profile& p, const model::Features& f, const std::vector<int>& act_ids,
                                 const std::vector<model::World>& worlds, std::vector<engine::Action>& actions,
                                 refimpl::State& end, refimpl::State& before_end) {
    const std::vector<Act> acts = model::alphabet(f);
    refimpl::State s = refimpl::initial_state();
    std::vector<Id> task_of(std::size_t(f.slots), kNone);
    task_of[0] = refimpl::kInit;
    task_of[1] = refimpl::kMain;
    std::vector<int> slot_of = {0, 1};
    actions.clear();
    model::Abstraction abs;
    if (auto why = model::abstract(s, f, slot_of, abs)) return "the initial state: " + *why;
    if (!(abs.world == worlds[0]))
        return "the initial worlds differ:\nmodel:\n" + model::describe(worlds[0]) + "refimpl:\n" + model::describe(abs.world);
    before_end = s;
    for (std::size_t i = 0; i < act_ids.size(); ++i) {
        const Act& a = acts[std::size_t(act_ids[i])];
        const engine::Action ea = to_action(a, task_of);
        if (ea.r.actor == kNone || (a.target != model::kNoSlot && ea.r.target == kNone))
            return fmt::format("step {} ({}) names an empty slot", i + 1, a.describe());
        before_end = s;
        const engine::Transition tr = engine::apply(s, p, ea);
        actions.push_back(ea);
        s = tr.post;
        // The new task (if any) takes the lowest free slot of the model's pre-world.
        std::vector<int> hint = slot_of;
        hint.resize(s.tasks.size(), model::kNoSlot);
        if (s.tasks.size() > slot_of.size()) {
            int k = 0;
            while (k < f.slots && worlds[i].slot[std::size_t(k)].st != model::kFree) ++k;
            hint.back() = k;
        }
        if (auto why = model::abstract(s, f, hint, abs))
            return fmt::format("after step {} ({}): {}", i + 1, a.describe(), *why);
        if (!(abs.world == worlds[i + 1]))
            return fmt::format("after step {} ({}) the model and refimpl disagree:\nmodel:\n{}refimpl:\n{}", i + 1,
                               a.describe(), model::describe(worlds[i + 1]), model::describe(abs.world));
        slot_of = abs.slot_of;
        std::fill(task_of.begin(), task_of.end(), kNone);
        for (Id t = 0; t < Id(slot_of.size()); ++t)
            if (slot_of[t] != model::kNoSlot && s.tasks[t].exit_state != refimpl::ExitState::Released)
                task_of[std::size_t(slot_of[t])] = t;
    }
    end = s;
    return std::nullopt;
}

}  // namespace reapcheck::symbolic
