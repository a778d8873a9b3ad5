// `reapcheck prove --unbounded` (docs/unbounded.md): the catalog's
// properties proved for every number of tasks, by checking that an inductive
// invariant over the parameterized model (param.hpp) holds initially, is
// preserved by every action and implies the property. The invariant is
// text: the aux.* invariants of the catalog that have a parameterized form
// and the file properties/unbounded/invariants.rcp, translated from the
// property language like the properties themselves. No Z3 types here.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/world.hpp"
#include "refimpl/profile.hpp"

namespace reapcheck::symbolic {

struct UnboundedOptions {
    model::Features features;             ///< the alphabet's switches (slots unused)
    std::vector<std::string> properties;  ///< empty: the six of issue 16 (unbounded_default_properties)
    std::vector<int> agree;               ///< slot counts to compare with the N-slot model first
    double property_seconds = 60;         ///< budget per property (all its queries)
    unsigned query_rlimit = 0;            ///< per solver query, Z3 resource units (0: none; Options::query_rlimit)
    const volatile bool* interrupt = nullptr;
    bool progress = true;
};

struct UnboundedResult {
    enum class Kind { Proved, NotInductive, Unknown, NotApplicable };
    Kind kind = Kind::Unknown;
    std::string property;
    std::string reason;   ///< what was shown, or why not
    std::string cti;      ///< not inductive: the counterexample to induction
    int queries = 0;
    double seconds = 0;
};
const char* to_string(UnboundedResult::Kind k);

struct AgreementSummary {
    int slots = 0, actions = 0, unknown = 0;
    int forms = 0;   ///< property forms compared (a step property: one per action)
    std::vector<std::string> disagreements;
    double seconds = 0;
};

struct UnboundedReport {
    std::string profile;
    std::vector<std::string> invariant;   ///< the invariant's parts, by id
    std::vector<AgreementSummary> agreement;
    std::vector<UnboundedResult> results;
    double seconds = 0;
    bool interrupted = false;
};

/// The properties `prove --unbounded` proves by default.
std::vector<std::string> unbounded_default_properties();
UnboundedReport prove_unbounded(const refimpl::Profile& p, const UnboundedOptions& o);
std::string format(const UnboundedReport& r);
nlohmann::json to_json(const UnboundedReport& r);
/// 0 everything proved and agreeing; 1 not inductive or a disagreement; 3 unknown.
int exit_code(const UnboundedReport& r);

}  // namespace reapcheck::symbolic
