// `reapcheck explore`: explicit-state exploration. For now only the core
// benchmark alphabet (docs/core-alphabet.md) exists:
//   reapcheck explore --alphabet core --tasks N [--profile P] [--symmetry on|off]
//                     [--threads T] [--max-time S] [--max-memory MB] [--json FILE]
//                     [--orbits] [--quiet]
//   reapcheck explore --alphabet core --tasks N [--profile P] --agree-refimpl
//                     [--max-depth D] [--json FILE] [--quiet]
// Prints a summary on stdout, progress on stderr, statistics as JSON to FILE
// ("-" = stdout). Exit 0 when the space was exhausted, 3 when a limit stopped it.
// --agree-refimpl explores the alphabet through refimpl instead and compares
// core's transition function with it (checker/agree/core_refimpl.hpp): exit 0
// when they agree on the whole space, 3 when they agree up to --max-depth, 1
// with the counterexample on stdout when they disagree.
#include <cstdio>
#include <fstream>
#include <string>

#include <fmt/core.h>

#include "checker/agree/core_refimpl.hpp"
#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/core/explorer.hpp"

namespace reapcheck::cli {
namespace {

constexpr int kMaxThreads = 256;

struct ExploreArgs {
    std::string alphabet;
    int tasks = 4;
    std::string profile = "mainline";
    std::string symmetry = "on";
    int threads = 1;
    double max_time = 0;
    std::uint64_t max_memory = 0;
    std::string json;
    bool quiet = false;
    bool orbits = false;
    bool agree_refimpl = false;
    bool symmetry_given = false;
    bool depth_first = false;
    bool erase_zombie_fields = false;
    int max_depth = 0;
};

core::ExploreOptions to_options(const ExploreArgs& a) {
    if (a.alphabet != "core")
        throw UsageError("explore: unknown alphabet '" + a.alphabet + "' (available: core)");
    if (a.tasks < core::kMinSlots || a.tasks > core::kMaxSlots)
        throw UsageError(fmt::format("explore: --tasks {} out of range for the core alphabet ({}..{})", a.tasks,
                                     core::kMinSlots, core::kMaxSlots));
    // An upper bound too: thousands of threads fail to start (std::thread
    // throws, and the barrier's joinable threads then terminate the program).
    if (a.threads < 1 || a.threads > kMaxThreads)
        throw UsageError(fmt::format("explore: --threads {} out of range (1..{})", a.threads, kMaxThreads));
    if (a.max_time < 0) throw UsageError("explore: --max-time must not be negative");
    auto profile = core::profile_from_name(a.profile);
    if (!profile) {
        // A profile file: the core alphabet's rules are hand-written per
        // built-in profile (checker/core/transitions.cpp), so only a file with
        // a built-in profile's switches has rules to explore.
        const refimpl::Profile& f = resolve_profile(a.profile, "explore");
        const refimpl::Profile* b = same_builtin(f);
        if (!b)
            throw UsageError("explore: profile " + f.name + " (" + f.source +
                             ") has the switches of no built-in profile; the core alphabet has hand-written rules only "
                             "for linux-6.18, rfc-v1, rfc-v3, v4, v5, mainline (check and review take any profile file)");
        profile = core::profile_from_name(b->name);
    }
    if (a.symmetry != "on" && a.symmetry != "off")
        throw UsageError("explore: --symmetry must be 'on' or 'off', not '" + a.symmetry + "'");
    core::ExploreOptions o;
    o.tasks = a.tasks;
    o.profile = *profile;
    o.symmetry = a.symmetry == "on";
    o.threads = a.threads;
    o.max_seconds = a.max_time;
    o.max_memory_mb = a.max_memory;
    o.progress = !a.quiet;
    o.orbits = a.orbits;
    return o;
}

void write_json(const std::string& file, const nlohmann::json& j) {
    const std::string text = j.dump(2) + "\n";
    if (file == "-") {
        std::fputs(text.c_str(), stdout);
    } else {
        std::ofstream out(file);
        if (!out) throw UsageError("explore: cannot write " + file);
        out << text;
    }
}

int run_agreement(const ExploreArgs& a, const core::ExploreOptions& o) {
    if (a.symmetry_given && a.symmetry == "on")
        throw UsageError("explore: --agree-refimpl compares the states without symmetry; leave --symmetry out or off");
    if (a.threads != 1 || a.max_time != 0 || a.max_memory != 0 || a.orbits)
        throw UsageError("explore: --agree-refimpl runs on one thread without limits other than --max-depth");
    agree::Options g;
    g.tasks = o.tasks;
    g.profile = o.profile;
    g.max_depth = a.max_depth;
    g.progress = !a.quiet;
    g.depth_first = a.depth_first;
    g.erase_zombie_fields = a.erase_zombie_fields;
    if (g.depth_first && g.max_depth > 0) throw UsageError("explore: --depth-first takes no --max-depth");
    const agree::Report r = agree::check(g);
    std::printf("explore core --agree-refimpl: tasks %d, profile %s, depth bound %s, %s%s\n", g.tasks,
                std::string(core::profile_name(g.profile)).c_str(),
                g.max_depth ? std::to_string(g.max_depth).c_str() : "none",
                g.depth_first ? "depth-first" : "breadth-first", g.erase_zombie_fields ? ", zombie fields erased" : "");
    std::printf("  refimpl: %llu nodes (state, slots), %llu transitions, depth %d, %.2f s\n",
                (unsigned long long)r.refimpl_states, (unsigned long long)r.refimpl_transitions, r.depth,
                r.refimpl_seconds);
    std::printf("  images: %llu; core: %llu states, %llu transitions, %.2f s; peak RSS %.1f MB\n",
                (unsigned long long)r.images, (unsigned long long)r.core_states,
                (unsigned long long)r.core_transitions, r.core_seconds, double(r.peak_rss_bytes) / 1048576.0);
    if (r.agree)
        std::printf("  %s: core and refimpl agree on every transition and on the state set\n",
                    r.complete ? "AGREE" : "AGREE up to the depth bound");
    else
        std::printf("  DISAGREE: %s", r.counterexample.c_str());
    if (!a.json.empty()) write_json(a.json, agree::to_json(r));
    return !r.agree ? kExitFailed : r.complete ? kExitOk : kExitUnknown;
}

int run(const ExploreArgs& a) {
    const core::ExploreOptions o = to_options(a);
    if (!a.json.empty() && a.json != "-") check_writable("--json", a.json);   // before, not after the run
    if (a.max_depth < 0) throw UsageError("explore: --max-depth must not be negative");
    if ((a.max_depth > 0 || a.depth_first || a.erase_zombie_fields) && !a.agree_refimpl)
        throw UsageError("explore: --max-depth, --depth-first and --erase-zombie-fields need --agree-refimpl");
    if (a.agree_refimpl) return run_agreement(a, o);
    const core::ExploreStats s = core::explore(o);
    std::printf("explore core: tasks %d, profile %s, symmetry %s, threads %d\n", o.tasks,
                std::string(core::profile_name(o.profile)).c_str(), o.symmetry ? "on" : "off", o.threads);
    std::printf("  %s: %llu states, %llu transitions, depth %d, %.2f s, %.0f states/s\n", core::to_string(s.stop),
                (unsigned long long)s.states, (unsigned long long)s.transitions, s.depth, s.seconds,
                s.states_per_second());
    std::printf("  memory: peak RSS %.1f MB, table %.1f MB (%.1f bytes/state)\n",
                double(s.peak_rss_bytes) / 1048576.0, double(s.table_bytes) / 1048576.0, s.bytes_per_state());
    if (s.orbit_states)
        std::printf("  orbits: %llu states without symmetry (factor %.3f), counted in %.2f s\n",
                    (unsigned long long)s.orbit_states, double(s.orbit_states) / double(s.states), s.orbit_seconds);
    if (!a.json.empty()) write_json(a.json, core::to_json(s));
    return s.complete() ? kExitOk : kExitUnknown;
}

const Register reg_explore{{"explore", [](CLI::App& app) {
    auto* sub = app.add_subcommand("explore", "explicit-state BFS over an action alphabet");
    auto args = std::make_shared<ExploreArgs>();
    sub->add_option("--alphabet", args->alphabet, "action alphabet (core)")->required();
    sub->add_option("--tasks", args->tasks, "task slots, init and main included")->capture_default_str();
    sub->add_option("--profile", args->profile, "semantic profile: a built-in name, or a profile file with a built-in profile's switches")->capture_default_str();
    sub->add_option("--symmetry", args->symmetry, "symmetry reduction over slots 1..N-1: on|off")
        ->capture_default_str();
    sub->add_option("--threads", args->threads, "worker threads")->capture_default_str();
    sub->add_option("--max-time", args->max_time, "stop after this many seconds (0 = none)");
    sub->add_option("--max-memory", args->max_memory, "stop before using more MB (0 = none)")
        ->check(kNonNegative);
    sub->add_option("--json", args->json, "write statistics as JSON to FILE ('-' = stdout)");
    sub->add_flag("--quiet", args->quiet, "no progress on stderr");
    sub->add_flag("--orbits", args->orbits,
                  "with symmetry: also count the states without symmetry as the sum of orbit sizes");
    sub->add_flag("--agree-refimpl", args->agree_refimpl,
                  "explore the alphabet through refimpl and check that core's transition function agrees "
                  "(states without symmetry)");
    sub->add_option("--max-depth", args->max_depth, "with --agree-refimpl: BFS levels to expand (0 = all)");
    sub->add_flag("--depth-first", args->depth_first,
                  "with --agree-refimpl: depth-first (memory: the visited set only; longer counterexamples)");
    sub->add_flag("--erase-zombie-fields", args->erase_zombie_fields,
                  "with --agree-refimpl: merge refimpl states that differ only in a zombie's subreaper flags, "
                  "pending SIGCHLD and SIGCHLD action (docs/core-alphabet.md)");
    return std::function<int()>{[args, sub] {
        args->symmetry_given = sub->count("--symmetry") > 0;
        return run(*args);
    }};
}}};

}  // namespace
}  // namespace reapcheck::cli
