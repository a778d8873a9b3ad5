// A concurrent interning table: keys (64 or 128 bits) to dense 32-bit ids and
// back. The visited set of the explicit engine is built from three of these
// (checker/explicit/tree_store.hpp).
//
// Layout: the keys live in one array indexed by id, allocated in segments of
// 2^20 keys that never move, so `key(id)` needs no lock and stays valid while
// other threads insert. The index is split into 256 shards by the top bits of
// the key's hash; each shard is an open-addressing array of 32-bit cells
// with linear probing, guarded by its own mutex and grown on its own
// (doubling at load 13/16). A stored key costs its own size plus 4 bytes /
// load in the index: 13-18 bytes for a 64-bit key.
//
// A cell is 0 (empty) or holds id + 1. For the first 2^27 - 1 ids it also
// holds 4 bits of the key's hash (a tag), so that a probe past a cell whose
// tag differs does not read that cell's key: the keys are in another array,
// and reading one is a cache miss. Cells of larger ids carry bit 31 and no
// tag (always compared); ids stop below 2^31.
//
// Concurrency contract: `intern`, `find` and `key` may run from many threads
// at once. `find_unlocked` only while no thread interns (the explorer's
// phase 1 reads the set of states that phase 2 alone writes).
#pragma once

#include <algorithm>
#include <array>
#include <cstring>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace reapcheck::xplicit {

struct Key128 {
    uint64_t a, b;   // trivial, so a key segment is not written when allocated
    bool operator==(const Key128&) const = default;
};

inline uint64_t mix64(uint64_t x) {   // the finaliser of splitmix64: a bijection
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
inline uint64_t hash_key(uint64_t k) { return mix64(k); }
inline uint64_t hash_key(const Key128& k) { return mix64(k.a ^ mix64(k.b + 0x9e3779b97f4a7c15ULL)); }

template <class K>
class InternTable {
public:
    static constexpr uint32_t kNone = UINT32_MAX;

    InternTable() {
        for (auto& sh : shards_) sh.cells.assign(kInitialCells, 0);
    }
    InternTable(const InternTable&) = delete;
    InternTable& operator=(const InternTable&) = delete;

    /// The id of k, inserting it if absent (`fresh` says which).
    uint32_t intern(const K& k, bool& fresh) {
        const uint64_t h = hash_key(k);
        Shard& sh = shards_[h >> 56];
        std::lock_guard lock(sh.mutex);
        const std::size_t mask = sh.cells.size() - 1;
        std::size_t i = std::size_t(h) & mask;
        for (;; i = (i + 1) & mask) {
            const uint32_t c = sh.cells[i];
            if (c == 0) break;
            if (may_match(c, h) && key(cell_id(c)) == k) {
                fresh = false;
                return cell_id(c);
            }
        }
        const uint32_t id = next_.fetch_add(1, std::memory_order_relaxed);
        if (id >= kMaxIds) [[unlikely]]
            throw std::length_error("the state store is full: 2^31 - 1 entries in one table");
        slot(id) = k;
        sh.cells[i] = make_cell(id, h);
        fresh = true;
        if (++sh.used * 16 > sh.cells.size() * 13) grow(sh);
        return id;
    }

    /// The id of k, or kNone.
    [[nodiscard]] uint32_t find(const K& k) const {
        const uint64_t h = hash_key(k);
        const Shard& sh = shards_[h >> 56];
        std::lock_guard lock(sh.mutex);
        return probe(sh, h, k);
    }
    [[nodiscard]] uint32_t find_unlocked(const K& k) const {
        const uint64_t h = hash_key(k);
        return probe(shards_[h >> 56], h, k);
    }

    [[nodiscard]] const K& key(uint32_t id) const {
        return segments_[id >> kSegBits].load(std::memory_order_acquire)[id & kSegMask];
    }
    [[nodiscard]] uint32_t size() const { return next_.load(std::memory_order_relaxed); }
    /// The keys of ids 0 .. n-1 as runs of consecutive ids: f(first key, count)
    /// (a checkpoint writes them; call while no thread interns).
    template <class F>
    void for_each_run(uint32_t n, F&& f) const {
        for (uint32_t at = 0; at < n;) {
            const uint32_t take = std::min<uint32_t>(n - at, (1u << kSegBits) - (at & kSegMask));
            f(&key(at), take);
            at += take;
        }
    }
    /// Re-interns the keys of a checkpoint into an empty table, in id order,
    /// single-threaded: each gets its old id, the index is rebuilt. false when
    /// a key repeats (a damaged file).
    bool reintern(const unsigned char* bytes, uint32_t n) {
        if (size() != 0) throw std::logic_error("reintern: the table is not empty");
        for (uint32_t i = 0; i < n; ++i) {
            K k;
            std::memcpy(&k, bytes + std::size_t(i) * sizeof(K), sizeof(K));
            bool fresh = false;
            if (intern(k, fresh) != i || !fresh) return false;
        }
        return true;
    }
    /// Bytes held: the key segments in use and every shard's cells.
    [[nodiscard]] std::size_t bytes() const {
        std::size_t n = std::size_t(size()) * sizeof(K);
        for (const auto& sh : shards_) n += sh.cells.size() * sizeof(uint32_t);
        return n;
    }

private:
    static constexpr unsigned kSegBits = 20;
    static constexpr uint32_t kSegMask = (1u << kSegBits) - 1;
    static constexpr std::size_t kInitialCells = 64;
    static constexpr uint32_t kUntagged = 1u << 31, kTagShift = 27, kTaggedMax = (1u << kTagShift) - 1;
    static constexpr uint32_t kMaxIds = kUntagged - 1;

    // The tag: hash bits that neither the shard (top 8) nor the cell index
    // (low bits, fewer than 40 in any shard) use.
    static uint32_t tag_of(uint64_t h) { return uint32_t(h >> 40) & 0xF; }
    static uint32_t make_cell(uint32_t id, uint64_t h) {
        const uint32_t v = id + 1;
        return v <= kTaggedMax ? (tag_of(h) << kTagShift) | v : kUntagged | v;
    }
    static uint32_t cell_id(uint32_t c) { return ((c & kUntagged) ? c & ~kUntagged : c & kTaggedMax) - 1; }
    static bool may_match(uint32_t c, uint64_t h) { return (c & kUntagged) || (c >> kTagShift) == tag_of(h); }

    struct Shard {
        mutable std::mutex mutex;
        std::vector<uint32_t> cells;
        std::size_t used = 0;
    };

    uint32_t probe(const Shard& sh, uint64_t h, const K& k) const {
        const std::size_t mask = sh.cells.size() - 1;
        for (std::size_t i = std::size_t(h) & mask;; i = (i + 1) & mask) {
            const uint32_t c = sh.cells[i];
            if (c == 0) return kNone;
            if (may_match(c, h) && key(cell_id(c)) == k) return cell_id(c);
        }
    }

    void grow(Shard& sh) {
        std::vector<uint32_t> cells(sh.cells.size() * 2, 0);
        const std::size_t mask = cells.size() - 1;
        for (uint32_t c : sh.cells) {
            if (!c) continue;
            std::size_t i = std::size_t(hash_key(key(cell_id(c)))) & mask;
            while (cells[i]) i = (i + 1) & mask;
            cells[i] = c;
        }
        sh.cells.swap(cells);
    }

    K& slot(uint32_t id) {
        const uint32_t s = id >> kSegBits;
        K* seg = segments_[s].load(std::memory_order_acquire);
        if (!seg) {
            std::lock_guard lock(seg_mutex_);
            seg = segments_[s].load(std::memory_order_relaxed);
            if (!seg) {
                owned_.emplace_back(new K[std::size_t{1} << kSegBits]);
                seg = owned_.back().get();
                segments_[s].store(seg, std::memory_order_release);
            }
        }
        return seg[id & kSegMask];
    }

    std::array<Shard, 256> shards_;
    std::atomic<uint32_t> next_{0};
    std::array<std::atomic<K*>, 4096> segments_{};
    std::mutex seg_mutex_;
    std::vector<std::unique_ptr<K[]>> owned_;
};

}  // namespace reapcheck::xplicit
