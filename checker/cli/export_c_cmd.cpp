// reapcheck export-c TRACE.scn [--profile P] -o FILE.c: a scenario or a
// counterexample trace as a kselftest-style C program.
#include <cstdio>
#include <filesystem>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/report/export_c.hpp"
#include "checker/scenario/parser.hpp"

namespace reapcheck::cli {
namespace {

struct ExportCOptions {
    std::string file;
    std::string profile;
    std::string out;
    std::string name;
};

int run_export_c(const ExportCOptions& o) {
    const std::string given = o.profile.empty() ? std::string() : resolve_profile_name(o.profile);
    const scn::Scenario sc = scn::parse_file(o.file);
    const std::string profile = !given.empty() ? given : sc.profile.value_or("mainline");
    if (!refimpl::find_profile(profile))
        throw scn::ParseError(sc.profile_loc, "unknown profile '" + profile + "' (expected one of " + refimpl::profile_names() +
                                                  "; a profile file is given with --profile FILE)");
    std::string name = o.name.empty() ? engine::c_identifier(std::filesystem::path(o.file).stem().string()) : o.name;
    if (engine::c_identifier(name) != name) throw UsageError("--name: '" + name + "' is not a C identifier");
    write_file(o.out, engine::export_c(sc, profile, name));
    std::fprintf(stderr, "export-c: %s -> %s (TEST(%s), profile %s)\n", o.file.c_str(), o.out.c_str(), name.c_str(),
                 profile.c_str());
    return kExitOk;
}

Register reg_export_c{{"export-c", [](CLI::App& app) {
    auto* sub = app.add_subcommand("export-c", "Export a scenario or trace as a kselftest-style C program");
    auto o = std::make_shared<ExportCOptions>();
    sub->add_option("file", o->file, "Scenario or trace (.scn)")->required();
    sub->add_option("--profile", o->profile, "Semantic profile, a built-in name or a profile file (overrides the file's 'profile' line)");
    sub->add_option("-o,--output", o->out, "The C file to write")->required();
    sub->add_option("--name", o->name, "TEST() name (default: the file name)");
    return std::function<int()>([o] { return run_export_c(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
