#include "checker/engine/graph.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/reverse_graph.hpp>

namespace reapcheck::engine {

std::vector<bool> can_reach(std::size_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges,
                            const std::vector<bool>& good) {
    // Reverse reachability from the good nodes: a BFS on the reversed graph
    // from a virtual source joined to every good node.
    using G = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
    G g(n + 1);
    for (auto [a, b] : edges) boost::add_edge(b, a, g);   // reversed
    const auto source = n;
    for (std::size_t i = 0; i < n; ++i)
        if (good[i]) boost::add_edge(source, i, g);
    std::vector<boost::default_color_type> color(n + 1, boost::white_color);
    boost::breadth_first_search(
        g, source,
        boost::color_map(boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g))));
    std::vector<bool> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = color[i] != boost::white_color;
    return out;
}

}  // namespace reapcheck::engine
