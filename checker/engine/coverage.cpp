#include "checker/engine/coverage.hpp"

#include <algorithm>
#include <map>
#include <string_view>


namespace reapcheck::engine {

using namespace refimpl;

const char* fact_name(Fact f) {
    switch (f) {
    case Fact::AutoreapTask: return "autoreap_task";
    case Fact::Zombie: return "zombie";
    case Fact::Traced: return "traced";
    case Fact::Threads: return "threads";
    case Fact::DelayedLeader: return "delayed_leader";
    case Fact::Subreaper: return "subreaper";
    case Fact::Pidfd: return "pidfd";
    case Fact::AutokillPidfd: return "autokill_pidfd";
    case Fact::IgnoresSigchld: return "ignores_sigchld";
    case Fact::BlockedWaiter: return "blocked_waiter";
    case Fact::Notify: return "notify";
    case Fact::Reparent: return "reparent";
    case Fact::Reap: return "reap";
    case Fact::Autokill: return "autokill";
    case Fact::CloneAutoreap: return "clone_autoreap";
    case Fact::CloneParent: return "clone_parent";
    case Fact::CloneThread: return "clone_thread";
    case Fact::CloneAutokill: return "clone_autokill";
    case Fact::CloneNnp: return "clone_nnp";
    case Fact::Exec: return "exec";
    case Fact::ExitGroup: return "exit_group";
    case Fact::WaitNowait: return "wait_nowait";
    case Fact::WaitWclone: return "wait_wclone";
    case Fact::Count_: break;
    }
    return "?";
}

const char* describe(Fact f) {
    switch (f) {
    case Fact::AutoreapTask: return "an autoreap task";
    case Fact::Zombie: return "a zombie";
    case Fact::Traced: return "a traced task";
    case Fact::Threads: return "a process with two threads";
    case Fact::DelayedLeader: return "a delayed group leader";
    case Fact::Subreaper: return "a subreaper";
    case Fact::Pidfd: return "an open pidfd";
    case Fact::AutokillPidfd: return "an AUTOKILL pidfd";
    case Fact::IgnoresSigchld: return "a parent ignoring SIGCHLD (SIG_IGN or SA_NOCLDWAIT)";
    case Fact::BlockedWaiter: return "a blocked waiter";
    case Fact::Notify: return "a death notification";
    case Fact::Reparent: return "a reparenting";
    case Fact::Reap: return "a wait reporting a zombie";
    case Fact::Autokill: return "an AUTOKILL kill";
    case Fact::CloneAutoreap: return "a clone asking for CLONE_AUTOREAP";
    case Fact::CloneParent: return "a clone asking for CLONE_PARENT";
    case Fact::CloneThread: return "a clone asking for CLONE_THREAD";
    case Fact::CloneAutokill: return "a clone asking for CLONE_PIDFD_AUTOKILL";
    case Fact::CloneNnp: return "a clone asking for CLONE_NNP";
    case Fact::Exec: return "an execve";
    case Fact::ExitGroup: return "an exit_group";
    case Fact::WaitNowait: return "a WNOWAIT wait";
    case Fact::WaitWclone: return "a __WCLONE wait";
    case Fact::Count_: break;
    }
    return "?";
}

namespace {

constexpr uint32_t bit(Fact f) { return 1u << unsigned(f); }

/// What each property of the catalog is about: the facts without which its
/// premise cannot hold (its `holds` is then vacuous). Covers are their own
/// measure and have no entry; aux.* and init_alive are about every state.
const std::map<std::string_view, std::vector<Fact>>& about() {
    using F = Fact;
    static const std::map<std::string_view, std::vector<Fact>> t{
        {"autoreap.never_zombie", {F::AutoreapTask}},
        {"autoreap.never_reapable_zombie", {F::AutoreapTask}},
        {"autoreap.selfreap_on_exit", {F::AutoreapTask, F::Notify}},
        {"autoreap.no_exit_signal", {F::AutoreapTask, F::Notify}},
        {"autoreap.per_process", {F::Notify}},   // about non-autoreap children: holds meaningfully without autoreap
        {"autoreap.survives_reparent", {F::AutoreapTask, F::Reparent}},
        {"autoreap.pidfd_pollin", {F::AutoreapTask, F::Pidfd}},
        {"autoreap.exit_info_on_pollin", {F::AutoreapTask, F::Pidfd}},
        {"pidfd.exit_info_on_pollhup", {F::Pidfd}},
        {"autoreap.exit_signal_zero", {F::CloneAutoreap}},
        {"autoreap.rejects_parent", {F::CloneAutoreap, F::CloneParent}},
        {"autoreap.rejects_thread", {F::CloneAutoreap, F::CloneThread}},
        {"autoreap.parent_grandchild", {F::AutoreapTask, F::CloneParent}},
        {"autoreap.not_inherited", {F::AutoreapTask}},
        {"lifecycle.reaped_once", {F::Reap}},
        {"lifecycle.zombie_has_reaper", {F::Zombie}},
        {"lifecycle.orphan_reaper", {F::Reparent}},
        {"lifecycle.exit_info_immutable", {F::Pidfd}},
        {"lifecycle.poll_monotonic", {F::Pidfd}},
        {"lifecycle.waiter_woken", {F::BlockedWaiter}},
        {"lifecycle.no_untraced_zombie_thread", {F::Threads}},
        {"lifecycle.init_alive", {}},
        {"autoreap.set_by_clone", {F::CloneAutoreap}},
        {"clone.parent_exit_signal", {F::CloneParent}},
        {"reparent.exit_signal_sigchld", {F::Reparent}},
        {"ptrace.traced_not_selfreaped", {F::Traced, F::Notify}},
        {"signal.ignoring_parent_selfreap", {F::IgnoresSigchld, F::Notify}},
        {"signal.exec_id_fixup", {F::Exec, F::Notify}},
        {"wait.wnowait_keeps_zombie", {F::WaitNowait, F::Reap}},
        {"wait.wclone_selection", {F::Reap}},
        {"thread.exit_group_kills", {F::Threads, F::ExitGroup}},
        {"exec.autoreap_kept", {F::Exec, F::AutoreapTask}},
        {"exec.resets", {F::Exec}},
        {"pidfd.pollhup_iff_released", {F::Pidfd}},
        {"autokill.last_reference", {F::AutokillPidfd}},
        {"autokill.requires_autoreap", {F::CloneAutokill}},
        {"nnp.rejects_thread", {F::CloneNnp, F::CloneThread}},
        {"clone.legacy_low_bits", {}},
        {"autokill.requires_privilege", {F::CloneAutokill}},
        {"aux.parents", {}},
        {"aux.orphans", {}},
        {"aux.resting", {}},
        {"aux.autoreap_flag", {}},
        {"eventually.zombies_reapable", {F::Zombie}},
        {"eventually.waiters_wake", {F::BlockedWaiter}},
        {"eventually.autoreap_released", {F::AutoreapTask}},
    };
    return t;
}

uint32_t state_facts(const State& s) {
    uint32_t f = 0;
    for (std::size_t i = 0; i < s.tasks.size(); ++i) {
        const Task& t = s.tasks[i];
        if (t.exit_state == ExitState::Released) continue;
        if (t.proc != kNone && s.procs[std::size_t(t.proc)].autoreap) f |= bit(Fact::AutoreapTask);
        if (t.exit_state == ExitState::Zombie) {
            f |= bit(Fact::Zombie);
            if (s.delay_group_leader(Id(i))) f |= bit(Fact::DelayedLeader);
        }
        if (t.ptraced) f |= bit(Fact::Traced);
        if (t.leader != Id(i)) f |= bit(Fact::Threads);
        if (t.wait.active) f |= bit(Fact::BlockedWaiter);
    }
    for (const Proc& p : s.procs) {
        if (p.is_child_subreaper) f |= bit(Fact::Subreaper);
        // rfc-v3 keeps AUTOKILL as signal.autokill_pidfd, not as a file flag
        if (p.autokill_file != kNone && s.files[std::size_t(p.autokill_file)].refs > 0) f |= bit(Fact::AutokillPidfd);
    }
    for (const Sighand& h : s.sighands)
        if (h.users > 0 && (h.sigchld == Handler::Ign || h.nocldwait)) f |= bit(Fact::IgnoresSigchld);
    for (const File& file : s.files)
        if (file.refs > 0) {
            f |= bit(Fact::Pidfd);
            if (file.autokill) f |= bit(Fact::AutokillPidfd);
        }
    return f;
}

}  // namespace

const std::vector<Fact>* facts_of(std::string_view id) {
    const auto& t = about();
    auto it = t.find(id);
    return it == t.end() ? nullptr : &it->second;
}

void Coverage::merge(const Coverage& o) {
    for (const ActionCount& a : o.actions) {
        auto it = std::find_if(actions.begin(), actions.end(), [&](const ActionCount& x) { return x.action == a.action; });
        if (it == actions.end()) {
            actions.push_back(a);
            continue;
        }
        it->enabled += a.enabled;
        it->changed += a.changed;
        it->errors += a.errors;
    }
    facts |= o.facts;
}

CoverageCounter::CoverageCounter(const Profile& p) : p_(p) {}

void CoverageCounter::on_state(const State& s) { blocks_.local().facts |= state_facts(s); }

void CoverageCounter::on_edge(const Action& a, const props::CallView& cv, const Transition& t, bool changed) {
    Block& b = blocks_.local();
    const bool autoreap = cv.kind == props::CallView::Kind::Clone && (cv.clone_flags & p_.autoreap_bit) != 0;
    const std::size_t k = std::size_t(a.call.sys) * 2 + (autoreap ? 1 : 0);
    if (k >= std::size_t(kClasses)) return;
    ++b.enabled[k];
    if (changed) ++b.changed[k];
    if (t.result.ret < 0 && !t.result.blocks) ++b.errors[k];
    uint32_t f = 0;
    if (cv.kind == props::CallView::Kind::Clone) {
        if (autoreap) f |= bit(Fact::CloneAutoreap);
        if (cv.clone_flags & kCLONE_PARENT) f |= bit(Fact::CloneParent);
        if (cv.clone_flags & kCLONE_THREAD) f |= bit(Fact::CloneThread);
        if (p_.has_autokill && (cv.clone_flags & p_.autokill_bit)) f |= bit(Fact::CloneAutokill);
        if (p_.has_nnp && (cv.clone_flags & p_.nnp_bit)) f |= bit(Fact::CloneNnp);
    } else if (cv.kind == props::CallView::Kind::Exec) {
        f |= bit(Fact::Exec);
    } else if (cv.kind == props::CallView::Kind::Exit && cv.group) {
        f |= bit(Fact::ExitGroup);
    } else if (cv.kind == props::CallView::Kind::Wait) {
        if (cv.wait_options & scn::kWNOWAIT) f |= bit(Fact::WaitNowait);
        if (cv.wait_options & scn::kWCLONE) f |= bit(Fact::WaitWclone);
    }
    for (const Event& e : t.events) {
        switch (e.kind) {
        case Event::Kind::Notify: f |= bit(Fact::Notify); break;
        case Event::Kind::Reparent: f |= bit(Fact::Reparent); break;
        case Event::Kind::Reap: f |= bit(Fact::Reap); break;
        case Event::Kind::Autokill: f |= bit(Fact::Autokill); break;
        case Event::Kind::TraceHandoff: break;
        }
    }
    b.facts |= f;
}

Coverage CoverageCounter::result() const {
    Block sum;
    blocks_.for_each([&](const Block& b) {
        for (std::size_t k = 0; k < std::size_t(kClasses); ++k) {
            sum.enabled[k] += b.enabled[k];
            sum.changed[k] += b.changed[k];
            sum.errors[k] += b.errors[k];
        }
        sum.facts |= b.facts;
    });
    Coverage c;
    c.facts = sum.facts;
    for (int k = 0; k < kClasses; ++k) {
        const auto i = std::size_t(k);
        if (!sum.enabled[i]) continue;
        const auto sys = scn::Sys(k / 2);
        std::string name = scn::is_kernel_step(sys) ? std::string("kernel ") + scn::to_string(sys) : scn::to_string(sys);
        if (k % 2) name += " AUTOREAP";
        c.actions.push_back({name, sum.enabled[i], sum.changed[i], sum.errors[i]});
    }
    return c;
}

void compute_vacuity(Coverage& c, const std::vector<std::string>& holding) {
    c.vacuous.clear();
    for (const std::string& id : holding) {
        const std::vector<Fact>* fs = facts_of(id);
        if (!fs) continue;
        for (Fact f : *fs)
            if (!(c.facts & bit(f))) {
                c.vacuous.push_back({id, std::string("the run never had ") + describe(f)});
                break;
            }
    }
}

}  // namespace reapcheck::engine
