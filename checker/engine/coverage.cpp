#include "checker/engine/coverage.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace reapcheck::engine {

using namespace refimpl;

namespace {

constexpr uint32_t bit(Fact f) { return 1u << unsigned(f); }

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

CoverageCounter::Block CoverageCounter::sum() const {
    Block sum = base_;
    blocks_.for_each([&](const Block& b) {
        for (std::size_t k = 0; k < std::size_t(kClasses); ++k) {
            sum.enabled[k] += b.enabled[k];
            sum.changed[k] += b.changed[k];
            sum.errors[k] += b.errors[k];
        }
        sum.facts |= b.facts;
    });
    return sum;
}

std::vector<uint64_t> CoverageCounter::raw() const {
    const Block s = sum();
    std::vector<uint64_t> r(s.enabled.begin(), s.enabled.end());
    r.insert(r.end(), s.changed.begin(), s.changed.end());
    r.insert(r.end(), s.errors.begin(), s.errors.end());
    r.push_back(s.facts);
    return r;
}

void CoverageCounter::add_raw(const std::vector<uint64_t>& r) {
    if (r.size() != 3 * std::size_t(kClasses) + 1)
        throw std::runtime_error("coverage counters: " + std::to_string(r.size()) + " numbers, not " +
                                 std::to_string(3 * kClasses + 1));
    for (std::size_t k = 0; k < std::size_t(kClasses); ++k) {
        base_.enabled[k] += r[k];
        base_.changed[k] += r[std::size_t(kClasses) + k];
        base_.errors[k] += r[2 * std::size_t(kClasses) + k];
    }
    base_.facts |= uint32_t(r.back());
}

Coverage CoverageCounter::result() const {
    const Block sum = this->sum();
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
        // what the property is about: the `about` clause of its text
        const props::Property* p = props::find(id);
        if (!p || !p->has_about) continue;
        for (const Fact f : p->about)   // the first, in the order the clause lists them
            if (!(c.facts & bit(f))) {
                c.vacuous.push_back({id, std::string("the run never had ") + describe(f)});
                break;
            }
    }
}

}  // namespace reapcheck::engine
