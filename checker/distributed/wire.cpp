#include "checker/distributed/wire.hpp"

#include <algorithm>
#include <numeric>

namespace reapcheck::dist::wire {

namespace {

void put_varint(std::vector<uint8_t>& out, uint64_t x) {
    while (x >= 0x80) {
        out.push_back(uint8_t(x | 0x80));
        x >>= 7;
    }
    out.push_back(uint8_t(x));
}

uint64_t get_varint(const uint8_t*& p, const uint8_t* end) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p == end) throw WireError("a varint runs past the end of the message");
        const uint8_t b = *p++;
        x |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80)) return x;
    }
    throw WireError("a varint longer than 64 bits");
}

/// One word XORed with its reference: a byte of flags (bit i: byte i is not
/// zero), then the bytes that are not zero, lowest first.
void put_word(std::vector<uint8_t>& out, uint64_t x) {
    const std::size_t at = out.size();
    out.push_back(0);
    uint8_t flags = 0;
    for (int i = 0; x; ++i, x >>= 8)
        if (const auto b = uint8_t(x & 0xff)) {
            flags = uint8_t(flags | 1u << i);
            out.push_back(b);
        }
    out[at] = flags;
}

uint64_t get_word(const uint8_t*& p, const uint8_t* end) {
    if (p == end) throw WireError("a record ends inside a word");
    const uint8_t flags = *p++;
    uint64_t x = 0;
    for (int i = 0; i < 8; ++i)
        if (flags & 1u << i) {
            if (p == end) throw WireError("a record ends inside a word");
            x |= uint64_t(*p++) << (8 * i);
        }
    return x;
}

}  // namespace

void Batch::add(const uint64_t* w, std::size_t n, uint64_t tail) {
    starts_.push_back(uint32_t(flat_.size()));
    flat_.insert(flat_.end(), w, w + n);
    flat_.push_back(tail);
}

void Batch::encode(std::vector<uint8_t>& out) {
    // Records in the order of their words (word 0, the count, first: states
    // of one shape together), so that each is coded against a close one.
    std::vector<uint32_t> order(starts_.size());
    std::iota(order.begin(), order.end(), 0u);
    const uint64_t* f = flat_.data();
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        const uint64_t* x = f + starts_[a];
        const uint64_t* y = f + starts_[b];
        return std::lexicographical_compare(x, x + x[0], y, y + y[0]);
    });
    const uint64_t* prev = nullptr;
    std::size_t prev_n = 0;
    for (const uint32_t r : order) {
        const uint64_t* w = f + starts_[r];
        const auto n = std::size_t(w[0]);
        for (std::size_t i = 0; i < n; ++i) put_word(out, w[i] ^ (i < prev_n ? prev[i] : 0));
        put_varint(out, w[n] >> 16);
        put_varint(out, w[n] & 0xffff);
        prev = w;
        prev_n = n;
    }
    std::vector<uint64_t>().swap(flat_);
    std::vector<uint32_t>().swap(starts_);
}

bool Reader::next(std::vector<uint64_t>& words, uint64_t& tail) {
    if (p_ == end_) return false;
    const uint64_t n = get_word(p_, end_) ^ (prev_.empty() ? 0 : prev_[0]);
    if (n == 0 || n > (uint64_t(1) << 24)) throw WireError("a record with a word count of " + std::to_string(n));
    words.resize(std::size_t(n));
    words[0] = n;
    for (std::size_t i = 1; i < n; ++i) words[i] = get_word(p_, end_) ^ (i < prev_.size() ? prev_[i] : 0);
    const uint64_t id = get_varint(p_, end_), action = get_varint(p_, end_);
    if (id >= uint64_t(1) << 32 || action > 0xffff) throw WireError("a parent link out of range");
    tail = id << 16 | action;
    prev_ = words;
    return true;
}

void encode_ids(std::vector<uint32_t>& ids, std::vector<uint8_t>& out) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    uint32_t last = 0;
    for (const uint32_t id : ids) {
        put_varint(out, id - last);
        last = id;
    }
    ids.clear();
}

void decode_ids(const uint8_t* p, std::size_t n, std::vector<uint32_t>& ids) {
    const uint8_t* end = p + n;
    uint64_t last = 0;
    while (p != end) {
        last += get_varint(p, end);
        if (last > UINT32_MAX) throw WireError("a state id out of range");
        ids.push_back(uint32_t(last));
    }
}

}  // namespace reapcheck::dist::wire
