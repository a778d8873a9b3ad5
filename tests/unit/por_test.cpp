// Partial-order reduction (checker/engine/por.hpp): the independence
// relation and the C1 lemma of pidfs_exit as seeded property tests, the
// visibility list against the catalog's text, and the evidence that --por
// changes no verdict (six profiles, a mutant, thread counts).
//
// REAPCHECK_POR_PAIRS=N raises the number of independent pairs the property
// test wants (default 20000; bench/por_property.sh runs it with millions).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "checker/engine/canon.hpp"
#include "checker/engine/check.hpp"
#include "checker/engine/kernel_model.hpp"
#include "checker/engine/por.hpp"
#include "properties/lang/ast.hpp"
#include "checker/engine/suite.hpp"
#include "checker/engine/trace.hpp"
#include "tests/unit/sanitized.hpp"

using namespace reapcheck;
using namespace reapcheck::engine;
using refimpl::State;

namespace {

uint64_t wanted_pairs() {
    const char* e = std::getenv("REAPCHECK_POR_PAIRS");
    return e ? std::strtoull(e, nullptr, 10) : 20000;
}

std::vector<uint64_t> canon_words(const State& s) {
    State c;
    std::vector<uint64_t> w;
    canonicalize_into(s, true, c, w);
    return w;
}

bool same_result(const Transition& x, const Transition& y) {
    const auto& a = x.result;
    const auto& b = y.result;
    if (a.ret != b.ret || a.blocks != b.blocks || a.task != b.task || a.fd != b.fd || a.status != b.status ||
        a.has_status != b.has_status || x.events.size() != y.events.size())
        return false;
    for (std::size_t i = 0; i < x.events.size(); ++i) {
        const refimpl::Event &e = x.events[i], &f = y.events[i];
        if (e.kind != f.kind || e.task != f.task || e.other != f.other || e.from != f.from || e.sig != f.sig ||
            e.selfreap != f.selfreap || e.traced != f.traced || e.nowait != f.nowait || e.status != f.status)
            return false;
    }
    return true;
}

/// The same action (actor, call, target, fd) among `acts`, or -1.
int find_same(const std::vector<Action>& acts, const Action& a) {
    const std::string key = describe_action(a);
    for (std::size_t i = 0; i < acts.size(); ++i)
        if (describe_action(acts[i]) == key) return int(i);
    return -1;
}

/// Whether a and b commute in s: each enabled after the other, the same
/// result and events in either order, the same canonical state. `why` says
/// what failed.
bool commute(const State& s, const refimpl::Profile& p, const Bounds& bd, const Action& a, const Action& b,
             std::string& why) {
    const Transition ta = apply(s, p, a), tb = apply(s, p, b);
    std::vector<Action> after_a, after_b;
    enabled_actions(ta.post, p, bd, after_a);
    enabled_actions(tb.post, p, bd, after_b);
    const int ib = find_same(after_a, b), ia = find_same(after_b, a);
    if (ib < 0 || ia < 0) {
        why = ib < 0 ? "the second is disabled by the first" : "the first is disabled by the second";
        return false;
    }
    const Transition tab = apply(ta.post, p, after_a[std::size_t(ib)]);
    const Transition tba = apply(tb.post, p, after_b[std::size_t(ia)]);
    if (!same_result(tab, tb) || !same_result(tba, ta)) {
        why = "a result or kernel event differs with the order";
        return false;
    }
    if (canon_words(tab.post) != canon_words(tba.post)) {
        why = "the two orders end in different states";
        return false;
    }
    return true;
}

struct Config {
    const char* profile;
    Bounds b;
};

std::vector<Config> configs() {
    std::vector<Config> cs;
    for (const char* prof : {"mainline", "v4", "rfc-v1", "linux-6.18", "rfc-v3", "v5"}) {
        Bounds b;
        b.tasks = 4;
        b.pidfds = 1;
        cs.push_back({prof, b});
        b.tasks = 3;
        b.threads = 2;
        b.ptrace = true;
        cs.push_back({prof, b});
        b.pidfds = 2;
        b.threads = 1;
        b.ptrace = false;
        b.tasks = 4;
        cs.push_back({prof, b});
        // without pidfds and ptrace: unhash and do_exit reduce (por.hpp, C1)
        b.pidfds = 0;
        cs.push_back({prof, b});
        b.tasks = 3;
        b.threads = 2;
        cs.push_back({prof, b});
    }
    return cs;
}

// Seeded random walks over configs(), one config after the other: each walk
// starts from the initial state and takes up to 40 random enabled actions,
// calling visit(config, profile, state, enabled actions, rng) at every state
// before the step. Walks go on while more() holds.
template <class More, class Visit>
void random_walks(uint64_t seed, More more, Visit visit) {
    std::mt19937_64 rng(seed);
    const auto cs = configs();
    for (uint64_t walk = 0; more(); ++walk) {
        const Config& c = cs[walk % cs.size()];
        const refimpl::Profile& p = *refimpl::find_profile(c.profile);
        State s = refimpl::initial_state();
        std::vector<Action> acts;
        for (int step = 0; step < 40 && more(); ++step) {
            enabled_actions(s, p, c.b, acts);
            if (acts.empty()) break;
            visit(c, p, s, acts, rng);
            s = apply(s, p, acts[rng() % acts.size()]).post;
        }
    }
}

std::vector<std::string> reducible_ids();

}  // namespace

TEST_CASE("por: actions declared independent commute (seeded random reachable states)") {
    const uint64_t want = wanted_pairs();
    uint64_t pairs = 0, states = 0;
    std::map<std::string, uint64_t> by_class;
    std::vector<std::string> refuted;
    random_walks(
        13, [&] { return pairs < want && refuted.size() < 5; },
        [&](const Config& c, const refimpl::Profile& p, const State& s, const std::vector<Action>& acts,
            std::mt19937_64&) {
            ++states;
            for (std::size_t i = 0; i < acts.size(); ++i)
                for (std::size_t j = i + 1; j < acts.size(); ++j) {
                    if (!por::independent(s, p, acts[i], acts[j])) continue;
                    CHECK(por::independent(s, p, acts[j], acts[i]));
                    ++pairs;
                    ++by_class[std::string(scn::to_string(acts[i].call.sys)) + "/" + scn::to_string(acts[j].call.sys)];
                    std::string why;
                    if (!commute(s, p, c.b, acts[i], acts[j], why))
                        refuted.push_back(std::string(c.profile) + ": " + describe_action(acts[i]) + " and " +
                                          describe_action(acts[j]) + ": " + why + "\n" + describe(s));
                }
        });
    MESSAGE("independent pairs tested: " << pairs << " in " << states << " states");
    for (const auto& [k, n] : by_class) MESSAGE("  " << k << ": " << n);
    for (const auto& r : refuted) FAIL_CHECK(r);
    CHECK(pairs >= want);
    CHECK(by_class.size() >= 3);   // more than one kind of pair
}

TEST_CASE("por: C1 of the reduced kernel steps: every action of a path without the step commutes with it") {
    // want/4 pairs in all, at least a third of that for each of the three
    // steps (unless 50 x want states go by without them)
    const uint64_t want = wanted_pairs() / 4;
    uint64_t pairs = 0, roots = 0, states = 0;
    std::map<std::string, uint64_t> by_step;
    std::vector<std::string> refuted;
    auto more = [&] {
        bool short_of = pairs < want;
        for (const char* k : {"pidfs_exit", "do_exit", "unhash"}) short_of = short_of || by_step[k] < want / 3;
        return short_of && states < 50 * want && refuted.size() < 5;
    };
    random_walks(
        1313, more,
        [&](const Config& c, const refimpl::Profile& p, const State& s, const std::vector<Action>& acts,
            std::mt19937_64& rng) {
            ++states;
            for (const Action& a : acts) {
                if (!por::c1(s, p, c.b, a)) continue;
                ++roots;
                // A random path from s that does not take a; at each state, every enabled action.
                State u = s;
                for (int k = 0; k < 6; ++k) {
                    std::vector<Action> here;
                    enabled_actions(u, p, c.b, here);
                    const int ia = find_same(here, a);
                    if (ia < 0) {
                        refuted.push_back(std::string(c.profile) + ": " + describe_action(a) +
                                          " disabled on a path without it\n" + describe(u));
                        break;
                    }
                    std::vector<std::size_t> others;
                    for (std::size_t x = 0; x < here.size(); ++x) {
                        if (int(x) == ia) continue;
                        others.push_back(x);
                        ++pairs;
                        ++by_step[scn::to_string(a.call.sys)];
                        std::string why;
                        if (!commute(u, p, c.b, here[std::size_t(ia)], here[x], why))
                            refuted.push_back(std::string(c.profile) + ": " + describe_action(a) + " and " +
                                              describe_action(here[x]) + ": " + why + "\n" + describe(u));
                    }
                    if (others.empty()) break;
                    u = apply(u, p, here[others[rng() % others.size()]]).post;
                }
            }
        });
    MESSAGE("kernel-step pairs tested along paths without the step: " << pairs << " from " << roots << " states");
    for (const auto& [k, n] : by_step) MESSAGE("  " << k << ": " << n);
    for (const auto& r : refuted) FAIL_CHECK(r);
    CHECK(pairs >= want);
    for (const char* k : {"pidfs_exit", "do_exit", "unhash"}) CHECK_MESSAGE(by_step[k] >= want / 3, k);
}

TEST_CASE("por: a kernel step invisible to a property does not change what it sees") {
    // C2 as the fact sets say (por::reads, por::writes): in random reachable
    // states, for each kernel step a whose C1 holds and each catalog
    // property P that a is invisible to, a state property has the same value
    // in s and a(s), and a transition property the same value on every edge
    // b from s and on b from a(s).
    const uint64_t want = wanted_pairs() / 4;
    uint64_t checks = 0;
    std::vector<std::string> refuted;
    std::vector<std::pair<const props::Property*, por::Observed>> ps;
    for (const props::Property& pr : props::catalog())
        if (pr.kind != props::Kind::Eventually) ps.emplace_back(&pr, por::reads(pr));
    random_walks(
        4242, [&] { return checks < want && refuted.size() < 5; },
        [&](const Config& c, const refimpl::Profile& p, const State& s, const std::vector<Action>& acts,
            std::mt19937_64&) {
            for (const Action& a : acts) {
                if (!a.kernel || !por::c1(s, p, c.b, a)) continue;
                const por::Observed w = por::writes(s, p, a);
                const Transition ta = apply(s, p, a);
                if (!ta.events.empty()) refuted.push_back(describe_action(a) + " has kernel events\n" + describe(s));
                const props::CallView acv = call_view(p, a);
                const props::StepView av{p, s, ta.post, acv, ta.result, ta.events};
                std::vector<Action> after;
                enabled_actions(ta.post, p, c.b, after);
                for (const auto& [pr, r] : ps) {
                    if (w.meets(r) || !pr->applies_to(p)) continue;
                    if (pr->has_state()) {
                        ++checks;
                        if (pr->holds(p, s) != pr->holds(p, ta.post))
                            refuted.push_back(std::string(pr->id) + " changes with " + describe_action(a) + "\n" +
                                              describe(s));
                        continue;
                    }
                    if (por::sees_kernel_steps(*pr)) continue;
                    ++checks;   // a's own edge: a step property holds, a cover is not hit
                    if (pr->holds(av) != (pr->kind == props::Kind::Step))
                        refuted.push_back(std::string(pr->id) + " sees the edge of " + describe_action(a) + "\n" +
                                          describe(s));
                    for (const Action& b : acts) {
                        if (describe_action(b) == describe_action(a)) continue;
                        const int ib = find_same(after, b);
                        if (ib < 0) continue;   // C1's business (the test above)
                        const Transition tb = apply(s, p, b), tab = apply(ta.post, p, after[std::size_t(ib)]);
                        const props::CallView cv = call_view(p, b);
                        const props::StepView v1{p, s, tb.post, cv, tb.result, tb.events};
                        const props::StepView v2{p, ta.post, tab.post, cv, tab.result, tab.events};
                        ++checks;
                        if (pr->holds(v1) != pr->holds(v2))
                            refuted.push_back(std::string(pr->id) + " sees " + describe_action(b) +
                                              " differently after " + describe_action(a) + "\n" + describe(s));
                    }
                }
            }
        });
    MESSAGE("property evaluations compared across an invisible kernel step: " << checks);
    for (const auto& r : refuted) FAIL_CHECK(r);
    CHECK(checks >= want);
}

TEST_CASE("por: the reflexive transition properties hold on every edge that changes nothing") {
    // por::kReflexive: evaluated with pre = post = a random reachable state,
    // the call a kernel step, no result, no events.
    uint64_t checks = 0;
    std::vector<std::string> refuted;
    random_walks(
        77, [&] { return checks < 20000 && refuted.size() < 5; },
        [&](const Config&, const refimpl::Profile& p, const State& s, const std::vector<Action>&, std::mt19937_64&) {
            const props::CallView cv{props::CallView::Kind::KernelStep};
            const refimpl::SysResult r;
            const refimpl::EventSink ev;
            for (std::string_view id : por::kReflexive) {
                const props::Property* pr = props::find(id);
                REQUIRE(pr != nullptr);
                REQUIRE(pr->kind == props::Kind::Step);
                ++checks;
                if (!pr->holds(props::StepView{p, s, s, cv, r, ev}))
                    refuted.push_back(std::string(id) + " fails on a stutter of\n" + describe(s));
            }
        });
    for (const auto& r : refuted) FAIL_CHECK(r);
    CHECK(checks >= 20000);
}

TEST_CASE("por: the facts a property reads come from its text") {
    // aux.resting reads a task's step: every kernel step is visible to it.
    const props::Property* resting = props::find("aux.resting");
    REQUIRE(resting != nullptr);
    CHECK(por::reads(*resting).facts.test(std::size_t(props::lang::Fact::TStep)));
    int transition = 0, guarded = 0;
    for (const props::Property& pr : props::catalog()) {
        REQUIRE_MESSAGE(pr.text->program() != nullptr, pr.id);
        if (pr.has_step()) {
            ++transition;
            guarded += !por::sees_kernel_steps(pr);
        }
    }
    MESSAGE(transition << " transition properties, " << guarded << " of them blind to the reduced kernel steps");
    CHECK(guarded > 0);
    const auto ids = reducible_ids();
    MESSAGE(ids.size() << " catalog properties invisible to every reducible kernel step");
    CHECK(ids.size() >= 10);
}

namespace {

/// The catalog's safety properties and covers that no reducible kernel step
/// is visible to (por.hpp, C2): with them all, every such step can reduce.
std::vector<std::string> reducible_ids() {
    std::vector<std::string> ids;
    for (const props::Property& pr : props::catalog()) {
        if (pr.kind == props::Kind::Eventually || por::sees_kernel_steps(pr)) continue;
        const por::Observed r = por::reads(pr);
        if (std::none_of(por::reducible_steps().begin(), por::reducible_steps().end(),
                         [&](scn::Sys k) { return por::writes_at_most(k).meets(r); }))
            ids.emplace_back(pr.id);
    }
    return ids;
}

/// A configuration of the default review, depth-bounded to run in seconds.
Bounds suite_config(const std::string& name) {
    for (const NamedBounds& nb : default_suite())
        if (nb.name == name) {
            Bounds b = nb.bounds;
            b.depth = 6;
            return b;
        }
    FAIL("no configuration " << name);
    return {};
}

void same_verdicts(const CheckResult& a, const CheckResult& b) {
    REQUIRE(a.verdicts.size() == b.verdicts.size());
    for (std::size_t i = 0; i < a.verdicts.size(); ++i) {
        CHECK(a.verdicts[i].property == b.verdicts[i].property);
        CHECK_MESSAGE(a.verdicts[i].kind == b.verdicts[i].kind,
                      a.profile << " " << a.verdicts[i].property << ": " << to_string(a.verdicts[i].kind) << " vs "
                                << to_string(b.verdicts[i].kind));
        // a found trace replayed through refimpl inside check()
        CHECK(a.verdicts[i].trace.empty() == b.verdicts[i].trace.empty());
    }
}

}  // namespace

TEST_CASE("por: the same verdicts with and without, six profiles; traces replay") {
    uint64_t reduced = 0, full_states = 0, por_states = 0;
    for (const char* prof : {"linux-6.18", "rfc-v1", "rfc-v3", "v4", "v5", "mainline"}) {
        const refimpl::Profile& p = *refimpl::find_profile(prof);
        // small forms of the default review's configurations (suite.cpp): depth-bounded
        for (const NamedBounds& nb : default_suite()) {
            if (nb.name != "pidfd" && nb.name != "threads" && nb.name != "ptrace") continue;
            CheckOptions o;
            o.bounds = nb.bounds;
            o.bounds.depth = 6;
            o.properties = reducible_ids();
            const CheckResult full = check(p, o);
            o.por = true;
            const CheckResult red = check(p, o);
            CHECK(red.por_note == "on");
            same_verdicts(full, red);
            CHECK(red.stats.states <= full.stats.states);
            reduced += red.stats.reduced;
            full_states += full.stats.states;
            por_states += red.stats.states;
        }
    }
    MESSAGE("states without / with --por: " << full_states << " / " << por_states << ", " << reduced
                                            << " states expanded with one action");
    CHECK(reduced > 0);
    CHECK(por_states < full_states);
}

TEST_CASE("por: random small bounds (seeded): the same verdicts with and without") {
    std::mt19937_64 rng(2013);
    const char* profiles[] = {"linux-6.18", "rfc-v1", "rfc-v3", "v4", "v5", "mainline"};
    uint64_t reduced = 0;
    // the sanitizer build draws the first 3 of the 8 (tests/unit/sanitized.hpp)
    for (int k = 0; k < tests::scaled(8, 3); ++k) {
        const refimpl::Profile& p = *refimpl::find_profile(profiles[rng() % 6]);
        CheckOptions o;
        Bounds& b = o.bounds;
        b.tasks = 3;
        b.threads = int(1 + rng() % 2);
        b.pidfds = int(rng() % 2);
        b.depth = 5;
        b.exec = rng() % 2;
        b.kill = rng() % 2;
        b.blocking = rng() % 2;
        b.ptrace = rng() % 2;
        b.autokill = rng() % 2;
        b.parent = rng() % 2;
        b.subreaper = rng() % 2;
        b.sigaction = rng() % 2;
        o.properties = reducible_ids();
        const CheckResult full = check(p, o);
        o.por = true;
        const CheckResult red = check(p, o);
        INFO(p.name << " " << b.describe());
        same_verdicts(full, red);
        reduced += red.stats.reduced;
    }
    CHECK(reduced > 0);
}

TEST_CASE("por: every mutant's violations are found with and without") {
    // Each of refimpl's faults (refimpl/profile.hpp) on mainline, at bounds
    // where all three kernel steps reduce (threads, no pidfds, no ptrace).
    // The sanitizer build takes every third fault (tests/unit/sanitized.hpp).
    uint64_t reduced = 0;
    int violated = 0, mutants = 0;
    for (int f = 1; f <= int(refimpl::Fault::ExecKeepsNocldwait); f += tests::scaled(1, 3)) {
        refimpl::Profile p = *refimpl::find_profile("mainline");
        p.fault = refimpl::Fault(f);
        CheckOptions o;
        o.bounds.tasks = 3;
        o.bounds.threads = 2;
        o.bounds.pidfds = 0;
        o.bounds.depth = 5;
        o.properties = reducible_ids();
        const CheckResult full = check(p, o);
        o.por = true;
        const CheckResult red = check(p, o);
        INFO("fault " << f);
        same_verdicts(full, red);
        ++mutants;
        reduced += red.stats.reduced;
        violated += std::any_of(red.verdicts.begin(), red.verdicts.end(),
                                [](const Verdict& v) { return v.kind == Verdict::Kind::Violated; });
    }
    MESSAGE(mutants << " mutants, " << violated << " with a violation found with and without; " << reduced
                    << " states reduced");
    CHECK(violated >= 3);
    CHECK(reduced > 0);
}

TEST_CASE("por: the reduced search is the same for 1, 2 and 3 threads") {
    const refimpl::Profile& p = *refimpl::find_profile("mainline");
    CheckOptions o;
    o.bounds = suite_config("threads");
    o.properties = reducible_ids();
    o.por = true;
    std::vector<CheckResult> rs;
    for (int t : {1, 2, 3}) {
        o.threads = t;
        rs.push_back(check(p, o));
    }
    for (std::size_t i = 1; i < rs.size(); ++i) {
        CHECK(rs[i].stats.states == rs[0].stats.states);
        CHECK(rs[i].stats.transitions == rs[0].stats.transitions);
        CHECK(rs[i].stats.reduced == rs[0].stats.reduced);
        REQUIRE(rs[i].verdicts.size() == rs[0].verdicts.size());
        for (std::size_t k = 0; k < rs[0].verdicts.size(); ++k) CHECK(rs[i].verdicts[k].trace == rs[0].verdicts[k].trace);
    }
}

TEST_CASE("por: the whole catalog observes pidfs_exit, liveness is not reduced") {
    const refimpl::Profile& p = *refimpl::find_profile("mainline");
    CheckOptions o;
    o.bounds.tasks = 3;
    o.bounds.depth = 3;
    o.por = true;
    const CheckResult r = check(p, o);
    CHECK(r.por_note.rfind("off: ", 0) == 0);
    CHECK(r.stats.reduced == 0);
    o.properties = {"eventually.zombies_reapable"};
    REQUIRE(props::find("eventually.zombies_reapable") != nullptr);
    const CheckResult l = check(p, o);
    CHECK(l.por_note.find("liveness") != std::string::npos);
}

TEST_CASE("por: on by default where exact: exhaustive runs reduce, depth-bounded ones say why not") {
    const refimpl::Profile& p = *refimpl::find_profile("mainline");
    CheckOptions o;
    Bounds& b = o.bounds;
    b.tasks = 3;
    b.threads = 2;
    b.pidfds = 0;
    b.autokill = b.exec = b.kill = b.sigaction = b.subreaper = b.blocking = b.parent = false;
    o.properties = reducible_ids();
    const CheckResult full = check(p, o);
    CHECK(full.por_note.empty());
    o.por_auto = true;   // what the CLI's check and review set
    const CheckResult red = check(p, o);
    CHECK(red.por_note == "on");
    CHECK(red.stats.exhausted);
    CHECK(red.stats.reduced > 0);
    CHECK(red.stats.states < full.stats.states);
    same_verdicts(full, red);
    b.depth = 5;
    const CheckResult bounded = check(p, o);
    CHECK(bounded.por_note.rfind("off: depth-bounded", 0) == 0);
    CHECK(bounded.stats.reduced == 0);
}
