// reapcheck conform [--profile auto|P] FILE...
// reapcheck conform --random N [--seed S] [--tasks N] [--length L] [--out DIR]
// Runs scenarios (or seeded random traces) on the running kernel and on
// refimpl in lockstep and reports every statement whose results differ.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/conform/kernel_executor.hpp"
#include "checker/conform/lockstep.hpp"
#include "checker/conform/random_traces.hpp"
#include "checker/scenario/parser.hpp"

namespace reapcheck::cli {
namespace {

struct ConformOptions {
    std::string profile = "auto";
    std::vector<std::string> files;
    int random = 0;
    CLI::Option* random_opt = nullptr;   ///< given: random traces instead of files
    uint64_t seed = 1;
    int tasks = 5;
    int length = 12;
    std::string out = ".";
    bool echo = false;
    int max_mismatches = 10;
    bool extended = false;
};

std::string fmt_interrupted(size_t done, size_t asked) {
    return "; interrupted after " + std::to_string(done) + " of " + std::to_string(asked);
}

/// auto, a built-in name, or a profile file that has exactly the switches of
/// the running kernel's own profile: conform compares refimpl with this
/// kernel, and a hypothetical profile has no kernel to run on.
std::string conform_profile(const std::string& p) {
    if (p == "auto") return conform::KernelExecutor::auto_profile();
    for (const auto& b : refimpl::all_profiles())
        if (b.name == p) return p;
    const refimpl::Profile& f = resolve_profile(p);
    const std::string own = conform::KernelExecutor::auto_profile();
    if (!refimpl::same_switches(f, *refimpl::find_profile(own)))
        throw UsageError("--profile: " + f.source + " (profile " + f.name + ") is not the running kernel's profile " + own +
                         ": conform runs scenarios on this kernel, so a profile file must have exactly " + own +
                         "'s switches (check, review, diff, replay take any profile file)");
    return own;
}

void need_root() {
    try {
        conform::KernelExecutor::require_root();
    } catch (const conform::ConformError& e) {
        throw UsageError(e.what());
    }
}

int run_files(const ConformOptions& o, const std::string& profile) {
    conform::Tally total;
    size_t files = 0;
    bool bad_input = false, harness_failed = false;
    for (const auto& f : o.files) {
        auto parsed = parse_or_report(f);
        if (!parsed) {
            bad_input = true;
            continue;
        }
        const scn::Scenario& sc = *parsed;
        conform::LockstepReport rep = conform::run_lockstep(sc, profile, refimpl::Fault::None, {}, &interrupted());
        ++files;
        if (!rep.error.empty()) {
            std::fprintf(stderr, "reapcheck: conform: %s\n", rep.error.c_str());
            harness_failed = true;
        }
        for (const auto& m : rep.mismatches) std::printf("%s: mismatch\n", m.str().c_str());
        if (!rep.stopped.empty())
            std::printf("%s: not runnable under profile %s from here on: %s\n", f.c_str(), profile.c_str(),
                        rep.stopped.c_str());
        std::printf("%s: %zu compared, %zu mismatched, %zu skipped\n", f.c_str(), rep.tally.compared,
                    rep.tally.mismatched, rep.tally.skipped);
        total += rep.tally;
        if (interrupted()) break;
    }
    std::printf("conform: %zu files, %zu statements, %zu mismatches, %zu skipped (profile %s)%s\n", files,
                total.compared + total.skipped, total.mismatched, total.skipped, profile.c_str(),
                interrupted() ? fmt_interrupted(files, o.files.size()).c_str() : "");
    if (bad_input) return kExitUsage;
    if (total.mismatched) return kExitFailed;
    return harness_failed || interrupted() ? kExitUnknown : kExitOk;
}

int run_random(const ConformOptions& o, const std::string& profile) {
    if (o.random < 1) throw UsageError("--random: need at least 1 trace");
    if (o.tasks < 2) throw UsageError("--tasks: need at least 2 (init and main)");
    if (o.length < 1) throw UsageError("--length: need at least 1 statement");
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (!std::filesystem::is_directory(o.out)) throw UsageError("--out: cannot use directory '" + o.out + "'");
    conform::RandomConfig cfg;
    cfg.seed = o.seed;
    cfg.traces = o.random;
    cfg.tasks = o.tasks;
    cfg.length = o.length;
    cfg.out_dir = o.out;
    cfg.profile = profile;
    cfg.echo = o.echo;
    cfg.max_mismatches = o.max_mismatches;
    cfg.extended = o.extended;
    cfg.stop = &interrupted();
    conform::RandomReport rep = conform::run_random(cfg, std::cout);
    std::cout.flush();
    if (!rep.error.empty()) std::fprintf(stderr, "reapcheck: conform: %s\n", rep.error.c_str());
    std::printf("conform: %zu traces, %zu statements, %zu mismatches, %zu skipped (profile %s, %.1f s, %.0f traces/min)%s\n",
                rep.traces, rep.statements, rep.mismatches, rep.skipped, profile.c_str(), rep.seconds,
                rep.seconds > 0 ? double(rep.traces) * 60.0 / rep.seconds : 0.0,
                rep.interrupted ? fmt_interrupted(rep.traces, size_t(o.random)).c_str() : "");
    std::printf("conform: %zu of them SIGKILL through a thread pidfd to an exiting thread of a live process "
                "(complete_signal, PIDTYPE_PID)\n",
                rep.thread_pidfd_kills_of_exiting);
    // The size of each gap: statements drawn but refused by refimpl, never run.
    size_t refused = 0;
    for (const auto& [why, n] : rep.refused) refused += n;
    std::printf("conform: %zu drawn statements refused by refimpl (not run on the kernel)%s\n", refused,
                refused ? ", by reason:" : "");
    for (const auto& [why, n] : rep.refused) std::printf("  %6zu  %s\n", n, why.c_str());
    if (rep.mismatches) return kExitFailed;
    return !rep.error.empty() || rep.interrupted ? kExitUnknown : kExitOk;
}

int run_conform(const ConformOptions& o) {
    const bool random = o.random_opt->count() > 0;
    if (random && !o.files.empty()) throw UsageError("conform: give FILE... or --random N, not both");
    if (!random && o.files.empty()) throw UsageError("conform: give scenario files or --random N");
    const std::string profile = conform_profile(o.profile);
    need_root();
    // SIGINT / SIGTERM: stop after the current statement, print what ran,
    // exit 3; the namespace goes with its executor as always.
    engine::Limits unused;
    install_interrupt_handler(unused);
    std::fflush(stdout);
    return random ? run_random(o, profile) : run_files(o, profile);
}

Register reg_conform{{"conform", [](CLI::App& app) {
    auto o = std::make_shared<ConformOptions>();
    auto* sub = app.add_subcommand(
        "conform", "run scenarios or random traces on the running kernel (root) and compare with refimpl");
    sub->add_option("files", o->files, "scenario files (.scn)");
    sub->add_option("--profile", o->profile, "auto (linux-6.18 below 7.1, mainline from 7.1), a built-in profile, or a profile file with the running kernel's profile's switches")
        ->capture_default_str();
    o->random_opt = sub->add_option("--random", o->random, "run N seeded random traces");
    sub->add_option("--seed", o->seed, "random seed")->check(kNonNegative)->capture_default_str();
    sub->add_option("--tasks", o->tasks, "live tasks at most, init and main included")->capture_default_str();
    sub->add_option("--length", o->length, "statements per trace")->capture_default_str();
    sub->add_option("--out", o->out, "directory for shrunk mismatch scenarios")->capture_default_str();
    sub->add_option("--max-mismatches", o->max_mismatches, "stop after this many mismatches (0: never)")
        ->check(kNonNegative)->capture_default_str();
    sub->add_flag("--extended", o->extended,
                  "add execve, ptrace, blocking waits, pdeath signals and more to the random alphabet");
    sub->add_flag("--echo", o->echo, "print every random statement before it runs (debugging)");
    return std::function<int()>{[o] { return run_conform(*o); }};
}}};

}  // namespace
}  // namespace reapcheck::cli
