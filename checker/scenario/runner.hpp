// Runs a scenario against an executor: names what statements create,
// compares observed with expected results, and reports line by line.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checker/scenario/ast.hpp"
#include "checker/scenario/executor.hpp"

namespace reapcheck::scn {

struct LineReport {
    enum class Kind { Pass, Mismatch, Observed, Skipped } kind = Kind::Pass;
    Loc loc;
    std::string statement;   ///< as printed
    std::string expected;    ///< printed expected result (Mismatch)
    std::string observed;    ///< printed observed result
    std::string note;        ///< why skipped
};

struct RunReport {
    std::string file;
    std::vector<LineReport> lines;
    int passed = 0, mismatched = 0, observed = 0, skipped = 0;
    [[nodiscard]] bool ok() const { return mismatched == 0; }
};

/// The names a statement binds for what it creates: from its expected
/// result, else `t<line>` / `fd<line>`.
Fresh fresh_names(const Statement& st);

/// Called after each statement with its line report (reports, pictures and
/// exports read the executor's world at every step through it).
using StatementObserver = std::function<void(const Statement&, const LineReport&)>;

/// Runs every statement. Statements that name a task or pidfd whose creating
/// statement did not create it are skipped (and say so). A ParseError from the
/// executor (an impossible statement) propagates.
RunReport run_scenario(const Scenario& sc, Executor& ex, const StatementObserver& after = {});

}  // namespace reapcheck::scn
