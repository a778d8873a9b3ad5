// Level-synchronous multi-threaded BFS over the core alphabet; see explorer.hpp.
#include "checker/core/explorer.hpp"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <bit>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <fmt/core.h>

#include "checker/core/state_table.hpp"
#include "checker/core/transitions.hpp"

namespace reapcheck::core {

const char* to_string(StopReason r) {
    switch (r) {
    case StopReason::Exhausted: return "exhausted";
    case StopReason::Time: return "time limit";
    case StopReason::Memory: return "memory limit";
    }
    return "?";
}

std::uint64_t peak_rss_bytes() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
    return 0;
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 256;                 // states per work item
constexpr std::size_t kInitialCapacity = 1u << 18;  // cells
constexpr double kGrowLoad = 0.7;                   // grow the table between rounds above this
constexpr double kRoundLoad = 0.2;                  // a round may add at most this load

// Upper bound on the new states one expansion can add (changed successors).
std::size_t max_new_per_state(int n) { return std::size_t(n) * std::size_t(8 + 2 + 2 * (n - 1) + 3 + 2 + 1); }

struct Chunk {
    std::uint32_t segment;
    std::size_t begin, end;
};

// A direct-mapped cache of the keys this thread recently sent to the table:
// 2^15 keys (256 KiB, within a core's L2). States expanded one after the other
// share many successors (both orders of two independent steps lead to the
// same state), and a key found here was already inserted or found by this
// thread, or waits in its probe queue (Bfs::expand, drained before the chunk
// ends), so it needs no probe of the table (a cache miss once the table
// outgrows the caches). Nothing is ever removed from the table, so skipping
// a key found here loses nothing.
class RecentKeys {
public:
    RecentKeys() : slots_(std::size_t{1} << kBits, kEmpty) {}
    /// True if key was seen recently; remembers it either way.
    bool seen(Packed key) {
        Packed& slot = slots_[index(key)];
        if (slot == key) return true;
        slot = key;
        return false;
    }
    /// Hints that `seen(key)` follows soon (see Bfs::expand).
    void prefetch(Packed key) const { __builtin_prefetch(&slots_[index(key)], 1, 3); }

private:
    static std::size_t index(Packed key) { return std::size_t((key * 0x9e3779b97f4a7c15ULL) >> (64 - kBits)); }
    static constexpr unsigned kBits = 15;
    static constexpr Packed kEmpty = ~Packed{0};   // keys have at most 60 bits
    std::vector<Packed> slots_;
};

// A direct-mapped cache from a world's own layout (pack_raw) to its
// canonical key, for symmetry: 2^15 entries (512 KiB). Successors of
// neighbouring states often come out in the same layout, and their canonical
// form (sorting the children of every node) is then read, not recomputed.
class RecentCanon {
public:
    RecentCanon() : slots_(std::size_t{1} << kBits, Entry{~Packed{0}, 0}) {}
    /// The canonical key of the world with raw key raw.
    Packed canonical(Packed raw, int n, std::uint64_t& hits) {
        Entry& e = slots_[index(raw)];
        if (e.raw == raw) {
            ++hits;
            return e.canon;
        }
        e = {raw, canonical_of_raw(raw, n)};
        return e.canon;
    }
    /// Hints that `canonical(raw, ...)` follows soon.
    void prefetch(Packed raw) const { __builtin_prefetch(&slots_[index(raw)], 1, 3); }

private:
    static std::size_t index(Packed raw) { return std::size_t((raw * 0x9e3779b97f4a7c15ULL) >> (64 - kBits)); }
    static constexpr unsigned kBits = 15;
    struct Entry {
        Packed raw, canon;
    };
    std::vector<Entry> slots_;
};

struct alignas(64) Worker {
    std::vector<Packed> next;            // this thread's part of the next level
    RecentKeys recent;
    RecentCanon canon;
    std::uint64_t transitions = 0, expanded = 0, inserted = 0, self_loops = 0, recent_hits = 0, canon_hits = 0,
                  repaired = 0;
};

class Bfs {
public:
    explicit Bfs(const ExploreOptions& o)
        : o_(o), table_(unsigned(10 * o.tasks), kInitialCapacity), workers_(std::size_t(o.threads)) {
        st_.options = o;
    }

    ExploreStats run() {
        start_ = last_progress_ = Clock::now();
        const Packed init = encode(initial_state(o_.tasks));
        (void)table_.insert(init);
        st_.states = 1;
        st_.level_states.push_back(1);
        frontier_.push_back({init});
        build_chunks();
        plan_round();

        auto completion = [this]() noexcept { controller(); };
        std::barrier sync(o_.threads, completion);
        auto body = [&](std::size_t id) {
            Worker& me = workers_[id];
            for (;;) {
                for (std::size_t c; (c = next_chunk_.fetch_add(1, std::memory_order_relaxed)) < round_end_;)
                    expand(chunks_[c], me);
                sync.arrive_and_wait();
                if (done_) return;
            }
        };
        std::vector<std::thread> pool;
        for (int t = 1; t < o_.threads; ++t) pool.emplace_back(body, std::size_t(t));
        body(0);
        for (auto& t : pool) t.join();

        st_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
        if (o_.orbits && o_.symmetry && st_.complete()) count_orbits();
        st_.table_bytes = table_.bytes();
        st_.peak_rss_bytes = peak_rss_bytes();
        if (o_.progress) print_progress("done");
        return st_;
    }

private:
    Packed encode(const World& w) const { return o_.symmetry ? pack_canonical(w) : pack_raw(w); }
    World decode(Packed k) const { return o_.symmetry ? unpack_canonical(k, o_.tasks) : unpack_raw(k, o_.tasks); }

    // The raw key of s.next from raw_w, the raw key of the world it was
    // generated from: only the slots the action touched are encoded again.
    static Packed repack(Packed raw_w, const Successor& s) {
        Packed r = raw_w;
        for (unsigned t = s.touched; t != 0; t &= t - 1) {
            const unsigned i = unsigned(std::countr_zero(t)), shift = 10 * i;
            r = (r & ~(Packed{1023} << shift)) | slot_code(s.next.slot[i]) << shift;
        }
        return r;
    }

    // Keys waiting for their table probe: each is prefetched when it enters
    // and probed kDistance keys later, so that the miss of one probe (the
    // table is far larger than the caches) overlaps with the work on the
    // next keys instead of stalling the thread.
    class ProbeQueue {
    public:
        static constexpr unsigned kDistance = 32;   // a power of two
        struct Entry {
            Packed key, hash;   // the table's hash, computed once for prefetch and probe
        };
        template <class Probe>
        void push(Packed key, const StateTable& table, Probe&& probe) {
            const Packed h = table.hash(key);
            table.prefetch_hashed(h);
            if (tail_ - head_ == kDistance) probe(ring_[head_++ % kDistance]);
            ring_[tail_++ % kDistance] = {key, h};
        }
        template <class Probe>
        void drain(Probe&& probe) {
            while (head_ != tail_) probe(ring_[head_++ % kDistance]);
        }

    private:
        Entry ring_[kDistance];
        unsigned head_ = 0, tail_ = 0;
    };

    // Expands the states of one chunk. Each state's changed successors go
    // through three passes, each of which prefetches what the next one reads:
    // their raw keys (prefetching the layout cache), their canonical keys
    // (prefetching the recent-key cache), then the recent-key filter, which
    // hands the keys left to the probe queue. A random read of either cache
    // or of the table then rarely stalls: at 5 slots, when each was read as
    // soon as it was computed, about half the cycles of a thread waited on
    // those three reads (perf record, one thread).
    void expand(const Chunk& c, Worker& me) {
        const std::vector<Packed>& seg = frontier_[c.segment];
        Successor buf[kMaxActions];
        Packed raw[kMaxActions], canon[kMaxActions], keys[kMaxActions];
        ProbeQueue queue;
        auto probe = [&](const ProbeQueue::Entry& e) {
            if (table_.insert_hashed(e.hash)) {
                me.next.push_back(e.key);
                ++me.inserted;
            }
        };
        for (std::size_t i = c.begin; i < c.end; ++i) {
            const Packed key = seg[i];
            const World w = decode(key);
            const Packed raw_w = o_.symmetry ? pack_raw(w) : key;
            int k = 0;
            const int m = changed_successors(w, o_.profile, buf, k);
            me.transitions += std::uint64_t(k);
            ++me.expanded;
            if (o_.symmetry) {
                // w is in canonical layout (decoded from its canonical key):
                // a successor that relabels slots or adds a leaf mostly keeps it
                const CanonicalRepair repair(key, raw_w, o_.tasks);
                for (int j = 0; j < m; ++j) {
                    raw[j] = repack(raw_w, buf[j]);
                    canon[j] = repair.repaired(raw[j], buf[j].touched);
                    if (canon[j] == 0) me.canon.prefetch(raw[j]);
                    else ++me.repaired;
                }
            } else {
                for (int j = 0; j < m; ++j) raw[j] = repack(raw_w, buf[j]);
            }
            me.self_loops += std::uint64_t(k - m);
            int q = 0;
            for (int j = 0; j < m; ++j) {
                const Packed nk = !o_.symmetry ? raw[j]
                                  : canon[j] != 0 ? canon[j]
                                                  : me.canon.canonical(raw[j], o_.tasks, me.canon_hits);
                if (nk == key) {   // a permutation of the state itself
                    ++me.self_loops;
                    continue;
                }
                me.recent.prefetch(nk);
                keys[q++] = nk;
            }
            for (int j = 0; j < q; ++j) {
                if (me.recent.seen(keys[j])) {
                    ++me.recent_hits;
                    continue;
                }
                queue.push(keys[j], table_, probe);
            }
        }
        queue.drain(probe);
    }

    void build_chunks() {
        chunks_.clear();
        for (std::uint32_t s = 0; s < frontier_.size(); ++s)
            for (std::size_t b = 0; b < frontier_[s].size(); b += kChunk)
                chunks_.push_back({s, b, std::min(b + kChunk, frontier_[s].size())});
        round_end_ = 0;
    }

    // Chooses the next range of chunks so that the table cannot pass
    // kGrowLoad + kRoundLoad during the round.
    void plan_round() {
        const std::size_t budget =
            std::max<std::size_t>(1, std::size_t(kRoundLoad * double(table_.capacity())) / max_new_per_state(o_.tasks));
        const std::size_t begin = round_end_;
        std::size_t end = begin, states = 0;
        while (end < chunks_.size()) {
            const std::size_t size = chunks_[end].end - chunks_[end].begin;
            if (states + size > budget) break;
            states += size;
            ++end;
        }
        if (end == begin && end < chunks_.size()) throw std::logic_error("core explorer: round budget below one chunk");
        next_chunk_.store(begin, std::memory_order_relaxed);
        round_end_ = end;
    }

    std::uint64_t frontier_bytes() const {
        std::uint64_t b = 0;
        for (const auto& s : frontier_) b += s.capacity() * sizeof(Packed);
        for (const auto& w : workers_) b += w.next.capacity() * sizeof(Packed);
        return b + chunks_.capacity() * sizeof(Chunk);
    }

    bool over_memory(std::uint64_t extra) const {
        if (o_.max_memory_mb == 0) return false;
        const std::uint64_t limit = o_.max_memory_mb << 20;
        return table_.bytes() + frontier_bytes() + extra > limit;
    }

    // Runs on one thread between rounds while the others wait.
    void controller() noexcept {
        try {
            for (auto& w : workers_) {
                st_.transitions += w.transitions;
                st_.expanded += w.expanded;
                st_.states += w.inserted;
                st_.self_loops += w.self_loops;
                st_.recent_hits += w.recent_hits;
                st_.canon_hits += w.canon_hits;
                st_.repaired += w.repaired;
                level_new_ += w.inserted;
                w.transitions = w.expanded = w.inserted = w.self_loops = w.recent_hits = w.canon_hits = 0;
                w.repaired = 0;
            }
            st_.peak_frontier_bytes = std::max(st_.peak_frontier_bytes, frontier_bytes());
            if (round_end_ >= chunks_.size()) {   // the level is finished
                // The expanded level's vectors become the workers' next ones,
                // emptied but with their memory: a level does not fault in
                // fresh zeroed pages and copy its vectors as they grow.
                std::vector<std::vector<Packed>> spent = std::move(frontier_);
                frontier_.clear();
                for (auto& w : workers_)
                    if (!w.next.empty()) frontier_.push_back(std::move(w.next)), w.next = {};
                for (std::size_t t = 0; t < workers_.size() && t < spent.size(); ++t) {
                    spent[t].clear();
                    workers_[t].next = std::move(spent[t]);
                }
                if (frontier_.empty()) {
                    done_ = true;
                    return;
                }
                st_.level_states.push_back(level_new_);
                level_new_ = 0;
                ++st_.depth;
                build_chunks();
            }
            const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
            if (o_.max_seconds > 0 && elapsed > o_.max_seconds) return stop(StopReason::Time);
            if (over_memory(0)) return stop(StopReason::Memory);
            while (double(st_.states) > kGrowLoad * double(table_.capacity())) {
                // the rehash holds old and new table at once
                if (over_memory(table_.bytes_for(2 * table_.capacity()))) return stop(StopReason::Memory);
                grow();
            }
            plan_round();
            if (o_.progress && Clock::now() - last_progress_ > std::chrono::seconds(2)) {
                print_progress("");
                last_progress_ = Clock::now();
            }
            if (o_.max_memory_mb && peak_rss_bytes() > (o_.max_memory_mb << 20)) return stop(StopReason::Memory);
        } catch (const std::bad_alloc&) {
            stop(StopReason::Memory);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "core explorer: %s\n", e.what());
            std::abort();
        }
    }

    void stop(StopReason r) {
        st_.stop = r;
        done_ = true;
        round_end_ = 0;
    }

    // Parallel rehash into twice the capacity.
    void grow() { table_.grow(table_.capacity() * 2, o_.threads); }

    // Sums orbit_size over every stored canonical state, in parallel.
    void count_orbits() {
        const auto t0 = Clock::now();
        const std::size_t cap = table_.capacity();
        const auto parts = std::size_t(o_.threads);
        std::vector<std::uint64_t> sums(parts, 0);
        std::vector<std::thread> pool;
        for (std::size_t t = 0; t < parts; ++t)
            pool.emplace_back([&, t] {
                std::uint64_t sum = 0;
                table_.for_range(cap * t / parts, cap * (t + 1) / parts,
                                 [&](Packed k) { sum += orbit_size(unpack_canonical(k, o_.tasks)); });
                sums[t] = sum;
            });
        for (auto& th : pool) th.join();
        for (auto v : sums) st_.orbit_states += v;
        st_.orbit_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    }

    void print_progress(const char* tag) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        std::size_t frontier = 0;
        for (const auto& s : frontier_) frontier += s.size();
        std::fprintf(stderr,
                     "[explore core n=%d %s] %s depth %d  states %llu  frontier %zu  transitions %llu  "
                     "%.1f s  %.0f states/s  table %.0f MB (load %.2f)  rss %.0f MB\n",
                     o_.tasks, o_.symmetry ? "sym" : "nosym", tag, st_.depth, (unsigned long long)st_.states,
                     frontier, (unsigned long long)st_.transitions, elapsed,
                     elapsed > 0 ? double(st_.states) / elapsed : 0.0, double(table_.bytes()) / 1048576.0,
                     double(st_.states) / double(table_.capacity()), double(peak_rss_bytes()) / 1048576.0);
    }

    const ExploreOptions& o_;
    ExploreStats st_;
    StateTable table_;
    std::vector<Worker> workers_;
    std::vector<std::vector<Packed>> frontier_;
    std::vector<Chunk> chunks_;
    std::atomic<std::size_t> next_chunk_{0};
    std::size_t round_end_ = 0;
    std::uint64_t level_new_ = 0;
    bool done_ = false;
    Clock::time_point start_, last_progress_;
};

}  // namespace

ExploreStats explore(const ExploreOptions& o) {
    if (o.tasks < kMinSlots || o.tasks > kMaxSlots) throw std::invalid_argument("core: tasks out of range");
    if (o.threads < 1) throw std::invalid_argument("core: threads must be >= 1");
    Bfs bfs(o);
    return bfs.run();
}

nlohmann::json to_json(const ExploreStats& s) {
    nlohmann::json j;
    j["alphabet"] = "core";
    j["tasks"] = s.options.tasks;
    j["profile"] = std::string(profile_name(s.options.profile));
    j["symmetry"] = s.options.symmetry;
    j["threads"] = s.options.threads;
    j["complete"] = s.complete();
    j["stop_reason"] = to_string(s.stop);
    j["states"] = s.states;
    j["transitions"] = s.transitions;
    j["self_loops"] = s.self_loops;
    j["recent_hits"] = s.recent_hits;
    j["canon_hits"] = s.canon_hits;
    j["canon_repaired"] = s.repaired;
    j["expanded"] = s.expanded;
    j["depth"] = s.depth;
    j["level_states"] = s.level_states;
    j["seconds"] = s.seconds;
    if (s.options.orbits && s.orbit_states) {
        j["orbit_states"] = s.orbit_states;
        j["orbit_seconds"] = s.orbit_seconds;
        j["symmetry_factor"] = double(s.orbit_states) / double(s.states);
    }
    j["states_per_second"] = s.states_per_second();
    j["transitions_per_second"] = s.seconds > 0 ? double(s.transitions) / s.seconds : 0.0;
    j["peak_rss_bytes"] = s.peak_rss_bytes;
    j["table_bytes"] = s.table_bytes;
    j["bytes_per_state"] = s.bytes_per_state();
    j["peak_frontier_bytes"] = s.peak_frontier_bytes;
    j["rss_bytes_per_state"] = s.states ? double(s.peak_rss_bytes) / double(s.states) : 0.0;
    if (s.options.max_seconds > 0) j["max_seconds"] = s.options.max_seconds;
    if (s.options.max_memory_mb > 0) j["max_memory_mb"] = s.options.max_memory_mb;
    return j;
}

}  // namespace reapcheck::core
