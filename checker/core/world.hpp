// The core benchmark alphabet (docs/core-alphabet.md "The core benchmark alphabet"): a
// compact world of N task slots and its two 64-bit encodings.
//
// Slot 0 is `init` (pid-namespace reaper, never exits, SIGCHLD SIG_DFL), slot
// 1 is `main` (child of init, exit_signal SIGCHLD), the others start FREE.
// Single-threaded processes only; no pidfds, ptrace or exec; every task has
// SIGCHLD blocked, so a SIGCHLD sent to it stays pending until `sigpending`.
//
// This library stands alone (no refimpl): it is a fast, bit-packed second
// implementation of refimpl's rules for this alphabet. What proves that the
// two agree is checker/agree/core_refimpl.hpp, which explores the alphabet
// through refimpl and compares every transition, outcomes included, and the
// state set with transitions.cpp. tests/unit/core_agreement.cpp runs it at
// 3 slots exhaustively and at 4 slots to BFS depth 6 (5 under the
// sanitizers), for mainline and linux-6.18; `reapcheck explore --alphabet
// core --tasks 4 --agree-refimpl` (bench/core_agreement.sh) runs the whole
// 4-slot space. The other four profiles agree at 3 slots by that command but
// are not in the unit tests; 5 or more slots are not compared.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace reapcheck::core {

/// The semantic profiles of docs/kernel-rules.md §13, as far as the core alphabet
/// sees them (core keeps its own enum so that it does not depend on refimpl).
enum class Profile : uint8_t { Linux618, RfcV1, RfcV3, V4, V5, Mainline };

/// "linux-6.18", "rfc-v1", "rfc-v3", "v4", "v5", "mainline".
[[nodiscard]] std::string_view profile_name(Profile p);
[[nodiscard]] std::optional<Profile> profile_from_name(std::string_view name);
inline constexpr std::array<Profile, 6> kAllProfiles{
    Profile::Linux618, Profile::RfcV1, Profile::RfcV3, Profile::V4, Profile::V5, Profile::Mainline};

inline constexpr int kMinSlots = 2;
/// 6 slots × 10 bits fit one 64-bit key in both encodings (see below).
inline constexpr int kMaxSlots = 6;

enum class Status : uint8_t { Free = 0, Alive = 1, Zombie = 2 };
/// SIGCHLD disposition: SIG_DFL, SIG_IGN, SIG_DFL with SA_NOCLDWAIT.
enum class Disp : uint8_t { Dfl = 0, Ign = 1, NoCldWait = 2 };

/// One slot in plain fields. Invariants (checked by `valid`): a FREE slot is
/// all zero; a ZOMBIE keeps only parent, exit_signal and exit_code; an ALIVE
/// slot has exit_code 0; slot 0 (init) is ALIVE with parent 0, exit_signal 0,
/// has_child_subreaper 0 and SIG_DFL.
struct Slot {
    Status status = Status::Free;
    uint8_t parent = 0;        ///< slot of the real parent (init: 0)
    bool sigchld = false;      ///< exit_signal: false = 0, true = SIGCHLD
    bool autoreap = false;     ///< signal.autoreap
    bool is_sub = false;       ///< signal.is_child_subreaper
    bool has_sub = false;      ///< signal.has_child_subreaper
    Disp disp = Disp::Dfl;     ///< SIGCHLD action
    uint8_t exit_code = 0;     ///< 0 or 1 (the `exit C` argument)
    bool pending = false;      ///< SIGCHLD pending in shared_pending
    bool operator==(const Slot&) const = default;
};

/// A whole world of n slots.
struct World {
    int n = 0;
    std::array<Slot, kMaxSlots> slot{};
    bool operator==(const World&) const = default;
};

/// The initial world of docs/core-alphabet.md: init, main, and n-2 FREE slots.
/// require: kMinSlots <= n <= kMaxSlots.
[[nodiscard]] World initial_state(int n);

/// Whether w satisfies the slot invariants above and the tree shape (every
/// non-FREE slot other than init has an ALIVE parent, no cycles).
[[nodiscard]] bool valid(const World& w);

/// A packed state. Both encodings below are injective and never 0.
using Packed = uint64_t;

/// The per-slot label: 0 = FREE, 1..96 = ALIVE fields, 97..100 = ZOMBIE
/// fields; the parent is not part of it. 7 bits.
[[nodiscard]] inline unsigned slot_label(const Slot& s) {
    switch (s.status) {
    case Status::Free: return 0;
    case Status::Alive:
        return 1u + (unsigned(s.sigchld) | unsigned(s.autoreap) << 1 | unsigned(s.is_sub) << 2 |
                     unsigned(s.has_sub) << 3 | unsigned(s.pending) << 4) +
               32u * unsigned(s.disp);
    case Status::Zombie: return 97u + unsigned(s.sigchld) + 2u * s.exit_code;
    }
    return 0;
}
/// Slot i's 10-bit group of the raw key (below).
[[nodiscard]] inline Packed slot_code(const Slot& s) { return Packed(slot_label(s)) | Packed(s.parent) << 7; }
inline constexpr unsigned kLabelCount = 101;

/// Raw (slot-exact) encoding: slot i occupies bits [10i, 10i+10) as
/// label | parent << 7. Used without symmetry reduction.
[[nodiscard]] inline Packed pack_raw(const World& w) {
    Packed key = 0;
    for (int i = 0; i < w.n; ++i) key |= slot_code(w.slot[i]) << (10u * unsigned(i));
    return key;
}
[[nodiscard]] World unpack_raw(Packed key, int n);

/// Canonical encoding under every permutation of slots 1..n-1: the non-FREE
/// slots form a tree rooted at init; each node is written as 10 bits (label
/// << 3 | number of children) in pre-order, children sorted by their subtree
/// code. Two worlds get the same key iff one is a slot permutation of the
/// other (init fixed). Decoding numbers the nodes in that pre-order and puts
/// the FREE slots last.
[[nodiscard]] Packed pack_canonical(const World& w);
/// The same key from the raw key of an n-slot world: pack_canonical(w) ==
/// canonical_of_raw(pack_raw(w), w.n). The explorer has the raw key anyway
/// (its cache of canonical forms is keyed by it).
[[nodiscard]] Packed canonical_of_raw(Packed raw, int n);
[[nodiscard]] World unpack_canonical(Packed key, int n);

/// Canonical keys of a world's successors that keep or extend its tree,
/// without sorting anything again. The world must be in canonical layout
/// (as unpack_canonical returns it: slot i is the i-th node of the canonical
/// pre-order, the FREE slots last); its canonical key is then the pre-order
/// list of its slots' groups.
///
/// Relabelling (no parent changed, no slot taken or freed): the successor's
/// key is the same list with the changed groups rewritten, as long as every
/// list of siblings stays sorted by subtree code. Only the changed slots and
/// their ancestors change their code, so only they are compared with their
/// neighbouring siblings (a subtree is a run of consecutive groups of the
/// key), and only with a sibling of the same size: a longer code is a larger
/// number (its first group is never 0), and relabelling changes no size.
///
/// A new leaf (clone3 into the lowest FREE slot, which is the first after
/// the nodes): it goes among its parent's children after the leaves whose
/// group is not larger than its own, and before every larger subtree; its
/// parent and their ancestors each grow by one node, so each must still come
/// before its next sibling (a previous sibling is never larger).
///
/// Usage: `CanonicalRepair r(key, pack_raw(unpack_canonical(key, n)), n);`
/// then `r.repaired(raw_next, touched)` for each successor.
class CanonicalRepair {
public:
    /// key: a canonical key; raw: the raw key of unpack_canonical(key, n).
    CanonicalRepair(Packed key, Packed raw, int n);
    /// canonical_of_raw(raw_next, n) if the world with raw key raw_next
    /// differs from this one only in the labels of non-FREE slots of
    /// `touched` and keeps every sibling list sorted, or only by a new leaf
    /// in the lowest FREE slot that keeps them sorted; else 0 (the caller
    /// canonicalises). require: raw_next equals raw outside `touched`.
    [[nodiscard]] Packed repaired(Packed raw_next, unsigned touched) const;

private:
    [[nodiscard]] Packed subtree(Packed key, unsigned i) const { return (key >> low_[i]) & mask_[i]; }
    [[nodiscard]] Packed add_leaf(Packed raw_next, unsigned slot) const;
    Packed key_, raw_;
    unsigned nodes_ = 0;
    std::array<Packed, kMaxSlots> mask_{};   // per node: its subtree's bits, from bit low_
    std::array<uint8_t, kMaxSlots> low_{};
    std::array<uint8_t, kMaxSlots> group_{};   // per node: the lowest bit of its group
    std::array<uint8_t, kMaxSlots> parent_{}, size_{};   // per node: parent and subtree size
    // per node: the previous and next sibling of the same subtree size (0: none)
    std::array<uint8_t, kMaxSlots> prev_{}, next_{};
    // per node: it and its ancestors that have such a sibling
    std::array<uint8_t, kMaxSlots> watch_{};
};

// Inline: called for nearly every changed successor (checker/core/explorer.cpp).
inline Packed CanonicalRepair::repaired(Packed raw_next, unsigned touched) const {
    const Packed diff = raw_ ^ raw_next;
    Packed key = key_;
    unsigned check = 0;
    for (unsigned t = touched; t != 0; t &= t - 1) {
        const unsigned i = unsigned(std::countr_zero(t));
        const auto d = unsigned(diff >> (10u * i)) & 1023u;
        if (d == 0) continue;
        if (i >= nodes_) return touched == 1u << i ? add_leaf(raw_next, i) : 0;   // a FREE slot taken
        // a new parent or a freed slot: the tree changed
        if (d >> 7 || (raw_next >> (10u * i) & 127) == 0) return 0;
        key ^= Packed(d) << (group_[i] + 3);
        check |= watch_[i];
    }
    // every sibling list that holds a changed subtree must still be sorted
    for (; check != 0; check &= check - 1) {
        const unsigned a = unsigned(std::countr_zero(check));
        const Packed code = subtree(key, a);
        if (prev_[a] != 0 && subtree(key, prev_[a]) > code) return 0;
        if (next_[a] != 0 && code > subtree(key, next_[a])) return 0;
    }
    return key;
}

/// The number of distinct worlds (raw encodings) obtained from w by
/// permuting slots 1..n-1: (n-1)! / |automorphisms of w|. Summed over the
/// canonical states it gives the state count without symmetry reduction,
/// provided every permutation of a reachable world is reachable (which
/// holds at 3 and 4 slots: tests/unit/core_explore.cpp).
[[nodiscard]] std::uint64_t orbit_size(const World& w);

/// Human-readable one-line dump, e.g. `T0{A is pend} T1{A p0 SIGCHLD IGN} T2{Z p1 0 code1} T3{-}`.
[[nodiscard]] std::string to_string(const World& w);

}  // namespace reapcheck::core
