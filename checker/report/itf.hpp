// Counterexample traces in the Informal Trace Format (ITF), the JSON trace
// format of Apalache and Quint (Apalache ADR-015): {"#meta": {...}, "vars":
// [...], "states": [{"#meta": {"index": i}, var: value, ...}]}. Integers are
// written {"#bigint": "n"}, sets {"#set": [...]}, maps {"#map": [[k, v], ...]},
// records as JSON objects. docs/json-schema.md lists the variables.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "checker/report/world_trace.hpp"

namespace reapcheck::engine {

/// The variables of every state, in order.
const std::vector<std::string>& itf_vars();

/// One ITF state per step of `wt` (the initial world first), so a trace of
/// n statements has n + 1 states. `source` and `description` go into #meta.
nlohmann::json to_itf(const WorldTrace& wt, const std::string& source, const std::string& description);

}  // namespace reapcheck::engine
