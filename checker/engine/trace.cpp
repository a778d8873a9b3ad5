#include "checker/engine/trace.hpp"

#include <stdexcept>

#include "checker/engine/canon.hpp"
#include "checker/scenario/parser.hpp"
#include "checker/scenario/printer.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"

namespace reapcheck::engine {

using namespace refimpl;

props::CallView call_view(const Profile& p, const Action& a) {
    props::CallView v;
    v.actor = a.r.actor;
    if (a.kernel) {
        v.kind = props::CallView::Kind::KernelStep;
        return v;
    }
    switch (a.call.sys) {
    case scn::Sys::Clone3: case scn::Sys::Clone: case scn::Sys::Fork: {
        const CloneArgs ca = scn::clone_args(a.call, p);
        v.kind = props::CallView::Kind::Clone;
        v.legacy = ca.legacy;
        v.clone_flags = ca.legacy ? (ca.flags & 0xffffffffULL & ~kCSIGNAL) : ca.flags;
        v.exit_signal = ca.legacy ? int64_t(ca.flags & kCSIGNAL) : ca.exit_signal;
        break;
    }
    case scn::Sys::Wait4: case scn::Sys::Waitid: case scn::Sys::Resume:
        v.kind = props::CallView::Kind::Wait;
        v.wait_options = a.call.options;
        break;
    case scn::Sys::Exit: case scn::Sys::ExitGroup:
        v.kind = props::CallView::Kind::Exit;
        v.group = a.call.sys == scn::Sys::ExitGroup;
        break;
    case scn::Sys::Execve: v.kind = props::CallView::Kind::Exec; break;
    default: break;
    }
    return v;
}

namespace {

[[noreturn]] void engine_bug(const std::string& what) { throw std::runtime_error("engine bug: " + what); }

std::string task_name(int n) {
    if (n < 26) return std::string(1, char('A' + n));
    return "T" + std::to_string(n);
}

bool returns(const scn::Call& c) {
    return c.sys != scn::Sys::Exit && c.sys != scn::Sys::ExitGroup && !scn::is_kernel_step(c.sys);
}

/// The statement of `a` (indices of the executor's state) with names.
scn::Statement statement_of(const scn::RefimplExecutor& ex, const Action& a, int line) {
    scn::Statement st;
    st.loc = scn::Loc{"<trace>", line, 1};
    st.call = a.call;
    if (a.kernel) {
        st.actor = "kernel";
        st.call.target = ex.name_of(a.r.actor);
        return st;
    }
    st.actor = ex.name_of(a.r.actor);
    if (a.r.target != kNone) st.call.target = ex.name_of(a.r.target);
    if (a.r.fd >= 0)
        for (const auto& n : ex.fd_names(st.actor))
            if (ex.fd_of(n) == a.r.fd) st.call.target = n;
    return st;
}

/// The action of a statement, resolved against the executor's names.
Action action_of(const scn::RefimplExecutor& ex, const scn::Statement& st) {
    Action a;
    a.call = st.call;
    a.kernel = st.actor == "kernel";
    if (a.kernel) {
        a.r.actor = a.r.target = ex.task_of(st.call.target);
        return a;
    }
    a.r.actor = ex.task_of(st.actor);
    if (!st.call.target.empty()) {
        const Id t = ex.task_of(st.call.target);
        if (t != kNone) a.r.target = t;
        else a.r.fd = ex.fd_of(st.call.target);
    }
    return a;
}

}  // namespace

std::string trace_task_name(int n) { return task_name(n); }

scn::Statement trace_statement(const scn::RefimplExecutor& ex, const Action& a, int line) {
    return statement_of(ex, a, line);
}

Action trace_action(const scn::RefimplExecutor& ex, const scn::Statement& st) { return action_of(ex, st); }

namespace {

/// The trace of a path whose next action `next(ex, i)` gives in the
/// executor's concrete world (nullopt: the path ends), then its replay.
std::string build_trace(const Profile& p, const std::string& header,
                        const std::function<std::optional<Action>(const scn::RefimplExecutor&, std::size_t)>& next,
                        const std::function<void(const scn::RefimplExecutor&, std::size_t, const scn::Statement&)>& after,
                        const std::function<bool(const ReplayEnd&)>& recheck, int& steps) {
    scn::RefimplExecutor ex(p, true);
    scn::Scenario sc;
    sc.file = "<trace>";
    sc.profile = p.name;
    sc.explicit_steps = true;
    for (std::size_t i = 0, j = 0; i <= header.size(); ++i)
        if (i == header.size() || header[i] == '\n') {
            if (i > j) sc.header.push_back(header.substr(j, i - j));
            j = i + 1;
        }
    int tasks_named = 0, pidfds_named = 0;
    for (std::size_t i = 0;; ++i) {
        const std::optional<Action> a = next(ex, i);
        if (!a) break;
        scn::Statement st = statement_of(ex, *a, int(i + 1));
        scn::Fresh fresh;
        fresh.task = task_name(tasks_named);
        const bool clone = a->call.sys == scn::Sys::Clone3 || a->call.sys == scn::Sys::Clone ||
                           a->call.sys == scn::Sys::Fork;
        fresh.fd = clone ? std::string(1, char(std::tolower(fresh.task[0]))) + fresh.task.substr(1)
                         : "p" + std::to_string(pidfds_named + 1);
        const scn::Result r = ex.run(st, fresh);
        if (r.kind == scn::Result::Kind::Child) ++tasks_named;
        if (r.kind == scn::Result::Kind::Pidfd) ++pidfds_named;
        if (returns(st.call)) st.expected = r;
        sc.statements.push_back(st);
        after(ex, i, st);
    }
    const std::string text = scn::print(sc);
    steps = int(sc.statements.size());

    // Replay the printed text from scratch.
    const scn::Scenario again = scn::parse_text(text, "<trace>");
    scn::RefimplExecutor rex(p, true);
    const scn::RunReport rep = scn::run_scenario(again, rex);
    if (rep.mismatched) engine_bug("the trace does not replay:\n" + text);
    if (again.statements.empty()) {
        if (!recheck(ReplayEnd{rex.state()})) engine_bug("the property does not fail at the trace's end:\n" + text);
        return text;
    }
    // Re-run the last transition on the prefix's end, for step properties.
    scn::Scenario prefix = again;
    prefix.statements.pop_back();
    scn::RefimplExecutor pex(p, true);
    scn::run_scenario(prefix, pex);
    const Action last = action_of(pex, again.statements.back());
    const Transition tr = apply(pex.state(), p, last);
    const props::CallView cv = call_view(p, last);
    const props::StepView view{p, pex.state(), tr.post, cv, tr.result, tr.events};
    if (!(tr.post == rex.state())) engine_bug("the last step does not re-run to the same state:\n" + text);
    if (!recheck(ReplayEnd{rex.state(), &pex.state(), &view}))
        engine_bug("the replayed trace does not show what it claims:\n" + text);
    return text;
}

}  // namespace

std::string make_trace(const Profile& p, const Bounds& b, bool symmetry, const TracePath& path,
                       const std::function<bool(const ReplayEnd&)>& recheck, int& steps) {
    std::vector<Action> acts;
    std::string expect_next, expected_desc, canon_desc, pre_desc;
    auto next = [&](const scn::RefimplExecutor& ex, std::size_t i) -> std::optional<Action> {
        if (i >= path.actions.size()) return std::nullopt;
        const Canon cc = canonicalize(ex.state(), symmetry);
        enabled_actions(cc.state, p, b, acts);
        if (path.actions[i] >= acts.size()) engine_bug("trace step " + std::to_string(i + 1) + " is not enabled");
        Action a = acts[path.actions[i]];
        const Canon expect_canon = canonicalize(apply(cc.state, p, a).post, symmetry);
        expect_next = expect_canon.key;
        expected_desc = describe(expect_canon.state);
        canon_desc = describe(cc.state);
        pre_desc = describe(ex.state());
        std::vector<Id> inv(cc.state.tasks.size(), kNone);
        for (Id t = 0; t < Id(cc.task_map.size()); ++t)
            if (cc.task_map[t] != kNone) inv[cc.task_map[t]] = t;
        a.r.actor = inv[a.r.actor];
        if (a.r.target != kNone) a.r.target = inv[a.r.target];
        return a;
    };
    auto after = [&](const scn::RefimplExecutor& ex, std::size_t i, const scn::Statement& st) {
        if (const Canon got = canonicalize(ex.state(), symmetry); got.key != expect_next)
            engine_bug("trace step " + std::to_string(i + 1) + " (" + scn::print_statement(st) +
                       ") leads to another state than the explored one:\nexplored:\n" + expected_desc +
                       "replayed:\n" + describe(got.state) + "from canonical:\n" + canon_desc +
                       "concrete before:\n" + pre_desc);
    };
    return build_trace(p, path.header, next, after, recheck, steps);
}

std::string make_concrete_trace(const Profile& p, const std::string& header, const std::vector<Action>& actions,
                                const std::function<bool(const ReplayEnd&)>& recheck, int& steps) {
    auto next = [&](const scn::RefimplExecutor&, std::size_t i) -> std::optional<Action> {
        if (i >= actions.size()) return std::nullopt;
        return actions[i];
    };
    auto after = [](const scn::RefimplExecutor&, std::size_t, const scn::Statement&) {};
    return build_trace(p, header, next, after, recheck, steps);
}

}  // namespace reapcheck::engine
