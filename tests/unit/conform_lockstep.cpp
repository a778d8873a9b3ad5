// Lockstep conformance: kernel vs refimpl on scenario text and random traces,
// including a refimpl that is wrong on purpose (Fault::PollNoHup), which must
// be reported and shrunk. Root only; skipped otherwise.
#include <doctest/doctest.h>

#include "tests/unit/conform_support.hpp"

#include <cstdio>
#include <sstream>
#include <unistd.h>

#include "checker/conform/lockstep.hpp"
#include "checker/conform/proc.hpp"
#include "checker/conform/random_traces.hpp"
#include "checker/scenario/parser.hpp"
#include "tests/unit/sanitized.hpp"

using namespace reapcheck;

namespace {

bool not_root() { return conform_unavailable("lockstep"); }

int own_children() {
    auto d = conform::proc::read("/proc/self/task/" + std::to_string(::getpid()) + "/children");
    int n = 0;
    if (d)
        for (char c : *d) n += c == ' ';
    return n;
}

const std::string kProfile = "linux-6.18";

constexpr const char* kPollScenario = R"(main: clone3 flags=PIDFD exit_signal=SIGCHLD -> child C, pidfd c
C: exit 3
main: poll c -> POLLIN
main: wait4 C -> C exited(3)
main: poll c -> POLLIN|POLLHUP
main: pidfd_info c EXIT -> exited(3)
expect state C RELEASED
expect zombies == 0
expect autoreap main == 0
)";

}  // namespace

TEST_CASE("conform lockstep: kernel and refimpl agree on a pidfd lifecycle" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    auto sc = scn::parse_text(kPollScenario, "poll.scn");
    auto rep = conform::run_lockstep(sc, kProfile);
    CHECK(rep.mismatches.empty());
    CHECK(rep.tally.compared == 8);
    CHECK(rep.tally.skipped == 1);   // autoreap is not in /proc
    CHECK(rep.stopped.empty());
}

TEST_CASE("conform lockstep: a refimpl without POLLHUP is caught" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    auto sc = scn::parse_text(kPollScenario, "poll.scn");
    auto rep = conform::run_lockstep(sc, kProfile, refimpl::Fault::PollNoHup);
    REQUIRE(rep.mismatches.size() == 1);
    const auto& m = rep.mismatches[0];
    CHECK(m.loc.line == 5);
    CHECK(m.kernel == "POLLIN|POLLHUP");
    CHECK(m.refimpl == "POLLIN");
    CHECK(m.str().find("poll.scn:5: main: poll c") == 0);
}

TEST_CASE("conform lockstep: a steps-explicit window is skipped, not compared" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    auto sc = scn::parse_text(R"(steps explicit
main: fork -> child C
C: exit 1
kernel: exit_notify C
main: wait4 C WNOHANG -> C exited(1)
kernel: pidfs_exit C
main: sigpending -> SIGCHLD
kernel: unhash C
expect state C RELEASED
)", "win.scn");
    auto rep = conform::run_lockstep(sc, kProfile);
    CHECK(rep.mismatches.empty());
    CHECK(rep.tally.compared >= 3);
    CHECK(rep.tally.skipped >= 4);   // 3 kernel steps and the statement in the window
}

TEST_CASE("conform lockstep: between a waiter's wake-up and its resume nothing is compared" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    // The kernel's blocked wait4 reaps C as soon as C exits; refimpl's only at
    // resume. What D sees in between differs by granularity, not by semantics.
    auto sc = scn::parse_text(R"(main: fork -> child C
main: fork -> child D
main: wait4 -1 -> blocks
C: exit 2
D: pidfd_open C
main: resume -> C exited(2)
D: pidfd_open C -> ESRCH
)", "woken.scn");
    auto rep = conform::run_lockstep(sc, kProfile);
    CHECK(rep.mismatches.empty());
    CHECK(rep.tally.skipped == 1);
    CHECK(rep.tally.compared == 6);
}

TEST_CASE("conform random: traces agree, are reproducible, and leave nothing behind" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    const int before = own_children();
    conform::RandomConfig cfg;
    cfg.seed = 42;
    cfg.traces = tests::scaled(30, 10);  // every puppet is a sanitized process (tests/unit/sanitized.hpp)
    cfg.length = 10;
    cfg.profile = kProfile;
    cfg.write_files = false;
    std::ostringstream log1, log2;
    auto a = conform::run_random(cfg, log1);
    auto b = conform::run_random(cfg, log2);
    CHECK(a.mismatches == 0);
    CHECK(a.traces == cfg.traces);
    CHECK(a.statements == b.statements);
    CHECK(log1.str() == log2.str());
    CHECK(own_children() == before);
}

TEST_CASE("conform random: a PollNoHup refimpl is found and shrunk to a small scenario" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    conform::RandomConfig cfg;
    cfg.seed = 3;
    cfg.traces = 200;
    cfg.length = 16;
    cfg.profile = kProfile;
    cfg.fault = refimpl::Fault::PollNoHup;
    cfg.write_files = false;
    cfg.max_mismatches = 1;
    std::ostringstream log;
    auto rep = conform::run_random(cfg, log);
    REQUIRE(rep.mismatches == 1);
    REQUIRE(!rep.shrunk.empty());
    const std::string& text = rep.shrunk[0];
    INFO(text);
    CHECK(text.find("kernel:  POLLIN|POLLHUP") != std::string::npos);
    CHECK(text.find("refimpl: POLLIN") != std::string::npos);
    // The shrunk file parses, still shows the mismatch, and is small.
    auto sc = scn::parse_text(text, "shrunk.scn");
    CHECK(sc.statements.size() <= 6);
    auto again = conform::run_lockstep(sc, kProfile, refimpl::Fault::PollNoHup);
    REQUIRE(again.mismatches.size() == 1);
    CHECK(again.mismatches[0].index == sc.statements.size() - 1);
    // Without the fault the same file conforms.
    CHECK(conform::run_lockstep(sc, kProfile).mismatches.empty());
}
