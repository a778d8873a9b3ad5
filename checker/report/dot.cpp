#include "checker/report/dot.hpp"

#include <map>

#include <fmt/format.h>

#include "checker/engine/kernel_model.hpp"
#include "checker/explicit/explorer.hpp"
#include "checker/scenario/printer.hpp"

namespace reapcheck::engine {

using namespace refimpl;

std::string dot_quote(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (c == '\n') {
            o += "\\n";
            continue;
        }
        o += c;
    }
    return o + "\"";
}

namespace {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string o;
    for (const auto& x : v) o += (o.empty() ? "" : sep) + x;
    return o;
}

}  // namespace

std::string trace_dot(const WorldTrace& wt, const std::string& title) {
    std::string o = "digraph trace {\n";
    o += "  label=" + dot_quote(title + " (profile " + wt.profile + ")") + ";\n  labelloc=t;\n";
    o += "  compound=true;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n";
    o += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    for (std::size_t i = 0; i < wt.steps.size(); ++i) {
        const WorldStep& w = wt.steps[i];
        const WorldStep* prev = i ? &wt.steps[i - 1] : nullptr;
        const State& s = w.state;
        std::string head = i == 0 ? "step 0: initial world" : fmt::format("step {}: {}", i, w.text);
        if (!w.observed.empty() && w.statement.kind == scn::Statement::Kind::Call && !w.statement.expected)
            head += " (observed " + w.observed + ")";
        o += fmt::format("  subgraph cluster_step{} {{\n    label={};\n    style=rounded;\n", i, dot_quote(head));
        for (Id t = 0; t < Id(s.tasks.size()); ++t) {
            if (!drawn(w, prev, t)) continue;
            const std::string st = task_state_word(s, t);
            std::string label = fmt::format("{}  pid {}\n{}", w.name(t), s.pids[s.tasks[t].pid].nr, st);
            const auto flags = task_flags(s, t);
            if (!flags.empty()) label += "\n" + join(flags, ", ");
            const auto fds = task_pidfds(w, t);
            if (!fds.empty()) label += "\npidfds: " + join(fds, " ");
            const bool changed = task_changed(w, prev, t);
            o += fmt::format("    s{}_t{} [label={}, fillcolor=\"{}\"{}{}];\n", i, t, dot_quote(label), state_fill(st),
                             changed && i ? ", penwidth=3, color=\"#e07000\"" : "",
                             st == "RELEASED" ? ", style=\"rounded,dotted\"" : "");
        }
        for (Id t = 0; t < Id(s.tasks.size()); ++t) {
            if (!drawn(w, prev, t)) continue;
            const Id up = tree_parent(s, t);
            if (up != kNone && drawn(w, prev, up))
                o += fmt::format("    s{}_t{} -> s{}_t{}{};\n", i, up, i, t,
                                 s.is_leader(t) ? "" : " [style=dotted, label=\"thread\"]");
            if (s.tasks[t].ptraced && s.tasks[t].parent != kNone && drawn(w, prev, s.tasks[t].parent))
                o += fmt::format("    s{}_t{} -> s{}_t{} [style=dashed, color=\"#5050c0\", label=\"traces\", "
                                 "constraint=false];\n",
                                 i, s.tasks[t].parent, i, t);
        }
        o += "  }\n";
    }
    return o + "}\n";
}

namespace {

std::string brief_name(Id t) { return t == kInit ? "init" : "t" + std::to_string(t); }

/// One line per task that is not released: "t2 Z<1 autoreap".
std::string brief_label(const State& s) {
    std::string o;
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        const Task& k = s.tasks[t];
        if (k.exit_state == ExitState::Released) continue;
        const std::string st = task_state_word(s, t);
        const Id up = tree_parent(s, t);
        o += (o.empty() ? "" : "\n") + brief_name(t) + " " + (st == "EXITING" ? "X" : st.substr(0, 1));
        if (up != kNone) o += "<" + brief_name(up);
        for (const auto& f : task_flags(s, t)) o += " " + f;
        if (k.files != kNone && !s.fdtables[k.files].fds.empty())
            o += " fds:" + std::to_string(s.fdtables[k.files].fds.size());
    }
    return o;
}

/// The action with tasks and descriptors named by canonical index.
std::string action_label(const Action& a) {
    scn::Call c = a.call;
    if (a.r.target != kNone) c.target = brief_name(a.r.target);
    if (a.r.fd >= 0) c.target = "fd" + std::to_string(a.r.fd);
    if (a.kernel) return "kernel: " + scn::print_call(c);
    return brief_name(a.r.actor) + ": " + scn::print_call(c);
}

struct GraphVisitor {
    StateGraph& g;
    uint64_t max_nodes;
    std::map<std::pair<uint32_t, uint32_t>, std::string> labels;   // (from, action index) -> label
    void on_level(uint32_t, uint32_t, uint32_t end) {
        if (end > max_nodes) g.too_big = true;
        else g.labels.resize(end);
    }
    void on_state(uint32_t node, const State& s) {
        if (!g.too_big) g.labels[node] = brief_label(s);
    }
    void on_edge(uint32_t from, uint32_t ai, const State&, const Action& a, const Transition&, bool) {
        if (!g.too_big) labels.emplace(std::pair{from, ai}, action_label(a));
    }
    bool done() const { return g.too_big; }
};

}  // namespace

StateGraph explore_state_graph(const Profile& p, const Bounds& b, bool symmetry, uint64_t max_nodes, Limits lim) {
    StateGraph g;
    const KernelModel model{p, b, symmetry};
    if (b.depth) lim.max_depth = uint32_t(b.depth);
    xplicit::Options o;
    o.limits = lim;
    o.record_edges = true;   // one thread: the labels are small, and the graph is at most max_nodes
    o.edge_budget_bytes = UINT64_MAX;
    xplicit::Explorer<KernelModel> bfs(model, o);
    GraphVisitor vis{g, max_nodes, {}};
    g.stats = bfs.run(vis);
    if (g.too_big) {
        g.labels.clear();
        g.edges.clear();
        return g;
    }
    for (const xplicit::Edge& e : bfs.edges())
        if (e.from != e.to && e.to < g.labels.size()) g.edges.push_back({e.from, e.to, vis.labels[{e.from, e.action}]});
    return g;
}

std::string state_graph_dot(const StateGraph& g, const std::string& title) {
    std::string o = "digraph states {\n";
    o += "  label=" +
         dot_quote(title + fmt::format("\n{} states, {} transitions{}; one line per task: index, state "
                                       "(R running, X exiting, Z zombie, T trace, D dead), <parent, flags",
                                       g.stats.states, g.stats.transitions,
                                       g.stats.exhausted ? ", exhausted" : ", " + g.stats.stop_reason)) +
         ";\n  labelloc=t;\n";
    o += "  node [shape=box, fontname=\"Helvetica\", fontsize=9];\n  edge [fontname=\"Helvetica\", fontsize=8];\n";
    for (std::size_t n = 0; n < g.labels.size(); ++n)
        o += fmt::format("  n{} [label={}{}];\n", n, dot_quote(fmt::format("#{}\n{}", n, g.labels[n])),
                         n == 0 ? ", style=bold" : "");
    for (const auto& e : g.edges) o += fmt::format("  n{} -> n{} [label={}];\n", e.from, e.to, dot_quote(e.label));
    return o + "}\n";
}

}  // namespace reapcheck::engine
