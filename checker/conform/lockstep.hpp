// Lockstep conformance: every statement runs on the running kernel
// (KernelExecutor) and on refimpl (RefimplExecutor), and the two observed
// results are compared with each other, not with the file's expectations.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "checker/conform/kernel_executor.hpp"
#include "checker/scenario/ast.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "refimpl/profile.hpp"

namespace reapcheck::conform {

/// One difference between the kernel and refimpl.
struct Mismatch {
    scn::Loc loc;
    size_t index = 0;        ///< statement index in the scenario or trace
    std::string statement;   ///< as printed
    std::string kernel;      ///< what the kernel gave
    std::string refimpl;     ///< what refimpl gave
    [[nodiscard]] std::string str() const;   ///< `file:line: STATEMENT: kernel X, refimpl Y`
};

struct Tally {
    size_t compared = 0, mismatched = 0, skipped = 0;
    Tally& operator+=(const Tally& o) {
        compared += o.compared;
        mismatched += o.mismatched;
        skipped += o.skipped;
        return *this;
    }
};

struct LockstepReport {
    Tally tally;
    std::vector<Mismatch> mismatches;
    /// Set when refimpl could not run a statement (e.g. a scenario written for
    /// another profile): the message; the rest of the file counts as skipped.
    std::string stopped;
    /// The harness failed (a puppet died or did not answer, no namespace):
    /// `file:line: STATEMENT: what happened`; the rest of the file is skipped.
    std::string error;
    bool interrupted = false;   ///< `stop` was set: the rest of the file is skipped
};

/// The two executors of one run, side by side.
class Lockstep {
public:
    /// `fault` is test-only: a refimpl that disagrees with the kernel on purpose.
    Lockstep(const std::string& profile, bool explicit_steps,
             refimpl::Fault fault = refimpl::Fault::None, Timeouts t = {});

    enum class Outcome { Same, Differ, Skipped };
    struct Step {
        Outcome outcome = Outcome::Same;
        std::string kernel, refimpl;   ///< printed observations
        scn::Result kernel_result;     ///< when the kernel ran a call
        bool kernel_ran = false;
    };
    /// Runs `st` on both. With `compare` false both run but the step counts as
    /// skipped (a `steps explicit` window). A statement refimpl cannot run at all
    /// throws its ParseError.
    Step step(const scn::Statement& st, const scn::Fresh& fresh, bool compare = true);

    /// True while refimpl owes work the real kernel has already done, so what
    /// the next statement observes is not comparable: a kernel step pending
    /// (only under `steps explicit`), or a blocked wait that was woken but not
    /// yet resumed (the kernel's waiter re-scans, and may reap, at once;
    /// refimpl's at `resume`), unless `next` is that waiter's own resume.
    [[nodiscard]] bool in_window(const scn::Statement& next) const;

    [[nodiscard]] scn::RefimplExecutor& refimpl() { return *ref_; }
    [[nodiscard]] KernelExecutor& kernel() { return *kern_; }

private:
    void harness_detach_limit(const scn::Statement& st) const;   ///< throws scn::ModelGap
    std::unique_ptr<scn::RefimplExecutor> ref_;
    std::unique_ptr<KernelExecutor> kern_;
    /// Waiters that were woken together with one that has been resumed since:
    /// on the kernel they raced for the same children (whichever scanned first
    /// reaped), refimpl resumes them in order, so their resume is not compared.
    std::vector<refimpl::Id> racing_;
};

/// Names for what a statement may create, as the replay runner chooses them
/// (scn::fresh_names): from its expected result, else `t<line>` / `fd<line>`.
scn::Fresh fresh_for(const scn::Statement& st);

/// A statement as printed, without its expected result.
std::string call_text(const scn::Statement& st);

/// Runs a whole scenario in lockstep under `profile`.
LockstepReport run_lockstep(const scn::Scenario& sc, const std::string& profile,
                            refimpl::Fault fault = refimpl::Fault::None, Timeouts t = {},
                            const volatile bool* stop = nullptr);

}  // namespace reapcheck::conform
