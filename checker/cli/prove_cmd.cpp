// reapcheck prove / bmc: the Z3 engines over the model (checker/symbolic).
#include <cstdio>

#include "checker/cli/symbolic_options.hpp"
#include "model/symbolic.hpp"
#include "properties/lang/lang.hpp"

namespace reapcheck::cli {
namespace {

struct ProveCli {
    SymbolicCli s;
    std::vector<std::string> properties;
    std::vector<std::string> property_files;
    int depth = -1;
    int max_k = 4;
    double query_seconds = 60;
};

int run_symbolic(ProveCli& o, bool prove) {
    const refimpl::Profile& p = o.s.resolve();
    // User properties are read (and their errors reported) like check's;
    // their symbolic forms are translated from the text like the catalog's.
    for (const auto& f : o.property_files) props::lang::load_file(f);
    symbolic::Options opts;
    opts.features = o.s.f;
    opts.properties = o.properties;
    opts.depth = o.depth >= 0 ? o.depth : 4;
    opts.max_k = o.max_k;
    opts.query_seconds = o.query_seconds;
    opts.max_seconds = o.s.max_time;
    opts.progress = !o.s.quiet;
    opts.interrupt = symbolic_interrupt_flag();
    symbolic::Report r;
    try {
        r = prove ? symbolic::prove(p, opts) : symbolic::bmc(p, opts);
    } catch (const model::ModelError& e) {
        const std::string what = e.what();
        if (what.rfind("Z3:", 0) == 0) throw;
        throw UsageError(what);
    }
    std::fputs(symbolic::format(r).c_str(), stdout);
    if (!o.s.json.empty()) write_file(o.s.json, symbolic::to_json(r).dump(2) + "\n");
    return symbolic::exit_code(r);
}

void common(CLI::App* sub, ProveCli& o, int default_depth) {
    o.s.add(*sub, 4);
    sub->add_option("--property", o.properties, "Only these `always` or `step` property ids (repeatable)");
    sub->add_option("--properties", o.property_files,
                    "Also these user properties (property language, docs/property-language.md; repeatable)");
    sub->add_option("--depth", o.depth, "Depth bound of the search from the initial world")
        ->check(CLI::Range(0, 100))->default_str(std::to_string(default_depth));
    sub->add_option("--query-timeout", o.query_seconds, "Seconds per Z3 query")
        ->check(CLI::Range(0.1, 1e6))->capture_default_str();
}

Register prove_reg{{"prove", [](CLI::App& app) {
    auto* sub = app.add_subcommand(
        "prove", "k-induction over every state of N task slots for the `always` properties (Z3)");
    auto o = std::make_shared<ProveCli>();
    common(sub, *o, 4);
    o->max_k = 2;
    sub->add_option("--max-k", o->max_k, "Largest k tried")->check(CLI::Range(1, 20))->capture_default_str();
    return std::function<int()>([o] { return run_symbolic(*o, true); });
}}};

Register bmc_reg{{"bmc", [](CLI::App& app) {
    auto* sub = app.add_subcommand("bmc", "Bounded model checking of the `always` properties to a depth (Z3)");
    auto o = std::make_shared<ProveCli>();
    common(sub, *o, 4);
    return std::function<int()>([o] { return run_symbolic(*o, false); });
}}};

}  // namespace
}  // namespace reapcheck::cli
