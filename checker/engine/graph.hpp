// The explored state graph for liveness: the one file that uses Boost.Graph.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace reapcheck::engine {

/// For each of `n` nodes: can it reach a node with good[node] along `edges`?
/// (Branching "eventually": from every state a good state stays reachable.)
std::vector<bool> can_reach(std::size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges,
                            const std::vector<bool>& good);

}  // namespace reapcheck::engine
