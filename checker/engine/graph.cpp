#include "checker/engine/graph.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/iterator/transform_iterator.hpp>
#include <boost/pending/queue.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/strong_components.hpp>

#include <algorithm>

namespace reapcheck::engine {

struct ReverseGraph::Impl {
    // Reversed edges (b, a) for every explored edge (a, b); vertex i of the
    // CSR graph is state i. One contiguous build: the adjacency_list this
    // replaces allocated one out-edge vector per state, for each property.
    using G = boost::compressed_sparse_row_graph<boost::directedS>;
    G g;
    std::size_t n;
    Impl(std::size_t nodes, const std::vector<std::pair<uint32_t, uint32_t>>& edges)
        : g(boost::edges_are_unsorted_multi_pass,
            boost::make_transform_iterator(edges.begin(), reversed),
            boost::make_transform_iterator(edges.end(), reversed), nodes),
          n(nodes) {}
    static std::pair<std::size_t, std::size_t> reversed(const std::pair<uint32_t, uint32_t>& e) {
        return {e.second, e.first};
    }
};

ReverseGraph::ReverseGraph(std::size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges)
    : impl_(std::make_unique<Impl>(n, edges)) {}

ReverseGraph::~ReverseGraph() = default;

std::vector<bool> ReverseGraph::can_reach(const std::vector<bool>& good) const {
    // A breadth-first search of the reversed graph from every good node at once.
    const std::size_t n = impl_->n;
    std::vector<std::size_t> sources;
    for (std::size_t i = 0; i < n; ++i)
        if (good[i]) sources.push_back(i);
    std::vector<boost::default_color_type> color(n, boost::white_color);
    if (!sources.empty()) {
        boost::queue<std::size_t> q;
        boost::breadth_first_search(
            impl_->g, sources.begin(), sources.end(), q, boost::default_bfs_visitor(),
            boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, impl_->g)));
    }
    std::vector<bool> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = color[i] != boost::white_color;
    return out;
}

std::vector<bool> can_reach(std::size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges,
                            const std::vector<bool>& good) {
    return ReverseGraph(n, edges).can_reach(good);
}

Trap trap_of(std::size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges, uint32_t start) {
    // The subgraph reachable from start, then Tarjan's strong components on it.
    std::vector<std::vector<uint32_t>> out(n);
    for (auto [a, b] : edges) out[a].push_back(b);
    std::vector<int64_t> local(n, -1);
    std::vector<uint32_t> nodes{start};
    local[start] = 0;
    for (std::size_t i = 0; i < nodes.size(); ++i)
        for (uint32_t b : out[nodes[i]])
            if (local[b] < 0) {
                local[b] = int64_t(nodes.size());
                nodes.push_back(b);
            }
    using G = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
    G g(nodes.size());
    for (uint32_t a : nodes)
        for (uint32_t b : out[a]) boost::add_edge(std::size_t(local[a]), std::size_t(local[b]), g);
    std::vector<std::size_t> comp(nodes.size());
    Trap t;
    t.reachable = nodes.size();
    t.components = boost::strong_components(
        g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g)));
    std::vector<std::size_t> size(t.components, 0);
    std::vector<bool> leaves(t.components, false);
    for (std::size_t v = 0; v < nodes.size(); ++v) {
        ++size[comp[v]];
        for (uint32_t b : out[nodes[v]])
            if (comp[std::size_t(local[b])] != comp[v]) leaves[comp[v]] = true;
    }
    std::size_t best = SIZE_MAX;
    for (std::size_t c = 0; c < t.components; ++c)
        if (!leaves[c]) {
            t.terminal_sizes.push_back(size[c]);
            if (best == SIZE_MAX || size[c] > size[best]) best = c;
        }
    std::sort(t.terminal_sizes.rbegin(), t.terminal_sizes.rend());
    for (std::size_t v = 0; v < nodes.size(); ++v)
        if (comp[v] == best) {
            t.terminal_example = nodes[v];
            break;
        }
    return t;
}

}  // namespace reapcheck::engine
