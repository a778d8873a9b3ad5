// Profile files (docs/profiles.md): one `switch = value` per line, every
// switch of refimpl::Profile, optionally on top of a built-in profile
// (`base = mainline`). Every error is a ProfileError whose message is
// `file:line:column: message`, the scenario parser's house style.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "refimpl/profile.hpp"

namespace reapcheck::refimpl {

struct ProfileError : std::runtime_error {
    ProfileError(const std::string& file, int line, int column, const std::string& msg)
        : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + msg) {}
};

/// One switch of Profile: its key in a profile file, its kind, the kernel
/// function whose behaviour it changes, and what it means.
struct ProfileSwitch {
    enum class Kind : uint8_t { Bit, BitSet, Bool };
    const char* key;
    Kind kind;
    uint64_t Profile::*bits;   ///< Bit, BitSet
    bool Profile::*flag;       ///< Bool
    const char* function;      ///< "copy_process (kernel/fork.c)"
    const char* meaning;
};
/// Every switch, in the order the files and `profiles --show` give them.
const std::vector<ProfileSwitch>& profile_switches();

/// Parses a profile file's text. `base = NAME` takes its switches from the
/// profile of that name in `bases` (the built-ins; the built-in files
/// themselves use none). A file without `name` is named after the file
/// (`v6.profile` -> v6).
Profile parse_profile_text(std::string_view text, const std::string& filename, const std::vector<Profile>& bases);
/// Reads and parses a file: a missing, unreadable or binary file is a
/// ProfileError at `path:0:0`.
Profile parse_profile_file(const std::string& path, const std::vector<Profile>& bases);
/// parse_profile_file against the built-ins, then add_profile (the name may
/// not be a built-in or already loaded profile's with other switches: an
/// error at the `name` line).
const Profile& load_profile_file(const std::string& path);

/// A combination of switches refimpl cannot run (a switch that would have no
/// effect, or two that contradict each other): the message and the keys
/// involved; empty message when none.
struct Contradiction {
    std::string message;
    std::vector<const char*> keys;
};
Contradiction find_contradiction(const Profile& p);

/// The profile as a complete file (every switch; parses back to the same
/// switches).
std::string format_profile(const Profile& p);
/// "34, 35" or "none".
std::string format_bits(uint64_t bits);

}  // namespace reapcheck::refimpl
