// A breadth-first explicit-state engine, generic over the model so that it is
// tested on toy models apart from the kernel model. BFS order makes the first
// path found to any node a shortest one.
//
// Model requirements:
//   using State, Action, Step;          Step has a member `post` (a State)
//   State initial() const;
//   void actions(const State&, std::vector<Action>&) const;
//   Step step(const State&, const Action&) const;
//   std::pair<State, std::string> canonical(const State&) const;   // representative and key
//   bool unchanged(const State& pre, const Step&) const;            // the step left the state as it was
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace reapcheck::engine {

struct Limits {
    uint32_t max_depth = 0;          ///< 0 = none
    uint64_t max_states = 0;         ///< 0 = none
    double max_seconds = 0;          ///< 0 = none
    uint64_t max_memory_mb = 0;      ///< 0 = none (estimated from stored keys and nodes)
    const volatile bool* interrupt = nullptr;   ///< set asynchronously to stop
    /// Stop at this time too (none when default): max_seconds of a whole
    /// review, shared by its explorations; max_seconds names it in the reason.
    std::chrono::steady_clock::time_point deadline{};
};

struct Stats {
    uint64_t states = 0;             ///< distinct (canonical) states
    uint64_t transitions = 0;        ///< enabled state-action pairs, failed and no-op ones included
    uint32_t depth = 0;              ///< deepest level fully explored
    bool exhausted = false;          ///< every reachable state within max_depth was expanded
    std::string stop_reason;         ///< why not exhausted
    double seconds = 0;
    uint64_t key_bytes = 0;          ///< bytes of stored keys
};

template <class Model>
class Bfs {
public:
    using State = typename Model::State;
    using Action = typename Model::Action;
    using Step = typename Model::Step;
    struct Node {
        uint32_t parent;
        uint32_t action;   ///< index into the parent's action list
        uint32_t depth;
    };

    Bfs(const Model& m, Limits l) : m_(m), l_(l) {}

    /// Visitor:
    ///   void on_state(uint32_t node, const State& canonical_state);
    ///   void on_edge(uint32_t from, uint32_t action_index, const State& from_state,
    ///                const Action&, const Step&, uint32_t to, bool is_new);
    ///   bool done() const;   // stop early (every property settled)
    template <class V>
    Stats run(V& v) {
        const auto t0 = std::chrono::steady_clock::now();
        auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
        Stats st;
        auto [init, key] = m_.canonical(m_.initial());
        st.key_bytes += key.size();
        index_.emplace(std::move(key), 0);
        nodes_.push_back(Node{UINT32_MAX, 0, 0});
        v.on_state(0, init);
        std::vector<std::pair<uint32_t, State>> frontier{{0, std::move(init)}}, next;
        std::vector<Action> acts;
        uint32_t depth = 0;
        while (!frontier.empty()) {
            if (l_.max_depth && depth >= l_.max_depth) {
                st.stop_reason = "depth bound " + std::to_string(l_.max_depth) + " reached";
                break;
            }
            next.clear();
            for (auto& [id, s] : frontier) {
                const bool late = (l_.max_seconds && elapsed() > l_.max_seconds) ||
                                  (l_.deadline != std::chrono::steady_clock::time_point{} &&
                                   std::chrono::steady_clock::now() >= l_.deadline);
                if ((l_.interrupt && *l_.interrupt) || late ||
                    (l_.max_states && nodes_.size() >= l_.max_states) ||
                    (l_.max_memory_mb && memory_estimate(st) > l_.max_memory_mb << 20) || v.done()) {
                    st.stop_reason = (l_.interrupt && *l_.interrupt) ? "interrupted"
                                     : v.done()                      ? "every property settled"
                                     : late ? "time limit " + std::to_string(int(l_.max_seconds)) + " s"
                                     : (l_.max_states && nodes_.size() >= l_.max_states) ? "state limit"
                                                                                         : "memory limit";
                    st.states = nodes_.size();
                    st.depth = depth == 0 ? 0 : depth - 1;
                    st.seconds = elapsed();
                    return st;
                }
                m_.actions(s, acts);
                for (uint32_t ai = 0; ai < acts.size(); ++ai) {
                    Step step = m_.step(s, acts[ai]);
                    ++st.transitions;
                    if (m_.unchanged(s, step)) {   // a failed or no-op call: a self-loop
                        v.on_edge(id, ai, s, acts[ai], step, id, false);
                        continue;
                    }
                    auto [post, k] = m_.canonical(step.post);
                    auto [it, fresh] = index_.try_emplace(std::move(k), uint32_t(nodes_.size()));
                    if (fresh) {
                        st.key_bytes += it->first.size();
                        nodes_.push_back(Node{id, ai, depth + 1});
                        v.on_state(it->second, post);
                        next.emplace_back(it->second, std::move(post));
                    }
                    v.on_edge(id, ai, s, acts[ai], step, it->second, fresh);
                }
            }
            frontier.swap(next);
            ++depth;
        }
        st.exhausted = frontier.empty();
        st.states = nodes_.size();
        st.depth = st.exhausted ? depth - 1 : depth;
        st.seconds = elapsed();
        return st;
    }

    /// Action indices from the initial state to `node`.
    [[nodiscard]] std::vector<uint32_t> path(uint32_t node) const {
        std::vector<uint32_t> p;
        while (nodes_[node].parent != UINT32_MAX) {
            p.push_back(nodes_[node].action);
            node = nodes_[node].parent;
        }
        return {p.rbegin(), p.rend()};
    }
    [[nodiscard]] const Node& node(uint32_t i) const { return nodes_[i]; }
    [[nodiscard]] std::size_t size() const { return nodes_.size(); }

private:
    uint64_t memory_estimate(const Stats& st) const {
        return st.key_bytes + index_.size() * 64 + nodes_.size() * sizeof(Node);
    }
    const Model& m_;
    Limits l_;
    std::unordered_map<std::string, uint32_t> index_;
    std::vector<Node> nodes_;
};

}  // namespace reapcheck::engine
