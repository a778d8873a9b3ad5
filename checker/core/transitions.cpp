// Transition rules of the core alphabet; each function names the kernel
// function it mirrors and the docs/kernel-rules.md section it follows. What the core
// alphabet leaves out everywhere: threads, ptrace, pidfds, exec (so the
// exec-id fix-up of §6.4 never fires), job control, pdeath signals.
#include "checker/core/transitions.hpp"

#include <array>
#include <bit>
#include <cassert>

#include <fmt/core.h>

namespace reapcheck::core {
namespace {

[[nodiscard]] bool has_autoreap(Profile p) { return p != Profile::Linux618; }

// The children of every slot of w as bit sets (the kernel's ->children
// lists): kids[p] bit c is set iff slot c is not FREE and its parent is p.
using Kids = std::array<uint8_t, kMaxSlots>;
[[nodiscard]] Kids children_of(const World& w) {
    Kids kids{};
    for (int c = 1; c < w.n; ++c)
        if (w.slot[c].status != Status::Free) kids[w.slot[c].parent] = uint8_t(kids[w.slot[c].parent] | 1u << c);
    return kids;
}

// clone3_args_valid (§2.3) and copy_process early checks (§2.5 items 5, 8, 9)
// for the core's flags; every failure is EINVAL. The core alphabet never
// passes CLONE_PIDFD, so rfc-v1 rejects every AUTOREAP clone.
[[nodiscard]] bool clone3_accepted(const World& w, Profile prof, int p, uint8_t flags, bool sigchld) {
    const bool autoreap = flags & kFlagAutoreap, parent = flags & kFlagParent;
    if (autoreap && prof == Profile::Linux618) return false;    // §2.3: bit 34 unknown
    if (parent && sigchld) return false;                          // §2.3: PARENT with exit_signal != 0
    if (parent && p == 0) return false;                           // §2.5.5: SIGNAL_UNKILLABLE caller
    if (autoreap) {                                               // §2.5.8
        if (prof == Profile::RfcV1) return false;                 // without CLONE_PIDFD
        if (parent && (prof == Profile::V4 || prof == Profile::V5 || prof == Profile::Mainline)) return false;
        if (sigchld) return false;                                // exit_signal != 0
    }
    if (parent && prof == Profile::Mainline && w.slot[p].autoreap) return false;   // §2.5.9
    return true;
}

// copy_process assignment (§3.1, §3.2): the new process c.
void copy_process(World& w, Profile prof, int p, uint8_t flags, bool sigchld, int c) {
    const bool autoreap = flags & kFlagAutoreap, parent = flags & kFlagParent;
    Slot& child = w.slot[c];
    child = Slot{};
    child.status = Status::Alive;
    if (parent) {
        child.parent = w.slot[p].parent;
        // rfc-v1/rfc-v3 override for AUTOREAP|PARENT; else the caller's leader (p itself)
        child.sigchld = (autoreap && (prof == Profile::RfcV1 || prof == Profile::RfcV3)) ? false : w.slot[p].sigchld;
    } else {
        child.parent = uint8_t(p);
        child.sigchld = sigchld;
    }
    const Slot& rp = w.slot[child.parent];
    child.has_sub = rp.has_sub || rp.is_sub;
    child.autoreap = autoreap;
    child.disp = w.slot[p].disp;   // copy_sighand copies the caller's actions
}

// do_notify_parent(T, sig) for an untraced leader with an empty group (§4.6,
// table §6.1). sig is 0 or SIGCHLD. Returns whether T reaps itself.
[[nodiscard]] bool do_notify_parent(World& w, Profile prof, int t, bool sig, bool autoreap) {
    Slot& parent = w.slot[w.slot[t].parent];
    bool selfreap = false;
    if (sig && (parent.disp == Disp::Ign || parent.disp == Disp::NoCldWait)) {
        selfreap = true;
        if (parent.disp == Disp::Ign) sig = false;   // SA_NOCLDWAIT alone still sends SIGCHLD
    }
    if (has_autoreap(prof) && autoreap) {
        selfreap = true;
        sig = false;
    }
    if (sig) parent.pending = true;   // SIGCHLD is blocked everywhere: it stays pending (§6.3)
    return selfreap;
}

// release_task (§4.5): the pid is freed, the slot becomes FREE.
void release_task(World& w, int t) { w.slot[t] = Slot{}; }

// find_new_reaper (§4.3 step 4) for a single-threaded father: the nearest
// ancestor with is_child_subreaper if father has has_child_subreaper, else the
// namespace init. Ancestors are always ALIVE here (a zombie has no children).
[[nodiscard]] int find_new_reaper(const World& w, int father) {
    if (!w.slot[father].has_sub) return 0;
    for (int r = w.slot[father].parent; r != 0; r = w.slot[r].parent)
        if (w.slot[r].is_sub) return r;
    return 0;   // init: either the child_reaper or found as a subreaper, the same slot
}

// do_exit → exit_notify (§4.1, §4.2) as one transition: forget_original_parent
// (§4.3) with reparent_leader (§4.4) for each child, then the father's own
// do_notify_parent and, if it reaps itself, release_task. Returns the slots
// it may have changed (Successor::touched): p, its parent, its children and
// their new reaper.
// kids: children_of(w) (p's children, in slot order).
[[nodiscard]] uint8_t do_exit(World& w, Profile prof, int p, uint8_t code, const Kids& kids) {
    unsigned touched = 1u << p | 1u << w.slot[p].parent;
    const int reaper = kids[p] != 0 ? find_new_reaper(w, p) : 0;
    if (kids[p] != 0) touched |= 1u << reaper | kids[p];
    for (unsigned t = kids[p]; t != 0; t &= t - 1) {
        const int c = std::countr_zero(t);
        Slot& child = w.slot[c];
        child.parent = uint8_t(reaper);
        child.sigchld = true;   // reparent_leader: the reaper is always another process
        if (child.status == Status::Zombie && do_notify_parent(w, prof, c, true, child.autoreap))
            release_task(w, c);
    }
    Slot& me = w.slot[p];
    const bool autoreap = me.autoreap, sig = me.sigchld;
    const uint8_t parent = me.parent;
    me = Slot{};
    me.status = Status::Zombie;
    me.parent = parent;
    me.sigchld = sig;
    me.exit_code = code;
    if (do_notify_parent(w, prof, p, sig, autoreap)) release_task(w, p);
    return uint8_t(touched);
}

// wait4(c, WNOHANG [| __WALL]) by p (§5.2–§5.4); c is a child of p. On
// Reaped, wait_task_zombie sets EXIT_DEAD and releases c (release_task).
[[nodiscard]] Outcome wait4(const World& w, int c, bool wall) {
    const Slot& child = w.slot[c];
    if (!wall && !child.sigchld) return Outcome::Echild;   // eligible_child: a "clone child"
    if (child.status == Status::Alive) return Outcome::Zero;
    return Outcome::Reaped;
}

// prctl(PR_SET_CHILD_SUBREAPER, arg) (§7): propagate_has_child_subreaper over
// walk_process_tree, which does not descend below a process that already has
// has_child_subreaper. ZOMBIE slots keep their flags zero (docs/core-alphabet.md).
// Returns the slots whose has_child_subreaper it set.
// kids: children_of(w).
[[nodiscard]] unsigned set_has_sub_below(World& w, int x, const Kids& kids) {
    unsigned set = 0;
    for (unsigned t = kids[x]; t != 0; t &= t - 1) {
        const int c = std::countr_zero(t);
        if (w.slot[c].status != Status::Alive || w.slot[c].has_sub) continue;
        w.slot[c].has_sub = true;
        set |= 1u << c | set_has_sub_below(w, c, kids);
    }
    return set;
}

}  // namespace

namespace {

// Every enabled action of w in the documented order; with kAll false only
// the ones that change the world are written to out (an action known to
// change nothing costs no copy of the world). transitions counts them all.
template <bool kAll>
int generate(const World& w, Profile prof, Successor* out, int& transitions) {
    assert(valid(w));
    int k = 0;
    transitions = 0;
    int free_slot = -1;
    for (int i = 1; i < w.n; ++i)
        if (w.slot[i].status == Status::Free) {
            free_slot = i;
            break;
        }
    // exit and prctl keep the tree until they change it, so w's children
    // lists serve every action
    const Kids kids = children_of(w);
    // emit(a) prepares out[k] as a copy of w; keep(s) keeps it (always, or
    // if it changed the world); same(a) is an action that changes nothing.
    auto emit = [&](Action a) -> Successor& {
        ++transitions;
        Successor& s = out[k];
        s.action = a;
        s.next = w;
        s.changed = false;
        s.touched = uint8_t(1u << a.actor);
        return s;
    };
    auto keep = [&](const Successor& s) {
        if (kAll || s.changed) ++k;
    };
    auto same = [&](Action a) {
        if constexpr (kAll) keep(emit(a));
        else ++transitions;
    };
    for (int p = 0; p < w.n; ++p) {
        const Slot& me = w.slot[p];
        if (me.status != Status::Alive) continue;
        const auto P = uint8_t(p);
        if (free_slot >= 0) {
            for (uint8_t flags = 0; flags < 4; ++flags)
                for (uint8_t e = 0; e < 2; ++e) {
                    if (!clone3_accepted(w, prof, p, flags, e)) {
                        same({ActionKind::Clone3, P, flags, e, 0, Outcome::Einval});
                        continue;
                    }
                    Successor& s = emit({ActionKind::Clone3, P, flags, e, uint8_t(free_slot), Outcome::Child});
                    copy_process(s.next, prof, p, flags, e, free_slot);
                    s.touched = uint8_t(1u << free_slot);
                    s.changed = true;
                    keep(s);
                }
        }
        if (p != 0)
            for (uint8_t code = 0; code < 2; ++code) {
                Successor& s = emit({ActionKind::Exit, P, code, 0, 0, Outcome::Ok});
                s.touched = do_exit(s.next, prof, p, code, kids);
                s.changed = true;
                keep(s);
            }
        for (unsigned t = kids[p]; t != 0; t &= t - 1) {
            const int c = std::countr_zero(t);
            for (uint8_t wall = 0; wall < 2; ++wall) {
                const Outcome o = wait4(w, c, wall);
                if (o != Outcome::Reaped) {
                    same({ActionKind::Wait4, P, wall, 0, uint8_t(c), o});
                    continue;
                }
                Successor& s = emit({ActionKind::Wait4, P, wall, w.slot[c].exit_code, uint8_t(c), o});
                release_task(s.next, c);
                s.touched = uint8_t(1u << c);
                s.changed = true;
                keep(s);
            }
        }
        if (p != 0)
            for (uint8_t d = 0; d < 3; ++d) {
                // do_sigaction: SIG_DFL and SIG_IGN (whatever the SA_ flags) discard a
                // pending SIGCHLD (§6.3); all three choices have handler DFL or IGN.
                const Action a{ActionKind::Sigaction, P, d, 0, 0, Outcome::Ok};
                if (me.disp == Disp(d) && !me.pending) {
                    same(a);
                    continue;
                }
                Successor& s = emit(a);
                s.next.slot[p].disp = Disp(d);
                s.next.slot[p].pending = false;
                s.changed = true;
                keep(s);
            }
        if (!me.is_sub) same({ActionKind::Prctl, P, 0, 0, 0, Outcome::Ok});
        else {
            Successor& s = emit({ActionKind::Prctl, P, 0, 0, 0, Outcome::Ok});
            s.next.slot[p].is_sub = false;
            s.changed = true;
            keep(s);
        }
        {
            Successor& s = emit({ActionKind::Prctl, P, 1, 0, 0, Outcome::Ok});
            s.next.slot[p].is_sub = true;
            const unsigned below = set_has_sub_below(s.next, p, kids);   // descendants
            s.touched = uint8_t(s.touched | below);
            s.changed = !me.is_sub || below != 0;
            keep(s);
        }
        if (!me.pending) same({ActionKind::Sigpending, P, 0, 0, 0, Outcome::None});
        else {
            Successor& s = emit({ActionKind::Sigpending, P, 0, 0, 0, Outcome::Pending});
            s.next.slot[p].pending = false;
            s.changed = true;
            keep(s);
        }
    }
    return k;
}

}  // namespace

int successors(const World& w, Profile prof, Successor* out) {
    int transitions = 0;
    return generate<true>(w, prof, out, transitions);
}

int changed_successors(const World& w, Profile prof, Successor* out, int& transitions) {
    return generate<false>(w, prof, out, transitions);
}

std::string to_statement(const Action& a, bool with_result) {
    static const char* const kFlags[] = {"none", "AUTOREAP", "PARENT", "AUTOREAP|PARENT"};
    static const char* const kDisp[] = {"SIG_DFL", "SIG_IGN", "SIG_DFL SA_NOCLDWAIT"};
    std::string s = fmt::format("T{}: ", a.actor);
    switch (a.kind) {
    case ActionKind::Clone3:
        s += fmt::format("clone3 flags={} exit_signal={}", kFlags[a.arg & 3], a.arg2 ? "SIGCHLD" : "0");
        break;
    case ActionKind::Exit: s += fmt::format("exit {}", a.arg); break;
    case ActionKind::Wait4: s += fmt::format("wait4 T{} WNOHANG{}", a.target, a.arg ? " __WALL" : ""); break;
    case ActionKind::Sigaction: s += fmt::format("sigaction SIGCHLD {}", kDisp[a.arg % 3]); break;
    case ActionKind::Prctl: s += fmt::format("prctl PR_SET_CHILD_SUBREAPER {}", a.arg); break;
    case ActionKind::Sigpending: s += "sigpending"; break;
    }
    if (!with_result || a.kind == ActionKind::Exit) return s;
    switch (a.outcome) {
    case Outcome::Ok: s += " -> 0"; break;
    case Outcome::Child: s += fmt::format(" -> child T{}", a.target); break;
    case Outcome::Einval: s += " -> EINVAL"; break;
    case Outcome::Echild: s += " -> ECHILD"; break;
    case Outcome::Zero: s += " -> 0"; break;
    case Outcome::Reaped: s += fmt::format(" -> T{} exited({})", a.target, a.arg2); break;
    case Outcome::Pending: s += " -> SIGCHLD"; break;
    case Outcome::None: s += " -> none"; break;
    }
    return s;
}

}  // namespace reapcheck::core
