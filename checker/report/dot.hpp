// Graphviz DOT text: the process tree at every step of a trace, and the
// explored state graph for small bounds. Written directly as text (no
// Boost.Graph needed for output).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checker/engine/alphabet.hpp"
#include "checker/engine/limits.hpp"
#include "checker/report/world_trace.hpp"

namespace reapcheck::engine {

/// One digraph, one cluster subgraph per step ("step i: statement"). A box per
/// task (name, pid, state, flags, pidfds); solid arrows parent -> child
/// (threads hang under their leader, "thread" edges dotted), dashed arrows
/// tracer -> tracee; boxes that changed in the step have a thick border.
std::string trace_dot(const WorldTrace& wt, const std::string& title);

/// The explored graph: canonical states and the transitions between them.
struct StateGraph {
    struct Edge {
        uint32_t from = 0, to = 0;
        std::string label;   ///< the action, tasks named by canonical index
    };
    std::vector<std::string> labels;   ///< per node, brief (one line per task)
    std::vector<Edge> edges;           ///< changing transitions (failed and no-op calls are left out)
    Stats stats;
    bool too_big = false;              ///< more than max_nodes states: nothing else is filled in
};

/// Breadth-first exploration like check's, keeping the whole graph; stops
/// with too_big as soon as it holds more than max_nodes states. `limits`
/// (time, memory, interrupt) may stop it earlier: stats.stop_reason says so.
StateGraph explore_state_graph(const refimpl::Profile& p, const Bounds& b, bool symmetry, uint64_t max_nodes,
                               Limits limits = {});

/// The state graph as DOT, with a legend of the node labels.
std::string state_graph_dot(const StateGraph& g, const std::string& title);

/// DOT string literal of `s` (quotes, backslashes and newlines escaped).
std::string dot_quote(const std::string& s);

}  // namespace reapcheck::engine
