// The properties the engines see: the built-in catalog, then the user's
// (`--properties FILE`, loaded by properties/lang/). One vector, rebuilt when
// a user property is added, so that `all()` is as cheap as `catalog()`.
#include <stdexcept>

#include "properties/catalog.hpp"

namespace reapcheck::props {

namespace {
std::vector<Property>& registry() {
    static std::vector<Property> r = catalog();
    return r;
}
}  // namespace

const std::vector<Property>& all() { return registry(); }

void add_user(const Property& p) {
    for (const Property& q : registry())
        if (q.id == p.id) throw std::logic_error("add_user: duplicate property id " + std::string(p.id));
    registry().push_back(p);
}

void clear_user() { registry() = catalog(); }

void use_text(std::string_view id, const Evaluator* text) {
    for (Property& q : registry())
        if (q.id == id) {
            q.state = nullptr;
            q.step = nullptr;
            q.applies = nullptr;
            q.text = text;
            return;
        }
    throw std::logic_error("use_text: unknown property id " + std::string(id));
}

}  // namespace reapcheck::props
