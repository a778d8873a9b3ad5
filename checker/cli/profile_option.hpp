// --profile's argument, for every command that takes one: a built-in
// profile's name, or a profile file (docs/profiles.md).
#pragma once

#include <filesystem>
#include <string>

#include "checker/cli/command.hpp"
#include "refimpl/profile_file.hpp"

namespace reapcheck::cli {

/// A name that is no built-in (or already loaded) profile is taken as a file
/// when it has a '/', ends in ".profile" or names an existing file. A file is
/// loaded once and added to refimpl's profiles under its name, so commands
/// that pass names around (replay, conform, serve, mutate) find it too.
/// Errors: UsageError, one line (`file:line:column: message` for a file).
inline const refimpl::Profile& resolve_profile(const std::string& arg, const std::string& option = "--profile") {
    if (const refimpl::Profile* p = refimpl::find_profile(arg)) return *p;
    std::error_code ec;
    const bool file = arg.find('/') != std::string::npos || arg.ends_with(".profile") ||
                      std::filesystem::exists(arg, ec);
    if (!file)
        throw UsageError(option + ": unknown profile '" + arg + "' (expected one of " + refimpl::profile_names() +
                         ", or a profile file: docs/profiles.md)");
    try {
        return refimpl::load_profile_file(arg);
    } catch (const refimpl::ProfileError& e) {
        throw UsageError(e.what());
    }
}

/// resolve_profile, for the commands that pass the profile on by name.
inline std::string resolve_profile_name(const std::string& arg, const std::string& option = "--profile") {
    return resolve_profile(arg, option).name;
}

/// The built-in profile with the same switches, or nullptr (conform runs only
/// the kernel's own profile; explore's core alphabet has rules only for the
/// built-in ones).
inline const refimpl::Profile* same_builtin(const refimpl::Profile& p) {
    for (const auto& b : refimpl::all_profiles())
        if (refimpl::same_switches(b, p)) return &b;
    return nullptr;
}

}  // namespace reapcheck::cli
