#include "refimpl/profile.hpp"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <stdexcept>

#include "refimpl/profile_file.hpp"

namespace reapcheck::refimpl {

namespace {
std::vector<Profile> parse_builtins() {
    std::vector<Profile> v;
    for (const auto& t : builtin_profile_texts()) {
        try {
            // A built-in file may base itself on an earlier one (patch order).
            v.push_back(parse_profile_text(t.text, t.path, v));
        } catch (const ProfileError& e) {
            // The files are checked by the unit tests; a broken one is a build bug.
            std::fprintf(stderr, "reapcheck: built-in profile: %s\n", e.what());
            std::abort();
        }
    }
    return v;
}

std::mutex& added_mutex() {
    static std::mutex m;
    return m;
}
std::deque<Profile>& added() {   // a deque: the addresses stay valid
    static std::deque<Profile> d;
    return d;
}
}  // namespace

const std::vector<Profile>& all_profiles() {
    static const std::vector<Profile> v = parse_builtins();
    return v;
}

const Profile* find_profile(std::string_view name) {
    for (const auto& p : all_profiles())
        if (p.name == name) return &p;
    const std::lock_guard<std::mutex> lock(added_mutex());
    for (const auto& p : added())
        if (p.name == name) return &p;
    return nullptr;
}

std::string profile_names() {
    std::string s;
    for (const auto& p : all_profiles()) {
        if (!s.empty()) s += ", ";
        s += p.name;
    }
    return s;
}

const Profile& add_profile(Profile p) {
    for (const auto& b : all_profiles())
        if (b.name == p.name) {
            if (same_switches(b, p)) return b;
            throw std::invalid_argument("'" + p.name + "' is a built-in profile's name, with other switches; give the file its own name");
        }
    const std::lock_guard<std::mutex> lock(added_mutex());
    for (const auto& a : added())
        if (a.name == p.name) {
            if (same_switches(a, p)) return a;
            throw std::invalid_argument("profile '" + p.name + "' is already loaded from " + a.source +
                                        " with other switches; give this one its own name");
        }
    added().push_back(std::move(p));
    return added().back();
}

void forget_added_profiles() {
    const std::lock_guard<std::mutex> lock(added_mutex());
    added().clear();
}

std::vector<const Profile*> known_profiles() {
    std::vector<const Profile*> v;
    for (const auto& p : all_profiles()) v.push_back(&p);
    const std::lock_guard<std::mutex> lock(added_mutex());
    for (const auto& p : added()) v.push_back(&p);
    return v;
}

}  // namespace reapcheck::refimpl
