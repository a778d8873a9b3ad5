// reapcheck graph --profile P [bounds] --dot FILE: the explored state graph
// of small bounds as Graphviz DOT.
#include <cstdio>

#include <fmt/format.h>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/report/dot.hpp"

namespace reapcheck::cli {
namespace {

struct GraphCli {
    BoundsOptions b;
    std::string profile = "mainline";
    std::string dot;
    uint64_t max_nodes = 5000;
};

int run_graph(const GraphCli& o) {
    const refimpl::Profile* p = &resolve_profile(o.profile);
    engine::CheckOptions opts = o.b.options();
    install_interrupt_handler(opts.limits);
    const engine::StateGraph g = engine::explore_state_graph(*p, opts.bounds, opts.symmetry, o.max_nodes, opts.limits);
    if (g.too_big)
        throw UsageError(fmt::format("graph: more than {} states within these bounds; give smaller bounds "
                                     "(--tasks, --depth, --no-...) or a larger --max-nodes",
                                     o.max_nodes));
    const std::string title = "reapcheck graph: profile " + p->name + ", " + opts.bounds.describe() +
                              (opts.symmetry ? " symmetry=on" : " symmetry=off");
    write_file(o.dot, engine::state_graph_dot(g, title));
    std::printf("graph: %zu states, %zu edges (changing transitions), %s -> %s\n", g.labels.size(), g.edges.size(),
                g.stats.exhausted ? "exhausted" : g.stats.stop_reason.c_str(), o.dot.c_str());
    return kExitOk;
}

Register reg_graph{{"graph", [](CLI::App& app) {
    auto* sub = app.add_subcommand("graph", "Write the explored state graph of small bounds as Graphviz DOT");
    auto o = std::make_shared<GraphCli>();
    sub->add_option("--profile", o->profile, "Semantic profile: a built-in name or a profile file (docs/profiles.md)")->capture_default_str();
    sub->add_option("--dot", o->dot, "The DOT file to write")->required();
    sub->add_option("--max-nodes", o->max_nodes, "Refuse graphs with more states than this")
        ->check(CLI::Range(1, 100000))->capture_default_str();
    o->b.add(*sub);
    return std::function<int()>([o] { return run_graph(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
