// Encodings of the core world. See world.hpp for the layout.
#include "checker/core/world.hpp"

#include <bit>
#include <cassert>
#include <stdexcept>

#include <fmt/core.h>

namespace reapcheck::core {

std::string_view profile_name(Profile p) {
    switch (p) {
    case Profile::Linux618: return "linux-6.18";
    case Profile::RfcV1: return "rfc-v1";
    case Profile::RfcV3: return "rfc-v3";
    case Profile::V4: return "v4";
    case Profile::V5: return "v5";
    case Profile::Mainline: return "mainline";
    }
    return "?";
}

std::optional<Profile> profile_from_name(std::string_view name) {
    for (Profile p : kAllProfiles)
        if (profile_name(p) == name) return p;
    return std::nullopt;
}

World initial_state(int n) {
    if (n < kMinSlots || n > kMaxSlots) throw std::invalid_argument("core: slot count out of range");
    World w;
    w.n = n;
    w.slot[0].status = Status::Alive;          // init: parent none (0), exit_signal 0, SIG_DFL
    w.slot[1].status = Status::Alive;          // main: child of init, exit_signal SIGCHLD
    w.slot[1].parent = 0;
    w.slot[1].sigchld = true;
    return w;
}

bool valid(const World& w) {
    if (w.n < kMinSlots || w.n > kMaxSlots) return false;
    const Slot& init = w.slot[0];
    if (init.status != Status::Alive || init.parent != 0 || init.sigchld || init.autoreap || init.has_sub ||
        init.disp != Disp::Dfl || init.exit_code != 0)
        return false;
    for (int i = 0; i < kMaxSlots; ++i) {
        const Slot& s = w.slot[i];
        if (i >= w.n && !(s == Slot{})) return false;
        if (s.status == Status::Free && !(s == Slot{})) return false;
        if (s.status == Status::Zombie &&
            (s.autoreap || s.is_sub || s.has_sub || s.disp != Disp::Dfl || s.pending || s.exit_code > 1))
            return false;
        if (s.status == Status::Alive && s.exit_code != 0) return false;
        if (i > 0 && s.status != Status::Free) {
            if (s.parent >= w.n || s.parent == i || w.slot[s.parent].status != Status::Alive) return false;
            // follow the parent chain; it must reach init within n steps
            int p = i, steps = 0;
            while (p != 0 && steps++ <= w.n) p = w.slot[p].parent;
            if (p != 0) return false;
        }
    }
    return true;
}

namespace {

struct LabelTable {
    std::array<Slot, kLabelCount> slot{};
    LabelTable() {
        for (unsigned l = 1; l <= 96; ++l) {
            unsigned b = (l - 1) % 32;
            Slot& s = slot[l];
            s.status = Status::Alive;
            s.sigchld = b & 1;
            s.autoreap = b & 2;
            s.is_sub = b & 4;
            s.has_sub = b & 8;
            s.pending = b & 16;
            s.disp = Disp((l - 1) / 32);
        }
        for (unsigned l = 97; l <= 100; ++l) {
            Slot& s = slot[l];
            s.status = Status::Zombie;
            s.sigchld = (l - 97) & 1;
            s.exit_code = uint8_t((l - 97) >> 1);
        }
    }
};
const LabelTable kLabels;

constexpr unsigned kSlotBits = 10;
constexpr Packed kSlotMask = (Packed{1} << kSlotBits) - 1;

// One subtree of the canonical tree code: its code and its node count.
struct Code {
    Packed code;
    unsigned size;
};

}  // namespace

World unpack_raw(Packed key, int n) {
    World w;
    w.n = n;
    for (int i = 0; i < n; ++i) {
        const unsigned bits = unsigned((key >> (kSlotBits * unsigned(i))) & kSlotMask);
        w.slot[i] = kLabels.slot[bits & 127];
        if (w.slot[i].status != Status::Free) w.slot[i].parent = uint8_t(bits >> 7);
    }
    return w;
}

namespace {

// The canonical tree code of the n-slot world with raw key raw; with kAut,
// also |Aut(w)|: the number of permutations of slots 1..n-1 that map w to
// itself. It reads labels and parents from the raw key's 10-bit groups.
template <bool kAut>
Packed canonical_code(Packed raw, int n, std::uint64_t* aut) {
    std::array<uint8_t, kMaxSlots> label, parent;
    for (int i = 0; i < n; ++i) {
        const unsigned g = unsigned(raw >> (kSlotBits * unsigned(i))) & unsigned(kSlotMask);
        label[i] = uint8_t(g & 127);
        parent[i] = uint8_t(g >> 7);
    }
    // Bottom-up: a node's code is final once all its children have been
    // inserted, in sorted order, into its list. Children before parents: the
    // reverse of a breadth-first order from init (one pass builds the
    // children sets; no depths needed).
    std::array<uint8_t, kMaxSlots> kidset{};
    unsigned free_slots = 0;
    for (int c = 1; c < n; ++c) {
        if (label[c] == 0) ++free_slots;
        else kidset[parent[c]] = uint8_t(kidset[parent[c]] | 1u << c);
    }
    std::array<uint8_t, kMaxSlots> bfs;
    unsigned nodes = 0;
    for (unsigned t = kidset[0]; t != 0; t &= t - 1) bfs[nodes++] = uint8_t(std::countr_zero(t));
    for (unsigned head = 0; head < nodes; ++head)
        for (unsigned t = kidset[bfs[head]]; t != 0; t &= t - 1) bfs[nodes++] = uint8_t(std::countr_zero(t));
    std::array<std::array<Code, kMaxSlots>, kMaxSlots> kids;   // per node, sorted by code
    std::array<uint8_t, kMaxSlots> nkids{};
    std::uint64_t automorphisms = 1;
    auto count_equal_siblings = [&](unsigned v) {
        // identical sibling subtrees can be exchanged: a factor m! per class
        for (unsigned i = 1, run = 1; i < nkids[v]; ++i) {
            run = kids[v][i].code == kids[v][i - 1].code ? run + 1 : 1;
            automorphisms *= run;   // a run of m equal codes contributes m!
        }
    };
    for (unsigned o = nodes; o-- > 0;) {
        const unsigned v = bfs[o];
        if constexpr (kAut) count_equal_siblings(v);
        const unsigned nk = nkids[v];
        Code c{Packed(label[v]) << 3 | nk, 1};
        for (unsigned i = 0; i < nk; ++i) {
            c.code = c.code << (kSlotBits * kids[v][i].size) | kids[v][i].code;
            c.size += kids[v][i].size;
        }
        const unsigned p = parent[v];
        unsigned j = nkids[p]++;
        for (; j > 0 && kids[p][j - 1].code > c.code; --j) kids[p][j] = kids[p][j - 1];
        kids[p][j] = c;
    }
    Packed root = Packed(label[0]) << 3 | nkids[0];
    for (unsigned i = 0; i < nkids[0]; ++i) root = root << (kSlotBits * kids[0][i].size) | kids[0][i].code;
    if constexpr (kAut) {
        count_equal_siblings(0);
        for (unsigned f = 2; f <= free_slots; ++f) automorphisms *= f;   // FREE slots are interchangeable
        *aut = automorphisms;
    }
    return root;
}

}  // namespace

Packed pack_canonical(const World& w) { return canonical_code<false>(pack_raw(w), w.n, nullptr); }

Packed canonical_of_raw(Packed raw, int n) { return canonical_code<false>(raw, n, nullptr); }

CanonicalRepair::CanonicalRepair(Packed key, Packed raw, int n) : key_(key), raw_(raw) {
    while (int(nodes_) < n && (raw >> (kSlotBits * nodes_) & 127) != 0) {   // the FREE slots come last
        size_[nodes_] = 1;
        parent_[nodes_] = uint8_t(raw >> (kSlotBits * nodes_ + 7) & 7);
        ++nodes_;
    }
    // pre-order: a parent comes before its descendants
    for (unsigned i = nodes_; i-- > 1;) size_[parent_[i]] = uint8_t(size_[parent_[i]] + size_[i]);
    for (unsigned i = 0; i < nodes_; ++i) {
        group_[i] = uint8_t(kSlotBits * (nodes_ - 1 - i));
        low_[i] = uint8_t(kSlotBits * (nodes_ - i - size_[i]));
        mask_[i] = (Packed{1} << (kSlotBits * size_[i])) - 1;
        // the next sibling starts right after i's subtree
        const unsigned j = i + size_[i];
        if (i > 0 && j < nodes_ && parent_[j] == parent_[i] && size_[j] == size_[i]) {
            next_[i] = uint8_t(j);
            prev_[j] = uint8_t(i);
        }
    }
    for (unsigned i = 1; i < nodes_; ++i)
        watch_[i] = uint8_t(watch_[parent_[i]] | ((prev_[i] | next_[i]) != 0 ? 1u << i : 0u));
}

Packed CanonicalRepair::add_leaf(Packed raw_next, unsigned slot) const {
    const auto g = unsigned(raw_next >> (kSlotBits * slot)) & unsigned(kSlotMask);
    const unsigned q = g >> 7;
    if (slot != nodes_ || q >= nodes_) return 0;
    const Packed leaf = Packed(g & 127) << 3;   // label, no children
    // its index among the nodes: after q's leaf children whose group is not
    // larger (a leaf's code is its group), before any larger subtree
    unsigned pos = q + 1;
    while (pos < q + size_[q] && size_[pos] == 1 && (key_ >> group_[pos] & kSlotMask) <= leaf) ++pos;
    const unsigned below = kSlotBits * (nodes_ - pos);   // the old groups after it
    Packed key = ((key_ >> below) << kSlotBits | leaf) << below | (key_ & ((Packed{1} << below) - 1));
    const unsigned total = nodes_ + 1;
    key += Packed{1} << (kSlotBits * (total - 1 - q));   // q has one child more
    // q and its ancestors are one node larger: each must stay before its
    // next sibling, which is at least as large as it was
    for (unsigned a = q; a != 0; a = parent_[a]) {
        const unsigned b = a + size_[a];   // old index of the next node after a's subtree
        if (b >= nodes_ || parent_[b] != parent_[a] || size_[b] > size_[a] + 1u) continue;
        if (size_[b] == size_[a]) return 0;
        const unsigned s = size_[b];   // == size_[a] + 1, a's new size: compare the codes
        const Packed m = (Packed{1} << (kSlotBits * s)) - 1;
        if ((key >> (kSlotBits * (total - a - s)) & m) > (key >> (kSlotBits * (total - (b + 1) - s)) & m)) return 0;
    }
    return key;
}

std::uint64_t orbit_size(const World& w) {
    std::uint64_t aut = 1;
    (void)canonical_code<true>(pack_raw(w), w.n, &aut);
    std::uint64_t perms = 1;
    for (int f = 2; f < w.n; ++f) perms *= std::uint64_t(f);   // (n-1)!
    return perms / aut;
}

World unpack_canonical(Packed key, int n) {
    World w;
    w.n = n;
    // init's label is >= 1, so the leading group is >= 8 and the bit width
    // tells the number of nodes.
    const unsigned nodes = (unsigned(std::bit_width(key)) + kSlotBits - 1) / kSlotBits;
    assert(nodes >= 1 && int(nodes) <= n);
    std::array<uint8_t, kMaxSlots> stack_node{}, stack_left{};
    unsigned depth = 0;
    for (unsigned i = 0; i < nodes; ++i) {
        const unsigned g = unsigned((key >> (kSlotBits * (nodes - 1 - i))) & kSlotMask);
        w.slot[i] = kLabels.slot[g >> 3];
        if (i > 0) {
            while (stack_left[depth - 1] == 0) --depth;
            w.slot[i].parent = stack_node[depth - 1];
            --stack_left[depth - 1];
        }
        stack_node[depth] = uint8_t(i);
        stack_left[depth] = uint8_t(g & 7);
        ++depth;
    }
    return w;
}

std::string to_string(const World& w) {
    std::string out;
    for (int i = 0; i < w.n; ++i) {
        const Slot& s = w.slot[i];
        out += fmt::format("{}T{}{{", i ? " " : "", i);
        if (s.status == Status::Free) {
            out += "-}";
            continue;
        }
        out += s.status == Status::Alive ? "A" : "Z";
        if (i > 0) out += fmt::format(" p{} {}", s.parent, s.sigchld ? "SIGCHLD" : "0");
        if (s.status == Status::Zombie) {
            out += fmt::format(" code{}}}", s.exit_code);
            continue;
        }
        if (s.autoreap) out += " autoreap";
        if (s.is_sub) out += " is_sub";
        if (s.has_sub) out += " has_sub";
        if (s.disp == Disp::Ign) out += " IGN";
        if (s.disp == Disp::NoCldWait) out += " NOCLDWAIT";
        if (s.pending) out += " pend";
        out += '}';
    }
    return out;
}

}  // namespace reapcheck::core
