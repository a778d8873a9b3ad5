// Compiled predicates (properties/lang/compile.hpp) against the interpreter
// (properties/lang/eval.cpp), the reference: every property of the catalog
// and of the user files tests/properties/*.rcp, compiled for a profile, must
// give the interpreter's value on every state and every enabled transition
// of seeded random walks over refimpl, for every built-in profile and
// several feature sets. A mutated compiled op must make the comparison fail.
#include <doctest/doctest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "checker/engine/alphabet.hpp"
#include "checker/engine/trace.hpp"
#include "properties/catalog.hpp"
#include "properties/lang/ast.hpp"
#include "properties/lang/compile.hpp"
#include "properties/lang/eval.hpp"
#include "properties/lang/lang.hpp"

using namespace reapcheck;

namespace {

const std::string kDir = std::string(REAPCHECK_SOURCE_DIR) + "/tests/properties/";

/// Calls on_state(s) for each state of `walks` seeded random walks of at
/// most `steps` steps from the initial world, and on_step(view) for every
/// transition enabled in each of them (the walk goes on by one of them).
template <class S, class T>
void walk(const refimpl::Profile& p, const engine::Bounds& b, uint64_t seed, int walks, int steps, S on_state,
          T on_step) {
    std::mt19937_64 rng(seed);
    std::vector<engine::Action> acts;
    for (int w = 0; w < walks; ++w) {
        refimpl::State s = refimpl::initial_state();
        for (int k = 0; k <= steps; ++k) {
            on_state(s);
            if (k == steps) break;
            engine::enabled_actions(s, p, b, acts);
            if (acts.empty()) break;
            std::vector<engine::Transition> ts;
            ts.reserve(acts.size());
            for (const engine::Action& a : acts) {
                ts.push_back(engine::apply(s, p, a));
                const props::CallView cv = engine::call_view(p, a);
                const engine::Transition& t = ts.back();
                on_step(props::StepView{p, s, t.post, cv, t.result, t.events});
            }
            s = ts[std::size_t(rng() % ts.size())].post;
        }
    }
}

/// The feature sets the comparison walks in.
std::vector<std::pair<std::string, engine::Bounds>> feature_sets() {
    std::vector<std::pair<std::string, engine::Bounds>> out;
    engine::Bounds bench;   // the benchmark's: --tasks 3 --threads 2 --pidfds 1 --ptrace
    bench.tasks = 3;
    bench.threads = 2;
    bench.ptrace = true;
    out.emplace_back("tasks 3 threads 2 ptrace", bench);
    engine::Bounds four;    // four tasks, capset, no blocking, two exit codes
    four.tasks = 4;
    four.capset = true;
    four.blocking = false;
    four.exit_codes = {0, 3};
    out.emplace_back("tasks 4 capset", four);
    engine::Bounds nopidfd;  // no pidfds: autoreap through the pidfd-less path
    nopidfd.tasks = 3;
    nopidfd.pidfds = 0;
    nopidfd.autoreap_pidfd = true;
    nopidfd.ptrace = true;
    out.emplace_back("tasks 3 pidfds 0 ptrace", nopidfd);
    return out;
}

struct Compared {
    long states = 0, steps = 0;          ///< evaluations compared
    long true_values = 0, false_values = 0;
    long decided = 0;                    ///< step values decided without evaluation (Compiled::decided)
    std::vector<std::string> mismatches; ///< the first few, in words
};

/// Compares every property of `ps` compiled (as `compiled` holds, one per
/// property, nullptr: skip) with the interpreter along the walks.
void compare(const refimpl::Profile& p, const engine::Bounds& b, const std::string& what, uint64_t seed, int walks,
             int steps, const std::vector<const props::Property*>& ps,
             const std::vector<std::unique_ptr<props::lang::Compiled>>& compiled, Compared& out) {
    auto note = [&](const props::Property& pr, bool want, bool got) {
        (want ? out.true_values : out.false_values) += 1;
        if (want != got && out.mismatches.size() < 5)
            out.mismatches.push_back(fmt::format("{} under {} ({}): interpreter {}, compiled {}", pr.id, p.name, what,
                                                 want, got));
    };
    walk(
        p, b, seed, walks, steps,
        [&](const refimpl::State& s) {
            for (std::size_t i = 0; i < ps.size(); ++i) {
                if (!compiled[i] || !ps[i]->has_state()) continue;
                ++out.states;
                note(*ps[i], ps[i]->holds(p, s), compiled[i]->state(s));
            }
        },
        [&](const props::StepView& v) {
            for (std::size_t i = 0; i < ps.size(); ++i) {
                if (!compiled[i] || !ps[i]->has_step()) continue;
                ++out.steps;
                const bool want = ps[i]->holds(v);
                note(*ps[i], want, compiled[i]->step(v));
                // what the engine assumes without calling step()
                const int known = compiled[i]->decided(v.pre == v.post, props::lang::Compiled::event_kinds(v.events));
                if (known >= 0) {
                    ++out.decided;
                    note(*ps[i], want, known != 0);
                }
            }
        });
}

std::vector<const props::Property*> every_property() {
    std::vector<const props::Property*> ps;
    for (const props::Property& pr : props::all()) ps.push_back(&pr);
    return ps;
}

std::vector<std::unique_ptr<props::lang::Compiled>> compile_all(const std::vector<const props::Property*>& ps,
                                                                const refimpl::Profile& p) {
    std::vector<std::unique_ptr<props::lang::Compiled>> out;
    for (const props::Property* pr : ps) {
        const props::lang::Program* prog = pr->text->program();
        REQUIRE(prog);
        out.push_back(std::make_unique<props::lang::Compiled>(*prog, p));
    }
    return out;
}

}  // namespace

TEST_CASE("compiled predicates: equal to the interpreter on random walks, every profile, catalog and user files") {
    props::lang::clear_loaded();
    const auto user = props::lang::load_file(kDir + "user.rcp");
    const auto exec = props::lang::load_file(kDir + "exec.rcp");
    const auto decided = props::lang::load_file(kDir + "decided.rcp");
    REQUIRE(!user.empty());
    REQUIRE(!exec.empty());
    REQUIRE(decided.size() == 6);
    const auto ps = every_property();
    REQUIRE(ps.size() > props::catalog().size());
    // `forall e in notifies: ...` and the like, which the engine skips on a
    // transition without such an event, and `pre(x) == post(x)`, which it
    // skips on a self-loop: the walks compare those values too.
    int vacuous = 0, self_loops = 0;
    const auto on_mainline = compile_all(ps, *refimpl::find_profile("mainline"));
    for (std::size_t i = 0; i < ps.size(); ++i) {
        const auto& c = on_mainline[i];
        vacuous += c->decided(false, 0) == 1;
        self_loops += c->decided(false, 0) != 1 && c->decided(true, 0) == 1;
        // decided.rcp: each is decided on self-loops without events
        if (ps[i]->id.starts_with("decided.")) CHECK_MESSAGE(c->decided(true, 0) >= 0, ps[i]->id);
    }
    CHECK(vacuous >= 10);
    CHECK(self_loops >= 5);
    for (const refimpl::Profile& p : refimpl::all_profiles()) {
        const auto compiled = compile_all(ps, p);
        for (const auto& [what, b] : feature_sets()) {
            CAPTURE(p.name);
            CAPTURE(what);
            Compared c;
            compare(p, b, what, 12 + p.name.size(), 30, 24, ps, compiled, c);
            for (const std::string& m : c.mismatches) FAIL_CHECK(m);
            CHECK(c.mismatches.empty());
            CHECK(c.states > 1000);
            CHECK(c.steps > 10000);
            CHECK(c.decided > 1000);
            // both values occur: the walks are not all trivially true
            CHECK(c.false_values > 0);
            CHECK(c.true_values > 0);
        }
    }
    props::lang::clear_loaded();
}

TEST_CASE("compiled predicates: a mutated op makes the comparison fail") {
    const refimpl::Profile& p = *refimpl::find_profile("mainline");
    const engine::Bounds b = feature_sets()[0].second;
    auto caught = [&](const props::Property& pr, std::size_t k) {
        std::vector<std::unique_ptr<props::lang::Compiled>> cs;
        cs.push_back(std::make_unique<props::lang::Compiled>(*pr.text->program(), p));
        if (k != SIZE_MAX) cs[0]->mutate(k);
        Compared c;
        compare(p, b, "mutated", 7, 10, 18, {&pr}, cs, c);
        return !c.mismatches.empty();
    };
    // The root of every catalog property that applies to mainline, mutated,
    // is caught (its value is inverted wherever it is evaluated).
    for (const props::Property& pr : props::catalog()) {
        if (!pr.applies_to(p)) continue;
        CAPTURE(std::string(pr.id));
        props::lang::Compiled probe(*pr.text->program(), p);
        // the root is the last op built
        CHECK(caught(pr, probe.ops() - 1));
    }
    // Each op of these, mutated alone: most change some value the walks
    // see (not all: e.g. a negated `t.step == unhash` under a premise that
    // the sampled states never reach).
    for (const char* id : {"aux.parents", "aux.resting", "autoreap.never_zombie", "autoreap.no_exit_signal"}) {
        CAPTURE(std::string(id));
        const props::Property* pr = props::find(id);
        REQUIRE(pr);
        CHECK_FALSE(caught(*pr, SIZE_MAX));   // unmutated: no difference
        props::lang::Compiled probe(*pr->text->program(), p);
        const std::size_t n = probe.ops();
        REQUIRE(n > 4);
        std::size_t hits = 0;
        for (std::size_t k = 0; k < n; ++k) hits += caught(*pr, k);
        MESSAGE(fmt::format("{}: {} of {} mutated ops caught", id, hits, n));
        CHECK(hits * 2 > n);
    }
}
