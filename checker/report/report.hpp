// Reports of check and review: text for people, JSON for tools.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/engine/check.hpp"

namespace reapcheck::engine {

/// One profile: statistics, a verdict per line, then every trace.
std::string format_check(const CheckResult& r, bool traces);
/// Profiles x properties matrix, then the traces of violations (once per
/// distinct trace) and what was not covered.
std::string format_review(const std::vector<CheckResult>& rs, bool traces);
/// The verdict matrix alone: one row per property, one column per profile.
std::string format_matrix(const std::vector<CheckResult>& rs);
/// A profile as the reports name it: the name of a built-in profile
/// ("mainline"); for a profile file also its path and the profile it derives
/// from ("v6 (file review/v6.profile, based on mainline)").
std::string profile_label(const std::string& name);
/// The profile file behind a name: nullptr for a built-in (or unknown) one.
const refimpl::Profile* file_profile(const std::string& name);
/// JSON of one or more results (schema: docs/json-schema.md).
nlohmann::json to_json(const std::vector<CheckResult>& rs);
/// The name under which `--itf DIR` writes a verdict's trace.
std::string itf_file_name(const std::string& profile, const std::string& property);
/// 0: every property settled, none violated, every cover hit;
/// 1: a violation or an uncovered cover; 3: something unknown.
int exit_code(const std::vector<CheckResult>& rs);

}  // namespace reapcheck::engine
