#include "checker/conform/lockstep.hpp"

#include "checker/scenario/printer.hpp"
#include "checker/scenario/runner.hpp"

namespace reapcheck::conform {

using scn::Result;
using scn::Statement;
using scn::Sys;

std::string Mismatch::str() const {
    return loc.file + ":" + std::to_string(loc.line) + ": " + statement + ": kernel " + kernel +
           ", refimpl " + refimpl;
}

namespace {

std::string outcome_text(const scn::ExpectOutcome& o) {
    switch (o.kind) {
    case scn::ExpectOutcome::Kind::Pass: return "holds (observed " + o.observed + ")";
    case scn::ExpectOutcome::Kind::Fail: return "fails (observed " + o.observed + ")";
    case scn::ExpectOutcome::Kind::Skipped: return "skipped (" + o.observed + ")";
    }
    return "?";
}

/// refimpl's result shows the call changed nothing.
bool without_effect(const scn::Call& c, const Result& r) {
    using K = Result::Kind;
    switch (r.kind) {
    case K::Errno: case K::None: case K::PollMask: case K::NoExit: case K::ExitInfo: case K::Task:
        return true;
    case K::Number: return c.sys == Sys::Wait4 || c.sys == Sys::Waitid || c.sys == Sys::Getppid;
    default: return false;
    }
}

}  // namespace

std::string call_text(const Statement& st) {
    Statement bare = st;
    bare.expected.reset();
    return scn::print_statement(bare);
}

scn::Fresh fresh_for(const Statement& st) { return scn::fresh_names(st); }

Lockstep::Lockstep(const std::string& profile, bool explicit_steps, refimpl::Fault fault, Timeouts t) {
    const refimpl::Profile* p = refimpl::find_profile(profile);
    if (!p) throw ConformError("unknown profile '" + profile + "' (" + refimpl::profile_names() + ")");
    refimpl::Profile prof = *p;
    prof.fault = fault;
    ref_ = std::make_unique<scn::RefimplExecutor>(prof, explicit_steps);
    kern_ = std::make_unique<KernelExecutor>(profile, t);
}

bool Lockstep::in_window(const Statement& next) const {
    // The resume of a woken waiter closes its own window: compare it.
    const refimpl::Id resumer =
        next.kind == Statement::Kind::Call && next.call.sys == Sys::Resume ? ref_->task_of(next.actor) : refimpl::kNone;
    const auto& tasks = ref_->state().tasks;
    for (size_t i = 0; i < tasks.size(); ++i) {
        if (tasks[i].step != refimpl::Step::None) return true;
        if (tasks[i].wait.active && tasks[i].wait.woken && refimpl::Id(i) != resumer) return true;
    }
    return false;
}

/// The harness's ptrace_detach of a live tracee is PTRACE_INTERRUPT, a wait
/// for the trap stop, then PTRACE_DETACH (puppet.cpp). The model has no ptrace
/// stops; the stop stays invisible unless a thread of the tracer's group is
/// blocked in a wait: do_wait scans every thread's ptraced list and reports a
/// tracee's stop whatever the options (wait_task_stopped), so that waiter
/// takes the stop and returns the tracee's pid where refimpl's waiter sleeps
/// on. Such a detach is not run anywhere: a declared gap of the harness.
void Lockstep::harness_detach_limit(const Statement& st) const {
    const auto& tasks = ref_->state().tasks;
    const refimpl::Id me = ref_->task_of(st.actor);
    const refimpl::Id t = ref_->task_of(st.call.target);
    if (me == refimpl::kNone || t == refimpl::kNone) return;
    const refimpl::Task& tt = tasks[size_t(t)];
    if (!tt.ptraced || tt.parent != me || tt.exit_state != refimpl::ExitState::Running) return;
    for (size_t i = 0; i < tasks.size(); ++i)
        if (refimpl::Id(i) != me && tasks[i].proc == tasks[size_t(me)].proc && tasks[i].wait.active)
            throw scn::ModelGap(st.loc, call_text(st),
                                "the harness's ptrace_detach stops the live tracee first, and a thread of the "
                                "tracer's group blocked in a wait would report that stop (kernel/exit.c "
                                "wait_task_stopped)");
}

Lockstep::Step Lockstep::step(const Statement& st, const scn::Fresh& fresh, bool compare) {
    Step s;
    if (st.kind == Statement::Kind::Expect) {
        scn::ExpectOutcome r = ref_->check(st);
        scn::ExpectOutcome k = kern_->check(st);
        s.kernel = outcome_text(k);
        s.refimpl = outcome_text(r);
        if (!compare || k.kind == scn::ExpectOutcome::Kind::Skipped || r.kind == scn::ExpectOutcome::Kind::Skipped)
            s.outcome = Outcome::Skipped;
        else   // the observed values too: both can fail an expectation differently
            s.outcome = k.kind == r.kind && k.observed == r.observed ? Outcome::Same : Outcome::Differ;
        return s;
    }
    if (st.call.sys == Sys::Resume) {
        const refimpl::Id me = ref_->task_of(st.actor);
        const auto& tasks = ref_->state().tasks;
        const auto was = std::find(racing_.begin(), racing_.end(), me);
        if (was != racing_.end()) {
            racing_.erase(was);
            compare = false;
        }
        if (me != refimpl::kNone && tasks[size_t(me)].wait.woken)
            for (size_t i = 0; i < tasks.size(); ++i)
                if (refimpl::Id(i) != me && tasks[i].wait.active && tasks[i].wait.woken &&
                    std::find(racing_.begin(), racing_.end(), refimpl::Id(i)) == racing_.end())
                    racing_.push_back(refimpl::Id(i));
    }
    if (st.call.sys == Sys::PtraceDetach) harness_detach_limit(st);
    // refimpl first: a statement it cannot run is the scenario's problem.
    Result r = ref_->run(st, fresh);
    s.refimpl = scn::print_result(r);
    if (KernelExecutor::skips(st)) {
        s.kernel = "(kernel step: taken by the kernel itself)";
        s.outcome = Outcome::Skipped;
        return s;
    }
    if (!compare && without_effect(st.call, r) && st.call.sys != Sys::Resume) {
        // In a window the kernel has already taken the steps refimpl still owes:
        // a call that changed nothing in refimpl (wait4 -> 0, poll, ...) could
        // change something on the kernel (reap a zombie refimpl does not have
        // yet), so it is not run there, which keeps the two worlds together.
        // A resume is always run: the kernel's waiter has finished its call
        // already, and resuming only collects its answer (with two waiters
        // woken at once, each one's resume lies in the other's window).
        s.kernel = "(not run: inside a steps-explicit window)";
        s.outcome = Outcome::Skipped;
        return s;
    }
    try {
        s.kernel_result = kern_->run(st, fresh);
        s.kernel_ran = true;
        s.kernel = scn::print_result(s.kernel_result);
    } catch (const scn::ParseError& e) {
        // refimpl could run it, the kernel world cannot: the worlds have diverged.
        s.kernel = std::string("cannot run: ") + e.what();
        s.outcome = compare ? Outcome::Differ : Outcome::Skipped;
        return s;
    }
    if (!compare) s.outcome = Outcome::Skipped;
    else s.outcome = s.kernel_result == r ? Outcome::Same : Outcome::Differ;
    return s;
}

LockstepReport run_lockstep(const scn::Scenario& sc, const std::string& profile, refimpl::Fault fault,
                            Timeouts t, const volatile bool* stop) {
    LockstepReport rep;
    std::unique_ptr<Lockstep> ls;
    try {
        ls = std::make_unique<Lockstep>(profile, sc.explicit_steps, fault, t);
    } catch (const ConformError& e) {
        rep.error = sc.file + ": cannot start: " + e.what();
        rep.tally.skipped += sc.statements.size();
        return rep;
    }
    for (size_t i = 0; i < sc.statements.size(); ++i) {
        const Statement& st = sc.statements[i];
        if (stop && *stop) {
            rep.interrupted = true;
            rep.tally.skipped += sc.statements.size() - i;
            break;
        }
        Lockstep::Step s;
        try {
            s = ls->step(st, fresh_for(st), !ls->in_window(st));
        } catch (const scn::ParseError& e) {
            rep.stopped = e.what();
            rep.tally.skipped += sc.statements.size() - i;
            break;
        } catch (const ConformError& e) {
            // A harness failure, not the kernel's answer: say where, stop.
            rep.error = st.loc.file + ":" + std::to_string(st.loc.line) + ": " + call_text(st) + ": " + e.what();
            rep.tally.skipped += sc.statements.size() - i;
            break;
        }
        switch (s.outcome) {
        case Lockstep::Outcome::Same: ++rep.tally.compared; break;
        case Lockstep::Outcome::Skipped: ++rep.tally.skipped; break;
        case Lockstep::Outcome::Differ:
            ++rep.tally.compared;
            ++rep.tally.mismatched;
            rep.mismatches.push_back(Mismatch{st.loc, i, call_text(st), s.kernel, s.refimpl});
            break;
        }
    }
    return rep;
}

}  // namespace reapcheck::conform
