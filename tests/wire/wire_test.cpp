// The MPI engine's message encoding (checker/distributed/wire.hpp): every
// record comes back with its words and link, in the order of its words;
// malformed input is a WireError, never a crash or a read past the end.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "checker/distributed/wire.hpp"

using namespace reapcheck::dist::wire;

namespace {

struct Rec {
    std::vector<uint64_t> words;
    uint64_t tail;
    bool operator<(const Rec& o) const { return words < o.words; }
    bool operator==(const Rec& o) const { return words == o.words && tail == o.tail; }
};

/// Records like packed states: word 0 the count, most words shared with
/// the others (a few shapes), some differing in a few bytes.
std::vector<Rec> sample(std::mt19937_64& rng, std::size_t n) {
    std::vector<Rec> out;
    const std::vector<uint64_t> base = {0, 0x0102030405060708ULL, 0xffffffffffffffffULL, 0, 42, 0x8000000000000000ULL,
                                        7, 0, 0x00ff00ff00ff00ffULL, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    for (std::size_t i = 0; i < n; ++i) {
        Rec r;
        const std::size_t len = 3 + rng() % 15;
        r.words.assign(base.begin(), base.begin() + std::ptrdiff_t(len));
        r.words[0] = len;
        for (int k = int(rng() % 4); k > 0; --k) r.words[1 + rng() % (len - 1)] ^= rng() >> (rng() % 64);
        r.tail = (rng() % (uint64_t(1) << 32)) << 16 | (rng() % 65536);
        out.push_back(r);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end(), [](const Rec& a, const Rec& b) { return a.words == b.words; }),
              out.end());
    return out;
}

std::vector<uint8_t> encode(std::vector<Rec> recs, std::mt19937_64& rng) {
    std::shuffle(recs.begin(), recs.end(), rng);   // the batch's own order does not matter
    Batch b;
    for (const Rec& r : recs) b.add(r.words.data(), r.words.size(), r.tail);
    CHECK(b.records() == recs.size());
    std::vector<uint8_t> out;
    b.encode(out);
    CHECK(b.records() == 0);
    return out;
}

std::vector<Rec> decode(const std::vector<uint8_t>& bytes) {
    std::vector<Rec> out;
    Reader rd(bytes.data(), bytes.size());
    Rec r;
    while (rd.next(r.words, r.tail)) out.push_back(r);
    return out;
}

}  // namespace

TEST_CASE("records come back sorted by their words, links intact, and smaller") {
    std::mt19937_64 rng(1);
    for (std::size_t n : {0u, 1u, 2u, 500u}) {
        const std::vector<Rec> recs = sample(rng, n);
        const std::vector<uint8_t> bytes = encode(recs, rng);
        CHECK(decode(bytes) == recs);
        std::size_t raw = 0;
        for (const Rec& r : recs) raw += 8 * (r.words.size() + 1);
        if (n >= 500) CHECK(bytes.size() * 2 < raw);
    }
}

TEST_CASE("the extreme words and links round-trip") {
    std::mt19937_64 rng(2);
    std::vector<Rec> recs = {{{2, 0}, 0}, {{2, UINT64_MAX}, (uint64_t(UINT32_MAX) << 16) | 0xffff},
                             {{3, UINT64_MAX, 0}, 1}, {{1}, 5}};
    std::sort(recs.begin(), recs.end());
    CHECK(decode(encode(recs, rng)) == recs);
}

TEST_CASE("a truncated or corrupted message is a WireError") {
    std::mt19937_64 rng(3);
    const std::vector<Rec> recs = sample(rng, 50);
    const std::vector<uint8_t> bytes = encode(recs, rng);
    REQUIRE(bytes.size() > 10);
    // Every proper prefix ends inside a record (or is empty), or decodes
    // to fewer records; none reads past its end.
    for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
        const std::vector<uint8_t> pre(bytes.begin(), bytes.begin() + std::ptrdiff_t(cut));
        try {
            const std::vector<Rec> got = decode(pre);
            CHECK(got.size() < recs.size());
            CHECK(std::equal(got.begin(), got.end(), recs.begin()));
        } catch (const WireError&) {
        }
    }
    std::vector<uint8_t> zero = {0x00};   // a word count of 0
    CHECK_THROWS_AS(decode(zero), WireError);
    std::vector<uint8_t> longvar = {0x01, 0x01};   // count 1, then a varint that never ends
    for (int i = 0; i < 11; ++i) longvar.push_back(0xff);
    CHECK_THROWS_AS(decode(longvar), WireError);
    std::vector<uint8_t> big = {0x01, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00};   // id >= 2^32
    CHECK_THROWS_AS(decode(big), WireError);
}

TEST_CASE("id lists: sorted, de-duplicated, difference-coded") {
    std::vector<uint32_t> ids = {7, 3, UINT32_MAX, 3, 0, 1000000};
    std::vector<uint8_t> bytes;
    encode_ids(ids, bytes);
    CHECK(ids.empty());
    std::vector<uint32_t> got;
    decode_ids(bytes.data(), bytes.size(), got);
    CHECK(got == std::vector<uint32_t>{0, 3, 7, 1000000, UINT32_MAX});
    bytes.back() |= 0x80;   // the last varint runs past the end
    got.clear();
    CHECK_THROWS_AS(decode_ids(bytes.data(), bytes.size(), got), WireError);
}
