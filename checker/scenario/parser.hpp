// Parser of the scenario language (docs/scenario-language.md). Every error is
// a ParseError whose message is `file:line:column: what was expected, found X`.
#pragma once

#include <string>
#include <string_view>

#include "checker/scenario/ast.hpp"

namespace reapcheck::scn {

/// Parses a whole file. A missing or unreadable file, a directory or a file
/// with NUL bytes is a ParseError at `path:0:0`.
Scenario parse_file(const std::string& path);
/// Parses text; `filename` is used in error locations.
Scenario parse_text(std::string_view text, const std::string& filename);

/// Signal by name (SIGCHLD) or number; nullopt when neither.
std::optional<int> parse_signal(const std::string& s);

}  // namespace reapcheck::scn
