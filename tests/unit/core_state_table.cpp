// The compact state table of the core explorer (checker/core/state_table.hpp):
// lossless storage of quotiented keys, growth across the 64-bit/32-bit cell
// switch, and the overflow path of very long probe sequences.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "checker/core/state_table.hpp"

using namespace reapcheck::core;

namespace {
std::set<Packed> contents(const StateTable& t) {
    std::set<Packed> out;
    t.for_range(0, t.capacity(), [&](Packed k) { out.insert(k); });
    return out;
}
}  // namespace

TEST_CASE("core state table: keys come back exactly, before and after growth") {
    for (unsigned bits : {20u, 40u, 50u, 60u}) {
        INFO("key bits " << bits);
        std::mt19937_64 rng(bits);
        const Packed mask = (Packed{1} << bits) - 1;
        StateTable t(bits, 1024);
        std::set<Packed> want;
        for (int i = 0; i < 600; ++i) {
            const Packed k = (rng() & mask) | 1;
            CHECK(t.insert(k) == want.insert(k).second);
        }
        CHECK(contents(t) == want);
        for (int g = 0; g < 16; ++g) t.grow(t.capacity() * 2, 2);   // 64M cells: narrow cells for 40/50 bits
        CHECK(t.cell_bytes() == (bits <= 50 ? 4u : 8u));
        CHECK(contents(t) == want);
        for (Packed k : want) CHECK(t.contains(k));
        CHECK_FALSE(t.contains(want.empty() ? 3 : (*want.begin() ^ 2)));
    }
}

TEST_CASE("core state table: an almost full table overflows without losing keys") {
    StateTable t(40, 1024);
    std::set<Packed> want;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 1020; ++i) {
        const Packed k = (rng() & ((Packed{1} << 40) - 1)) | 1;
        CHECK(t.insert(k) == want.insert(k).second);
    }
    for (Packed k : want) CHECK(t.contains(k));
    CHECK(contents(t) == want);
}
