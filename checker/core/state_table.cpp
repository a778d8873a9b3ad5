// Out-of-line parts of the compact state table; see state_table.hpp.
#include "checker/core/state_table.hpp"

#include <thread>

namespace reapcheck::core {

namespace {
// The inverse of an odd number modulo 2^64 (Newton's iteration).
constexpr Packed inverse_odd(Packed c) {
    Packed inv = c;   // correct to 3 bits
    for (int i = 0; i < 5; ++i) inv *= 2 - c * inv;
    return inv;
}
}  // namespace

Packed StateTable::unmix(Packed x) const {
    const unsigned s = bits_ / 2 + 1;
    const Packed m = key_mask();
    auto unshift = [&](Packed y) {   // inverse of y = x ^ (x >> s)
        Packed r = y;
        for (unsigned t = s; t < bits_; t += s) r ^= y >> t;
        return r;
    };
    x = unshift(x);
    x = (x * inverse_odd(0xc4ceb9fe1a85ec53ULL)) & m;
    x = unshift(x);
    x = (x * inverse_odd(0xff51afd7ed558ccdULL)) & m;
    return unshift(x);
}

void StateTable::allocate(std::size_t capacity) {
    unsigned k = 10;
    while ((std::size_t{1} << k) < capacity) ++k;
    log_cap_ = k;
    narrow_ = is_narrow(k);
    // Anonymous zero pages, touched only when used; transparent huge pages
    // cut the TLB misses of random probes in a large table.
    const std::size_t size = bytes();
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    (void)madvise(p, size, MADV_HUGEPAGE);
#endif
    cells_ = p;
}

void StateTable::release() {
    if (cells_) munmap(cells_, bytes());
    cells_ = nullptr;
}

void StateTable::grow(std::size_t new_capacity, int threads) {
    StateTable bigger(bits_, new_capacity);
    const std::size_t cap = capacity();
    const auto parts = std::size_t(threads < 1 ? 1 : threads);
    auto part = [&](std::size_t t) {
        auto put = [&](Packed h) { (void)bigger.insert_hashed(h); };
        if (narrow_) for_range_h<uint32_t>(cap * t / parts, cap * (t + 1) / parts, put);
        else for_range_h<uint64_t>(cap * t / parts, cap * (t + 1) / parts, put);
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < parts; ++t) pool.emplace_back(part, t);
    part(0);
    for (auto& th : pool) th.join();
    for (Packed h : overflow_.set) (void)bigger.insert_hashed(h);
    *this = std::move(bigger);
}

}  // namespace reapcheck::core
