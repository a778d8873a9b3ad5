// reapcheck check [--profile P] [bounds]: explore one profile and settle
// every property of the catalog.
#include <csignal>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/cli/report_options.hpp"
#include "checker/engine/checkpoint.hpp"
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
    engine::CheckpointOptions checkpoint;
};

/// What a resume must find unchanged besides the build and the command line:
/// the contents of the --properties files and of the --catalog-text directory.
std::string input_fingerprint(const BoundsOptions& b) {
    namespace fs = std::filesystem;
    std::string out;
    auto add = [&](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        out += p.string() + ":" + std::to_string(engine::ckpt::crc32c(0, text.data(), text.size())) + "\n";
    };
    for (const auto& f : b.property_files) add(f);
    if (!b.catalog_text.empty()) {
        std::vector<fs::path> files;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(b.catalog_text, ec))
            if (e.path().extension() == ".rcp") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) add(f);
    }
    return out;
}

int run_check(const CheckCli& o) {
    const refimpl::Profile* p = &resolve_profile(o.profile);
    engine::CheckOptions opts = o.b.options();
    if (o.checkpoint.active()) {
        if (!o.checkpoint.resume.empty() && !o.checkpoint.dir.empty() && o.checkpoint.dir != o.checkpoint.resume)
            throw UsageError("--resume DIR goes on writing its checkpoints into DIR; drop --checkpoint");
        opts.checkpoint = o.checkpoint;
        opts.checkpoint.inputs = input_fingerprint(o.b);
    } else if (o.checkpoint.every != 600) {
        throw UsageError("--checkpoint-every: only with --checkpoint DIR or --resume DIR");
    }
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
    if (dist::launched_by_mpi()) {
        opts.por_auto = false;   // the MPI engine does not reduce (--por is refused there)
        return dist::run_check(*p, opts, {o.mpi_stats}, report);
    }
#endif
    if (!o.mpi_stats.empty()) throw UsageError("--mpi-stats: only under mpirun, in a build with MPI (docs/distributed.md)");
    try {
        return report(engine::check(*p, opts));
    } catch (const engine::ckpt::Error& e) {   // a checkpoint that cannot be resumed: exit 2
        throw UsageError(e.what());
    }
}

Register reg_check{{"check", [](CLI::App& app) {
    auto* sub = app.add_subcommand("check", "Explore one profile exhaustively within bounds and settle every property");
    auto o = std::make_shared<CheckCli>();
    sub->add_option("--profile", o->profile, "Semantic profile: a built-in name or a profile file (docs/profiles.md)")->capture_default_str();
    sub->add_option("--json", o->json, "Write verdicts and statistics as JSON to this file");
    sub->add_flag("!--no-traces", o->traces, "Do not print the traces of violations");
    sub->add_option("--trace-dir", o->trace_dir, "Write every trace (violations and cover witnesses) as DIR/<profile>.<property>.scn");
    sub->add_option("--mpi-stats", o->mpi_stats, "Under mpirun: write per-level figures of the MPI engine (states per rank, bytes sent) as JSON to this file");
    sub->add_option("--checkpoint", o->checkpoint.dir,
                    "Write checkpoints into DIR at level boundaries, and when stopped (docs/checkpoint.md)");
    sub->add_option("--checkpoint-every", o->checkpoint.every,
                    "Seconds between checkpoints (0: at every level; default 600)")
        ->check(CLI::Range(0.0, 1e7));
    sub->add_option("--resume", o->checkpoint.resume,
                    "Continue the run whose checkpoints are in DIR (same build and command line)");
    o->reports.add(*sub);
    o->b.add(*sub);
    o->b.add_property_files(*sub);
    o->b.add_por(*sub);
    return std::function<int()>([o] { return run_check(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
