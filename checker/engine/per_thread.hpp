// Per-thread accumulators for the explorer's visitors, which several worker
// threads call at once: each thread gets its own T the first time it asks,
// and the owner combines them at the end. No lock on the hot path.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace reapcheck::engine {

template <class T>
class PerThread {
public:
    PerThread() : generation_(next_generation()) {}
    PerThread(const PerThread&) = delete;
    PerThread& operator=(const PerThread&) = delete;

    /// The calling thread's T.
    T& local() {
        auto& mine = slots();
        for (auto it = mine.rbegin(); it != mine.rend(); ++it)
            if (it->first == generation_) return *static_cast<T*>(it->second);
        std::lock_guard lock(m_);
        items_.push_back(std::make_unique<T>());
        mine.emplace_back(generation_, items_.back().get());
        return *items_.back();
    }
    /// Every thread's T, in the order the threads first asked (call once the
    /// threads are done).
    template <class F>
    void for_each(F&& f) const {
        std::lock_guard lock(m_);
        for (const auto& x : items_) f(*x);
    }

private:
    // The calling thread's items, by the generation of their PerThread (a
    // number never reused, unlike an address); the newest is found first.
    // The explorer's workers live for one BFS level, so these lists stay short.
    static std::vector<std::pair<uint64_t, void*>>& slots() {
        thread_local std::vector<std::pair<uint64_t, void*>> s;
        return s;
    }
    static uint64_t next_generation() {
        static std::atomic<uint64_t> g{1};
        return g.fetch_add(1);
    }
    uint64_t generation_;
    mutable std::mutex m_;
    std::vector<std::unique_ptr<T>> items_;
};

}  // namespace reapcheck::engine
