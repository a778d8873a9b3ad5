// The explicit-state engine: a level-synchronous, multi-threaded breadth-first
// search over packed states in a tree-compressed store (tree_store.hpp),
// generic over the model so that it is tested on toy models apart from the
// kernel model.
//
// Model requirements:
//   using State, Action, Step;
//   State initial() const;
//   void actions(const State&, std::vector<Action>&) const;
//   Step step(const State&, const Action&) const;
//   bool unchanged(const State& pre, const Step&) const;   // a self-loop
//   void canonical(const State&, State& canon, std::vector<uint64_t>& words) const;
//       // the representative and its packed words (word 0 = number of words)
//   optional: State unpack(const std::vector<uint64_t>& words) const;
//       // the inverse of canonical's packing: with it the frontier is only
//       // ids (states are decoded from the store when expanded); without it
//       // the engine keeps the frontier's states in memory.
//   optional, with unpack: void canonical_words(const State&, std::vector<uint64_t>& words) const;
//       // canonical's words alone: the explorer then builds no canonical
//       // State of a successor (with unpack it never reads one).
//   optional: int ample(const State&, const std::vector<Action>& enabled) const;
//       // partial-order reduction: the index of an action whose singleton is
//       // an ample set (conditions C0-C2, see checker/engine/por.hpp), or -1.
//       // The explorer adds BFS's cycle proviso C3: it expands only that
//       // action when its successor is a new state (not yet in the store,
//       // hence of the next level), else every action. The store is only
//       // read in phase 1, so the choice is the same for any thread count.
//
// Each BFS level runs in two phases.
//  1. The level's states (a range of ids) are cut into chunks that the
//     threads take in turn. A thread decodes a state, calls on_state, and,
//     unless the depth bound stops here, applies every action, calls on_edge
//     and builds each successor's root key; a successor whose root is not yet
//     in the store becomes a candidate, in its chunk's list, in the order
//     (state, action). The store's root table is only read in this phase.
//  2. One thread walks the chunks in order and inserts the candidates: the
//     first occurrence of a new root gets the next id, and its parent and
//     action. The ids, parents and traces are therefore exactly those of a
//     single-threaded BFS, whatever the number of threads.
// Ids are dense and in BFS order; the states of level d are the id range
// level_begin(d) .. level_begin(d+1).
//
// Visitor (called from several threads when threads > 1; the visitor's
// methods must then be thread-safe):
//   void on_level(uint32_t depth, uint32_t first_id, uint32_t end_id);   // before a level, one thread
//   void on_state(uint32_t id, const State& canonical_state);
//   void on_edge(uint32_t from, uint32_t action_index, const State& from_state, const Action&, const Step&,
//                bool changed);   // changed: the successor differs from from_state (not a self-loop)
//   bool done() const;                                                    // stop early
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "checker/engine/limits.hpp"
#include "checker/explicit/tree_store.hpp"

namespace reapcheck::xplicit {

using engine::Limits;
using engine::Stats;

struct Options {
    Limits limits;
    int threads = 1;
    bool record_edges = false;   ///< keep every transition (from, to) for liveness and graphs
    /// Recorded edges beyond this many bytes (16 a transition while the
    /// search runs) are dropped and recording stops: a search that grows
    /// past it is rarely finished, and if it is, collect_edges() finds the
    /// edges again by a second pass (edges_recorded() says which).
    uint64_t edge_budget_bytes = uint64_t{1} << 30;
    bool progress = false;       ///< a progress line on stderr every few seconds
    double progress_seconds = 5;
    std::string progress_label = "explore";
};

struct Edge {
    uint32_t from, to, action;
};

/// A level boundary (checkpoints, docs/checkpoint.md): level `depth` is the
/// next to run, `stats` are those of the levels before it.
struct Boundary {
    uint32_t depth = 0;
    Stats stats;
};

template <class Model>
class Explorer {
public:
    using State = typename Model::State;
    using Action = typename Model::Action;
    using Step = typename Model::Step;
    static constexpr bool kPacked = requires(const Model& m, const std::vector<uint64_t>& w) { m.unpack(w); };
    static constexpr bool kWordsOnly =
        kPacked && requires(const Model& m, const State& s, std::vector<uint64_t>& w) { m.canonical_words(s, w); };
    static constexpr bool kAmple = requires(const Model& m, const State& s, const std::vector<Action>& a) {
        { m.ample(s, a) } -> std::convertible_to<int>;
    };

    Explorer(const Model& m, Options o) : m_(m), o_(std::move(o)) {
        if (o_.threads < 1) o_.threads = 1;
        recording_ = o_.record_edges;
    }

    template <class V>
    Stats run(V& v) {
        return run(v, [](const Boundary&, bool) {});
    }
    /// The search, calling at_boundary(boundary, final) at every level
    /// boundary that expands a level, after the visitor's on_level of it
    /// (final false), and when a limit or an interrupt stops the run inside
    /// a level (final true: the boundary before that level, which the run
    /// abandons). No worker runs during the call. After restore() it
    /// continues from the restored boundary.
    template <class V, class H>
    Stats run(V& v, H&& at_boundary) {
        t0_ = std::chrono::steady_clock::now();
        last_progress_ = t0_;
        Stats st;
        uint32_t depth = 0;
        if (restored_) {
            depth = resume_.depth;
            st.transitions = resume_.stats.transitions;
            st.reduced = resume_.stats.reduced;
            prior_seconds_ = resume_.stats.seconds;
            done_transitions_ = st.transitions;
        } else {
            State c;
            std::vector<uint64_t> w;
            m_.canonical(m_.initial(), c, w);
            Builder b(trees_);
            insert_root(b.reference(w), UINT32_MAX);
            if constexpr (!kPacked) frontier_.push_back(std::move(c));
            level_begin_ = {0, 1};
        }
        while (true) {
            const uint32_t lo = level_begin_[depth], hi = level_begin_[depth + 1];
            if (lo == hi) {
                st.exhausted = true;
                break;
            }
            const bool expand = !(o_.limits.max_depth && depth >= o_.limits.max_depth);
            Boundary here{depth, st};
            here.stats.seconds = prior_seconds_ + elapsed();
            level_edges_ = pending_edges_.size();
            v.on_level(depth, lo, hi);
            if (expand) at_boundary(std::as_const(here), false);
            std::string stop;
            run_level(v, lo, hi, expand, st, stop);
            if (!stop.empty()) {   // cut short inside the level
                if (stop != "every property settled") at_boundary(std::as_const(here), true);
                st.stop_reason = stop;
                st.depth = depth == 0 ? 0 : depth - 1;
                return finish(st);
            }
            if (!expand) {
                st.stop_reason = "depth bound " + std::to_string(o_.limits.max_depth) + " reached";
                st.depth = depth;
                return finish(st);
            }
            if (!insert_candidates()) {   // interrupted while inserting: this level is partial
                at_boundary(std::as_const(here), true);
                st.stop_reason = "interrupted";
                st.depth = depth;
                level_begin_.push_back(states_);
                return finish(st);
            }
            level_begin_.push_back(states_);
            ++depth;
        }
        st.depth = depth == 0 ? 0 : depth - 1;
        return finish(st);
    }

    /// The first id of level d (d <= the depth reached + 1).
    [[nodiscard]] uint32_t level_begin(uint32_t d) const { return level_begin_.at(d); }

    /// Writes the store as of boundary b (called from at_boundary) through
    /// w.open(name) / w.write(data, bytes) / w.close(): meta.bin (figures
    /// and level starts), leaves.bin, nodes.bin (every pair interned so
    /// far), roots.bin and parents.bin (the states of the levels up to b's),
    /// edges.bin (record_edges). Only the keys: restore() rebuilds the
    /// hash indexes by interning them again in id order.
    template <class W>
    void save(const Boundary& b, W& w) const {
        static_assert(kPacked, "a checkpoint needs a model with unpack");
        const uint32_t states = level_begin_.at(b.depth + 1);
        const uint64_t edges = recording_ ? level_edges_ : 0;
        double secs = b.stats.seconds;
        uint64_t sec_bits;
        std::memcpy(&sec_bits, &secs, sizeof secs);
        std::vector<uint64_t> meta = {kSaveFormat,    b.depth,        states,         trees_.leaves.size(),
                                      trees_.nodes.size(), recording_, edges,     b.stats.transitions,
                                      b.stats.reduced, sec_bits,      b.depth + 2u};
        for (uint32_t d = 0; d < b.depth + 2; ++d) meta.push_back(level_begin_[d]);
        w.open("meta.bin");
        w.write(meta.data(), meta.size() * sizeof(uint64_t));
        w.open("leaves.bin");
        trees_.leaves.for_each_run(trees_.leaves.size(), [&](const Key128* k, uint32_t n) { w.write(k, n * sizeof(Key128)); });
        w.open("nodes.bin");
        trees_.nodes.for_each_run(trees_.nodes.size(), [&](const uint64_t* k, uint32_t n) { w.write(k, n * sizeof(uint64_t)); });
        w.open("roots.bin");
        roots_.for_each_run(states, [&](const uint64_t* k, uint32_t n) { w.write(k, n * sizeof(uint64_t)); });
        w.open("parents.bin");
        for (uint32_t at = 0; at < states; at += kParentChunk)
            w.write(parents_[at / kParentChunk].get(), std::min(kParentChunk, states - at) * sizeof(uint32_t));
        if (recording_) {
            w.open("edges.bin");
            w.write(pending_edges_.data(), edges * sizeof(PendingEdge));
        }
        w.close();
    }

    /// Fills a fresh explorer from a checkpoint written by save():
    /// r.read(name) gives a file's bytes (checked). Throws
    /// std::runtime_error for files that do not fit together. run() then
    /// continues at the returned boundary.
    template <class R>
    Boundary restore(const R& r) {
        static_assert(kPacked, "a checkpoint needs a model with unpack");
        if (states_ != 0 || restored_) throw std::logic_error("restore: the explorer is not fresh");
        auto fail = [](const std::string& what) { throw std::runtime_error("the checkpoint's store: " + what); };
        const std::vector<char> mb = r.read("meta.bin");
        std::vector<uint64_t> meta(mb.size() / sizeof(uint64_t));
        std::memcpy(meta.data(), mb.data(), meta.size() * sizeof(uint64_t));
        if (meta.size() < 11 || meta[0] != kSaveFormat || meta[10] != meta[1] + 2 || meta.size() != 11 + meta[10])
            fail("meta.bin is not of this format");
        Boundary b;
        b.depth = uint32_t(meta[1]);
        const auto states = uint32_t(meta[2]);
        b.stats.transitions = meta[7];
        b.stats.reduced = meta[8];
        std::memcpy(&b.stats.seconds, &meta[9], sizeof(double));
        level_begin_.assign(meta.begin() + 11, meta.end());
        if (level_begin_.back() != states) fail("meta.bin's levels do not end at its state count");
        auto load = [&](auto& table, const char* name, uint64_t n, std::size_t size) {
            const std::vector<char> data = r.read(name);
            if (data.size() != n * size) fail(std::string(name) + " does not hold the count of meta.bin");
            if (!table.reintern(reinterpret_cast<const unsigned char*>(data.data()), uint32_t(n)))
                fail(std::string(name) + " repeats a key");
        };
        load(trees_.leaves, "leaves.bin", meta[3], sizeof(Key128));
        load(trees_.nodes, "nodes.bin", meta[4], sizeof(uint64_t));
        load(roots_, "roots.bin", states, sizeof(uint64_t));
        const std::vector<char> pb = r.read("parents.bin");
        if (pb.size() != std::size_t(states) * sizeof(uint32_t)) fail("parents.bin does not hold a parent per state");
        for (uint32_t at = 0; at < states; at += kParentChunk) {
            parents_.emplace_back(new uint32_t[kParentChunk]);
            std::memcpy(parents_.back().get(), pb.data() + std::size_t(at) * sizeof(uint32_t),
                        std::min(kParentChunk, states - at) * sizeof(uint32_t));
        }
        states_ = states;
        recording_ = meta[5] != 0;
        if (recording_) {
            const std::vector<char> eb = r.read("edges.bin");
            if (eb.size() != meta[6] * sizeof(PendingEdge)) fail("edges.bin does not hold the count of meta.bin");
            pending_edges_.resize(meta[6]);
            std::memcpy(pending_edges_.data(), eb.data(), eb.size());
        }
        resume_ = b;
        restored_ = true;
        resumed_states_ = states;
        return b;
    }

    /// Fills edges() after a run without record_edges, by expanding every
    /// stored state once more (on `threads` threads) and looking each
    /// successor up: a search that needs the graph only when it finished
    /// (liveness) keeps no edges while it explores. Successors outside the
    /// store (beyond a depth bound) are left out.
    /// false when a limit's interrupt flag stopped it (edges() is then empty).
    bool collect_edges() {
        const uint32_t n = states_;
        constexpr uint32_t kChunk = 256;
        const uint32_t nchunks = (n + kChunk - 1) / kChunk;
        std::vector<std::vector<Edge>> parts(nchunks);
        std::atomic<uint32_t> next{0};
        std::exception_ptr error;
        std::mutex err_mutex;
        std::atomic<bool> stopped{false};
        auto worker = [&] {
            try {
                Builder b(trees_);
                std::vector<uint64_t> words;
                std::vector<Action> acts;
                State canon;
                for (uint32_t ci; (ci = next.fetch_add(1)) < nchunks;) {
                    if (o_.limits.interrupt && *o_.limits.interrupt) {
                        stopped = true;
                        break;
                    }
                    for (uint32_t id = ci * kChunk; id < std::min(n, (ci + 1) * kChunk); ++id) {
                        const State s = state_of(id, words);
                        b.reference(words);
                        for_successors(s, b, acts, canon, words, [&](uint32_t ai, const Step&, bool changed, uint64_t root) {
                            const uint32_t to = changed ? roots_.find_unlocked(root) : id;
                            if (to != InternTable<uint64_t>::kNone) parts[ci].push_back({id, to, ai});
                            return true;
                        });
                    }
                }
            } catch (...) {
                std::lock_guard lock(err_mutex);
                if (!error) error = std::current_exception();
            }
        };
        std::vector<std::thread> ts;
        for (int t = 1; t < o_.threads; ++t) ts.emplace_back(worker);
        worker();
        for (auto& t : ts) t.join();
        if (error) std::rethrow_exception(error);
        edges_.clear();
        if (stopped) return false;
        for (auto& p : parts) edges_.insert(edges_.end(), p.begin(), p.end());
        return true;
    }

    /// Action indices from the initial state to `id`. The store keeps only
    /// each state's parent; the action is found again by expanding the
    /// parent: the first of its actions that leads to the state, which is
    /// the one the search recorded (candidates are inserted in action order).
    [[nodiscard]] std::vector<uint32_t> path(uint32_t id) const {
        std::vector<uint32_t> p;
        Builder b(trees_);
        std::vector<uint64_t> words;
        std::vector<Action> acts;
        State canon;
        while (parent(id) != UINT32_MAX) {
            const uint32_t from = parent(id);
            const uint64_t want = roots_.key(id);
            const State s = state_of(from, words);
            b.reference(words);
            uint32_t found = UINT32_MAX;
            for_successors(s, b, acts, canon, words, [&](uint32_t ai, const Step&, bool changed, uint64_t root) {
                if (changed && root == want) found = ai;
                return found == UINT32_MAX;
            });
            if (found == UINT32_MAX) throw std::logic_error("engine bug: no action of a state's parent leads to it");
            p.push_back(found);
            id = from;
        }
        return {p.rbegin(), p.rend()};
    }
    /// The canonical state with this id (from the store, or for a model
    /// without unpack, by replaying its path).
    [[nodiscard]] State state(uint32_t id) const {
        std::vector<uint64_t> words;
        return state_of(id, words);
    }
    [[nodiscard]] uint32_t depth_of(uint32_t id) const {
        return uint32_t(std::upper_bound(level_begin_.begin(), level_begin_.end(), id) - level_begin_.begin()) - 1;
    }
    [[nodiscard]] std::size_t size() const { return states_; }
    /// Every transition between stored states (record_edges), self-loops
    /// included, sorted by (from, action).
    [[nodiscard]] const std::vector<Edge>& edges() const { return edges_; }
    /// Whether edges() holds every transition of the run (record_edges and
    /// within edge_budget_bytes); otherwise collect_edges() fills it.
    [[nodiscard]] bool edges_recorded() const { return recording_; }
    /// Bytes of the visited set (root table and shared subtrees).
    [[nodiscard]] std::size_t visited_bytes() const { return roots_.bytes() + trees_.bytes(); }
    /// Bytes of the parent links.
    [[nodiscard]] std::size_t link_bytes() const { return parents_.size() * sizeof(uint32_t) * kParentChunk; }
    [[nodiscard]] std::size_t store_bytes() const { return visited_bytes() + link_bytes(); }

private:
    struct Candidate {   // 12 bytes: the largest level's candidates dominate the peak memory
        uint32_t root_hi, root_lo, parent;
        [[nodiscard]] uint64_t root() const { return uint64_t(root_hi) << 32 | root_lo; }
    };
    struct PendingEdge {
        uint32_t from, action;
        uint64_t root;
    };
    struct Chunk {
        std::vector<Candidate> cands;
        std::vector<PendingEdge> edges;
        uint64_t transitions = 0;
        uint64_t reduced = 0;   ///< states expanded with an ample set of one action
    };

    /// Store, edges and this level's candidate lists (counted as chunks
    /// finish); without unpack, the frontier's states too.
    uint64_t memory_bytes() const {
        std::size_t n = store_bytes() + pending_edges_.capacity() * sizeof(PendingEdge) +
                        level_bytes_.load(std::memory_order_relaxed);
        if constexpr (!kPacked) n += frontier_.capacity() * sizeof(State);
        return n;
    }
    double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }

    /// "time limit 1 s", "time limit 0.25 s": the limit as given.
    static std::string time_limit_text(double seconds) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "time limit %g s", seconds);
        return buf;
    }

    std::string limit_hit() const {
        const Limits& l = o_.limits;
        if (l.interrupt && *l.interrupt) return "interrupted";
        if (l.max_seconds && elapsed() > l.max_seconds) return time_limit_text(l.max_seconds);
        if (l.deadline != std::chrono::steady_clock::time_point{} && std::chrono::steady_clock::now() >= l.deadline)
            return time_limit_text(l.max_seconds);
        if (l.max_states && states_ >= l.max_states) return "state limit";
        if (l.max_memory_mb && memory_bytes() > (l.max_memory_mb << 20)) return "memory limit";
        return {};
    }

    void insert_root(uint64_t root, uint32_t parent) {
        bool fresh = false;
        const uint32_t id = roots_.intern(root, fresh);
        if (!fresh) return;
        if (id != states_) throw std::logic_error("engine bug: root ids are not dense");
        if (id % kParentChunk == 0) parents_.emplace_back(new uint32_t[kParentChunk]);
        parents_.back()[id % kParentChunk] = parent;
        ++states_;
    }
    [[nodiscard]] uint32_t parent(uint32_t id) const { return parents_[id / kParentChunk][id % kParentChunk]; }

    State state_of(uint32_t id, std::vector<uint64_t>& words) const {
        if constexpr (kPacked) {
            trees_.decode(roots_.key(id), words);
            return m_.unpack(words);
        } else {
            std::vector<uint32_t> p = path(id);
            State s = m_.initial();
            State canon;
            m_.canonical(s, canon, words);
            std::vector<Action> acts;
            for (uint32_t ai : p) {
                m_.actions(canon, acts);
                const Step step = m_.step(canon, acts[ai]);
                State next;
                m_.canonical(step_post(step), next, words);
                canon = std::move(next);
            }
            return canon;
        }
    }

    template <class V>
    void run_level(V& v, uint32_t lo, uint32_t hi, bool expand, Stats& st, std::string& stop) {
        constexpr uint32_t kChunk = 64;
        const uint32_t nchunks = (hi - lo + kChunk - 1) / kChunk;
        chunks_.clear();
        chunks_.resize(nchunks);
        level_bytes_ = 0;
        level_transitions_ = 0;
        std::atomic<uint32_t> next{0};
        std::atomic<bool> halt{false};
        std::mutex err_mutex;
        std::exception_ptr error;
        std::string stop_reason;
        auto worker = [&](int tid) {
            try {
                Builder b(trees_);
                std::vector<uint64_t> words;
                std::vector<Action> acts;
                State canon;
                while (!halt.load(std::memory_order_relaxed)) {
                    const uint32_t ci = next.fetch_add(1, std::memory_order_relaxed);
                    if (ci >= nchunks) break;
                    if (std::string r = limit_hit(); !r.empty() || v.done()) {
                        std::lock_guard lock(err_mutex);
                        if (stop_reason.empty()) stop_reason = r.empty() ? "every property settled" : r;
                        halt = true;
                        break;
                    }
                    Chunk& ch = chunks_[ci];
                    const uint32_t a = lo + ci * kChunk, z = std::min(hi, a + kChunk);
                    for (uint32_t id = a; id < z; ++id) {
                        State s;
                        if constexpr (kPacked) {
                            trees_.decode(roots_.key(id), words);
                            s = m_.unpack(words);
                        } else {
                            s = frontier_[id - lo];
                        }
                        v.on_state(id, s);
                        if (!expand) continue;
                        if constexpr (kPacked) b.reference(words);
                        else {
                            m_.canonical(s, canon, words);
                            b.reference(words);
                        }
                        auto visit = [&](uint32_t ai, const Step& step, bool changed, uint64_t root) {
                            ++ch.transitions;
                            v.on_edge(id, ai, s, acts[ai], step, changed);
                            if (recording_) ch.edges.push_back({id, ai, changed ? root : roots_.key(id)});
                            if (!changed || roots_.find_unlocked(root) != InternTable<uint64_t>::kNone) return true;
                            ch.cands.push_back({uint32_t(root >> 32), uint32_t(root), id});
                            if constexpr (!kPacked) pending_states_[ci].push_back(canon);
                            return true;
                        };
                        if constexpr (kAmple) {
                            m_.actions(s, acts);
                            if (const int k = m_.ample(s, acts); k >= 0 && std::size_t(k) < acts.size()) {
                                // C3: only into a new state (the next level)
                                const Step step = m_.step(s, acts[std::size_t(k)]);
                                if (!m_.unchanged(s, step)) {
                                    successor_words(step, canon, words);
                                    const uint64_t root = b.root(words);
                                    if (roots_.find_unlocked(root) == InternTable<uint64_t>::kNone) {
                                        ++ch.reduced;
                                        visit(uint32_t(k), step, true, root);
                                        continue;
                                    }
                                }
                            }
                            for_successors(s, b, acts, canon, words, visit, true);
                        } else {
                            for_successors(s, b, acts, canon, words, visit);
                        }
                    }
                    ch.cands.shrink_to_fit();
                    ch.edges.shrink_to_fit();
                    level_bytes_ += ch.cands.capacity() * sizeof(Candidate) +
                                    ch.edges.capacity() * sizeof(PendingEdge) +
                                    (kPacked ? 0 : ch.cands.size() * sizeof(State));
                    level_transitions_ += ch.transitions;
                    if (tid == 0) progress(a, hi);
                }
            } catch (...) {
                std::lock_guard lock(err_mutex);
                if (!error) error = std::current_exception();
                halt = true;
            }
        };
        if constexpr (!kPacked) {
            pending_states_.clear();
            pending_states_.resize(nchunks);
        }
        if (o_.threads == 1 || nchunks == 1) {
            worker(0);
        } else {
            std::vector<std::thread> ts;
            for (int t = 1; t < o_.threads; ++t) ts.emplace_back(worker, t);
            worker(0);
            for (auto& t : ts) t.join();
        }
        for (const Chunk& c : chunks_) {
            st.transitions += c.transitions;
            st.reduced += c.reduced;
        }
        done_transitions_ = st.transitions;
        if (error) std::rethrow_exception(error);
        stop = stop_reason;
    }

    /// The one successor loop (search, edge collection, trace actions): for
    /// every action of s, f(action index, step, changed, root key of the
    /// canonical successor; meaningless when !changed), until f returns
    /// false. require: b's reference is s. `canon` holds the canonical
    /// successor while f runs (not with a model's canonical_words: a packed
    /// search never reads it).
    template <class F>
    void for_successors(const State& s, Builder& b, std::vector<Action>& acts, State& canon,
                        std::vector<uint64_t>& words, F&& f, bool have_actions = false) const {
        if (!have_actions) m_.actions(s, acts);
        for (uint32_t ai = 0; ai < acts.size(); ++ai) {
            const Step step = m_.step(s, acts[ai]);
            const bool changed = !m_.unchanged(s, step);
            uint64_t root = 0;
            if (changed) {
                successor_words(step, canon, words);
                root = b.root(words);
            }
            if (!f(ai, step, changed, root)) return;
        }
    }

    /// The canonical successor's words (and, unless the model packs words
    /// alone, its State in `canon`).
    void successor_words(const Step& step, State& canon, std::vector<uint64_t>& words) const {
        if constexpr (kWordsOnly) m_.canonical_words(step_post(step), words);
        else m_.canonical(step_post(step), canon, words);
    }

    static const State& step_post(const Step& s) {
        if constexpr (requires { s.post; }) return s.post;
        else return s;
    }

    /// false when interrupted (polled every 4096 chunks: a large level has
    /// millions of candidates).
    bool insert_candidates() {
        std::vector<State> next_frontier;
        for (std::size_t ci = 0; ci < chunks_.size(); ++ci) {
            if (ci % 4096 == 4095 && o_.limits.interrupt && *o_.limits.interrupt) return false;
            Chunk& ch = chunks_[ci];
            for (std::size_t k = 0; k < ch.cands.size(); ++k) {
                const Candidate& c = ch.cands[k];
                const uint32_t before = states_;
                insert_root(c.root(), c.parent);
                if constexpr (!kPacked)
                    if (states_ != before) next_frontier.push_back(std::move(pending_states_[ci][k]));
            }
            std::vector<Candidate>().swap(ch.cands);
            if (recording_)
                for (const PendingEdge& e : ch.edges) pending_edges_.push_back(e);
            std::vector<PendingEdge>().swap(ch.edges);
        }
        if (recording_ && pending_edges_.size() * sizeof(PendingEdge) > o_.edge_budget_bytes) {
            recording_ = false;   // read by phase 1 of the next level only
            std::vector<PendingEdge>().swap(pending_edges_);
        }
        if constexpr (!kPacked) frontier_.swap(next_frontier);
        return true;
    }

    void progress(uint32_t at, uint32_t hi) {
        if (!o_.progress) return;
        const auto now = std::chrono::steady_clock::now();
        if (std::chrono::duration<double>(now - last_progress_).count() < o_.progress_seconds) return;
        last_progress_ = now;
        const uint64_t tr = done_transitions_ + level_transitions_.load(std::memory_order_relaxed);
        const double s = elapsed();
        std::fprintf(stderr, "%s\n",
                     fmt::format("{}: {:.0f} s, {} states, {} transitions, {:.0f} states/s, depth {}, frontier {} "
                                 "left of this level, store {} MiB",
                                 o_.progress_label, s, states_, tr, double(states_ - resumed_states_) / s,
                                 level_begin_.size() - 2, hi - at, memory_bytes() >> 20)
                         .c_str());
    }

    Stats finish(Stats& st) {
        st.states = states_;
        st.seconds = prior_seconds_ + elapsed();
        st.key_bytes = visited_bytes();
        st.link_bytes = link_bytes();
        if (recording_) {
            for (const Chunk& c : chunks_)   // a level cut short: its edges so far
                for (const PendingEdge& e : c.edges) pending_edges_.push_back(e);
            edges_.reserve(pending_edges_.size());
            for (const PendingEdge& e : pending_edges_) {
                const uint32_t to = roots_.find_unlocked(e.root);
                if (to == InternTable<uint64_t>::kNone) continue;   // into the level that was not inserted
                edges_.push_back({e.from, to, e.action});
            }
            std::vector<PendingEdge>().swap(pending_edges_);
        }
        chunks_.clear();
        return st;
    }

    const Model& m_;
    Options o_;
    // mutable: finding a trace's actions again builds root keys of successors, which
    // may intern pairs that no stored state has (harmless, never read)
    mutable TreeTables trees_;
    InternTable<uint64_t> roots_;
    static constexpr uint32_t kParentChunk = 1u << 16;
    std::vector<std::unique_ptr<uint32_t[]>> parents_;   // parent id of each state, in chunks
    uint32_t states_ = 0;
    std::vector<uint32_t> level_begin_;
    std::vector<Chunk> chunks_;
    std::vector<PendingEdge> pending_edges_;
    std::vector<Edge> edges_;
    bool recording_ = false;   ///< record_edges, until the budget is exceeded
    std::vector<State> frontier_;                        // without unpack only
    std::vector<std::vector<State>> pending_states_;     // without unpack only
    std::chrono::steady_clock::time_point t0_, last_progress_;
    std::atomic<uint64_t> level_bytes_{0}, level_transitions_{0};
    uint64_t done_transitions_ = 0;
    // checkpoints
    static constexpr uint64_t kSaveFormat = 1;
    uint64_t level_edges_ = 0;    ///< pending_edges_ at the start of the current level
    bool restored_ = false;
    Boundary resume_;
    double prior_seconds_ = 0;    ///< the restored run's seconds
    uint32_t resumed_states_ = 0; ///< states restored (the progress line's rate counts the others)
};

}  // namespace reapcheck::xplicit
