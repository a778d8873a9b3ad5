// `reapcheck explore`: explicit-state exploration. For now only the core
// benchmark alphabet (DESIGN.md) exists:
//   reapcheck explore --alphabet core --tasks N [--profile P] [--symmetry on|off]
//                     [--threads T] [--max-time S] [--max-memory MB] [--json FILE]
//                     [--orbits] [--quiet]
// Prints a summary on stdout, progress on stderr, statistics as JSON to FILE
// ("-" = stdout). Exit 0 when the space was exhausted, 3 when a limit stopped it.
#include <cstdio>
#include <fstream>
#include <string>

#include <fmt/core.h>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
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
    if (!profile)
        throw UsageError("explore: unknown profile '" + a.profile +
                         "' (profiles: linux-6.18, rfc-v1, rfc-v3, v4, v5, mainline)");
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

int run(const ExploreArgs& a) {
    const core::ExploreOptions o = to_options(a);
    if (!a.json.empty() && a.json != "-") check_writable("--json", a.json);   // before, not after the run
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
    if (!a.json.empty()) {
        const std::string text = core::to_json(s).dump(2) + "\n";
        if (a.json == "-") {
            std::fputs(text.c_str(), stdout);
        } else {
            std::ofstream out(a.json);
            if (!out) throw UsageError("explore: cannot write " + a.json);
            out << text;
        }
    }
    return s.complete() ? kExitOk : kExitUnknown;
}

const Register reg{{"explore", [](CLI::App& app) {
    auto* sub = app.add_subcommand("explore", "explicit-state BFS over an action alphabet");
    auto args = std::make_shared<ExploreArgs>();
    sub->add_option("--alphabet", args->alphabet, "action alphabet (core)")->required();
    sub->add_option("--tasks", args->tasks, "task slots, init and main included")->capture_default_str();
    sub->add_option("--profile", args->profile, "semantic profile")->capture_default_str();
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
    return std::function<int()>{[args] { return run(*args); }};
}}};

}  // namespace
}  // namespace reapcheck::cli
