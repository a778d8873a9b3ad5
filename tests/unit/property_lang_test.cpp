// The property language (properties/lang/, docs/property-language.md):
// its error messages, the user properties of tests/properties/user.rcp
// checked with the explicit engine (verdicts pinned, each trace replayed
// independently and the property re-evaluated at its end), and the catalog
// slice written in the language agreeing with the compiled predicates on
// every state and transition of a small exploration.
#include <doctest/doctest.h>

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
         "f.rcp:1:8: duplicate property id 'autoreap.never_zombie' (a built-in property)"},
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

// --- the catalog written in the language ------------------------------------------------

namespace {

const std::string kCatalogDir = std::string(REAPCHECK_SOURCE_DIR) + "/properties/catalog";

/// Compares each compiled predicate with its text form on every state and
/// transition the explorer visits; counts disagreements per property.
struct Compare {
    const refimpl::Profile& p;
    std::vector<std::pair<const props::Property*, props::Property>> pairs;   // compiled, text
    std::map<std::string, uint64_t> bad;
    std::map<std::string, std::string> first;
    uint64_t evaluations = 0;

    void note(const props::Property& c, const std::string& where) {
        if (bad[std::string(c.id)]++ == 0) first[std::string(c.id)] = where;
    }
    void on_level(uint32_t, uint32_t, uint32_t) {}
    void on_state(uint32_t, const refimpl::State& s) {
        for (auto& [c, t] : pairs)
            if (c->has_state()) {
                ++evaluations;
                if (c->holds(p, s) != t.holds(p, s)) note(*c, "state:\n" + engine::describe(s));
            }
    }
    void on_edge(uint32_t, uint32_t, const refimpl::State& pre, const engine::Action& a, const engine::Transition& tr, bool) {
        const props::CallView cv = engine::call_view(p, a);
        const props::StepView view{p, pre, tr.post, cv, tr.result, tr.events};
        for (auto& [c, t] : pairs)
            if (c->has_step()) {
                ++evaluations;
                if (c->holds(view) != t.holds(view))
                    note(*c, "action " + engine::describe_action(a) + " from:\n" + engine::describe(pre));
            }
    }
    bool done() const { return false; }
};

}  // namespace

TEST_CASE("property language: the catalog's text form agrees with the compiled predicates") {
    props::lang::clear_loaded();
    const auto texts = props::lang::read_catalog_text(kCatalogDir);
    std::vector<std::pair<const props::Property*, props::Property>> pairs;
    for (const auto& t : texts) {
        const props::Property* c = nullptr;
        for (const auto& q : props::catalog())
            if (q.id == t->id) c = &q;
        REQUIRE(c);
        CAPTURE(t->id);
        // The same entry, word for word.
        CHECK(t->kind == c->kind);
        CHECK(t->claim == c->claim);
        CHECK(t->source == c->source);
        CHECK(t->refines == c->refines);
        CHECK(t->note == c->note);
        const props::Property tp = t->entry();
        CHECK(tp.has_state() == c->has_state());
        CHECK(tp.has_step() == c->has_step());
        for (const auto& prof : refimpl::all_profiles()) CHECK(tp.applies_to(prof) == c->applies_to(prof));
        pairs.emplace_back(c, tp);
    }
    MESSAGE(texts.size() << " of " << props::catalog().size() << " catalog properties have a text form");

    // Small configurations that between them reach threads, ptrace, pidfds,
    // autokill, subreapers, exec, blocking waits and sigaction; the first
    // under every profile (the clone rules differ), the others under two.
    struct Config { int tasks, threads, pidfds, depth; bool ptrace; };
    const Config configs[] = {{3, 1, 1, 3, true}, {3, 2, 0, 5, true}, {4, 1, 0, 3, false}};
    uint64_t evaluations = 0;
    for (const auto& prof : refimpl::all_profiles()) {
        for (const Config& cf : configs) {
            // threads and subreapers behave alike under every profile: two suffice
            if (&cf != &configs[0] && prof.name != "mainline" && prof.name != "rfc-v3") continue;
            engine::Bounds b;
            b.tasks = cf.tasks;
            b.threads = cf.threads;
            b.pidfds = cf.pidfds;
            b.autokill = cf.pidfds > 0;
            b.ptrace = cf.ptrace;
            b.exit_codes = {0, 3};
            const engine::KernelModel model{prof, b, true};
            xplicit::Options xo;
            xo.limits.max_depth = uint32_t(cf.depth);
            xo.threads = 1;
            xplicit::Explorer<engine::KernelModel> bfs(model, xo);
            Compare cmp{prof, pairs, {}, {}};
            bfs.run(cmp);
            evaluations += cmp.evaluations;
            for (const auto& [id, n] : cmp.bad) {
                CAPTURE(prof.name);
                CAPTURE(cf.tasks);
                CAPTURE(cf.threads);
                FAIL_CHECK(id << ": text and compiled forms differ " << n << " times; first at " << cmp.first[id]);
            }
        }
    }
    MESSAGE(evaluations << " evaluations compared");
}

TEST_CASE("property language: the catalog's text form agrees on replayed scenarios (released tasks kept)") {
    // The explorer's canonical states drop released tasks; a replay keeps
    // them as RELEASED entries, which the domains then range over too.
    namespace fs = std::filesystem;
    const auto texts = props::lang::read_catalog_text(kCatalogDir);
    std::vector<std::pair<const props::Property*, props::Property>> pairs;
    for (const auto& t : texts)
        for (const auto& q : props::catalog())
            if (q.id == t->id && q.has_state()) pairs.emplace_back(&q, t->entry());
    REQUIRE(!pairs.empty());
    int files = 0;
    uint64_t evaluations = 0;
    for (const auto& e : fs::directory_iterator(std::string(REAPCHECK_SOURCE_DIR) + "/scenarios")) {
        if (e.path().extension() != ".scn") continue;
        const scn::Scenario sc = scn::parse_file(e.path().string());
        const refimpl::Profile& prof = *refimpl::find_profile(sc.profile.value_or("mainline"));
        scn::RefimplExecutor ex(prof, sc.explicit_steps);
        ++files;
        scn::run_scenario(sc, ex, [&](const scn::Statement& st, const scn::LineReport&) {
            for (const auto& [c, t] : pairs) {
                ++evaluations;
                if (c->holds(prof, ex.state()) != t.holds(prof, ex.state()))
                    FAIL_CHECK(c->id << " differs after " << e.path().filename().string() << ":" << st.loc.line);
            }
        });
    }
    CHECK(files > 50);
    MESSAGE(files << " scenarios, " << evaluations << " evaluations compared");
}
