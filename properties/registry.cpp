// The properties the engines see: the built-in catalog (the embedded
// properties/catalog/*.rcp, or the directory --catalog-text names), then the
// user's (`--properties FILE`, loaded by properties/lang/). One vector,
// rebuilt when a user property is added, so that `all()` is as cheap as
// `catalog()`.
#include <stdexcept>

#include "properties/catalog.hpp"

namespace reapcheck::props {

namespace detail {
std::vector<Property> parse_builtin_catalog();   // catalog.cpp
}

namespace {
struct Registry {
    std::vector<Property> catalog, all;
};
Registry& registry() {
    static Registry r = [] {
        Registry x;
        x.catalog = detail::parse_builtin_catalog();
        x.all = x.catalog;
        return x;
    }();
    return r;
}
}  // namespace

const std::vector<Property>& catalog() { return registry().catalog; }

const std::vector<Property>& all() { return registry().all; }

void add_user(const Property& p) {
    for (const Property& q : registry().all)
        if (q.id == p.id) throw std::logic_error("add_user: duplicate property id " + std::string(p.id));
    registry().all.push_back(p);
}

void clear_user() { registry().all = registry().catalog; }

void replace_catalog(std::vector<Property> props) {
    Registry& r = registry();
    r.catalog = std::move(props);
    r.all = r.catalog;
}

}  // namespace reapcheck::props
