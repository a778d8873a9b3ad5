// The property language (properties/lang/, docs/property-language.md):
// its error messages, the user properties of tests/properties/user.rcp
// checked with the explicit engine (verdicts pinned, each trace replayed
// independently and the property re-evaluated at its end), the built-in
// catalog (which is text: the embedded copy equals properties/catalog/*.rcp,
// every property says what it is about), and finding K1's refinement.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "checker/engine/check.hpp"
#include "checker/engine/kernel_model.hpp"
#include "checker/engine/trace.hpp"
#include "checker/explicit/explorer.hpp"
#include "checker/scenario/parser.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"
#include "properties/lang/lang.hpp"

using namespace reapcheck;

namespace {

const std::string kDir = std::string(REAPCHECK_SOURCE_DIR) + "/tests/properties/";

/// The message of parsing `text` as f.rcp ("" when it parses).
std::string error_of(const std::string& text) {
    try {
        props::lang::parse_text(text, "f.rcp");
    } catch (const props::lang::ParseError& e) {
        return e.what();
    }
    return "";
}

std::string prop(const std::string& kind, const std::string& holds, const std::string& extra = "") {
    return kind + " t.x {\n  claim \"c\"\n  source \"s\"\n" + extra + "  holds " + holds + "\n}\n";
}

}  // namespace

TEST_CASE("property language: errors are one line with file:line:column") {
    struct Case { std::string text, message; };
    const Case cases[] = {
        // bad token
        {prop("always", "init.alive $"), "f.rcp:4:20: unexpected character '$'"},
        {"always t.x {\n  claim \"c\n}\n", "f.rcp:2:9: unterminated string"},
        // unknown fact, unknown name
        {prop("always", "forall t in tasks: t.zombified"),
         "f.rcp:4:30: unknown fact 'zombified' of a task (facts: exit_state,"},
        {prop("always", "forall t in tasks: u.alive"), "f.rcp:4:28: unknown name 'u'"},
        {prop("always", "forall t in tasks: t.alive.alive"), "f.rcp:4:35: unknown fact: a bool has no facts"},
        {prop("always", "forall t in gizmos: true"), "f.rcp:4:21: expected a domain (tasks, processes,"},
        // wrong arity
        {prop("always", "same_process(init)"), "f.rcp:4:9: wrong arity: 'same_process' takes 2 arguments, found 1"},
        {prop("step", "post(init.alive, init.alive)"), "f.rcp:4:9: wrong arity: 'post' takes 1 argument, found 2"},
        {prop("always", "forall t in threads: true"), "f.rcp:4:28: expected '(', found ':'"},
        // kind mismatch: a transition read in a state property
        {prop("always", "call.kind == clone"),
         "f.rcp:4:9: kind mismatch: 'call' reads a transition; an always property reads one state"},
        {prop("eventually", "forall e in reaps: e.nowait"),
         "f.rcp:4:21: kind mismatch: 'reaps' reads a transition; an eventually property reads one state"},
        {prop("always", "post(init.alive)"), "f.rcp:4:9: kind mismatch: 'post(...)' reads a transition"},
        // types
        {prop("always", "init.exit_state == SIGCHLD"),
         "f.rcp:4:25: type mismatch: '==' compares an exit state with an int"},
        {prop("always", "init.exit_signal"), "f.rcp:4:9: type mismatch: the predicate needs a bool, found an int"},
        // duplicate ids: with the catalog, within the text
        {"always autoreap.never_zombie {\n claim \"c\" source \"s\" holds true }\n",
         "f.rcp:1:8: duplicate property id 'autoreap.never_zombie' (a built-in property, properties/catalog/1-autoreap.rcp:5:8)"},
        {prop("always", "true") + prop("always", "true"),
         "f.rcp:6:8: duplicate property id 't.x' (already defined at f.rcp:1:8)"},
        // clauses
        {"always t.x {\n claim \"c\"\n holds true\n}\n", "f.rcp:4:1: property 't.x' has no 'source'"},
        {prop("always", "true", "  refines no.such\n"), "f.rcp:4:11: refines: unknown property id 'no.such'"},
        {prop("always", "true", "  applies \"linux-7\"\n"), "f.rcp:4:11: applies: unknown profile 'linux-7'"},
        {"sometime t.x {}\n", "f.rcp:1:1: unknown property kind 'sometime'"},
        {prop("always", "forall in in tasks: true"), "f.rcp:4:16: 'in' is a keyword, not a variable name"},
        // no stack overflow on a hostile file
        {prop("always", std::string(5000, '(') + "true" + std::string(5000, ')')),
         "f.rcp:4:"},
        {prop("always", [] { std::string x; for (int i = 0; i < 5000; ++i) x += "not "; return x + "true"; }()),
         "f.rcp:4:"},
    };
    CHECK(error_of(prop("always", std::string(300, '(') + "true" + std::string(300, ')')))
              .find("expression nested too deeply (more than 1000 levels)") != std::string::npos);
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const std::string got = error_of(c.text);
        CHECK(got.rfind(c.message, 0) == 0);
        if (got.rfind(c.message, 0) != 0) MESSAGE("got: " << got);
        CHECK(got.find('\n') == std::string::npos);
    }
    // A file that is not there: path:0:0.
    CHECK_THROWS_WITH_AS(props::lang::load_file(kDir + "missing.rcp"),
                         (kDir + "missing.rcp:0:0: cannot open the property file").c_str(), props::lang::ParseError);
    // Every shipped property file parses.
    for (const char* f : {"user.rcp"}) {
        CAPTURE(f);
        CHECK_NOTHROW(props::lang::load_file(kDir + f));
        props::lang::clear_loaded();
    }
}

namespace {

/// Replays a trace on its own (parse, refimpl) and evaluates `pr` at its end:
/// true when the end shows the violation (or, for a cover, the hit).
bool trace_shows(const props::Property& pr, const refimpl::Profile& p, const std::string& trace) {
    const scn::Scenario sc = scn::parse_text(trace, "<trace>");
    scn::RefimplExecutor all(p, true);
    if (scn::run_scenario(sc, all).mismatched) return false;
    const bool cover = pr.kind == props::Kind::Sometimes;
    if (pr.has_state()) return pr.holds(p, all.state()) == cover;
    REQUIRE(!sc.statements.empty());
    scn::Scenario prefix = sc;
    prefix.statements.pop_back();
    scn::RefimplExecutor pre(p, true);
    scn::run_scenario(prefix, pre);
    const engine::Action a = engine::trace_action(pre, sc.statements.back());
    const engine::Transition tr = engine::apply(pre.state(), p, a);
    const props::CallView cv = engine::call_view(p, a);
    const props::StepView view{p, pre.state(), tr.post, cv, tr.result, tr.events};
    return pr.holds(view) == cover;
}

engine::CheckOptions config(int tasks, int depth) {
    engine::CheckOptions o;
    o.bounds.tasks = tasks;
    o.bounds.depth = depth;
    return o;
}

}  // namespace

TEST_CASE("property language: the user properties of tests/properties/user.rcp") {
    props::lang::clear_loaded();
    const auto ids = props::lang::load_file(kDir + "user.rcp");
    REQUIRE(ids.size() >= 10);
    const refimpl::Profile& mainline = *refimpl::find_profile("mainline");

    // Each property is settled in one small configuration (the same from the
    // command line: reapcheck check --properties tests/properties/user.rcp ...).
    engine::CheckOptions a = config(3, 5);   // --tasks 3 --depth 5 --ptrace
    a.bounds.ptrace = true;
    engine::CheckOptions b = config(4, 5);   // --tasks 4 --depth 5 --pidfds 0, subreaper only
    b.bounds.pidfds = 0;
    b.bounds.exec = b.bounds.kill = b.bounds.sigaction = b.bounds.blocking = b.bounds.autokill = b.bounds.parent = false;
    engine::CheckOptions c = config(2, 0);   // --tasks 2, exhausted (liveness)
    using K = engine::Verdict::Kind;
    struct Want { const char* id; const engine::CheckOptions* in; K verdict; };
    const Want wants[] = {
        {"user.zombie_tracer_linked", &a, K::Holds},
        {"user.zombie_tracer_alive", &a, K::Violated},
        {"user.autoreap_no_sigchld", &a, K::Holds},
        {"user.autoreap_parent_no_pending_sigchld", &a, K::Violated},
        {"user.reaped_by_real_parent", &a, K::Violated},
        {"user.reap_only_zombies", &a, K::Holds},
        {"user.init_never_traced", &a, K::Holds},
        {"user.orphans_go_to_init", &b, K::Violated},
        {"user.autoreap_child_exit_signal_zero", &a, K::Holds},
        {"user.pidfd_exit_code_published_once", &a, K::Holds},
        {"user.blocked_waiter_has_someone", &a, K::Holds},
        {"user.cover_sigchld_pending", &a, K::Covered},
        {"user.cover_autoreap_reparented", &a, K::Covered},
        {"user.pidfds_all_hup", &c, K::Holds},
    };
    CHECK(std::size(wants) == ids.size());
    std::map<const engine::CheckOptions*, engine::CheckResult> runs;
    for (const engine::CheckOptions* o : {&a, &b, &c}) {
        engine::CheckOptions opts = *o;
        for (const Want& w : wants)
            if (w.in == o) opts.properties.push_back(w.id);
        runs[o] = engine::check(mainline, opts);
    }
    for (const Want& w : wants) {
        CAPTURE(w.id);
        const engine::Verdict* v = nullptr;
        for (const auto& x : runs[w.in].verdicts)
            if (x.property == w.id) v = &x;
        REQUIRE(v);
        CHECK(v->kind == w.verdict);
        if (w.verdict == K::Violated || w.verdict == K::Covered) {
            CHECK(v->trace.find("# claim: ") != std::string::npos);
            CHECK(trace_shows(*props::find(w.id), mainline, v->trace));
        }
    }
    // The property texts apply by feature: n/a without CLONE_AUTOREAP.
    engine::CheckOptions d = config(2, 2);
    d.properties = {"user.autoreap_no_sigchld", "user.init_never_traced"};
    const engine::CheckResult old = engine::check(*refimpl::find_profile("linux-6.18"), d);
    for (const auto& v : old.verdicts)
        CHECK(v.kind == (v.property == "user.autoreap_no_sigchld" ? K::NotApplicable : K::Holds));
    props::lang::clear_loaded();
    CHECK(props::find("user.zombie_tracer_alive") == nullptr);
}

// --- the catalog is text ------------------------------------------------------------------

namespace {
const std::string kCatalogDir = std::string(REAPCHECK_SOURCE_DIR) + "/properties/catalog";
}  // namespace

TEST_CASE("property language: the embedded catalog is properties/catalog/*.rcp, entry for entry") {
    props::lang::clear_loaded();
    const auto texts = props::lang::read_catalog_text(kCatalogDir);
    const auto& cat = props::catalog();
    REQUIRE(texts.size() == cat.size());
    for (std::size_t i = 0; i < cat.size(); ++i) {
        const props::lang::TextProperty& t = *texts[i];
        const props::Property& c = cat[i];
        CAPTURE(t.id);
        CHECK(t.id == c.id);
        CHECK(t.kind == c.kind);
        CHECK(t.claim == c.claim);
        CHECK(t.source == c.source);
        CHECK(t.refines == c.refines);
        CHECK(t.note == c.note);
        CHECK(std::equal(t.about.begin(), t.about.end(), c.about.begin(), c.about.end()));
        CHECK(t.has_about == c.has_about);
        // the same place in the same file (the embedded copy names it relative to the source tree)
        CHECK(kCatalogDir.substr(0, kCatalogDir.size() - std::string("properties/catalog").size()) + c.origin() ==
              t.origin);
        for (const auto& prof : refimpl::all_profiles()) CHECK(t.entry().applies_to(prof) == c.applies_to(prof));
        if (!c.refines.empty()) CHECK(props::find(c.refines) != nullptr);
    }
    CHECK(cat.size() >= 56);
}

TEST_CASE("property language: every catalog property but the covers says what it is about") {
    // The `about` clause replaces coverage.cpp's table: vacuity is read from the text.
    for (const props::Property& p : props::catalog()) {
        CAPTURE(p.id);
        CHECK(p.has_about == (p.kind != props::Kind::Sometimes));
        // `about every_state`: the invariants of every state (init alive, aux.*)
        if (p.id == "lifecycle.init_alive" || p.id.rfind("aux.", 0) == 0) CHECK(p.about.empty());
    }
    const props::Property* t = props::find("ptrace.traced_not_selfreaped");
    REQUIRE(t);
    REQUIRE(t->about.size() == 2);
    CHECK(t->about[0] == props::About::Traced);
    CHECK(t->about[1] == props::About::Notify);
    // about clauses: errors
    CHECK(error_of(prop("always", "true", "  about traced, gizmo\n"))
              .rfind("f.rcp:4:17: expected a fact the property is about (autoreap_task, zombie,", 0) == 0);
    CHECK(error_of(prop("sometimes", "true", "  about traced\n"))
              .rfind("f.rcp:4:3: a cover ('sometimes') has no 'about' clause", 0) == 0);
    CHECK(error_of(prop("always", "true", "  about traced\n  about zombie\n"))
              .rfind("f.rcp:5:3: a property has one 'about' clause", 0) == 0);
    CHECK(error_of(prop("always", "true", "  about every_state\n")).empty());
}

TEST_CASE("property language: finding K1, the refined waiter property") {
    // scenarios/wait_tracer_thread_exit_no_wakeup.scn (the 6.18 kernel agrees):
    // the waiter sleeps on after its last eligible task was detached by a
    // tracer thread's exit. lifecycle.waiter_woken as worded fails at the
    // end; the refinement (a waiter with a task to report has been woken) holds
    // at every step.
    const scn::Scenario sc =
        scn::parse_file(std::string(REAPCHECK_SOURCE_DIR) + "/scenarios/wait_tracer_thread_exit_no_wakeup.scn");
    const refimpl::Profile& prof = *refimpl::find_profile(sc.profile.value_or("mainline"));
    const props::Property* worded = props::find("lifecycle.waiter_woken");
    const props::Property* refined = props::find("lifecycle.reportable_waiter_woken");
    REQUIRE(worded);
    REQUIRE(refined);
    CHECK(refined->refines == "lifecycle.waiter_woken");
    scn::RefimplExecutor ex(prof, sc.explicit_steps);
    int steps = 0;
    const auto rep = scn::run_scenario(sc, ex, [&](const scn::Statement&, const scn::LineReport&) {
        ++steps;
        CHECK(refined->holds(prof, ex.state()));
    });
    CHECK_FALSE(rep.mismatched);
    CHECK(steps >= 8);
    CHECK_FALSE(worded->holds(prof, ex.state()));
    CHECK(refined->holds(prof, ex.state()));
}
