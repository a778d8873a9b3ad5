// reapcheck review [bounds]: every profile x every property, as a table and
// as JSON. The default bounds are the README's main job.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/cli/report_options.hpp"
#include "checker/engine/diff.hpp"
#include "checker/report/diff_report.hpp"
#include "checker/report/report.hpp"
#include "checker/engine/suite.hpp"
#ifdef REAPCHECK_HAVE_MPI
#include "checker/distributed/mpi_check.hpp"
#endif

namespace reapcheck::cli {
namespace {

struct ReviewCli {
    BoundsOptions b;
    ReportOptions reports;
    std::vector<std::string> profiles;
    std::string json;
    std::string trace_dir;
    bool traces = true;
    bool diffs = true;
    int at_once = 0;   ///< --profiles-at-once; 0: the default (run_review)
};

int report_review(const ReviewCli& o, const engine::CheckOptions& opts, const std::vector<engine::CheckResult>& rs);
/// The progress lines around one profile's exploration.
void say_exploring(const refimpl::Profile& p) { std::fprintf(stderr, "review: exploring %s ...\n", p.name.c_str()); }
void say_explored(const refimpl::Profile& p, const engine::Stats& s) {
    std::fprintf(stderr, "review: %s: %llu states, %llu transitions, %.1f s\n", p.name.c_str(),
                 (unsigned long long)s.states, (unsigned long long)s.transitions, s.seconds);
}
std::vector<engine::CheckResult> explore_side_by_side(const std::vector<const refimpl::Profile*>& ps,
                                                      const std::vector<engine::NamedBounds>& suite,
                                                      const engine::CheckOptions& opts, int max_workers);

int run_review(const ReviewCli& o) {
    std::vector<const refimpl::Profile*> ps;
    if (o.profiles.empty())
        for (const auto& p : refimpl::all_profiles()) ps.push_back(&p);
    for (const auto& n : o.profiles) ps.push_back(&resolve_profile(n));
    engine::CheckOptions opts = o.b.options();
    if (!o.json.empty()) check_writable("--json", o.json);
    if (!o.trace_dir.empty()) prepare_trace_dir(o.trace_dir);
    install_interrupt_handler(opts.limits);
    o.reports.prepare();
    // --max-time bounds the whole review, not each of its explorations.
    if (opts.limits.max_seconds > 0)
        opts.limits.deadline = std::chrono::steady_clock::now() +
                               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   std::chrono::duration<double>(opts.limits.max_seconds));
    // With no bound given, the default suite of focused configurations;
    // with any, exactly the configuration the command line describes.
    const auto suite = o.b.given() ? std::vector<engine::NamedBounds>{{"command-line", opts.bounds}}
                                   : engine::default_suite();
#ifdef REAPCHECK_HAVE_MPI
    // Each configuration explored by `run` (the ranks: dist::check_on_ranks);
    // `lead` prints the progress lines.
    auto explore = [&](const engine::CheckRunner& run, bool lead) {
        std::vector<engine::CheckResult> rs;
        for (const auto* p : ps) {
            if (lead) say_exploring(*p);
            rs.push_back(engine::check_suite(*p, suite, opts, run));
            const auto& s = rs.back().stats;
            if (lead) say_explored(*p, s);
            // The stop reason, reduced over the ranks, is the same on each;
            // the local flag might not be.
            if (s.stop_reason == "interrupted") break;
        }
        return rs;
    };
    // Under mpirun/srun: every configuration through the MPI engine, every
    // rank in step; rank 0 reports, diffs and writes the files alone while
    // the others wait (docs/distributed.md).
    if (dist::launched_by_mpi()) {
        const dist::Session session;
        int code = 0;
        try {
            std::vector<engine::CheckResult> rs = explore(
                [](const refimpl::Profile& p, const engine::CheckOptions& co) {
                    engine::CheckOptions c = co;
                    c.por_auto = false;   // the MPI engine does not reduce (--por is refused there)
                    return dist::check_on_ranks(p, c, {});
                },
                session.rank() == 0);
            if (session.rank() == 0) code = report_review(o, opts, rs);
        } catch (const dist::InternalError&) {
            code = 4;
        } catch (const std::invalid_argument& e) {   // --por, too many ranks: on every rank
            if (session.rank() == 0) std::fprintf(stderr, "reapcheck: %s\n", e.what());
            code = 2;
        } catch (const std::exception& e) {   // rank 0's reports
            std::fprintf(stderr, "reapcheck: %s\n", e.what());
            code = 4;
        }
        dist::idle_barrier();
        return dist::broadcast(code);
    }
#endif
    // By default side by side only over the default suite, whose
    // configurations are small and known (about 100 MB for two profiles at
    // once): a configuration from the command line may be as large as the
    // machine, and --max-memory limits one exploration, so those run one at
    // a time with every thread unless --profiles-at-once says otherwise.
    const int at_once = o.at_once > 0                                          ? o.at_once
                        : !o.b.given() && opts.limits.max_memory_mb == 0 ? opts.threads
                                                                          : 1;
    return report_review(o, opts, explore_side_by_side(ps, suite, opts, at_once));
}

// The profiles are independent explorations: with more than one worker
// (at most max_workers, at most the threads) they run side by side, one
// profile per worker and the threads shared out among them (jobs / workers
// each), taken in order as workers come free. A small configuration's BFS
// levels are too short to keep two threads busy, a second profile is not.
// Results come back in the profiles' order, and neither a profile's
// verdicts nor its counts depend on its thread count
// (tests/unit/engine_test.cpp), so the review's are the sequential ones. An interrupt lets the running profiles stop and starts
// no other; the review then reports the profiles that ran.
std::vector<engine::CheckResult> explore_side_by_side(const std::vector<const refimpl::Profile*>& ps,
                                                      const std::vector<engine::NamedBounds>& suite,
                                                      const engine::CheckOptions& opts, int max_workers) {
    const std::size_t workers =
        std::min({std::size_t(std::max(1, opts.threads)), std::size_t(std::max(1, max_workers)), ps.size()});
    engine::CheckOptions each = opts;
    each.threads = std::max(1, opts.threads / int(std::max<std::size_t>(workers, 1)));
    std::vector<std::optional<engine::CheckResult>> done(ps.size());
    std::atomic<std::size_t> next{0};
    std::mutex m;   // done[] and the first error
    std::exception_ptr error;
    auto work = [&] {
        try {
            for (std::size_t i; (i = next.fetch_add(1)) < ps.size();) {
                if (interrupted()) break;
                say_exploring(*ps[i]);
                engine::CheckResult r = engine::check_suite(*ps[i], suite, each, {});
                say_explored(*ps[i], r.stats);
                std::lock_guard lock(m);
                done[i] = std::move(r);
            }
        } catch (...) {
            std::lock_guard lock(m);
            if (!error) error = std::current_exception();
            next = ps.size();   // start no other profile
        }
    };
    std::vector<std::thread> ts;
    for (std::size_t w = 1; w < workers; ++w) ts.emplace_back(work);
    work();
    for (auto& t : ts) t.join();
    if (error) std::rethrow_exception(error);
    std::vector<engine::CheckResult> rs;
    for (auto& r : done)
        if (r) rs.push_back(std::move(*r));
    return rs;
}

/// The matrix, the profile diffs, the files and the exit code of a review.
int report_review(const ReviewCli& o, const engine::CheckOptions& opts, const std::vector<engine::CheckResult>& rs) {
    std::fputs(engine::format_review(rs, o.traces).c_str(), stdout);
    // How each consecutive pair of profiles differs (reapcheck diff's defaults).
    std::vector<engine::PairDiff> ds;
    if (o.diffs && o.profiles.empty() && !interrupted()) {
        std::fflush(stdout);   // the matrix and traces first, when both go to one file
        std::fprintf(stderr, "review: diffing consecutive profiles ...\n");
        engine::DiffOptions dopts = engine::default_diff_options();
        dopts.limits.interrupt = opts.limits.interrupt;
        dopts.limits.deadline = opts.limits.deadline;
        ds = engine::diff_consecutive(dopts);
        std::fputs(("\n" + engine::format_diffs(ds, o.traces)).c_str(), stdout);
    }
    if (!o.json.empty()) {
        nlohmann::json j = engine::to_json(rs);
        if (!ds.empty()) j["diffs"] = engine::to_json(ds)["diffs"];
        write_file(o.json, j.dump(2) + "\n");
    }
    if (!o.trace_dir.empty()) write_traces(o.trace_dir, rs);
    o.reports.write(rs, "reapcheck review");
    // The last screen: the matrix again when traces or diffs followed it,
    // and where the HTML report went.
    if ((o.traces || !ds.empty()) && !rs.empty())
        std::fputs(("\nverdict matrix (the traces and profile diffs are above):\n" + engine::format_matrix(rs)).c_str(),
                   stdout);
    if (!o.reports.html.empty()) std::printf("\nHTML report: %s\n", o.reports.html.c_str());
    // Violations are the review's findings, not a failure of the run; a run
    // that a limit or a signal cut short is not complete, violations or not.
    bool complete = !interrupted();
    for (const auto& r : rs)
        for (const auto& run : r.runs) {
            const engine::Stats& st = std::get<2>(run);
            complete &= st.exhausted || st.stop_reason.rfind("depth bound", 0) == 0;
        }
    const int code = engine::exit_code(rs);
    return code == 3 || !complete ? kExitUnknown : kExitOk;
}

Register reg_review{{"review", [](CLI::App& app) {
    auto* sub = app.add_subcommand("review", "Check every profile against every property; print the matrix and traces");
    auto o = std::make_shared<ReviewCli>();
    sub->add_option("--profile", o->profiles, "Profiles to review: built-in names or profile files (repeatable; default: all six)");
    sub->add_option("--json", o->json, "Write verdicts and statistics as JSON to this file");
    sub->add_flag("!--no-traces", o->traces, "Do not print traces");
    sub->add_flag("!--no-diff", o->diffs, "Do not diff consecutive profiles (done when all six are reviewed)");
    sub->add_option("--profiles-at-once", o->at_once,
                    "Profiles explored side by side, the --jobs threads shared among them (default: as many as "
                    "--jobs for the default suite, 1 with a configuration on the command line or --max-memory, "
                    "which limits each exploration; the report is the same for any value)")
        ->check(CLI::Range(1, 64));
    sub->add_option("--trace-dir", o->trace_dir, "Write every trace as DIR/<profile>.<property>.scn");
    o->reports.add(*sub);
    o->b.add(*sub);
    o->b.add_property_files(*sub);
    o->b.add_por(*sub);
    return std::function<int()>([o] { return run_review(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
