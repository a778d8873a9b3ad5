// The Z3 engines over model/: bounded model checking and k-induction
// (`reapcheck bmc`, `reapcheck prove`), and the cross-check of the model
// against refimpl (`reapcheck crosscheck`). No Z3 types in this header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/world.hpp"
#include "refimpl/profile.hpp"

namespace reapcheck::symbolic {

/// How bmc's searches (bmc, and prove's base case) pose their queries
/// (README.md, "The Z3 model"): Int terms to Z3's default incremental solver,
/// or the same terms with every Int subterm rewritten into a bit-vector wide
/// enough for its range (checker/symbolic/bitvec.hpp), to Z3's incremental
/// SAT core (QF_BV). Both answer the same; Bv falls back to Int when a
/// property's form has an Int term without a bounded range.
enum class Encoding { Int, Bv };
const char* to_string(Encoding e);

struct Options {
    model::Features features;
    Encoding encoding = Encoding::Int;     ///< bmc searches (the `bmc` command's default is Bv)
    std::vector<std::string> properties;   ///< ids; empty = every `always` and `step` property of the catalog
    int depth = 8;                         ///< bmc: depth bound; prove: depth of the base-case search
    int max_k = 4;                         ///< prove: largest k tried
    double query_seconds = 60;             ///< per solver query
    /// per solver query, in Z3's resource units (0: none). Unlike the
    /// timeout it does not depend on the machine or its load, so a run
    /// gives the same verdicts wherever it runs.
    unsigned query_rlimit = 0;
    double max_seconds = 0;                ///< whole run (0: none)
    const volatile bool* interrupt = nullptr;
    bool progress = true;                  ///< progress lines on stderr
};

struct Result {
    enum class Kind { Proved, Violated, Bounded, Unknown, NotApplicable };
    Kind kind = Kind::Unknown;
    std::string property;
    int k = 0;               ///< proved: the k; violated: trace length; bounded: depth covered
    std::string reason;      ///< what was shown, or why unknown
    std::string trace;       ///< violated: the replayed .scn trace
    std::string cti;         ///< unknown after induction: the counterexample to induction
    double seconds = 0;
    /// Z3's resource units its queries used (the units of --query-rlimit),
    /// in all and in the largest query; and their CPU seconds. Unlike
    /// `seconds` these do not grow with the machine's load.
    std::uint64_t rlimit = 0, max_query_rlimit = 0;
    double cpu_seconds = 0;
};
const char* to_string(Result::Kind k);

struct Report {
    std::string engine;      ///< "bmc" or "prove"
    std::string profile;
    model::Features features;
    std::vector<Result> results;
    double seconds = 0;
    bool interrupted = false;
    bool disagreement = false;   ///< a Z3 trace did not re-run on refimpl (model bug)
    /// The encoding bmc's search used ("int" or "bv"; empty when none ran),
    /// and why Bv fell back to Int.
    std::string encoding, encoding_note;
};

Report bmc(const refimpl::Profile& p, const Options& o);
Report prove(const refimpl::Profile& p, const Options& o);
std::string format(const Report& r);
nlohmann::json to_json(const Report& r);
/// 0 all proved/bounded; 1 a violation; 3 something unknown; 4 model and refimpl disagree.
int exit_code(const Report& r);

/// The property ids prove/bmc consider by default, in catalog order.
std::vector<std::string> default_properties();

struct CrossOptions {
    model::Features features;
    int depth = 6;                   ///< explicit exploration depth
    int successor_samples = 200;     ///< states whose whole successor set is compared
    bool deep_paths = true;          ///< also check around the deep paths (crosscheck.cpp)
    double max_seconds = 0;
    const volatile bool* interrupt = nullptr;
    bool progress = true;
};

struct CrossReport {
    std::string profile;
    model::Features features;
    int depth = 0;
    uint64_t states = 0, transitions = 0, checked = 0, outside = 0, sampled = 0;
    uint64_t forms = 0;   ///< property forms (translated from the text) compared on every state / transition
    std::vector<std::string> disagreements;   ///< each: state, action, both results
    /// The model's update cases (SymStep::cases) some checked transition took,
    /// and those none took; the refimpl functions the exploration ran (entry
    /// points and the functions that report events), and those the model's
    /// alphabet can reach but it did not. Something unreached is a failure.
    std::vector<std::string> cases_reached, cases_unreached, refimpl_reached, refimpl_unreached;
    std::vector<std::string> paths_run, paths_skipped;   ///< deep paths, by description
    double seconds = 0;
    bool interrupted = false;
    /// Whether the run must reach every case: the whole alphabet (every
    /// switch on) and the deep paths. With a switch off, cases of the missing
    /// calls are unreachable, and only reported.
    bool coverage_required = false;
    /// Every case and function reached.
    [[nodiscard]] bool complete() const { return cases_unreached.empty() && refimpl_unreached.empty(); }
};

CrossReport crosscheck(const refimpl::Profile& p, const CrossOptions& o);
std::string format(const CrossReport& r);
nlohmann::json to_json(const CrossReport& r);

}  // namespace reapcheck::symbolic
