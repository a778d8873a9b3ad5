// The text and JSON reports of `simulate` (checker/engine/simulate.hpp).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "checker/engine/simulate.hpp"

namespace reapcheck::engine {

/// Text report: the run, one verdict per line, then every violation's trace.
std::string format_simulate(const SimulateResult& r, bool traces);
/// The JSON report: check's schema (report.hpp to_json) plus a "simulation"
/// object and, per verdict, where the walks found it (docs/json-schema.md).
nlohmann::json simulate_json(const SimulateResult& r, const SimulateOptions& o);

}  // namespace reapcheck::engine
