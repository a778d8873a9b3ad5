// `check`: explicit-state exploration of refimpl under one profile, settling
// every property of the catalog with a three-valued verdict. Every
// counterexample and witness is printed as a .scn trace in explicit-steps
// mode and replayed through refimpl before it is reported.
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "checker/engine/alphabet.hpp"
#include "checker/engine/coverage.hpp"
#include "checker/engine/limits.hpp"
#include "properties/catalog.hpp"

namespace reapcheck::engine {

struct Verdict {
    enum class Kind { Holds, Violated, Unknown, NotApplicable, Covered, NotCovered };
    Kind kind = Kind::Unknown;
    std::string property;
    std::string reason;          ///< the bound covered, why unknown, why not hit
    std::string trace;           ///< .scn text: counterexample, or a cover's witness
    int trace_steps = 0;
};
const char* to_string(Verdict::Kind k);
/// A verdict that is a failure of the checked system (violated, cover not hit).
bool is_failure(Verdict::Kind k);
/// The `n/a` verdict of a property the profile has no feature for.
Verdict not_applicable(const props::Property& p, const refimpl::Profile& profile);
/// The properties whose verdict is `holds`.
std::vector<std::string> holding_ids(const std::vector<Verdict>& vs);

/// Checkpoint and resume (checker/engine/checkpoint.hpp, docs/checkpoint.md).
struct CheckpointOptions {
    std::string dir;       ///< --checkpoint DIR (with --resume alone: the resumed DIR)
    std::string resume;    ///< --resume DIR
    double every = 600;    ///< --checkpoint-every S (0: at every level)
    std::string inputs;    ///< the CLI's fingerprint of the files it read (--properties, --catalog-text)
    bool quiet = false;    ///< no line on stderr per checkpoint
    [[nodiscard]] bool active() const { return !dir.empty() || !resume.empty(); }
};

struct CheckOptions {
    Bounds bounds;
    Limits limits;
    bool symmetry = true;
    std::vector<std::string> properties;   ///< ids to check; empty = all
    bool liveness = true;                  ///< check `eventually` properties (off: they get no verdict)
    int threads = 1;                       ///< worker threads of the explorer (results do not depend on it)
    bool progress = false;                 ///< progress lines on stderr
    std::string progress_label;            ///< what they name (default: "check <profile>")
    /// Stop the exploration as soon as one of these properties is settled
    /// (violated, or a cover hit); check_suite then skips the remaining
    /// configurations. For `mutate`: the first property a mutant breaks.
    std::vector<std::string> stop_when_found;
    /// Partial-order reduction (checker/engine/por.hpp; off by default): the
    /// same verdicts, fewer states; traces may be longer than the shortest.
    bool por = false;
    /// Reduce where it is exact: a run without a depth bound (a depth bound
    /// counts the reduced graph's steps). The CLI's check and review set it
    /// unless --no-por; `por` forces the reduction at any depth.
    bool por_auto = false;
    CheckpointOptions checkpoint;
};

struct CheckResult {
    std::string profile;
    CheckOptions options;
    Stats stats;   ///< for a suite: sums over the runs
    /// For a suite: each configuration's name, bounds and statistics.
    std::vector<std::tuple<std::string, Bounds, Stats>> runs;
    std::vector<Verdict> verdicts;
    /// Action coverage, facts that held, vacuous properties (coverage.hpp).
    /// For a suite: summed over the runs, vacuity of the merged verdicts.
    Coverage coverage;
    /// A transition broke a refimpl contract (ModelError: action and state);
    /// that exploration stopped there, its unsettled verdicts are unknown.
    /// For a suite: one entry per configuration that hit one, prefixed by its name.
    std::vector<std::string> model_errors;
    /// With options.por: "on" or why it reduced nothing ("off: ..."); empty without.
    std::string por_note;
};

/// Throws std::runtime_error("engine bug: ...") when a trace does not replay.
CheckResult check(const refimpl::Profile& profile, const CheckOptions& opts);

}  // namespace reapcheck::engine
