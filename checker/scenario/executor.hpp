// An executor runs scenario statements against one world: refimpl (replay) or
// the running kernel (conform). The runner (runner.hpp) owns comparison,
// naming of created objects and reporting; executors only execute.
#pragma once

#include <string>

#include "checker/scenario/ast.hpp"

namespace reapcheck::scn {

/// Names the runner chose for the objects a statement may create: taken from
/// the expected result (`-> child C, pidfd c`), else automatic (`t3`, `fd4`).
struct Fresh {
    std::string task;   ///< name for a created child
    std::string fd;     ///< name for a created pidfd
};

/// What an `expect` line came to.
struct ExpectOutcome {
    enum class Kind { Pass, Fail, Skipped } kind = Kind::Pass;
    std::string observed;   ///< the value seen (for Fail), or why skipped
};

class Executor {
public:
    virtual ~Executor() = default;
    /// Runs one call statement by `st.actor` (a bound task name, or "kernel").
    /// Returns the observed result; names in it are scenario names. Throws
    /// ParseError (at st.loc) for a statement that cannot be run at all, such as
    /// an unbound name or a call by a blocked actor.
    virtual Result run(const Statement& st, const Fresh& fresh) = 0;
    /// Evaluates an `expect` line.
    virtual ExpectOutcome check(const Statement& st) = 0;
};

}  // namespace reapcheck::scn
