// reapcheck simulate [--profile P] [bounds] [--seed S] [--walks N] [--steps N]
// [--time S] [--jobs N] [--bias uniform|rare] [--property ID]...: seeded random
// walks with every property checked on every step (docs/simulate.md).
#include <cstdio>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/engine/simulate.hpp"
#include "checker/report/simulate_report.hpp"
#ifdef REAPCHECK_HAVE_MPI
#include "checker/distributed/mpi_check.hpp"
#include "checker/distributed/mpi_simulate.hpp"
#endif

namespace reapcheck::cli {
namespace {

struct SimulateCli {
    BoundsOptions b;
    std::string profile = "mainline";
    uint64_t seed = 1;
    uint64_t walks = 1000;
    int steps = 60;
    double seconds = 0;
    std::string bias = "uniform";
    std::vector<std::string> properties;
    std::string json;
    std::string trace_dir;
    bool traces = true;
    bool shrink = true;
    bool stop = false;
    CLI::Option* walks_opt = nullptr;
};

int run_simulate(const SimulateCli& o) {
    const refimpl::Profile* p = refimpl::find_profile(o.profile);
    if (!p) throw UsageError("--profile: unknown profile '" + o.profile + "' (expected one of " + refimpl::profile_names() + ")");
    engine::SimulateOptions so;
    so.bounds = o.b.b;
    so.bounds.exit_codes = parse_exit_codes(o.b.exit_codes);
    for (const auto& id : o.properties)
        if (!props::find(id)) throw UsageError("--property: unknown property id '" + id + "' (see 'reapcheck properties')");
    so.properties = o.properties;
    so.seed = o.seed;
    // --time alone: as many walks as fit in the time.
    so.walks = o.seconds > 0 && o.walks_opt->count() == 0 ? UINT64_MAX : o.walks;
    so.steps = o.steps;
    so.seconds = o.seconds;
    so.threads = o.b.jobs;
    so.bias = o.bias == "rare" ? engine::Bias::Rare : engine::Bias::Uniform;
    so.shrink = o.shrink;
    so.stop_when_found = o.stop;
    if (!o.json.empty()) check_writable("--json", o.json);
    if (!o.trace_dir.empty()) prepare_trace_dir(o.trace_dir);
    engine::Limits lim;
    install_interrupt_handler(lim);
    so.interrupt = lim.interrupt;
    auto report = [&](const engine::SimulateResult& r, const engine::SimulateOptions& ro) {
        std::fputs(engine::format_simulate(r, o.traces).c_str(), stdout);
        if (!o.json.empty()) write_file(o.json, engine::simulate_json(r, ro).dump(2) + "\n");
        if (!o.trace_dir.empty()) write_traces(o.trace_dir, {r.check});
        return engine::simulate_exit_code(r);
    };
#ifdef REAPCHECK_HAVE_MPI
    // Under mpirun/srun: walk i on rank i % K, rank 0 reports (docs/simulate.md).
    if (dist::launched_by_mpi()) return dist::run_simulate(*p, so, report);
#endif
    return report(engine::simulate(*p, so), so);
}

Register reg_simulate{{"simulate", [](CLI::App& app) {
    auto* sub = app.add_subcommand("simulate", "Seeded random walks over refimpl for large bounds, every property "
                                               "checked on every step; violations shrunk and replayed");
    auto o = std::make_shared<SimulateCli>();
    // Defaults: every feature at once, at sizes no exhaustive search reaches.
    o->b.b.tasks = 6;
    o->b.b.threads = 2;
    o->b.b.ptrace = true;
    sub->add_option("--profile", o->profile, "Semantic profile")->capture_default_str();
    o->b.add(*sub, false);
    sub->add_option("--seed", o->seed, "Seed of the run (walk i draws from a seed derived from it and i)")
        ->check(kNonNegative)->capture_default_str();
    o->walks_opt = sub->add_option("--walks", o->walks, "Walks to run (with --time alone: until the time is up)")
                       ->check(CLI::Range(uint64_t(1), uint64_t(1) << 40))->capture_default_str();
    sub->add_option("--steps,--depth", o->steps, "Steps per walk")->check(CLI::Range(1, 100000))->capture_default_str();
    sub->add_option("--time", o->seconds, "Stop starting walks after this many seconds (0: none)")
        ->check(CLI::Range(0.0, 1e7));
    sub->add_option("--jobs,-j", o->b.jobs, "Threads; walk i is the same walk whatever the number")
        ->check(CLI::Range(1, 64))->capture_default_str();
    sub->add_option("--bias", o->bias, "uniform: every enabled action alike; rare: weight 1/(1+times its class "
                                       "fired in this walk)")
        ->check(CLI::IsMember({"uniform", "rare"}))->capture_default_str();
    sub->add_option("--property", o->properties, "Check only these property ids (repeatable)");
    sub->add_option("--json", o->json, "Write verdicts, statistics and traces as JSON to this file");
    sub->add_option("--trace-dir", o->trace_dir, "Write every trace as DIR/<profile>.<property>.scn");
    sub->add_flag("!--no-traces", o->traces, "Do not print the traces of violations");
    sub->add_flag("--stop-when-found", o->stop, "Stop starting walks once every checked property is violated "
                                                "(covers: hit)");
    sub->add_flag("!--no-shrink", o->shrink, "Report the walk's own prefix, unshrunk");
    return std::function<int()>([o] { return run_simulate(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
