// The explored state graph for liveness: the one file that uses Boost.Graph.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace reapcheck::engine {

/// The explored graph with its edges reversed, in compressed sparse row form:
/// built once per run and shared by every `eventually` property of it.
class ReverseGraph {
public:
    ReverseGraph(std::size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges);
    ~ReverseGraph();
    ReverseGraph(const ReverseGraph&) = delete;
    ReverseGraph& operator=(const ReverseGraph&) = delete;

    /// For each node: can it reach a node with good[node]? (Branching
    /// "eventually": from every state a good state stays reachable.)
    [[nodiscard]] std::vector<bool> can_reach(const std::vector<bool>& good) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// One-off form of ReverseGraph(n, edges).can_reach(good).
std::vector<bool> can_reach(std::size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges,
                            const std::vector<bool>& good);

/// What a state leads into: the states reachable from `start`, grouped into
/// strongly connected components, and the terminal ones among them (no edge
/// leaves them). For a liveness violation these say why the good states are
/// out of reach: a deadlock (a terminal component of a single state, where
/// every enabled action leaves the state as it is) or a cycle the system cannot leave.
struct Trap {
    std::size_t reachable = 0;                 ///< states reachable from start (start included)
    std::size_t components = 0;                ///< their strongly connected components
    std::vector<std::size_t> terminal_sizes;   ///< sizes of the terminal components, largest first
    uint32_t terminal_example = 0;             ///< a state of the largest terminal component
};
Trap trap_of(std::size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges, uint32_t start);

}  // namespace reapcheck::engine
