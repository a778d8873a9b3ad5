// A lossless, compact, concurrent set of packed states (Cleary-style
// quotienting over open addressing with linear probing).
//
// A key of B bits (B = 10 × slots) is first mapped by a bijection `mix` on
// B bits to h. With 2^k cells, the top k bits of h choose the home cell and
// only the other B-k bits (the remainder) are stored, together with the
// distance from the home cell (1..255, 0 = empty cell):
//     cell = remainder << 8 | (distance + 1)
// (home, remainder) gives back h and, through the inverse bijection, the
// key: nothing is lost, there is no hash-compaction error. Cells are 32 bits
// wide when B-k+8 <= 32 (large tables; 4 bytes per cell) and 64 bits
// otherwise. A key whose probe sequence would pass distance 254 goes to a
// small locked overflow set (never seen in practice below load 0.9).
//
// Concurrency contract: `insert`, `contains` and `prefetch` may run from many
// threads at once; `grow`, `for_range` and the destructor only while no
// insert runs.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <unordered_set>
#include <vector>

#include <sys/mman.h>

#include "checker/core/world.hpp"

namespace reapcheck::core {

class StateTable {
public:
    /// key_bits: width of the keys (<= 64); capacity rounded up to a power of
    /// two, at least 1024 cells.
    StateTable(unsigned key_bits, std::size_t capacity) : bits_(key_bits) { allocate(capacity); }
    ~StateTable() { release(); }
    StateTable(const StateTable&) = delete;
    StateTable& operator=(const StateTable&) = delete;
    StateTable& operator=(StateTable&& o) noexcept {
        if (this != &o) {
            release();
            bits_ = o.bits_;
            log_cap_ = o.log_cap_;
            narrow_ = o.narrow_;
            cells_ = o.cells_;
            overflow_ = std::move(o.overflow_);
            o.cells_ = nullptr;
        }
        return *this;
    }

    /// Inserts key; true if it was not there before. require: the caller
    /// keeps the load below ~0.9.
    bool insert(Packed key) { return narrow_ ? insert_h<uint32_t>(mix(key)) : insert_h<uint64_t>(mix(key)); }

    [[nodiscard]] bool contains(Packed key) const {
        return narrow_ ? find_h<uint32_t>(mix(key)) : find_h<uint64_t>(mix(key));
    }

    /// The key's position in the table's hash order: insert_hashed(hash(k))
    /// is insert(k), and prefetch_hashed(hash(k)) prefetch(k), so that a
    /// caller that does both mixes the key once.
    [[nodiscard]] Packed hash(Packed key) const { return mix(key); }

    /// Hints the cache that key's home cell will be probed (and maybe
    /// written) soon.
    void prefetch(Packed key) const { prefetch_hashed(mix(key)); }
    void prefetch_hashed(Packed h) const {
        const std::size_t home = std::size_t(h >> rem_bits());
        const char* p = static_cast<const char*>(cells_) + (home << (narrow_ ? 2 : 3));
#if defined(__x86_64__) || defined(__i386__)
        // GCC 12 (-O1 and up) emits no instruction at all for
        // __builtin_prefetch of this address (nor for _mm_prefetch): the
        // table was never prefetched. The asm cannot be dropped.
        asm volatile("prefetcht0 %0" : : "m"(*p));
#else
        __builtin_prefetch(p, 1, 3);
#endif
    }

    /// insert(k) for h = hash(k).
    bool insert_hashed(Packed h) { return narrow_ ? insert_h<uint32_t>(h) : insert_h<uint64_t>(h); }

    [[nodiscard]] std::size_t capacity() const { return std::size_t{1} << log_cap_; }
    [[nodiscard]] std::size_t cell_bytes() const { return narrow_ ? 4 : 8; }
    [[nodiscard]] std::size_t bytes() const { return capacity() * cell_bytes(); }
    /// Bytes of a table with new_capacity cells for the same keys.
    [[nodiscard]] std::size_t bytes_for(std::size_t new_capacity) const {
        unsigned k = 10;
        while ((std::size_t{1} << k) < new_capacity) ++k;
        return (std::size_t{1} << k) * (is_narrow(k) ? 4 : 8);
    }

    /// Calls f(key) for every key stored in cells [begin, end) (and, for the
    /// range that starts at 0, in the overflow set).
    template <class F>
    void for_range(std::size_t begin, std::size_t end, F&& f) const {
        if (narrow_) for_range_h<uint32_t>(begin, end, [&](Packed h) { f(unmix(h)); });
        else for_range_h<uint64_t>(begin, end, [&](Packed h) { f(unmix(h)); });
        if (begin == 0)
            for (Packed h : overflow_.set) f(unmix(h));
    }

    /// Rehashes into new_capacity cells using `threads` threads.
    void grow(std::size_t new_capacity, int threads);

private:
    [[nodiscard]] bool is_narrow(unsigned k) const { return bits_ <= k || bits_ - k + 8 <= 32; }
    [[nodiscard]] unsigned rem_bits() const { return bits_ > log_cap_ ? bits_ - log_cap_ : 0; }
    [[nodiscard]] Packed key_mask() const { return bits_ >= 64 ? ~Packed{0} : (Packed{1} << bits_) - 1; }

    // A bijection on bits_ bits: xor-shifts and multiplications by odd
    // constants modulo 2^bits_, each invertible.
    [[nodiscard]] Packed mix(Packed x) const {
        const unsigned s = bits_ / 2 + 1;
        const Packed m = key_mask();
        x ^= x >> s;
        x = (x * 0xff51afd7ed558ccdULL) & m;
        x ^= x >> s;
        x = (x * 0xc4ceb9fe1a85ec53ULL) & m;
        x ^= x >> s;
        return x;
    }
    [[nodiscard]] Packed unmix(Packed x) const;

    template <class Cell>
    bool insert_h(Packed h) {
        Cell* cells = static_cast<Cell*>(cells_);
        const unsigned rb = rem_bits();
        const std::size_t mask = capacity() - 1;
        const std::size_t home = std::size_t(h >> rb);
        const Cell rem = Cell(h & ((Packed{1} << rb) - 1));
        std::size_t i = home;
        for (unsigned dist = 0; dist < 255; ++dist, i = (i + 1) & mask) {
            const Cell want = Cell(rem << 8 | Cell(dist + 1));
            std::atomic_ref<Cell> cell(cells[i]);
            Cell cur = cell.load(std::memory_order_relaxed);
            if (cur == want) return false;
            if (cur == 0) {
                if (cell.compare_exchange_strong(cur, want, std::memory_order_relaxed)) return true;
                if (cur == want) return false;   // another thread stored the same key
            }
        }
        std::lock_guard lock(overflow_.mutex);
        return overflow_.set.insert(h).second;
    }

    template <class Cell>
    [[nodiscard]] bool find_h(Packed h) const {
        const Cell* cells = static_cast<const Cell*>(cells_);
        const unsigned rb = rem_bits();
        const std::size_t mask = capacity() - 1;
        const Cell rem = Cell(h & ((Packed{1} << rb) - 1));
        std::size_t i = std::size_t(h >> rb);
        for (unsigned dist = 0; dist < 255; ++dist, i = (i + 1) & mask) {
            const Cell cur = std::atomic_ref<const Cell>(cells[i]).load(std::memory_order_relaxed);
            if (cur == Cell(rem << 8 | Cell(dist + 1))) return true;
            if (cur == 0) return false;
        }
        std::lock_guard lock(overflow_.mutex);
        return overflow_.set.count(h) != 0;
    }

    template <class Cell, class F>
    void for_range_h(std::size_t begin, std::size_t end, F&& f) const {
        const Cell* cells = static_cast<const Cell*>(cells_);
        const unsigned rb = rem_bits();
        const std::size_t mask = capacity() - 1;
        for (std::size_t i = begin; i < end; ++i) {
            const Cell c = cells[i];
            if (c == 0) continue;
            const std::size_t home = (i - (std::size_t(c & 0xff) - 1)) & mask;
            f(Packed(home) << rb | Packed(c >> 8));
        }
    }

    void allocate(std::size_t capacity);
    void release();

    struct Overflow {
        mutable std::mutex mutex;
        std::unordered_set<Packed> set;   // h values
        Overflow() = default;
        Overflow& operator=(Overflow&& o) noexcept {
            set = std::move(o.set);
            return *this;
        }
    };

    unsigned bits_;
    unsigned log_cap_ = 0;
    bool narrow_ = false;
    void* cells_ = nullptr;
    Overflow overflow_;
};

}  // namespace reapcheck::core
