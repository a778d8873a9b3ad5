// Subcommands register themselves here (one file per subcommand in
// checker/cli/), so main.cpp needs no list of them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <cstdio>
#include <optional>

#include <CLI/CLI.hpp>

#include "checker/scenario/parser.hpp"

namespace reapcheck::cli {

/// Exit codes, documented in README.md.
inline constexpr int kExitOk = 0;          ///< success; every property / statement as expected
inline constexpr int kExitFailed = 1;      ///< a mismatch, a violated property, a conformance difference
inline constexpr int kExitUsage = 2;       ///< bad input: command line, scenario file, bound
inline constexpr int kExitUnknown = 3;     ///< a verdict is unknown (limit reached, solver unknown)
inline constexpr int kExitInternal = 4;    ///< an engine bug (e.g. a trace that does not replay)

/// A subcommand: `setup` adds it to the app and returns the code to run when it
/// was chosen; that code returns the process exit code.
struct Command {
    std::string name;
    std::function<std::function<int()>(CLI::App&)> setup;
};

std::vector<Command>& registry();

struct Register {
    explicit Register(Command c) { registry().push_back(std::move(c)); }
};

/// Parses a scenario file for a command that takes many: a malformed or
/// missing file is reported as one line on stderr and gives nullopt, so the
/// command goes on with the other files and exits 2 at the end.
inline std::optional<scn::Scenario> parse_or_report(const std::string& path) {
    try {
        return scn::parse_file(path);
    } catch (const scn::ParseError& e) {
        std::fprintf(stderr, "reapcheck: %s\n", e.what());
        return std::nullopt;
    }
}

/// For unsigned options: CLI11 reads "-1" as 2^64-1 (no limit at all), and
/// its NonNegativeNumber names DBL_MAX in its message.
inline const CLI::Validator kNonNegative(
    [](std::string& s) { return !s.empty() && s[0] == '-' ? std::string("must not be negative") : std::string(); },
    "NONNEGATIVE");

/// Thrown by a subcommand for bad user input that has no file location (a
/// missing file, an impossible bound); main prints it as one line, exit 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace reapcheck::cli
