// The text and JSON reports of `diff` (checker/engine/diff.hpp).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/engine/diff.hpp"

namespace reapcheck::engine {

/// Text for people. `traces`: append both scenarios of each difference.
std::string format_diff(const PairDiff& d, bool traces);
/// A compact section for `review`: one short paragraph per pair.
std::string format_diffs(const std::vector<PairDiff>& ds, bool traces);
/// JSON of one pair (schema: docs/json-schema.md, "diff reports").
nlohmann::json to_json(const PairDiff& d);
/// {"tool": "reapcheck", "schema": 1, "diffs": [...]}
nlohmann::json to_json(const std::vector<PairDiff>& ds);

}  // namespace reapcheck::engine
