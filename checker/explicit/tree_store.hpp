// The visited set of the explicit engine: states as words, stored by tree
// compression (the scheme of LTSmin's tree database: Blom, Lisser, van de
// Pol, Weber, "A database approach to distributed state space generation",
// and Laarman, van de Pol, Weber, "Parallel recursive state compression for
// free", SPIN 2011).
//
// A state is a vector of 64-bit words (the packed canonical state; its first
// word says how many words follow, so vectors of different lengths never
// collide). Words are paired bottom-up: each pair of words is interned in the
// leaf table (128-bit keys), each pair of ids above that in the node table
// (64-bit keys), until two ids remain: that pair is the state's root, and the
// root table gives every state its dense id. Subtrees that many states share
// (the same tasks in the same shape) are stored once, so a stored state
// costs little more than its root: 8 bytes and its index cells.
//
// Ids of the node table carry bit 31 so that a decoder tells a node from a
// leaf pair without knowing the height; a missing half is kPad.
//
// Incremental: a worker keeps the tree of the state it expands; a successor
// re-interns only the pairs whose words changed (`Builder`).
#pragma once

#include <cstdint>
#include <vector>

#include "checker/explicit/intern.hpp"

namespace reapcheck::xplicit {

inline constexpr uint32_t kNodeBit = 1u << 31;
inline constexpr uint32_t kPad = UINT32_MAX;

struct TreeTables {
    InternTable<Key128> leaves;     ///< pairs of words
    InternTable<uint64_t> nodes;    ///< pairs of ids (leaf-pair ids, or node ids | kNodeBit)

    [[nodiscard]] std::size_t bytes() const { return leaves.bytes() + nodes.bytes(); }

    /// Appends the words below `id` (a leaf-pair id or a node id | kNodeBit).
    void expand(uint32_t id, std::vector<uint64_t>& out) const {
        if (id == kPad) return;
        if (id & kNodeBit) {
            const uint64_t k = nodes.key(id & ~kNodeBit);
            expand(uint32_t(k >> 32), out);
            expand(uint32_t(k), out);
            return;
        }
        const Key128& k = leaves.key(id);
        out.push_back(k.a);
        out.push_back(k.b);
    }
    /// The words of the state whose root key is `root` (padding dropped:
    /// word 0 says how many words the state has).
    void decode(uint64_t root, std::vector<uint64_t>& out) const {
        out.clear();
        expand(uint32_t(root >> 32), out);
        expand(uint32_t(root), out);
        if (!out.empty()) out.resize(std::size_t(out[0]));
    }
};

/// Builds root keys, reusing the tree of a reference state (the one being
/// expanded) where the words agree. One per worker thread.
class Builder {
public:
    explicit Builder(TreeTables& t) : t_(t) {}

    /// Makes `words` the reference: interns its tree (new pairs are stored).
    uint64_t reference(const std::vector<uint64_t>& words) {
        ref_words_ = words;
        build(words, nullptr, ref_levels_);
        return root_of(ref_levels_);
    }
    /// The root key of `words`; interns the pairs that differ from the reference.
    uint64_t root(const std::vector<uint64_t>& words) {
        build(words, words.size() == ref_words_.size() ? &ref_levels_ : nullptr, levels_);
        return root_of(levels_);
    }

private:
    static uint64_t root_of(const std::vector<std::vector<uint32_t>>& lv) {
        const auto& top = lv.back();
        return uint64_t(top[0]) << 32 | (top.size() > 1 ? top[1] : kPad);
    }
    void build(const std::vector<uint64_t>& w, const std::vector<std::vector<uint32_t>>* ref,
               std::vector<std::vector<uint32_t>>& lv) {
        bool fresh = false;
        const std::size_t n0 = (w.size() + 1) / 2;
        std::size_t height = 1;
        for (std::size_t n = n0; n > 2; n = (n + 1) / 2) ++height;
        lv.resize(height);
        auto& l0 = lv[0];
        l0.resize(n0);
        for (std::size_t i = 0; i < n0; ++i) {
            const uint64_t a = w[2 * i], b = 2 * i + 1 < w.size() ? w[2 * i + 1] : 0;
            if (ref && ref_words_[2 * i] == a && (2 * i + 1 >= w.size() || ref_words_[2 * i + 1] == b)) {
                l0[i] = (*ref)[0][i];
                continue;
            }
            l0[i] = leaf_id(Key128{a, b}, fresh);
        }
        for (std::size_t h = 1; h < height; ++h) {
            const auto& below = lv[h - 1];
            auto& cur = lv[h];
            cur.resize((below.size() + 1) / 2);
            for (std::size_t i = 0; i < cur.size(); ++i) {
                const uint32_t a = below[2 * i], b = 2 * i + 1 < below.size() ? below[2 * i + 1] : kPad;
                if (ref) {
                    const auto& rb = (*ref)[h - 1];
                    if (rb[2 * i] == a && (2 * i + 1 >= rb.size() || rb[2 * i + 1] == b)) {
                        cur[i] = (*ref)[h][i];
                        continue;
                    }
                }
                cur[i] = node_id(uint64_t(a) << 32 | b, fresh) | kNodeBit;
            }
        }
    }

    // A small direct-mapped cache of pairs this worker interned or found
    // (ids never change, so an entry never goes stale): the same subtrees
    // recur in the successors of neighbouring states, and a table probe is
    // a cache miss or two.
    static constexpr std::size_t kCache = 1u << 12;
    template <class K>
    struct Slot {
        K key{};
        uint32_t id = InternTable<K>::kNone;   // empty
    };
    /// The id of k in `table`, through this worker's cache of it.
    template <class K>
    static uint32_t cached(std::vector<Slot<K>>& cache, InternTable<K>& table, const K& k, bool& fresh) {
        Slot<K>& c = cache[hash_key(k) & (kCache - 1)];
        if (c.id != InternTable<K>::kNone && c.key == k) return c.id;
        c = Slot<K>{k, table.intern(k, fresh)};
        return c.id;
    }
    uint32_t node_id(uint64_t k, bool& fresh) { return cached(node_cache_, t_.nodes, k, fresh); }
    uint32_t leaf_id(const Key128& k, bool& fresh) { return cached(leaf_cache_, t_.leaves, k, fresh); }

    TreeTables& t_;
    std::vector<Slot<uint64_t>> node_cache_ = std::vector<Slot<uint64_t>>(kCache);
    std::vector<Slot<Key128>> leaf_cache_ = std::vector<Slot<Key128>>(kCache);
    std::vector<uint64_t> ref_words_;
    std::vector<std::vector<uint32_t>> ref_levels_, levels_;
};

}  // namespace reapcheck::xplicit
