// The property language (docs/property-language.md): properties as text,
// parsed into a typed expression tree and evaluated over refimpl states and
// transitions. Every error is a ParseError whose message is
// `file:line:column: what is wrong`, like the scenario language's.
#pragma once

#include <cstdint>
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
    std::vector<About> about;    ///< the `about` clause, in the order written
    bool has_about = false;
    std::unique_ptr<Evaluator> eval;
    [[nodiscard]] Property entry() const;
};

/// User: ids must be new with respect to `props::all()`, `refines` names a
/// known property or one earlier in the file. Catalog: the built-in catalog's
/// own files, read before anything is registered: ids unique over all the
/// files, `refines` names a property earlier in them.
enum class Mode : uint8_t { User, Catalog };

/// Parses a whole text (Mode::User). Throws ParseError.
std::vector<std::unique_ptr<TextProperty>> parse_text(std::string_view text, const std::string& filename);

/// One file of the catalog: its path (for messages) and text.
struct CatalogFile {
    std::string path;
    std::string_view text;
};
/// Parses the catalog's files in order (Mode::Catalog). Throws ParseError.
std::vector<std::unique_ptr<TextProperty>> parse_catalog(const std::vector<CatalogFile>& files);

/// Parses a file (a missing or unreadable one is an error at `path:0:0`) and
/// adds its properties to props::all(); they live until the program ends (or
/// clear_loaded()). Returns their ids, in file order.
std::vector<std::string> load_file(const std::string& path);
/// Forgets every loaded property (tests): props::clear_user() too.
void clear_loaded();

/// Reads every `*.rcp` file of `dir` (in name order) as the built-in catalog
/// and makes it the catalog instead of the embedded files (--catalog-text:
/// edit the catalog and run it without rebuilding). Call it before any user
/// file is loaded: it forgets them. Returns the ids.
std::vector<std::string> use_catalog_text(const std::string& dir);
/// The texts of `dir` in catalog mode, without installing them (tests).
std::vector<std::unique_ptr<TextProperty>> read_catalog_text(const std::string& dir);

}  // namespace reapcheck::props::lang
