// diff: the product of two profiles. Toy profiles (mainline with one switch
// flipped) have known shortest distinguishing scenarios; a profile diffed
// with itself shows nothing; real pairs' traces replay under each profile.
#include <doctest/doctest.h>

#include <string>

#include "checker/engine/diff.hpp"
#include "checker/report/diff_report.hpp"
#include "checker/scenario/parser.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"
#include "refimpl/profile.hpp"

using namespace reapcheck;
using namespace reapcheck::engine;

namespace {

/// A small alphabet: clone3 (no PARENT, no AUTOKILL), exit, non-blocking
/// waits, pidfds and the probes.
DiffOptions small(int tasks, int depth) {
    DiffOptions o;
    Bounds& b = o.bounds;
    b.tasks = tasks;
    b.depth = depth;
    b.pidfds = 1;
    b.exec = b.kill = b.blocking = b.ptrace = b.autokill = b.parent = b.subreaper = b.sigaction = false;
    o.nnp = o.capset = false;
    return o;
}

const refimpl::Profile& profile(const char* name) {
    const refimpl::Profile* p = refimpl::find_profile(name);
    REQUIRE(p);
    return *p;
}

/// Replays a printed trace under `p` from scratch; returns the runner's report.
scn::RunReport replay(const refimpl::Profile& p, const std::string& text) {
    const scn::Scenario sc = scn::parse_text(text, "<test>");
    scn::RefimplExecutor ex(p, true);
    return scn::run_scenario(sc, ex);
}

std::string last_line(const std::string& text) {
    std::size_t end = text.find_last_not_of('\n');
    std::size_t start = text.rfind('\n', end);
    return text.substr(start + 1, end - start);
}

}  // namespace

TEST_CASE("diff: a profile against itself shows nothing within the bound") {
    const PairDiff d = diff(profile("mainline"), profile("mainline"), small(3, 4));
    CHECK(d.verdict == PairDiff::Verdict::Same);
    CHECK(d.steps_covered == 4);
    CHECK(d.differing.empty());
    CHECK(d.b_adds.empty());
    CHECK(d.b_removes.empty());
    CHECK(d.trace_a.empty());
    CHECK(d.one_sided_calls == 0);
    CHECK(d.one_sided_steps == 0);
    CHECK(format_diff(d, true).find("no difference found within the bound (every scenario of up to 4 steps)") !=
          std::string::npos);
}

TEST_CASE("diff: mainline without signal.autoreap") {
    // The toy accepts the CLONE_AUTOREAP bit (allowed_new) but has no
    // signal.autoreap: no AUTOREAP checks, no self-reap.
    refimpl::Profile toy = profile("mainline");
    toy.name = "mainline-no-autoreap";
    toy.has_autoreap = false;

    SUBCASE("the first difference is the exit_signal check at clone3") {
        const PairDiff d = diff(profile("mainline"), toy, small(3, 5));
        REQUIRE(d.verdict == PairDiff::Verdict::Different);
        CHECK(d.steps == 1);
        CHECK(d.statement == "init: clone3 flags=AUTOREAP exit_signal=SIGCHLD");
        CHECK(d.result_a == "EINVAL");
        CHECK(d.result_b == "child A");
        // Deeper in the bound, the child with exit_signal 0: nothing is
        // observable before exit_notify (clone3, exit, exit_notify), then a
        // __WALL wait sees the zombie only under the toy (step 4); pidfs_exit
        // runs under mainline alone, so PIDFD_GET_INFO has the exit code only
        // there (step 5).
        bool wait = false, info = false;
        for (const auto& x : d.differing) {
            wait |= x.call == "wait4 -1 WNOHANG __WALL" && x.result_b == "reaps exited(3)" && x.steps == 4;
            info |= x.call == "pidfd_info FD EXIT" && x.result_a == "exited(3)" && x.result_b == "noexit" && x.steps == 5;
        }
        CHECK(wait);
        CHECK(info);
        CHECK(d.one_sided_steps > 0);
        CHECK(replay(profile("mainline"), d.trace_a).ok());
        CHECK(replay(toy, d.trace_b).ok());
    }

    SUBCASE("without waits and the exit_signal check, a kernel step runs in one world alone") {
        DiffOptions o = small(3, 5);
        o.exclude = {"wait4", "waitid", "clone3 flags=AUTOREAP exit_signal=SIGCHLD",
                     "clone3 flags=PIDFD|AUTOREAP exit_signal=SIGCHLD"};
        const PairDiff d = diff(profile("mainline"), toy, o);
        REQUIRE(d.verdict == PairDiff::Verdict::Different);
        CHECK(d.steps == 5);
        CHECK(d.statement == "init: pidfd_open A");
        CHECK(d.result_a == "ESRCH");
        CHECK(d.result_b == "pidfd p1");
        // pidfs_exit is in mainline's trace only
        CHECK(d.trace_a.find("kernel: exit_notify A\nkernel: pidfs_exit A\ninit: pidfd_open A -> ESRCH\n") !=
              std::string::npos);
        CHECK(d.trace_b.find("kernel: exit_notify A\ninit: pidfd_open A -> pidfd p1\n") != std::string::npos);
        CHECK(d.trace_a_steps == 5);
        CHECK(d.trace_b_steps == 4);
        CHECK(replay(profile("mainline"), d.trace_a).ok());
        CHECK(replay(toy, d.trace_b).ok());
    }
}

TEST_CASE("diff: mainline without the CLONE_PARENT-while-autoreap check differs after two calls") {
    refimpl::Profile toy = profile("mainline");
    toy.name = "mainline-parent-ok";
    toy.parent_rejected_while_autoreap = false;
    DiffOptions o = small(4, 2);
    o.bounds.parent = true;
    const PairDiff d = diff(profile("mainline"), toy, o);
    REQUIRE(d.verdict == PairDiff::Verdict::Different);
    CHECK(d.steps == 2);
    CHECK(d.statement == "A: clone3 flags=PARENT exit_signal=0");
    CHECK(d.result_a == "EINVAL");
    CHECK(d.result_b == "child B");
    REQUIRE(d.differing.size() >= 1);
    CHECK(d.differing[0].steps == 2);
    // CLONE_PARENT -> EINVAL also happens from init in both profiles, so the
    // class sets agree and only the differing list shows it.
    CHECK(d.b_removes.empty());
}

TEST_CASE("diff: rfc-v3 vs v4, the distinguishing trace replays under both") {
    DiffOptions o = small(3, 2);
    o.bounds.parent = true;
    const PairDiff d = diff(profile("rfc-v3"), profile("v4"), o);
    REQUIRE(d.verdict == PairDiff::Verdict::Different);
    CHECK(d.steps == 1);
    CHECK(d.statement.find("clone3 flags=AUTOREAP|PARENT exit_signal=0") != std::string::npos);
    CHECK(d.result_a == "child A");
    CHECK(d.result_b == "EINVAL");
    const auto ra = replay(profile("rfc-v3"), d.trace_a), rb = replay(profile("v4"), d.trace_b);
    CHECK(ra.ok());
    CHECK(rb.ok());
    CHECK(ra.observed == 0);
    CHECK(rb.observed == 0);
    // Swapped: each trace fails under the other profile, at its last line.
    const auto xa = replay(profile("v4"), d.trace_a);
    CHECK(xa.mismatched == 1);
    CHECK(last_line(d.trace_a).find("-> child A") != std::string::npos);
    CHECK(last_line(d.trace_b).find("-> EINVAL") != std::string::npos);
    bool removes = false;
    for (const auto& x : d.b_removes)
        removes |= x.call == "clone3 flags=AUTOREAP|PARENT exit_signal=0" && x.result == "child";
    CHECK(removes);
    const auto j = to_json(std::vector<PairDiff>{d});
    CHECK(j["diffs"][0]["verdict"] == "different");
    CHECK(j["diffs"][0]["first"]["steps"] == 1);
    CHECK(j["diffs"][0]["first"]["trace_b"].get<std::string>() == d.trace_b);
}

TEST_CASE("diff: every consecutive profile pair differs within a small bound") {
    DiffOptions o = small(4, 2);
    o.bounds.parent = o.bounds.autokill = true;
    o.nnp = true;
    o.first_only = true;
    const std::vector<PairDiff> ds = diff_consecutive(o);
    REQUIRE(ds.size() == 5);
    const int steps[] = {1, 1, 1, 1, 2};
    for (std::size_t i = 0; i < ds.size(); ++i) {
        CAPTURE(ds[i].a);
        REQUIRE(ds[i].verdict == PairDiff::Verdict::Different);
        CHECK(ds[i].steps == steps[i]);
        CHECK(replay(profile(ds[i].a.c_str()), ds[i].trace_a).ok());
        CHECK(replay(profile(ds[i].b.c_str()), ds[i].trace_b).ok());
    }
    CHECK(format_diffs(ds, false).find("diff v5 -> mainline: DIFFERENT after 2 steps") != std::string::npos);
}

TEST_CASE("diff: a limit stops the search and the verdict is unknown, with the bound covered") {
    DiffOptions o = small(3, 6);
    o.limits.max_states = 50;
    const PairDiff d = diff(profile("v5"), profile("v5"), o);
    CHECK(d.verdict == PairDiff::Verdict::Unknown);
    CHECK(d.stats.stop_reason == "state limit");
    CHECK(d.steps_covered < 6);
    CHECK(format_diff(d, false).find("unknown: stopped (state limit)") != std::string::npos);
}

TEST_CASE("diff: joint symmetry reduction changes the state count, never the answer") {
    refimpl::Profile toy = profile("mainline");
    toy.name = "mainline-no-autoreap";
    toy.has_autoreap = false;
    struct Pair { const refimpl::Profile* a; const refimpl::Profile* b; int tasks, depth; };
    const std::vector<Pair> pairs = {{&profile("mainline"), &toy, 3, 5},
                                     {&profile("v5"), &profile("mainline"), 4, 3},
                                     {&profile("mainline"), &profile("mainline"), 4, 3}};
    for (const Pair& p : pairs) {
        CAPTURE(p.b->name);
        DiffOptions o = small(p.tasks, p.depth);
        o.bounds.parent = o.bounds.sigaction = true;
        o.symmetry = false;
        const PairDiff off = diff(*p.a, *p.b, o);
        o.symmetry = true;
        const PairDiff on = diff(*p.a, *p.b, o);
        CHECK(on.verdict == off.verdict);
        CHECK(on.steps == off.steps);
        CHECK(on.stats.states <= off.stats.states);
        if (p.tasks == 4) CHECK(on.stats.states < off.stats.states);   // two exchangeable children
        CHECK(on.b_adds == off.b_adds);
        CHECK(on.b_removes == off.b_removes);
        REQUIRE(on.differing.size() == off.differing.size());
        for (std::size_t i = 0; i < on.differing.size(); ++i) {
            CHECK(on.differing[i].call == off.differing[i].call);
            CHECK(on.differing[i].steps == off.differing[i].steps);
        }
    }
}

TEST_CASE("diff: the product search gives the same answer with 1, 2 and 3 threads") {
    for (const auto& [pa, pb] : {std::pair{"v4", "v5"}, std::pair{"mainline", "mainline"}}) {
        CAPTURE(pa);
        DiffOptions o = small(3, 4);
        o.bounds.parent = o.bounds.autokill = true;
        std::vector<PairDiff> ds;
        for (int threads : {1, 2, 3}) {
            o.threads = threads;
            ds.push_back(diff(profile(pa), profile(pb), o));
        }
        for (std::size_t i = 1; i < ds.size(); ++i) {
            CAPTURE(i);
            CHECK(ds[i].verdict == ds[0].verdict);
            CHECK(ds[i].stats.states == ds[0].stats.states);
            CHECK(ds[i].stats.transitions == ds[0].stats.transitions);
            CHECK(ds[i].one_sided_calls == ds[0].one_sided_calls);
            CHECK(ds[i].one_sided_steps == ds[0].one_sided_steps);
            CHECK(ds[i].steps == ds[0].steps);
            CHECK(ds[i].trace_a == ds[0].trace_a);
            CHECK(ds[i].trace_b == ds[0].trace_b);
            CHECK(format_diffs({ds[i]}, false).substr(0, 60) == format_diffs({ds[0]}, false).substr(0, 60));
            CHECK(ds[i].b_adds.size() == ds[0].b_adds.size());
            CHECK(ds[i].b_removes.size() == ds[0].b_removes.size());
            REQUIRE(ds[i].differing.size() == ds[0].differing.size());
            for (std::size_t k = 0; k < ds[0].differing.size(); ++k) {
                CHECK(ds[i].differing[k].call == ds[0].differing[k].call);
                CHECK(ds[i].differing[k].steps == ds[0].differing[k].steps);
            }
        }
    }
}
