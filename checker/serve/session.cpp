#include "checker/serve/session.hpp"

#include <cctype>

#include "checker/report/svg.hpp"
#include "checker/engine/trace.hpp"
#include "checker/scenario/printer.hpp"
#include "checker/scenario/runner.hpp"
#include "properties/catalog.hpp"

namespace reapcheck::serve {

using nlohmann::json;
using refimpl::Id;
using refimpl::kNone;

const refimpl::Profile& profile_or_bad(const std::string& name, const char* field) {
    const refimpl::Profile* p = refimpl::find_profile(name);
    if (!p)
        throw BadRequest(std::string(field) + ": unknown profile '" + name + "' (expected one of " +
                         refimpl::profile_names() + ")");
    return *p;
}

namespace {

bool returns(const scn::Call& c) {
    return c.sys != scn::Sys::Exit && c.sys != scn::Sys::ExitGroup && !scn::is_kernel_step(c.sys);
}

bool is_clone(const scn::Call& c) {
    return c.sys == scn::Sys::Clone3 || c.sys == scn::Sys::Clone || c.sys == scn::Sys::Fork;
}

/// Runs a call statement on `ex`: the statement with its observed result.
scn::Statement run_call(scn::RefimplExecutor& ex, scn::Statement st, const scn::Fresh& fresh, std::string& observed) {
    const scn::Result r = ex.run(st, fresh);
    observed = returns(st.call) ? scn::print_result(r) : "";
    if (returns(st.call)) st.expected = r;
    else st.expected.reset();
    return st;
}

json tasks_json(const engine::WorldStep& cur, const engine::WorldStep* prev) {
    json out = json::array();
    const refimpl::State& s = cur.state;
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        if (!engine::drawn(cur, prev, t)) continue;
        const refimpl::Task& k = s.tasks[t];
        json j;
        j["name"] = cur.name(t);
        j["pid"] = s.pids[k.pid].nr;
        j["state"] = engine::task_state_word(s, t);
        j["parent"] = k.real_parent == kNone ? std::string() : cur.name(k.real_parent);
        j["tracer"] = k.ptraced && k.parent != kNone ? cur.name(k.parent) : std::string();
        j["flags"] = engine::task_flags(s, t);
        j["pidfds"] = engine::task_pidfds(cur, t);
        out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

scn::Fresh fresh_for(const scn::RefimplExecutor& ex, const engine::Action& a) {
    scn::Fresh f;
    for (int n = 0;; ++n)
        if (!ex.task_bindings().count(engine::trace_task_name(n))) {
            f.task = engine::trace_task_name(n);
            break;
        }
    if (is_clone(a.call)) {
        f.fd = f.task;
        for (char& c : f.fd) c = char(std::tolower(static_cast<unsigned char>(c)));
        if (ex.fd_of(f.fd) < 0) return f;
    }
    for (int n = 1;; ++n)
        if (ex.fd_of("p" + std::to_string(n)) < 0) {
            f.fd = "p" + std::to_string(n);
            return f;
        }
}

Session::Session(const engine::Bounds& bounds, const refimpl::Profile& profile, const refimpl::Profile* compare,
                 const scn::Scenario& trace)
    : bounds_(bounds), profile_(profile), compare_(compare), explicit_steps_(trace.explicit_steps),
      header_(trace.header) {
    scn::RefimplExecutor ex(profile_, explicit_steps_);
    execs_.push_back(ex);
    worlds_.push_back(engine::world_step(ex));
    std::vector<engine::Action> acts;
    for (std::size_t i = 0; i < trace.statements.size(); ++i) {
        const scn::Statement& st = trace.statements[i];
        Entry e;
        e.st = st;
        try {
            if (st.kind == scn::Statement::Kind::Expect) {
                const scn::ExpectOutcome o = ex.check(st);
                if (o.kind == scn::ExpectOutcome::Kind::Fail) {
                    e.mismatch = true;
                    e.expected = "holds";
                    e.observed = o.observed;
                }
            } else {
                // Which action of the alphabet this is, for the page's URL.
                engine::enabled_actions(ex.state(), profile_, bounds_, acts);
                const scn::Fresh fresh = scn::fresh_names(st);
                scn::Statement bare = st;
                bare.expected.reset();
                for (std::size_t k = 0; k < acts.size(); ++k) {
                    scn::Statement cand = engine::trace_statement(ex, acts[k], st.loc.line);
                    if (cand == bare) {
                        e.action = int(k);
                        break;
                    }
                }
                e.st = run_call(ex, st, fresh, e.observed);
                if (st.expected && !(*st.expected == *e.st.expected)) {
                    e.mismatch = true;
                    e.expected = scn::print_result(*st.expected);
                }
            }
        } catch (const scn::ParseError& err) {
            warnings_.push_back("step " + std::to_string(i + 1) + " cannot run under " + profile_.name + ": " +
                                err.what() + "; the path ends before it");
            break;
        }
        engine::WorldStep w = engine::world_step(ex);
        w.statement = e.st;
        w.text = scn::print_statement(e.st);
        w.observed = e.observed;
        w.mismatch = e.mismatch;
        steps_.push_back(std::move(e));
        execs_.push_back(ex);
        worlds_.push_back(std::move(w));
    }
}

std::vector<engine::Action> Session::actions(std::size_t at) const {
    std::vector<engine::Action> acts;
    engine::enabled_actions(execs_.at(at).state(), profile_, bounds_, acts);
    return acts;
}

scn::Scenario Session::scenario(std::size_t upto) const {
    scn::Scenario sc;
    sc.file = "<path>";
    sc.profile = profile_.name;
    sc.explicit_steps = explicit_steps_;
    sc.header = header_;
    if (sc.header.empty())
        sc.header.push_back("# explored with reapcheck serve; bounds " + bounds_.describe());
    for (std::size_t i = 0; i < upto && i < steps_.size(); ++i) {
        sc.statements.push_back(steps_[i].st);
        sc.statements.back().loc = scn::Loc{"<path>", int(i + 1), 1};
    }
    return sc;
}

std::string Session::scn(std::size_t upto) const { return scn::print(scenario(upto)); }

scn::Scenario Session::step(std::size_t at, std::size_t index) const {
    if (at > steps_.size())
        throw BadRequest("at: position " + std::to_string(at) + " is past the end of the path (" +
                         std::to_string(steps_.size()) + " steps)");
    const auto acts = actions(at);
    if (index >= acts.size())
        throw BadRequest("action: no enabled action " + std::to_string(index) + " at step " + std::to_string(at) +
                         " (" + std::to_string(acts.size()) + " are enabled)");
    scn::RefimplExecutor ex = execs_[at];
    const engine::Action& a = acts[index];
    std::string observed;
    const scn::Statement st = run_call(ex, engine::trace_statement(ex, a, int(at + 1)), fresh_for(ex, a), observed);
    scn::Scenario sc = scenario(at);
    sc.statements.push_back(st);
    if (at < steps_.size() && steps_[at].st == st)
        for (std::size_t i = at + 1; i < steps_.size(); ++i) sc.statements.push_back(steps_[i].st);
    for (std::size_t i = 0; i < sc.statements.size(); ++i) sc.statements[i].loc = scn::Loc{"<path>", int(i + 1), 1};
    return sc;
}

json Session::actions_json(std::size_t at, std::vector<json>& props) const {
    const scn::RefimplExecutor& ex = execs_[at];
    const refimpl::State& s = ex.state();
    const engine::WorldStep& here = worlds_[at];

    // The same path under the compared profile: its world at `at`, or why
    // there is none (a statement of the path cannot run there).
    std::optional<scn::RefimplExecutor> cmp;
    json cmp_json = nullptr;
    if (compare_) {
        cmp_json = json::object();
        cmp_json["profile"] = compare_->name;
        scn::RefimplExecutor cx(*compare_, explicit_steps_);
        std::string diverged, stopped;
        for (std::size_t i = 0; i < at; ++i) {
            const scn::Statement& st = steps_[i].st;
            try {
                if (st.kind == scn::Statement::Kind::Expect) {
                    cx.check(st);
                    continue;
                }
                std::string observed;
                const scn::Statement got = run_call(cx, st, scn::fresh_names(st), observed);
                if (diverged.empty() && !(got.expected == st.expected))
                    diverged = "step " + std::to_string(i + 1) + " (" + scn::print_statement(st) + ") gives " +
                               (observed.empty() ? "no result" : observed) + " under " + compare_->name;
            } catch (const scn::ParseError& err) {
                stopped = "step " + std::to_string(i + 1) + " cannot run under " + compare_->name + ": " + err.what();
                break;
            }
        }
        cmp_json["diverged"] = diverged;
        if (!stopped.empty()) cmp_json["unavailable"] = stopped;
        else cmp.emplace(std::move(cx));
    }

    // The last transition, for the step properties "now".
    std::optional<engine::Transition> last;
    std::optional<props::CallView> last_call;
    if (at > 0 && steps_[at - 1].st.kind == scn::Statement::Kind::Call) {
        const engine::Action a = engine::trace_action(execs_[at - 1], steps_[at - 1].st);
        last = engine::apply(execs_[at - 1].state(), profile_, a);
        last_call = engine::call_view(profile_, a);
    }
    std::vector<const props::Property*> applicable;
    std::vector<bool> holds_now(props::all().size(), true);
    for (const props::Property& pr : props::all()) {
        json j;
        j["id"] = pr.id;
        j["kind"] = props::to_string(pr.kind);
        j["claim"] = pr.claim;
        j["source"] = pr.source;
        j["violated_by"] = json::array();
        j["hit_by"] = json::array();
        if (!pr.applies_to(profile_)) {
            j["now"] = "n/a";
        } else {
            applicable.push_back(&pr);
            std::string now = "-";
            if (pr.has_state()) {
                const bool v = pr.holds(profile_, s);
                switch (pr.kind) {
                case props::Kind::Always:
                    now = v ? "holds" : "violated";
                    holds_now[std::size_t(&pr - props::all().data())] = v;
                    break;
                case props::Kind::Sometimes: now = v ? "hit" : "not hit"; break;
                default: now = v ? "good here" : "not good here"; break;
                }
            } else if (last) {
                const props::StepView view{profile_, execs_[at - 1].state(), last->post, *last_call, last->result,
                                           last->events};
                const bool v = pr.holds(view);
                if (pr.kind == props::Kind::Step) now = v ? "holds" : "violated";
                else now = v ? "hit" : "not hit";
            }
            j["now"] = now;
        }
        props.push_back(std::move(j));
    }
    auto prop_index = [&](const props::Property* pr) { return std::size_t(pr - props::all().data()); };

    json out = json::array();
    const auto acts = actions(at);
    for (std::size_t i = 0; i < acts.size(); ++i) {
        const engine::Action& a = acts[i];
        json j;
        j["index"] = i;
        j["kernel"] = a.kernel;
        const scn::Statement bare = engine::trace_statement(ex, a, int(at + 1));
        j["statement"] = scn::print_statement(bare);
        const scn::Fresh fresh = fresh_for(ex, a);
        scn::RefimplExecutor after = ex;
        std::string result;
        std::vector<std::string> changes;
        try {
            const scn::Statement st = run_call(after, bare, fresh, result);
            j["next"] = at < steps_.size() && steps_[at].st == st;
            engine::WorldStep w = engine::world_step(after);
            changes = engine::describe_changes(w, &here);
        } catch (const scn::ParseError& err) {
            // An action of the alphabet the executor refuses: an engine bug,
            // said on the page rather than crashing the server.
            j["error"] = std::string("engine bug: the action does not run: ") + err.what();
        }
        j["result"] = result;
        j["changes"] = changes;

        // Properties: the state after it (always, covers over states) and
        // the transition itself (step properties, covers over transitions).
        const engine::Transition tr = engine::apply(s, profile_, a);
        const props::CallView cv = engine::call_view(profile_, a);
        const props::StepView view{profile_, s, tr.post, cv, tr.result, tr.events};
        const refimpl::State& post = explicit_steps_ ? tr.post : after.state();
        json violates = json::array(), covers = json::array();
        for (const props::Property* pr : applicable) {
            bool bad = false, hit = false;
            // An always property is "violated by" the actions that break it
            // here; one already violated is not listed again under each action.
            if (pr->kind == props::Kind::Always) bad = holds_now[prop_index(pr)] && !pr->holds(profile_, post);
            else if (pr->kind == props::Kind::Step) bad = !pr->holds(view);
            else if (pr->kind == props::Kind::Sometimes)
                hit = pr->has_state() ? pr->holds(profile_, post) : pr->holds(view);
            if (bad) {
                violates.push_back(pr->id);
                props[prop_index(pr)]["violated_by"].push_back(i);
            }
            if (hit) {
                covers.push_back(pr->id);
                props[prop_index(pr)]["hit_by"].push_back(i);
            }
        }
        j["violates"] = violates;
        j["covers"] = covers;

        if (cmp) {
            json c;
            scn::RefimplExecutor cafter = *cmp;
            try {
                std::string cresult;
                run_call(cafter, bare, fresh, cresult);
                const auto cchanges = engine::describe_changes(engine::world_step(cafter), &here);
                c["result"] = cresult;
                c["changes"] = cchanges;
                c["differs"] = cresult != result;
                c["world_differs"] = cchanges != changes;
            } catch (const scn::ParseError& err) {
                c["unavailable"] = std::string(err.what());
                c["differs"] = true;
                c["world_differs"] = true;
            }
            j["compare"] = std::move(c);
        }
        out.push_back(std::move(j));
    }
    json res;
    res["list"] = std::move(out);
    res["compare"] = std::move(cmp_json);
    return res;
}

json Session::view(std::size_t at) const {
    if (at > steps_.size())
        throw BadRequest("at: position " + std::to_string(at) + " is past the end of the path (" +
                         std::to_string(steps_.size()) + " steps)");
    json v;
    v["profile"] = profile_.name;
    v["compare"] = compare_ ? json(compare_->name) : json(nullptr);
    v["bounds"] = bounds_.describe();
    v["explicit_steps"] = explicit_steps_;
    v["at"] = at;
    v["length"] = steps_.size();
    v["trace"] = scn(steps_.size());
    v["scn"] = scn(at);
    v["warnings"] = warnings_;
    json steps = json::array();
    bool all_actions = true;
    json path = json::array();
    for (const Entry& e : steps_) {
        json j;
        j["text"] = scn::print_statement(e.st);
        j["kernel"] = e.st.kind == scn::Statement::Kind::Call && e.st.actor == "kernel";
        j["mismatch"] = e.mismatch;
        if (e.mismatch) {
            j["expected"] = e.expected;
            j["observed"] = e.observed;
        }
        steps.push_back(std::move(j));
        all_actions &= e.action >= 0;
        path.push_back(e.action);
    }
    v["steps"] = std::move(steps);
    v["path"] = all_actions && explicit_steps_ ? path : json(nullptr);
    const engine::WorldStep& cur = worlds_[at];
    const engine::WorldStep* prev = at ? &worlds_[at - 1] : nullptr;
    v["svg"] = engine::process_tree_svg(cur, prev, "w");
    v["changes"] = engine::describe_changes(cur, prev);
    v["tasks"] = tasks_json(cur, prev);
    std::vector<json> props;
    json acts = actions_json(at, props);
    v["actions"] = std::move(acts["list"]);
    v["comparison"] = std::move(acts["compare"]);
    v["properties"] = props;
    return v;
}

}  // namespace reapcheck::serve
