// KernelExecutor on hand-built statements, against the running kernel (root
// only; skipped otherwise). Every wait in the executor is bounded, so these
// tests cannot hang.
#include <doctest/doctest.h>

#include "tests/unit/conform_support.hpp"

#include <csignal>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "checker/conform/kernel_executor.hpp"
#include "checker/conform/proc.hpp"

using namespace reapcheck;
using scn::Result;
using scn::Statement;
using scn::Sys;
using K = Result::Kind;

namespace {

Result mk(K k, int64_t v = 0) {
    Result r;
    r.kind = k;
    r.value = v;
    return r;
}

bool not_root() { return conform_unavailable("kernel"); }

Statement call(const std::string& actor, Sys s, const std::string& target = "") {
    Statement st;
    st.loc = scn::Loc{"test.scn", 1, 1};
    st.actor = actor;
    st.call.sys = s;
    st.call.target = target;
    return st;
}

Statement clone3(const std::string& actor, std::initializer_list<scn::CloneFlag> flags, int64_t sig) {
    Statement st = call(actor, Sys::Clone3);
    for (auto f : flags) st.call.flags.add(f);
    st.call.exit_signal = sig;
    return st;
}

Statement wait4(const std::string& actor, const std::string& target, uint32_t options) {
    Statement st = call(actor, Sys::Wait4, target);
    st.call.options = options;
    return st;
}

Statement exit_(const std::string& actor, int64_t code) {
    Statement st = call(actor, Sys::Exit);
    st.call.number = code;
    return st;
}

Statement expect(scn::ExpectField f, const std::string& subject, const std::string& name, int64_t v = 0) {
    Statement st;
    st.kind = Statement::Kind::Expect;
    st.expect.field = f;
    st.expect.subject = subject;
    st.expect.value_name = name;
    st.expect.value = v;
    return st;
}

Result reaped(const std::string& n, int64_t code) {
    Result r = mk(K::Reaped);
    r.name = n;
    r.code = code;
    return r;
}

/// Children of this process, from /proc (a leak shows up here).
int own_children() {
    auto d = conform::proc::read("/proc/self/task/" + std::to_string(::getpid()) + "/children");
    int n = 0;
    if (d)
        for (char c : *d) n += c == ' ';
    return n;
}

bool alive(pid_t g) {
    auto s = conform::proc::stat(g);
    return s && s->state != 'Z' && s->state != 'X';
}

constexpr const char* kProfile = "linux-6.18";

}  // namespace

TEST_CASE("conform kernel: fork, exit, wait4 reports the exit" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    conform::KernelExecutor k(kProfile);
    Result r = k.run(call("main", Sys::Fork), {"C", ""});
    CHECK(r.kind == K::Child);
    CHECK(r.name == "C");
    CHECK(k.run(exit_("C", 42), {}).kind == K::Ok);
    CHECK(k.check(expect(scn::ExpectField::State, "C", "ZOMBIE")).kind == scn::ExpectOutcome::Kind::Pass);
    CHECK(k.check(expect(scn::ExpectField::Zombies, "", "", 1)).kind == scn::ExpectOutcome::Kind::Pass);
    CHECK(k.check(expect(scn::ExpectField::Parent, "C", "main")).kind == scn::ExpectOutcome::Kind::Pass);
    CHECK(k.run(wait4("main", "C", 0), {}) == reaped("C", 42));
    CHECK(k.check(expect(scn::ExpectField::State, "C", "RELEASED")).kind == scn::ExpectOutcome::Kind::Pass);
    Result pp = k.run(call("main", Sys::Getppid), {});
    CHECK(pp.kind == K::Task);
    CHECK(pp.name == "init");
}

TEST_CASE("conform kernel: clone3 CLONE_AUTOREAP is EINVAL on 6.18" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    if (conform::KernelExecutor::auto_profile() != "linux-6.18") return;
    conform::KernelExecutor k(kProfile);
    CHECK(k.run(clone3("main", {scn::CloneFlag::AUTOREAP}, 0), {"C", ""}) == mk(K::Errno, 22));
    Statement raw = clone3("main", {}, 0);
    raw.call.flags.raw = 1ULL << 36;
    CHECK(k.run(raw, {"D", ""}) == mk(K::Errno, 22));
}

TEST_CASE("conform kernel: an exit_signal 0 child is invisible to wait4 without __WALL" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    conform::KernelExecutor k(kProfile);
    CHECK(k.run(clone3("main", {scn::CloneFlag::PIDFD}, 0), {"C", "c"}).name2 == "c");
    CHECK(k.run(wait4("main", "C", scn::kWNOHANG), {}) == mk(K::Errno, 10));
    CHECK(k.run(wait4("main", "C", scn::kWNOHANG | scn::kWALL), {}) == mk(K::Number, 0));
    Statement es = expect(scn::ExpectField::ExitSignal, "C", "", 0);
    CHECK(k.check(es).kind == scn::ExpectOutcome::Kind::Pass);
    CHECK(k.run(exit_("C", 3), {}).kind == K::Ok);
    CHECK(k.run(call("main", Sys::Poll, "c"), {}) == mk(K::PollMask, 0x1));
    CHECK(k.run(call("main", Sys::Sigpending), {}) == mk(K::None));
    Statement info = call("main", Sys::PidfdInfo, "c");
    info.call.info_exit = true;
    CHECK(k.run(info, {}) == mk(K::NoExit));
    CHECK(k.run(wait4("main", "C", scn::kWNOHANG), {}) == mk(K::Errno, 10));
    CHECK(k.run(wait4("main", "C", scn::kWALL), {}) == reaped("C", 3));
    // After release: POLLIN|POLLHUP and exit info.
    CHECK(k.run(call("main", Sys::Poll, "c"), {}) == mk(K::PollMask, 0x11));
    Result ei = mk(K::ExitInfo);
    ei.code = 3;
    CHECK(k.run(info, {}) == ei);
    CHECK(k.run(call("main", Sys::PidfdOpen, "C"), {"", "d"}) == mk(K::Errno, 3));
    CHECK(k.run(call("main", Sys::Close, "c"), {}) == mk(K::Ok));
    CHECK(k.run(call("main", Sys::Poll, "c"), {}) == mk(K::Errno, 9));
}

TEST_CASE("conform kernel: a blocking wait4 blocks, then resume collects it" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    conform::KernelExecutor k(kProfile);
    CHECK(k.run(call("main", Sys::Fork), {"C", ""}).kind == K::Child);
    CHECK(k.run(wait4("main", "C", 0), {}) == mk(K::Blocks));
    CHECK_THROWS_AS(k.run(call("main", Sys::Getppid), {}), scn::ParseError);
    CHECK(k.run(call("main", Sys::Resume), {}) == mk(K::Blocks));
    CHECK(k.run(exit_("C", 7), {}).kind == K::Ok);
    CHECK(k.run(call("main", Sys::Resume), {}) == reaped("C", 7));
    CHECK(k.run(call("main", Sys::Sigpending), {}) == mk(K::Signal, SIGCHLD));
    CHECK(k.run(call("main", Sys::Sigpending), {}) == mk(K::None));
}

TEST_CASE("conform kernel: threads, execve and kill" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    conform::KernelExecutor k(kProfile);
    using F = scn::CloneFlag;
    CHECK(k.run(clone3("main", {F::THREAD, F::SIGHAND, F::VM}, 0), {"T", ""}).kind == K::Child);
    CHECK(k.check(expect(scn::ExpectField::Threads, "main", "", 2)).kind == scn::ExpectOutcome::Kind::Pass);
    CHECK(k.check(expect(scn::ExpectField::ExitSignal, "T", "", -1)).kind == scn::ExpectOutcome::Kind::Pass);
    Result pp = k.run(call("T", Sys::Getppid), {});
    CHECK(pp.name == "init");
    CHECK(k.run(exit_("T", 0), {}).kind == K::Ok);
    CHECK(k.check(expect(scn::ExpectField::Threads, "main", "", 1)).kind == scn::ExpectOutcome::Kind::Pass);
    CHECK(k.check(expect(scn::ExpectField::State, "T", "RELEASED")).kind == scn::ExpectOutcome::Kind::Pass);

    // An exit_signal 0 child that execs becomes visible to a plain wait [EMP-6.18 T7].
    CHECK(k.run(clone3("main", {}, 0), {"C", ""}).kind == K::Child);
    CHECK(k.run(call("C", Sys::Execve), {}) == mk(K::Ok));
    CHECK(k.run(wait4("main", "C", scn::kWNOHANG), {}) == mk(K::Number, 0));
    Statement kill = call("main", Sys::Kill, "C");
    kill.call.number = SIGKILL;
    CHECK(k.run(kill, {}) == mk(K::Ok));
    Result kr = mk(K::Reaped);
    kr.name = "C";
    kr.killed = true;
    kr.code = SIGKILL;
    Statement any = wait4("main", "", scn::kWNOHANG);
    any.call.any = true;
    CHECK(k.run(any, {}) == kr);
}

TEST_CASE("conform kernel: no process is left behind" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    const int before = own_children();
    std::vector<pid_t> pids;
    {
        conform::KernelExecutor k(kProfile);
        k.run(call("main", Sys::Fork), {"A", ""});
        k.run(call("A", Sys::Fork), {"B", ""});
        k.run(wait4("A", "B", 0), {});   // left blocked on purpose
        pids = k.global_pids();
        CHECK(pids.size() == 4);
        for (pid_t p : pids) CHECK(alive(p));
    }
    for (pid_t p : pids) CHECK_FALSE(alive(p));
    CHECK(own_children() == before);
}

TEST_CASE("conform kernel: a puppet killed from outside gives a clear error and no leak" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    const int before = own_children();
    std::vector<pid_t> pids;
    {
        conform::KernelExecutor k(kProfile);
        k.run(call("main", Sys::Fork), {"C", ""});
        pids = k.global_pids();
        ::kill(k.global_tid("C"), SIGKILL);
        ::usleep(20000);
        try {
            k.run(call("C", Sys::Getppid), {});
            FAIL("expected an error");
        } catch (const conform::ConformError& e) {
            CHECK(std::string(e.what()).find("'C'") != std::string::npos);
        }
    }
    for (pid_t p : pids) CHECK_FALSE(alive(p));
    CHECK(own_children() == before);
}

TEST_CASE("conform kernel: a sub-thread execs after its leader has exited" * doctest::skip(::geteuid() != 0)) {
    if (not_root()) return;
    conform::KernelExecutor k(kProfile);
    using F = scn::CloneFlag;
    CHECK(k.run(call("main", Sys::Fork), {"Q", ""}).kind == K::Child);
    CHECK(k.run(clone3("Q", {F::THREAD, F::SIGHAND, F::VM}, 0), {"QT", ""}).kind == K::Child);
    CHECK(k.run(exit_("Q", 1), {}).kind == K::Ok);
    CHECK(k.check(expect(scn::ExpectField::State, "Q", "ZOMBIE")).kind == scn::ExpectOutcome::Kind::Pass);
    // de_thread: QT takes over Q's pid; as in refimpl, "Q" now names it and
    // "QT" the released old leader.
    CHECK(k.run(call("QT", Sys::Execve), {}) == mk(K::Ok));
    CHECK(k.check(expect(scn::ExpectField::State, "QT", "RELEASED")).kind == scn::ExpectOutcome::Kind::Pass);
    CHECK(k.check(expect(scn::ExpectField::State, "Q", "RUNNING")).kind == scn::ExpectOutcome::Kind::Pass);
    CHECK(k.check(expect(scn::ExpectField::Threads, "Q", "", 1)).kind == scn::ExpectOutcome::Kind::Pass);
    CHECK(k.run(call("Q", Sys::Getppid), {}).name == "main");
    CHECK(k.run(exit_("Q", 4), {}).kind == K::Ok);
    CHECK(k.run(wait4("main", "Q", 0), {}) == reaped("Q", 4));
}
