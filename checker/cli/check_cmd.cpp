// reapcheck check [--profile P] [bounds]: explore one profile and settle
// every property of the catalog.
#include <csignal>
#include <cstdio>
#include <fstream>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/cli/report_options.hpp"
#include "checker/report/report.hpp"
#ifdef REAPCHECK_HAVE_MPI
#include "checker/distributed/mpi_check.hpp"
#endif

namespace reapcheck::cli {
namespace {

struct CheckCli {
    BoundsOptions b;
    ReportOptions reports;
    std::string profile = "mainline";
    std::string json;
    std::string trace_dir;
    bool traces = true;
    std::string mpi_stats;
};

int run_check(const CheckCli& o) {
    const refimpl::Profile* p = &resolve_profile(o.profile);
    engine::CheckOptions opts = o.b.options();
    if (!o.json.empty()) check_writable("--json", o.json);
    if (!o.trace_dir.empty()) prepare_trace_dir(o.trace_dir);
    install_interrupt_handler(opts.limits);
    o.reports.prepare();
    auto report = [&](const engine::CheckResult& r) {
        std::fputs(engine::format_check(r, o.traces).c_str(), stdout);
        if (!o.json.empty()) write_file(o.json, engine::to_json({r}).dump(2) + "\n");
        if (!o.trace_dir.empty()) write_traces(o.trace_dir, {r});
        o.reports.write({r}, "reapcheck check: profile " + p->name);
        return engine::exit_code({r});
    };
#ifdef REAPCHECK_HAVE_MPI
    // Under mpirun/srun: the MPI engine; rank 0 reports (docs/distributed.md).
    if (dist::launched_by_mpi()) return dist::run_check(*p, opts, {o.mpi_stats}, report);
#endif
    if (!o.mpi_stats.empty()) throw UsageError("--mpi-stats: only under mpirun, in a build with MPI (docs/distributed.md)");
    return report(engine::check(*p, opts));
}

Register reg{{"check", [](CLI::App& app) {
    auto* sub = app.add_subcommand("check", "Explore one profile exhaustively within bounds and settle every property");
    auto o = std::make_shared<CheckCli>();
    sub->add_option("--profile", o->profile, "Semantic profile: a built-in name or a profile file (docs/profiles.md)")->capture_default_str();
    sub->add_option("--json", o->json, "Write verdicts and statistics as JSON to this file");
    sub->add_flag("!--no-traces", o->traces, "Do not print the traces of violations");
    sub->add_option("--trace-dir", o->trace_dir, "Write every trace (violations and cover witnesses) as DIR/<profile>.<property>.scn");
    sub->add_option("--mpi-stats", o->mpi_stats, "Under mpirun: write per-level figures of the MPI engine (states per rank, bytes sent) as JSON to this file");
    o->reports.add(*sub);
    o->b.add(*sub);
    o->b.add_property_files(*sub);
    o->b.add_por(*sub);
    return std::function<int()>([o] { return run_check(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
