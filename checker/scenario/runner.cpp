#include "checker/scenario/runner.hpp"

#include <set>

#include "checker/scenario/printer.hpp"

namespace reapcheck::scn {

Fresh fresh_names(const Statement& st) {
    Fresh f;
    f.task = "t" + std::to_string(st.loc.line);
    f.fd = "fd" + std::to_string(st.loc.line);
    if (st.expected) {
        if (st.expected->kind == Result::Kind::Child) {
            f.task = st.expected->name;
            if (!st.expected->name2.empty()) f.fd = st.expected->name2;
        } else if (st.expected->kind == Result::Kind::Pidfd) {
            f.fd = st.expected->name;
        }
    }
    return f;
}

namespace {
/// Names a statement refers to (actor, task and fd arguments).
std::vector<std::string> referenced(const Statement& st) {
    std::vector<std::string> v;
    if (st.kind == Statement::Kind::Expect) {
        v.push_back(st.expect.subject);
        if (st.expect.field == ExpectField::Parent || st.expect.field == ExpectField::Tracer)
            v.push_back(st.expect.value_name);
        return v;
    }
    v.push_back(st.actor);
    v.push_back(st.call.target);
    return v;
}
}  // namespace

RunReport run_scenario(const Scenario& sc, Executor& ex, const StatementObserver& after) {
    RunReport rep;
    rep.file = sc.file;
    std::set<std::string> missing;   // names whose creating statement did not create them
    for (const Statement& st : sc.statements) {
        LineReport line;
        line.loc = st.loc;
        line.statement = print_statement(st);
        std::string why;
        for (const auto& n : referenced(st))
            if (!n.empty() && missing.count(n)) why = "'" + n + "' was never created";
        if (!why.empty()) {
            // What it would have created does not exist either.
            if (st.expected && st.expected->kind == Result::Kind::Child) {
                missing.insert(st.expected->name);
                if (!st.expected->name2.empty()) missing.insert(st.expected->name2);
            } else if (st.expected && st.expected->kind == Result::Kind::Pidfd) {
                missing.insert(st.expected->name);
            }
            line.kind = LineReport::Kind::Skipped;
            line.note = why;
            rep.skipped++;
            rep.lines.push_back(line);
            if (after) after(st, rep.lines.back());
            continue;
        }
        if (st.kind == Statement::Kind::Expect) {
            ExpectOutcome o = ex.check(st);
            line.observed = o.observed;
            if (o.kind == ExpectOutcome::Kind::Skipped) {
                line.kind = LineReport::Kind::Skipped;
                line.note = o.observed;
                rep.skipped++;
            } else if (o.kind == ExpectOutcome::Kind::Fail) {
                line.kind = LineReport::Kind::Mismatch;
                line.expected = print_expect(st.expect);
                rep.mismatched++;
            } else {
                rep.passed++;
            }
            rep.lines.push_back(line);
            if (after) after(st, rep.lines.back());
            continue;
        }
        const Fresh fresh = fresh_names(st);
        const Result got = ex.run(st, fresh);
        const bool returns = st.call.sys != Sys::Exit && st.call.sys != Sys::ExitGroup &&
                             !is_kernel_step(st.call.sys);
        line.observed = returns ? print_result(got) : "";
        if (st.expected) {
            if (got == *st.expected) {
                rep.passed++;
            } else {
                line.kind = LineReport::Kind::Mismatch;
                line.expected = print_result(*st.expected);
                rep.mismatched++;
                // What the expectation said it would create and was not created.
                if (st.expected->kind == Result::Kind::Child) {
                    if (got.kind != Result::Kind::Child) missing.insert(st.expected->name);
                    if (!st.expected->name2.empty() && got.name2.empty()) missing.insert(st.expected->name2);
                } else if (st.expected->kind == Result::Kind::Pidfd && got.kind != Result::Kind::Pidfd) {
                    missing.insert(st.expected->name);
                }
            }
        } else if (returns) {
            line.kind = LineReport::Kind::Observed;
            rep.observed++;
        } else {
            rep.passed++;
        }
        rep.lines.push_back(line);
        if (after) after(st, rep.lines.back());
    }
    return rep;
}

}  // namespace reapcheck::scn
