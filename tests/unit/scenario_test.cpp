// The scenario language: parser errors, printer round-trip over every bundled
// scenario, and the selftest scenarios under linux-6.18.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "checker/scenario/parser.hpp"
#include "checker/scenario/printer.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"

using namespace reapcheck::scn;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> scenario_files(const std::string& sub) {
    std::vector<std::string> v;
    for (auto& e : fs::directory_iterator(fs::path(REAPCHECK_SOURCE_DIR) / sub))
        if (e.path().extension() == ".scn") v.push_back(e.path().string());
    std::sort(v.begin(), v.end());
    return v;
}

std::string error_of(const std::string& text) {
    try {
        parse_text(text, "t.scn");
    } catch (const ParseError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("parser: the DESIGN example parses and round-trips") {
    const char* text =
        "# comment\n"
        "profile mainline\n"
        "main: clone3 flags=PIDFD|AUTOREAP exit_signal=0 -> child C, pidfd c\n"
        "C: exit 42\n"
        "main: poll c -> POLLIN|POLLHUP\n"
        "main: pidfd_info c EXIT -> exited(42)\n"
        "main: wait4 C WNOHANG -> ECHILD\n"
        "main: clone3 flags=AUTOREAP|PARENT exit_signal=0 -> EINVAL\n"
        "expect zombies == 0\n";
    Scenario sc = parse_text(text, "t.scn");
    REQUIRE(sc.statements.size() == 7);
    CHECK(sc.profile == "mainline");
    CHECK(sc.statements[0].expected->kind == Result::Kind::Child);
    CHECK(sc.statements[0].expected->name2 == "c");
    Scenario again = parse_text(print(sc), "t2.scn");
    CHECK(again == sc);
    RefimplExecutor ex("mainline", false);
    RunReport rep = run_scenario(sc, ex);
    CHECK(rep.ok());
    CHECK(rep.passed == 7);
}

TEST_CASE("parser: errors are one line with file:line:column") {
    struct Case { const char* text; const char* want; };
    const Case cases[] = {
        {"main clone3\n", "t.scn:1:6: expected ':' after the actor name 'main', found 'clone3'"},
        {"main: frobnicate\n", "t.scn:1:7: unknown system call 'frobnicate'"},
        {"main: clone3 flags=PIDFD|BOGUS\n", "t.scn:1:26: unknown clone flag 'BOGUS'"},
        {"main: clone3 flags=PIDFD||AUTOREAP\n", "t.scn:1:26: expected a flag name or number"},
        {"main: exit\n", "t.scn:1:11: expected an exit code at end of line"},
        {"main: exit 1 -> ok\n", "t.scn:1:17: this result does not fit exit (it does not return)"},
        {"main: wait4 C BOGUS\n", "t.scn:1:15: expected a wait option"},
        {"main: poll c -> child X\n", "t.scn:1:17: this result does not fit poll"},
        {"main: fork -> \n", "t.scn:1:14: expected a result at end of line"},
        {"main: getppid\nprofile v4\n", "t.scn:2:1: 'profile' must come once, before the first statement"},
        {"expect bogus == 1\n", "t.scn:1:8: unknown expectation 'bogus'"},
        {"main: kill C SIGBOGUS\n", "t.scn:1:14: expected a signal"},
        {"main: fork\x01\n", "t.scn:1:11: unexpected character (byte 0x01)"},
        {"kernel: reap C\n", "t.scn:1:9: expected a kernel step"},
        {"steps sometimes\n", "t.scn:1:7: expected explicit or auto, found 'sometimes'"},
        {"main: clone3 flags=PIDFD flags=PIDFD\n", "t.scn:1:26: expected flags=... or exit_signal=... (each at most once)"},
    };
    for (const Case& c : cases) {
        const std::string text = c.text;
        CAPTURE(text);
        const std::string got = error_of(text);
        CAPTURE(got);
        CHECK(got.rfind(c.want, 0) == 0);
        CHECK(got.find('\n') == std::string::npos);
    }
    CHECK(std::string(error_of(std::string("main: fork\0\n", 12))).find("NUL byte") != std::string::npos);
}

TEST_CASE("parser: missing files and directories") {
    CHECK_THROWS_WITH_AS(parse_file("/nonexistent/x.scn"), "/nonexistent/x.scn:0:0: no such file", ParseError);
    CHECK_THROWS_AS(parse_file(REAPCHECK_SOURCE_DIR), ParseError);
}

TEST_CASE("executor: impossible statements are errors at the statement") {
    RefimplExecutor ex("mainline", false);
    Scenario sc = parse_text("X: fork\n", "t.scn");
    CHECK_THROWS_WITH_AS(run_scenario(sc, ex), "t.scn:1:1: unknown task 'X' (no statement created it)", ParseError);
    RefimplExecutor ex2("mainline", false);
    Scenario sc2 = parse_text("main: exit 0\nmain: fork\n", "t.scn");
    CHECK_THROWS_WITH_AS(run_scenario(sc2, ex2), "t.scn:2:1: 'main' cannot make a call: it has exited",
                         ParseError);
    RefimplExecutor ex3("mainline", false);
    Scenario sc3 = parse_text("kernel: unhash main\n", "t.scn");
    CHECK_THROWS_AS(run_scenario(sc3, ex3), ParseError);
}

TEST_CASE("every bundled scenario parses, round-trips through the printer and replays") {
    auto files = scenario_files("scenarios");
    auto st = scenario_files("scenarios/selftest");
    files.insert(files.end(), st.begin(), st.end());
    REQUIRE(files.size() >= 40);
    for (const auto& f : files) {
        CAPTURE(f);
        Scenario sc = parse_file(f);
        CHECK(parse_text(print(sc), f) == sc);
        RefimplExecutor ex(sc.profile.value_or("mainline"), sc.explicit_steps);
        RunReport rep = run_scenario(sc, ex);
        CHECK(rep.mismatched == 0);
        CHECK(rep.observed == 0);   // every statement carries its expected result
    }
}

TEST_CASE("selftest scenarios under linux-6.18: EINVAL for the new flags and nothing else changes") {
    const auto* p618 = reapcheck::refimpl::find_profile("linux-6.18");
    for (const auto& f : scenario_files("scenarios/selftest")) {
        CAPTURE(f);
        Scenario sc = parse_file(f);
        REQUIRE_FALSE(sc.profile.has_value());
        RefimplExecutor ex(*p618, sc.explicit_steps);
        RunReport rep = run_scenario(sc, ex);
        size_t i = 0;
        for (const auto& line : rep.lines) {
            const Statement& st = sc.statements[i++];
            if (line.kind != LineReport::Kind::Mismatch) continue;
            CAPTURE(line.statement);
            const bool new_flag = st.kind == Statement::Kind::Call && st.call.sys == Sys::Clone3 &&
                                  (st.call.flags.has(CloneFlag::AUTOREAP) || st.call.flags.has(CloneFlag::NNP) ||
                                   st.call.flags.has(CloneFlag::PIDFD_AUTOKILL));
            CHECK(new_flag);
            CHECK(line.observed == "EINVAL");
        }
    }
}
