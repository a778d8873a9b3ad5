// reapcheck crosscheck [--profile P|all] [bounds]: refimpl and the model agree.
#include <cstdio>

#include "checker/cli/symbolic_options.hpp"
#include "model/symbolic.hpp"

namespace reapcheck::cli {
namespace {

struct CrossCli {
    SymbolicCli s;
    int depth = 2;
    int samples = 50;
    bool deep_paths = true;
};

int run_cross(CrossCli& o) {
    std::vector<const refimpl::Profile*> profiles;
    if (o.s.profile == "all") {
        for (const auto& p : refimpl::all_profiles()) profiles.push_back(&p);
        o.s.profile = "mainline";
        (void)o.s.resolve();
    } else {
        profiles.push_back(&o.s.resolve());
    }
    // --tasks bounds the explicit exploration's live tasks; the model gets one
    // more slot for a released pid that a pidfd still holds.
    o.s.f.tasks = o.s.f.slots;
    o.s.f.slots = o.s.f.tasks + 1;
    const volatile bool* flag = symbolic_interrupt_flag();
    nlohmann::json all = nlohmann::json::array();
    int rc = kExitOk;
    for (const refimpl::Profile* p : profiles) {
        symbolic::CrossOptions opts;
        opts.features = o.s.f;
        opts.depth = o.depth;
        opts.successor_samples = o.samples;
        opts.deep_paths = o.deep_paths;
        opts.max_seconds = o.s.max_time;
        opts.interrupt = flag;
        opts.progress = !o.s.quiet;
        const symbolic::CrossReport r = symbolic::crosscheck(*p, opts);
        std::fputs(symbolic::format(r).c_str(), stdout);
        std::fflush(stdout);
        all.push_back(symbolic::to_json(r));
        if (!r.disagreements.empty() || (!r.interrupted && r.coverage_required && !r.complete())) rc = kExitFailed;
        else if (r.interrupted && rc == kExitOk) rc = kExitUnknown;
        if (r.interrupted) break;
    }
    if (!o.s.json.empty()) write_file(o.s.json, all.dump(2) + "\n");
    return rc;
}

Register reg_crosscheck{{"crosscheck", [](CLI::App& app) {
    auto* sub = app.add_subcommand(
        "crosscheck", "Check that refimpl and the Z3 model agree on every explored transition (--profile all: every profile)");
    auto o = std::make_shared<CrossCli>();
    o->s.profile = "all";
    o->s.add(*sub, 4);
    sub->add_option("--depth", o->depth, "Depth of the explicit exploration")->check(CLI::Range(1, 100))->capture_default_str();
    sub->add_option("--samples", o->samples, "States whose whole successor set is enumerated from Z3")
        ->check(CLI::Range(0, 100000))->capture_default_str();
    sub->add_flag("--deep-paths,!--no-deep-paths", o->deep_paths,
                  "Also check every transition around the deep paths (rules a shallow exploration misses)")
        ->capture_default_str();
    return std::function<int()>([o] { return run_cross(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
