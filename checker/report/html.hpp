// One self-contained HTML page for a check or a review: no scripts, no
// external resources (inline CSS and inline SVG only), readable offline and
// printable. It holds the profiles x properties matrix, the bounds covered,
// the catalog's claims and citations, and every violation step by step with
// the process tree drawn at each step.
#pragma once

#include <string>
#include <vector>

#include "checker/engine/check.hpp"

namespace reapcheck::engine {

/// The page. Throws std::runtime_error("engine bug: ...") when a trace does
/// not replay (every trace replayed before it was reported).
std::string html_report(const std::vector<CheckResult>& rs, const std::string& title);

}  // namespace reapcheck::engine
