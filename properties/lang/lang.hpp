// The property language (docs/property-language.md): properties as text,
// parsed into a typed expression tree and evaluated over refimpl states and
// transitions. Every error is a ParseError whose message is
// `file:line:column: what is wrong`, like the scenario language's.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "properties/catalog.hpp"

namespace reapcheck::props::lang {

class ParseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Program;   // the parsed expressions (lang/ast.hpp)

/// A parsed property: the strings the catalog entry views, its predicate.
struct TextProperty {
    std::string id, claim, source, refines, note, origin;
    Kind kind = Kind::Always;
    std::unique_ptr<Evaluator> eval;
    [[nodiscard]] Property entry() const;
};

/// Parses a whole text. Ids must be new with respect to `props::all()` and
/// within the text; `refines` must name a known property (or one earlier in
/// the text). Throws ParseError.
std::vector<std::unique_ptr<TextProperty>> parse_text(std::string_view text, const std::string& filename);

/// Parses a file (a missing or unreadable one is an error at `path:0:0`) and
/// adds its properties to props::all(); they live until the program ends (or
/// clear_loaded()). Returns their ids, in file order.
std::vector<std::string> load_file(const std::string& path);
/// Forgets every loaded property (tests): props::clear_user() too.
void clear_loaded();

}  // namespace reapcheck::props::lang
