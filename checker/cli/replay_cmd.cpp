// reapcheck replay [--profile P] FILE...: run scenarios through refimpl.
#include <cstdio>

#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/scenario/parser.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"

namespace reapcheck::cli {
namespace {

struct ReplayOptions {
    std::string profile;
    std::vector<std::string> files;
    bool quiet = false;
};

int run_replay(const ReplayOptions& o) {
    const std::string given = o.profile.empty() ? std::string() : resolve_profile_name(o.profile);
    int total_mismatch = 0, total_files = 0, failed_files = 0;
    bool bad_input = false;
    for (const auto& f : o.files) {
        auto parsed = parse_or_report(f);
        if (!parsed) {
            bad_input = true;
            continue;
        }
        const scn::Scenario& sc = *parsed;
        std::string profile = given.empty() ? sc.profile.value_or("mainline") : given;
        if (!refimpl::find_profile(profile)) {
            std::fprintf(stderr, "reapcheck: %s: unknown profile '%s' (expected one of %s; a profile file is given with --profile FILE)\n",
                         sc.profile_loc.str().c_str(), profile.c_str(), refimpl::profile_names().c_str());
            bad_input = true;
            continue;
        }
        scn::RefimplExecutor ex(profile, sc.explicit_steps);
        scn::RunReport rep;
        try {
            rep = scn::run_scenario(sc, ex);
        } catch (const scn::ParseError& e) {
            std::fprintf(stderr, "reapcheck: %s\n", e.what());
            bad_input = true;
            continue;
        }
        ++total_files;
        for (const auto& l : rep.lines) {
            using K = scn::LineReport::Kind;
            if (l.kind == K::Mismatch) {
                std::printf("%s: mismatch: %s\n  expected: %s\n  observed: %s\n", l.loc.str().c_str(),
                            l.statement.c_str(), l.expected.c_str(), l.observed.c_str());
            } else if (l.kind == K::Observed && !o.quiet) {
                std::printf("%s: %s -> %s\n", l.loc.str().c_str(), l.statement.c_str(), l.observed.c_str());
            } else if (l.kind == K::Skipped && !o.quiet) {
                std::printf("%s: skipped: %s (%s)\n", l.loc.str().c_str(), l.statement.c_str(), l.note.c_str());
            }
        }
        std::printf("%s: %s, profile %s: %d passed, %d mismatched, %d observed, %d skipped\n", f.c_str(),
                    rep.ok() ? "ok" : "FAILED", profile.c_str(), rep.passed, rep.mismatched, rep.observed,
                    rep.skipped);
        total_mismatch += rep.mismatched;
        if (!rep.ok()) ++failed_files;
    }
    std::printf("replay: %d files, %d with mismatches (%d mismatched statements)\n", total_files, failed_files, total_mismatch);
    if (bad_input) return kExitUsage;
    return total_mismatch ? kExitFailed : kExitOk;
}

Register reg_replay{{"replay", [](CLI::App& app) {
    auto* sub = app.add_subcommand("replay", "Run scenario files through refimpl and compare every result");
    auto o = std::make_shared<ReplayOptions>();
    sub->add_option("--profile", o->profile, "Semantic profile, a built-in name or a profile file (overrides the file's 'profile' line)");
    sub->add_flag("--quiet,-q", o->quiet, "Print only mismatches and summaries");
    sub->add_option("files", o->files, "Scenario files (.scn)")->required();
    return std::function<int()>([o] { return run_replay(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
