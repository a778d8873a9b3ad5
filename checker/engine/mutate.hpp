// Mutation analysis (docs/mutation.md): how strong are the property catalog
// and the scenarios? A mutant is refimpl with one semantic bug switched on
// (refimpl/mutants.hpp).
//
// `mutate`: the review of a mutant under a profile is compared with the
// review of the correct model under the same profile and bounds. The mutant
// is killed when some verdict changes (a property that held is violated, a
// cover is no longer hit, ...); the exploration stops at the first property
// that settles differently (CheckOptions::stop_when_found), so a kill costs
// little. A survivor gets a diff (diff.hpp) between the correct model and
// the mutant: a shortest scenario in which their observable results differ
// (a missing property), or none within the bound (an equivalent mutant, or
// one whose difference lies beyond the bound).
//
// `audit`: a scenario run under each mutant; a checked statement (one with an
// expected result) or an `expect` line kills the mutant when its result
// differs from the expected one, or when the statement cannot run at all
// under the mutant (its actor is gone or blocked: a test would fail too), or
// when running it breaks a refimpl contract (the mutated kernel went where
// the model's invariants exclude).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/engine/check.hpp"
#include "checker/engine/diff.hpp"
#include "checker/engine/suite.hpp"
#include "checker/scenario/ast.hpp"
#include "refimpl/mutants.hpp"

namespace reapcheck::engine {

/// One mutant under one profile.
struct MutantRun {
    /// Equivalent: survived, and the mutant is declared equivalent in this
    /// profile (Mutant::equivalent says why; the survivor diff checks it).
    enum class Status { Killed, Survived, ModelError, Unknown, NotApplicable, Equivalent };
    std::string mutant, profile;
    Status status = Status::NotApplicable;
    struct Kill {
        std::string property;
        std::string correct, mutant;   ///< verdicts (to_string of Verdict::Kind)
        std::string configuration;     ///< reason text of the mutant's verdict (names the configuration)
        std::string trace;             ///< the mutant's trace, when the verdict has one
    };
    std::vector<Kill> kills;
    std::vector<std::string> model_errors;
    double seconds = 0;
    uint64_t states = 0;
    // Survivors: the diff between the correct model and the mutant.
    bool diffed = false;
    std::string diff_verdict;          ///< "different", "same", "unknown" (PairDiff::Verdict)
    std::string diff_bound;            ///< what the diff covered
    std::string diff_statement, diff_correct, diff_mutant;
    std::string diff_trace_correct, diff_trace_mutant;
    int diff_steps = 0;
};
const char* to_string(MutantRun::Status s);

struct MutateOptions {
    std::vector<NamedBounds> suite;    ///< default_suite() or the command line's configuration
    CheckOptions base;                 ///< limits, symmetry
    bool diff_survivors = true;
    double diff_seconds = 60;          ///< limit of each survivor diff
    /// Depth of the first pass over the suite (each configuration capped at
    /// it; 0: no first pass): a kill found there ends the mutant's run
    /// before the full review (docs/mutation.md).
    int shallow_depth = 4;
};

/// The correct model's review under `p` (the baseline mutants are compared with).
CheckResult baseline(const refimpl::Profile& p, const MutateOptions& o);

/// One mutant under `p`, against the baseline of `p`.
MutantRun run_mutant(const refimpl::Profile& p, const refimpl::Mutant& m, const CheckResult& base,
                     const MutateOptions& o);

/// Survivor evidence: diff the correct model and the mutant (first
/// difference; a second, larger alphabet with threads and ptrace when the
/// first finds none).
void diff_survivor(const refimpl::Profile& p, const refimpl::Mutant& m, const MutateOptions& o, MutantRun& r);

nlohmann::json to_json(const MutantRun& r);
MutantRun mutant_run_from_json(const nlohmann::json& j);

/// Text and JSON of a whole mutation run: per mutant, per profile, then the
/// score per profile (killed / applicable).
std::string format_mutation(const std::vector<MutantRun>& rs, bool traces);
nlohmann::json mutation_json(const std::vector<MutantRun>& rs);

// ---- audit of scenarios ------------------------------------------------------

/// One checked statement or `expect` line of a scenario and the mutants it kills.
struct AuditLine {
    scn::Loc loc;
    std::string statement;
    bool expect = false;                 ///< an `expect` line (else a call with an expected result)
    std::vector<std::string> kills;      ///< mutant ids
    std::vector<std::string> first_kills;///< mutants this line is the first to notice in its file
};

struct AuditFile {
    std::string file, profile;
    bool correct_ok = true;              ///< the scenario passes on the correct model
    std::string correct_problem;         ///< why not
    std::vector<AuditLine> lines;
    std::vector<std::string> applicable; ///< mutants that apply to the file's profile
    std::vector<std::string> survivors;  ///< applicable mutants no line kills
};

/// Runs `sc` under the correct model of `profile` and under every mutant of
/// `ms` that applies to it.
AuditFile audit_scenario(const scn::Scenario& sc, const std::string& profile,
                         const std::vector<const refimpl::Mutant*>& ms);

std::string format_audit(const std::vector<AuditFile>& fs, const std::vector<const refimpl::Mutant*>& ms);
nlohmann::json audit_json(const std::vector<AuditFile>& fs, const std::vector<const refimpl::Mutant*>& ms);

}  // namespace reapcheck::engine
