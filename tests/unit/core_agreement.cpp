// checker/core's hand-written transition function against refimpl: the core
// alphabet explored through refimpl and compared step by step and set by set
// (checker/agree/core_refimpl.hpp). Exhaustive at 3 slots; at 4 slots
// depth-bounded here (the exhaustive 4-slot comparison takes minutes:
// `reapcheck explore --alphabet core --tasks 4 --agree-refimpl`, run by
// bench/core_agreement.sh).
#include <doctest/doctest.h>

#include <span>
#include <string>

#include "checker/agree/core_refimpl.hpp"
#include "tests/unit/sanitized.hpp"

using namespace reapcheck;
using core::Profile;

namespace {

agree::Report run(int tasks, Profile p, int depth = 0, agree::CoreSuccessors fn = &core::successors,
                  bool depth_first = false, bool erase = false) {
    agree::Options o;
    o.tasks = tasks;
    o.profile = p;
    o.max_depth = depth;
    o.core_successors = fn;
    o.depth_first = depth_first;
    o.erase_zombie_fields = erase;
    return agree::check(o);
}

// Deliberately wrong copies of core's rules, to show that the comparison
// catches a wrong rule and says where.

/// do_sigaction without flush_sigqueue_mask: SIG_DFL keeps a pending SIGCHLD.
int sigdfl_keeps_pending(const core::World& w, Profile p, core::Successor* out) {
    const int k = core::successors(w, p, out);
    for (int i = 0; i < k; ++i) {
        core::Successor& s = out[i];
        if (s.action.kind == core::ActionKind::Sigaction && s.action.arg == uint8_t(core::Disp::Dfl))
            s.next.slot[s.action.actor].pending = w.slot[s.action.actor].pending;
    }
    return k;
}

/// reparent_leader without the exit_signal reset: a reparented child keeps
/// exit_signal 0.
int reparent_keeps_exit_signal(const core::World& w, Profile p, core::Successor* out) {
    const int k = core::successors(w, p, out);
    for (int i = 0; i < k; ++i) {
        core::Successor& s = out[i];
        if (s.action.kind != core::ActionKind::Exit) continue;
        for (int c = 1; c < w.n; ++c)
            if (w.slot[c].status == core::Status::Alive && w.slot[c].parent == s.action.actor &&
                s.next.slot[c].status == core::Status::Alive)
                s.next.slot[c].sigchld = w.slot[c].sigchld;
    }
    return k;
}

/// clone3 without CLONE_PARENT's EINVAL for the namespace init.
int init_may_clone_parent(const core::World& w, Profile p, core::Successor* out) {
    const int k = core::successors(w, p, out);
    for (int i = 0; i < k; ++i) {
        core::Successor& s = out[i];
        if (s.action.kind == core::ActionKind::Clone3 && s.action.actor == 0 && s.action.outcome == core::Outcome::Einval &&
            s.action.arg == core::kFlagParent && s.action.arg2 == 0)
            s.action.outcome = core::Outcome::Ok;
    }
    return k;
}

}  // namespace

TEST_CASE("core agreement: 3 slots, exhaustive") {
    struct Pin {
        Profile profile;
        std::uint64_t states, transitions;
    };
    // the pinned counts of tests/unit/core_explore.cpp
    // The sanitizer build compares linux-6.18's smaller space only (tests/unit/sanitized.hpp).
    const Pin pins[] = {Pin{Profile::Linux618, 8500, 180956}, Pin{Profile::Mainline, 23884, 521636}};
    for (const Pin& pin : std::span(pins, tests::kSanitized ? 1 : 2)) {
        INFO("profile " << core::profile_name(pin.profile));
        const agree::Report r = run(3, pin.profile);
        INFO(r.counterexample);
        CHECK(r.agree);
        CHECK(r.complete);
        CHECK(r.images == pin.states);
        CHECK(r.core_states == pin.states);
        CHECK(r.core_transitions == pin.transitions);
        CHECK(r.refimpl_states >= r.images);
        MESSAGE(core::profile_name(pin.profile) << ": " << r.refimpl_states << " refimpl nodes, "
                                                << r.refimpl_transitions << " refimpl transitions, "
                                                << r.refimpl_seconds << " s");
    }
}

TEST_CASE("core agreement: 4 slots, depth-bounded") {
    // BFS levels 0..6 of refimpl (about 150,000 nodes at mainline) against
    // core's levels 0..6; the whole 4-slot space is bench/core_agreement.sh's.
    // Under the sanitizers (about 8 times slower) levels 0..5.
    constexpr int kDepth = tests::scaled(6, 5);
    for (Profile p : {Profile::Mainline, Profile::Linux618}) {
        INFO("profile " << core::profile_name(p));
        const agree::Report r = run(4, p, kDepth);
        INFO(r.counterexample);
        CHECK(r.agree);
        CHECK_FALSE(r.complete);
        CHECK(r.depth == kDepth);
        CHECK(r.images == r.core_states);
        CHECK(r.images > 1000);
        MESSAGE(core::profile_name(p) << ": " << r.refimpl_states << " refimpl nodes, " << r.images << " images, "
                                      << r.refimpl_seconds << " s");
    }
}

TEST_CASE("core agreement: depth-first and the zombie-field erasure reach the same images") {
    const agree::Report exact = run(3, Profile::Linux618, 0, &core::successors, true, false);
    CHECK(exact.agree);
    CHECK(exact.complete);
    CHECK(exact.images == 8500);
    CHECK(exact.core_transitions == 180956);
    const agree::Report erased = run(3, Profile::Linux618, 0, &core::successors, true, true);
    CHECK(erased.agree);
    CHECK(erased.complete);
    CHECK(erased.images == 8500);
    CHECK(erased.refimpl_states < exact.refimpl_states);
    if (!tests::kSanitized) {  // the sanitizer build has walked the same code on linux-6.18
        const agree::Report erased_mainline = run(3, Profile::Mainline, 0, &core::successors, true, true);
        CHECK(erased_mainline.agree);
        CHECK(erased_mainline.images == 23884);
    }
    // a fault is still found, with the depth-first stack as the path
    const agree::Report bad = run(3, Profile::Mainline, 0, &sigdfl_keeps_pending, true, true);
    CHECK_FALSE(bad.agree);
    CHECK(bad.counterexample.find("sigaction SIGCHLD SIG_DFL") != std::string::npos);
}

TEST_CASE("core agreement: a wrong core rule is reported with its action path") {
    SUBCASE("sigaction SIG_DFL keeps a pending SIGCHLD") {
        const agree::Report r = run(3, Profile::Mainline, 0, &sigdfl_keeps_pending);
        CHECK_FALSE(r.agree);
        MESSAGE(r.counterexample);
        CHECK(r.counterexample.find("sigaction SIGCHLD SIG_DFL") != std::string::npos);
        CHECK(r.counterexample.find("refimpl gives") != std::string::npos);
        // the pending SIGCHLD needs a child's exit first
        CHECK(r.counterexample.find("exit") != std::string::npos);
    }
    SUBCASE("reparenting keeps exit_signal 0") {
        const agree::Report r = run(3, Profile::Linux618, 0, &reparent_keeps_exit_signal);
        CHECK_FALSE(r.agree);
        MESSAGE(r.counterexample);
        CHECK(r.counterexample.find("clone3 flags=none exit_signal=0") != std::string::npos);
        CHECK(r.counterexample.find(": exit") != std::string::npos);
    }
    SUBCASE("init's CLONE_PARENT accepted") {
        const agree::Report r = run(3, Profile::Mainline, 0, &init_may_clone_parent);
        CHECK_FALSE(r.agree);
        MESSAGE(r.counterexample);
        CHECK(r.counterexample.find("results differ") != std::string::npos);
        CHECK(r.counterexample.find("T0: clone3 flags=PARENT exit_signal=0 -> EINVAL") != std::string::npos);
    }
}
