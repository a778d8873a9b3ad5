// Core benchmark alphabet: pinned state and transition counts of the explicit
// BFS (checker/core/explorer.hpp), with and without symmetry reduction.
//
// A changed number here means the semantics or the reduction changed; the
// commit must say why. The counts without symmetry at 3 and 4 slots equal
// SPIN's on bench/core.pml ("states, stored" - 1, "transitions" - 2), which
// bench/core_bench.sh re-checks.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "checker/core/explorer.hpp"
#include "checker/core/transitions.hpp"
#include "tests/unit/sanitized.hpp"

using namespace reapcheck::core;

namespace {

ExploreStats run(int tasks, Profile p, bool symmetry, int threads = 1) {
    ExploreOptions o;
    o.tasks = tasks;
    o.profile = p;
    o.symmetry = symmetry;
    o.threads = threads;
    return explore(o);
}

struct Pin {
    int tasks;
    Profile profile;
    bool symmetry;
    std::uint64_t states, transitions, self_loops;
    int depth;
};

// clang-format off
const Pin kPins[] = {
    {2, Profile::Mainline, false,     128,     1528,      760,  8},
    {2, Profile::Mainline, true,      128,     1528,      760,  8},
    {3, Profile::Mainline, false,   23884,   521636,   239414, 15},
    {3, Profile::Mainline, true,    12006,   262138,   120361, 13},
    {4, Profile::Mainline, true,  1243212, 39424212, 17518430, 21},
    {2, Profile::Linux618, false,      92,     1060,      530,  8},
    {3, Profile::Linux618, false,    8500,   180956,    83030, 13},
    {3, Profile::Linux618, true,     4296,    91384,    41964, 13},
    {4, Profile::Linux618, true,   226328,  7019928,  3113436, 19},
    {3, Profile::RfcV1,    false,    8500,   180956,    83030, 13},
    {3, Profile::RfcV3,    false,   23884,   521636,   238694, 15},
    {3, Profile::RfcV3,    true,    12006,   262138,   120001, 13},
    {3, Profile::V5,       false,   23884,   521636,   239174, 15},
    {3, Profile::V5,       true,    12006,   262138,   120241, 13},
};
// clang-format on

}  // namespace

TEST_CASE("core explore: pinned counts") {
    for (const Pin& p : kPins) {
        INFO("tasks " << p.tasks << " profile " << profile_name(p.profile) << " symmetry " << p.symmetry);
        const ExploreStats s = run(p.tasks, p.profile, p.symmetry);
        CHECK(s.complete());
        CHECK(s.states == p.states);
        CHECK(s.transitions == p.transitions);
        CHECK(s.self_loops == p.self_loops);
        CHECK(s.depth == p.depth);
        CHECK(s.expanded == s.states);
    }
}

TEST_CASE("core explore: 2 slots by hand") {
    // init (slot 0) and main (slot 1). With main ALIVE there is no FREE slot,
    // so main never clones and never gets a SIGCHLD.
    //  - slot 1 FREE: init's is_child_subreaper x pending                    =   4
    //  - main ALIVE: init pending (2) x (init is_sub, main has_sub) in
    //    {(0,0),(0,1),(1,1)} (3) x main (exit_signal, autoreap) in
    //    {(SIGCHLD,0),(0,0),(0,1)} (3) x main is_sub (2) x disposition (3)   = 108
    //  - main ZOMBIE: init is_sub x pending x exit_signal x code             =  16
    // Actions: FREE 4 x (8 clone3 + 2 prctl + sigpending) = 44; ALIVE
    // 108 x (init: 2 wait4 + 2 prctl + sigpending; main: 2 exit + 3
    // sigaction + 2 prctl + sigpending) = 1404; ZOMBIE 16 x 5 = 80.
    const ExploreStats s = run(2, Profile::Mainline, false);
    CHECK(s.states == 4 + 108 + 16);
    CHECK(s.transitions == 44 + 1404 + 80);
    // linux-6.18: no autoreap, so (exit_signal, autoreap) has 2 values: 4 + 72 + 16
    CHECK(run(2, Profile::Linux618, false).states == 4 + 72 + 16);
}

TEST_CASE("core explore: counts do not depend on the thread count") {
    for (bool sym : {false, true}) {
        const int tasks = sym ? tests::scaled(4, 3) : 3;  // tests/unit/sanitized.hpp
        const ExploreStats one = run(tasks, Profile::Mainline, sym, 1);
        for (int t : {2, 3}) {
            const ExploreStats more = run(tasks, Profile::Mainline, sym, t);
            CHECK(more.states == one.states);
            CHECK(more.transitions == one.transitions);
            CHECK(more.self_loops == one.self_loops);
            CHECK(more.depth == one.depth);
            CHECK(more.level_states == one.level_states);
        }
    }
}

TEST_CASE("core explore: the engine agrees with a plain set-based BFS") {
    for (Profile prof : {Profile::Mainline, Profile::RfcV3}) {
        std::set<Packed> seen{pack_raw(initial_state(3))};
        std::vector<Packed> todo(seen.begin(), seen.end());
        std::uint64_t transitions = 0;
        while (!todo.empty()) {
            const World w = unpack_raw(todo.back(), 3);
            todo.pop_back();
            for_each_successor(w, prof, [&](const Action&, const World& n, bool) {
                ++transitions;
                if (seen.insert(pack_raw(n)).second) todo.push_back(pack_raw(n));
            });
        }
        const ExploreStats s = run(3, prof, false);
        CHECK(s.states == seen.size());
        CHECK(s.transitions == transitions);
    }
}

TEST_CASE("core explore: orbit sizes add up to the count without symmetry") {
    // Every permutation of slots 1..n-1 of a reachable world is reachable
    // (slots are freed and reused in any order), so the orbits of the
    // canonical states cover the raw reachable set exactly. This is what lets
    // --orbits report the count without symmetry at 5 and 6 slots.
    for (int n : {2, 3, 4}) {
        ExploreOptions o;
        o.tasks = n;
        o.orbits = true;
        o.threads = 2;
        const ExploreStats sym = explore(o);
        // 4 slots without symmetry: 7405076 states, pinned against SPIN by the bench
        CHECK(sym.orbit_states == (n < 4 ? run(n, Profile::Mainline, false).states : 7405076));
    }
    World w = initial_state(4);   // init, main, two FREE slots: 3!/2! = 3 raw worlds
    CHECK(orbit_size(w) == 3);
    w.slot[2] = w.slot[1];        // two identical children of init, one FREE slot
    CHECK(orbit_size(w) == 3);
    w.slot[3] = w.slot[1];        // three identical children
    CHECK(orbit_size(w) == 1);
}

TEST_CASE("core explore: limits stop cleanly") {
    ExploreOptions o;
    o.tasks = 5;
    o.max_memory_mb = 1;   // below the first table: stops at once with what it has
    const ExploreStats s = explore(o);
    CHECK_FALSE(s.complete());
    CHECK(s.stop == StopReason::Memory);
    CHECK(s.states >= 1);
    CHECK(to_json(s)["stop_reason"] == "memory limit");
}
