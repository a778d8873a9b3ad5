// reapcheck prove / bmc: the Z3 engines over the model (checker/symbolic).
#include <cstdio>

#include "checker/cli/symbolic_options.hpp"
#include "checker/symbolic/unbounded.hpp"
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
    unsigned query_rlimit = 0;
    std::string encoding;           ///< --encoding int|bv (bmc's default bv, prove's int)
    bool unbounded = false;         ///< prove --unbounded: the parameterized model (docs/unbounded.md)
    std::vector<int> agree;         ///< --agree N: compare it with the N-slot model first
};

/// prove --unbounded [--profile P|all] [--agree N]...: one report per profile.
int run_unbounded(ProveCli& o) {
    std::vector<const refimpl::Profile*> profiles;
    if (o.s.profile == "all") {
        for (const auto& p : refimpl::all_profiles()) profiles.push_back(&p);
        o.s.f.exit_codes = parse_exit_codes(o.s.exit_codes);
    } else {
        profiles.push_back(&o.s.resolve());
    }
    for (const auto& f : o.property_files) props::lang::load_file(f);
    symbolic::UnboundedOptions opts;
    opts.features = o.s.f;
    opts.properties = o.properties;
    opts.agree = o.agree;
    opts.property_seconds = o.query_seconds;
    opts.query_rlimit = o.query_rlimit;
    opts.progress = !o.s.quiet;
    opts.interrupt = symbolic_interrupt_flag();
    nlohmann::json all = nlohmann::json::array();
    int code = 0;
    for (const refimpl::Profile* p : profiles) {
        symbolic::UnboundedReport r;
        try {
            r = symbolic::prove_unbounded(*p, opts);
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        } catch (const model::ModelError& e) {
            throw UsageError(e.what());
        }
        std::fputs(symbolic::format(r).c_str(), stdout);
        all.push_back(symbolic::to_json(r));
        const int c = symbolic::exit_code(r);
        if (c == 1 || (c == 3 && code == 0)) code = c;
    }
    if (!o.s.json.empty()) write_file(o.s.json, (o.s.profile == "all" ? all : all[0]).dump(2) + "\n");
    return code;
}

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
    opts.query_rlimit = o.query_rlimit;
    opts.encoding = o.encoding == "bv" ? symbolic::Encoding::Bv : symbolic::Encoding::Int;
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

void common(CLI::App* sub, ProveCli& o, int default_depth, const char* encoding) {
    o.encoding = encoding;
    o.s.add(*sub, 4);
    sub->add_option("--property", o.properties, "Only these `always` or `step` property ids (repeatable)");
    sub->add_option("--properties", o.property_files,
                    "Also these user properties (property language, docs/property-language.md; repeatable)");
    sub->add_option("--depth", o.depth, "Depth bound of the search from the initial world")
        ->check(CLI::Range(0, 100))->default_str(std::to_string(default_depth));
    sub->add_option("--query-timeout", o.query_seconds, "Seconds per Z3 query")
        ->check(CLI::Range(0.1, 1e6))->capture_default_str();
    sub->add_option("--query-rlimit", o.query_rlimit,
                    "Z3 resource units per query (0: none): unlike the timeout, the same verdicts on any machine "
                    "at any load")
        ->capture_default_str();
    sub->add_option("--encoding", o.encoding,
                    "The search from the initial world: bv (bit-vectors, Z3's SAT core) or int (Int terms, Z3's "
                    "default solver); the same verdicts")
        ->check(CLI::IsMember({"bv", "int"}))->capture_default_str();
}

Register prove_reg{{"prove", [](CLI::App& app) {
    auto* sub = app.add_subcommand(
        "prove", "k-induction over every state of N task slots for the `always` properties (Z3)");
    auto o = std::make_shared<ProveCli>();
    common(sub, *o, 4, "int");
    o->max_k = 2;
    sub->add_option("--max-k", o->max_k, "Largest k tried")->check(CLI::Range(1, 20))->capture_default_str();
    sub->add_flag("--unbounded", o->unbounded,
                  "Prove for every number of tasks: an inductive invariant over the parameterized model "
                  "(docs/unbounded.md); --profile all runs every profile; --query-timeout is the budget per property");
    sub->add_option("--agree", o->agree,
                    "With --unbounded: first check that the parameterized model instantiated with N tasks equals "
                    "the N-slot model, action by action (repeatable)")
        ->check(CLI::Range(2, 6));
    return std::function<int()>([o] {
        if (!o->agree.empty() && !o->unbounded) throw UsageError("--agree needs --unbounded");
        if (o->unbounded && (o->s.f.autokill || o->s.f.capset || o->s.f.wnowait))
            throw UsageError("--unbounded: the parameterized model has no CLONE_PIDFD_AUTOKILL, capset or WNOWAIT "
                             "(docs/unbounded.md); drop --autokill/--capset/--wnowait");
        if (o->unbounded && (o->s.f.threads > 1 || o->s.f.kill || o->s.f.exec))
            throw UsageError("--unbounded: the parameterized model has one thread per process and no kill or "
                             "execve (docs/unbounded.md); drop --threads/--kill/--exec");
        return o->unbounded ? run_unbounded(*o) : run_symbolic(*o, true);
    });
}}};

Register bmc_reg{{"bmc", [](CLI::App& app) {
    auto* sub = app.add_subcommand("bmc", "Bounded model checking of the `always` properties to a depth (Z3)");
    auto o = std::make_shared<ProveCli>();
    common(sub, *o, 4, "bv");
    return std::function<int()>([o] { return run_symbolic(*o, false); });
}}};

}  // namespace
}  // namespace reapcheck::cli
