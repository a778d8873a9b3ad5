// The core alphabet run through refimpl, compared with checker/core step by
// step. See core_refimpl.hpp for what is compared and the abstraction.
#include "checker/agree/core_refimpl.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <fmt/core.h>

#include "checker/core/explorer.hpp"
#include "checker/core/state_table.hpp"
#include "checker/engine/canon.hpp"
#include "checker/engine/pack.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::agree {

using core::Action;
using core::ActionKind;
using core::Outcome;
using core::World;
using refimpl::ExitState;
using refimpl::Id;
using refimpl::kNone;
using refimpl::State;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Slot of each task of a (compacted) refimpl state, by task index.
using Slots = std::array<uint8_t, core::kMaxSlots>;

/// A search node: a compacted refimpl state (engine::canonicalize without
/// symmetry: released tasks dropped, creation order kept) and its slots.
struct Node {
    State s;
    Slots slot{};
    uint32_t id = 0;
};

// --- the abstraction α ---------------------------------------------------------

/// α(s, slots), or an explanation of why s is outside what core can represent.
std::string abstract(const State& s, const Slots& slot, int n, World& w) {
    w = World{};
    w.n = n;
    if (int(s.tasks.size()) > n) return fmt::format("{} unreleased tasks for {} slots", s.tasks.size(), n);
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        const refimpl::Task& task = s.tasks[t];
        const refimpl::Proc& proc = s.procs[task.proc];
        const refimpl::Sighand& sh = s.sighands[proc.sighand];
        const int k = slot[std::size_t(t)];
        if (k >= n || w.slot[k].status != core::Status::Free || (t == refimpl::kInit) != (k == 0))
            return fmt::format("task {} has slot {}, taken or out of range", t, k);
        if (task.step != refimpl::Step::None || task.wait.active || task.ptraced || !s.is_leader(t) ||
            s.threads_of(t).size() != 1)
            return fmt::format("task {} is not a settled single-threaded process", t);
        core::Slot& c = w.slot[k];
        if (task.exit_state == ExitState::Running && !task.exiting) {
            c.status = core::Status::Alive;
        } else if (task.exit_state == ExitState::Zombie) {
            c.status = core::Status::Zombie;
        } else {
            return fmt::format("task {} is in exit state {}", t, refimpl::to_string(task.exit_state));
        }
        if (t != refimpl::kInit) {
            if (task.real_parent == kNone) return fmt::format("task {} has no parent", t);
            c.parent = slot[std::size_t(task.real_parent)];
            if (task.exit_signal != 0 && task.exit_signal != refimpl::kSIGCHLD)
                return fmt::format("task {} has exit_signal {}", t, task.exit_signal);
            c.sigchld = task.exit_signal == refimpl::kSIGCHLD;
        }
        if (c.status == core::Status::Zombie) {
            // the status wait_task_zombie reports
            const int status = proc.group_exit ? proc.group_exit_code : task.exit_code;
            if ((status & 0xff) != 0 || (status >> 8) > 1) return fmt::format("task {} has wait status {:#x}", t, status);
            c.exit_code = uint8_t(status >> 8);
            continue;
        }
        c.autoreap = proc.autoreap;
        c.is_sub = proc.is_child_subreaper;
        c.has_sub = proc.has_child_subreaper;
        if (sh.sigchld == refimpl::Handler::User || (sh.sigchld == refimpl::Handler::Ign && sh.nocldwait))
            return fmt::format("task {} has a SIGCHLD action outside the core alphabet", t);
        c.disp = sh.sigchld == refimpl::Handler::Ign ? core::Disp::Ign
                 : sh.nocldwait                      ? core::Disp::NoCldWait
                                                     : core::Disp::Dfl;
        c.pending = proc.sigchld_pending || task.sigchld_pending;
    }
    if (!core::valid(w)) return "the image breaks core's invariants: " + core::to_string(w);
    return {};
}

// --- core actions as refimpl calls -------------------------------------------------

/// What identifies a call among the actions of one state: the action without
/// its results (clone3's child, wait4's status, the outcome).
bool same_call(const Action& a, const Action& b) {
    if (a.kind != b.kind || a.actor != b.actor || a.arg != b.arg) return false;
    if (a.kind == ActionKind::Clone3) return a.arg2 == b.arg2;
    if (a.kind == ActionKind::Wait4) return a.target == b.target;
    return true;
}

/// One refimpl transition: the core action with refimpl's results, and the
/// post state (not compacted) with a slot per task (kNoSlot: released).
constexpr uint8_t kNoSlot = 0xff;
struct Move {
    Action action;
    State post;
    std::vector<uint8_t> slot;
};

/// Every core action enabled in node (the enabling conditions asked of
/// refimpl), run through refimpl: the call, then `steps auto` (run_pending).
/// Order as core's, though the comparison does not depend on it.
template <class F>
void refimpl_moves(const Node& node, const refimpl::Profile& prof, int n, F&& emit) {
    const State& s = node.s;
    std::array<Id, core::kMaxSlots> task_of;
    task_of.fill(kNone);
    for (Id t = 0; t < Id(s.tasks.size()); ++t) task_of[node.slot[std::size_t(t)]] = t;
    int free_slot = -1;
    for (int k = 1; k < n && free_slot < 0; ++k)
        if (task_of[std::size_t(k)] == kNone) free_slot = k;
    auto start = [&](Action a) {
        Move m{a, s, std::vector<uint8_t>(node.slot.begin(), node.slot.begin() + std::ptrdiff_t(s.tasks.size()))};
        return m;
    };
    // release_task frees the slot; run after run_pending
    auto settle = [&](Move& m) {
        refimpl::run_pending(m.post, prof);
        for (std::size_t t = 0; t < m.slot.size(); ++t)
            if (m.post.tasks[t].exit_state == ExitState::Released) m.slot[t] = kNoSlot;
    };
    for (int p = 0; p < n; ++p) {
        const Id t = task_of[std::size_t(p)];
        if (t == kNone || refimpl::cannot_act(s, t)) continue;
        const auto P = uint8_t(p);
        const bool is_init = s.same_thread_group(t, refimpl::kInit);
        if (free_slot >= 0) {   // a FREE slot exists: the alphabet's clone3 bound
            for (uint8_t flags = 0; flags < 4; ++flags)
                for (uint8_t e = 0; e < 2; ++e) {
                    Move m = start({ActionKind::Clone3, P, flags, e, 0, Outcome::Einval});
                    refimpl::CloneArgs a;
                    if (flags & core::kFlagAutoreap) a.flags |= prof.autoreap_bit;
                    if (flags & core::kFlagParent) a.flags |= refimpl::kCLONE_PARENT;
                    a.exit_signal = e ? refimpl::kSIGCHLD : 0;
                    const refimpl::SysResult r = refimpl::sys_clone(m.post, prof, t, a);
                    if (r.ok()) {
                        m.action.outcome = Outcome::Child;
                        m.action.target = uint8_t(free_slot);
                        m.slot.resize(m.post.tasks.size(), kNoSlot);
                        m.slot[std::size_t(r.task)] = uint8_t(free_slot);   // the lowest FREE slot
                    } else if (r.ret != -refimpl::kEINVAL) {
                        m.action.outcome = Outcome::Ok;   // never core's: reported as a mismatch
                    }
                    settle(m);
                    emit(std::move(m));
                }
        }
        if (!refimpl::cannot_end_process(s, t, false))
            for (uint8_t code = 0; code < 2; ++code) {
                Move m = start({ActionKind::Exit, P, code, 0, 0, Outcome::Ok});
                refimpl::sys_exit(m.post, prof, t, code);
                settle(m);
                emit(std::move(m));
            }
        for (int k = 1; k < n; ++k) {
            const Id c = task_of[std::size_t(k)];
            if (c == kNone || s.tasks[c].real_parent != t) continue;
            for (uint8_t wall = 0; wall < 2; ++wall) {
                Move m = start({ActionKind::Wait4, P, wall, 0, uint8_t(k), Outcome::Ok});
                refimpl::WaitArgs a;
                a.any = false;
                a.pid = s.tasks[c].pid;
                a.options = 0x1u | (wall ? 0x40000000u : 0u);   // WNOHANG [| __WALL]
                const refimpl::SysResult r = refimpl::sys_wait(m.post, prof, t, a);
                if (r.ret == -refimpl::kECHILD) {
                    m.action.outcome = Outcome::Echild;
                } else if (r.ret == 0 && r.task == kNone) {
                    m.action.outcome = Outcome::Zero;
                } else if (r.ret > 0 && r.task == c) {
                    m.action.outcome = Outcome::Reaped;
                    m.action.arg2 = uint8_t((r.status >> 8) & 0xff);
                }   // else Ok: never core's, a mismatch
                settle(m);
                emit(std::move(m));
            }
        }
        if (!is_init)   // the alphabet keeps init's SIGCHLD at SIG_DFL
            for (uint8_t d = 0; d < 3; ++d) {
                Move m = start({ActionKind::Sigaction, P, d, 0, 0, Outcome::Ok});
                const auto h = d == 1 ? refimpl::Handler::Ign : refimpl::Handler::Dfl;
                if (refimpl::sys_sigaction(m.post, prof, t, h, d == 2).ret != 0) m.action.outcome = Outcome::Einval;
                settle(m);
                emit(std::move(m));
            }
        for (uint8_t arg = 0; arg < 2; ++arg) {
            Move m = start({ActionKind::Prctl, P, arg, 0, 0, Outcome::Ok});
            if (refimpl::sys_prctl_subreaper(m.post, prof, t, arg).ret != 0) m.action.outcome = Outcome::Einval;
            settle(m);
            emit(std::move(m));
        }
        {
            Move m = start({ActionKind::Sigpending, P, 0, 0, 0, Outcome::None});
            const refimpl::SysResult r = refimpl::sys_sigpending(m.post, prof, t, false);
            m.action.outcome = r.ret == refimpl::kSIGCHLD ? Outcome::Pending : r.ret == 0 ? Outcome::None : Outcome::Ok;
            settle(m);
            emit(std::move(m));
        }
    }
}

// --- visited nodes: 128-bit fingerprints ---------------------------------------------

struct Fingerprint {
    uint64_t a = 0, b = 0;
    bool operator==(const Fingerprint&) const = default;
};

uint64_t mix64(uint64_t x) {   // splitmix64's finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

Fingerprint fingerprint(std::string_view key) {
    uint64_t a = 0x9e3779b97f4a7c15ULL ^ key.size(), b = 0xc2b2ae3d27d4eb4fULL + key.size();
    std::size_t i = 0;
    for (; i + 8 <= key.size(); i += 8) {
        uint64_t w = 0;
        for (std::size_t j = 0; j < 8; ++j) w |= uint64_t(uint8_t(key[i + j])) << (8 * j);
        a = mix64(a ^ w);
        b = (b ^ w) * 0x100000001b3ULL + (b >> 29);
    }
    uint64_t w = 0;
    for (std::size_t j = 0; i + j < key.size(); ++j) w |= uint64_t(uint8_t(key[i + j])) << (8 * j);
    return {mix64(a ^ w ^ 0x5555), mix64(b ^ w)};
}

/// Open addressing with linear probing; {0, 0} marks an empty cell (a
/// fingerprint equal to it is stored as {0, 1}).
class FingerprintSet {
public:
    FingerprintSet() : cells_(std::size_t{1} << 16) {}
    bool insert(Fingerprint f) {
        if (f == Fingerprint{}) f.b = 1;
        if (2 * (size_ + 1) > cells_.size()) grow();
        if (!put(cells_, f)) return false;
        ++size_;
        return true;
    }
    [[nodiscard]] std::size_t bytes() const { return cells_.size() * sizeof(Fingerprint); }

private:
    static bool put(std::vector<Fingerprint>& cells, Fingerprint f) {
        const std::size_t mask = cells.size() - 1;
        for (std::size_t i = std::size_t(f.a) & mask;; i = (i + 1) & mask) {
            if (cells[i] == f) return false;
            if (cells[i] == Fingerprint{}) {
                cells[i] = f;
                return true;
            }
        }
    }
    void grow() {
        std::vector<Fingerprint> bigger(cells_.size() * 2);
        for (const Fingerprint& f : cells_)
            if (!(f == Fingerprint{})) put(bigger, f);
        cells_.swap(bigger);
    }
    std::vector<Fingerprint> cells_;
    std::size_t size_ = 0;
};

/// A growing exact set of core states (packed raw), with its count.
struct CoreSet {
    core::StateTable table;
    std::uint64_t size = 0;
    explicit CoreSet(int n) : table(unsigned(10 * n), std::size_t{1} << 16) {}
    bool insert(core::Packed k) {
        if (10 * (size + 1) > 7 * table.capacity()) table.grow(table.capacity() * 2, 1);
        if (!table.insert(k)) return false;
        ++size;
        return true;
    }
};

// --- the two searches ----------------------------------------------------------------

class Checker {
public:
    Checker(const Options& o, const refimpl::Profile& prof, Report& r)
        : o_(o), prof_(prof), r_(r), images_(o.tasks) {}

    void run() {
        const auto t0 = Clock::now();
        refimpl_search();
        r_.refimpl_seconds = since(t0);
        r_.refimpl_states = nodes_;
        r_.images = images_.size;
        if (!r_.agree) return;
        const auto t1 = Clock::now();
        core_search();
        r_.core_seconds = since(t1);
    }

private:
    /// The path of core actions (with refimpl's results) from the initial
    /// node to `node`, one statement a line: the parent chain (breadth-first)
    /// or the search stack (depth-first).
    std::string path_to(const Node& node) const {
        std::vector<Action> path;
        if (o_.depth_first) {
            path.assign(stack_.rbegin(), stack_.rend());
        } else {
            for (uint32_t i = node.id; i != 0; i = parent_[i]) path.push_back(via_[i]);
        }
        std::string out;
        for (auto it = path.rbegin(); it != path.rend(); ++it) out += "    " + core::to_statement(*it, true) + "\n";
        return out.empty() ? "    (the initial world)\n" : out;
    }

    void fail(const Node& node, const World& w, const std::string& what) {
        if (!r_.agree) return;
        r_.agree = false;
        r_.counterexample = fmt::format(
            "core and refimpl disagree (tasks {}, profile {}) after the path\n{}in the world\n    {}\n{}",
            o_.tasks, core::profile_name(o_.profile), path_to(node), core::to_string(w), what);
    }

    /// Compacts a move's post state into a node and fingerprints it.
    Node settle(const Move& m, Fingerprint& fp) const {
        engine::Canon c = engine::canonicalize(m.post, false);
        Node next;
        for (std::size_t t = 0; t < m.slot.size(); ++t)
            if (c.task_map[t] != kNone) next.slot[std::size_t(c.task_map[t])] = m.slot[t];
        next.s = std::move(c.state);
        if (o_.erase_zombie_fields) {
            bool erased = false;
            for (refimpl::Task& t : next.s.tasks) {
                if (t.exit_state != ExitState::Zombie) continue;
                refimpl::Proc& pr = next.s.procs[t.proc];
                refimpl::Sighand& sh = next.s.sighands[pr.sighand];
                erased = erased || t.sigchld_pending || pr.sigchld_pending || pr.is_child_subreaper ||
                         pr.has_child_subreaper;
                t.sigchld_pending = pr.sigchld_pending = pr.is_child_subreaper = pr.has_child_subreaper = false;
                if (sh.users == 1) {   // never shared in this alphabet (no CLONE_SIGHAND); if it were, keep it
                    erased = erased || sh.sigchld != refimpl::Handler::Dfl || sh.nocldwait;
                    sh.sigchld = refimpl::Handler::Dfl;
                    sh.nocldwait = false;
                }
            }
            if (erased) {   // the key of the changed state: its packed words' bytes, as canonicalize gives
                std::vector<uint64_t> w;
                engine::pack_state(next.s, w);
                c.key.assign(reinterpret_cast<const char*>(w.data()), w.size() * sizeof(uint64_t));
            }
        }
        c.key.append(reinterpret_cast<const char*>(next.slot.data()), next.s.tasks.size());
        fp = fingerprint(c.key);
        return next;
    }

    /// Compares every refimpl move from node with core's successors of its
    /// image; calls fresh(successor node, action) for each node not seen
    /// before. false after a disagreement (recorded in the report).
    template <class F>
    bool expand(const Node& node, F&& fresh) {
        const int n = o_.tasks;
        World w;
        (void)abstract(node.s, node.slot, n, w);   // checked when the node was added
        const int k = o_.core_successors(w, o_.profile, core_succ_.data());
        matched_.assign(std::size_t(k), false);
        bool ok = true;
        refimpl_moves(node, prof_, n, [&](Move m) {
            if (!ok) return;
            ++r_.refimpl_transitions;
            int j = 0;
            while (j < k && !same_call(core_succ_[std::size_t(j)].action, m.action)) ++j;
            if (j == k) {
                ok = false;
                return fail(node, w, fmt::format("  {}\n    is enabled in refimpl; core does not enable it",
                                                 core::to_statement(m.action, true)));
            }
            const core::Successor& cs = core_succ_[std::size_t(j)];
            matched_[std::size_t(j)] = true;
            if (!(cs.action == m.action)) {
                ok = false;
                return fail(node, w, fmt::format("  results differ:\n    refimpl: {}\n    core:    {}",
                                                 core::to_statement(m.action, true), core::to_statement(cs.action, true)));
            }
            // A call that changed nothing leaves a compacted state as it was.
            World image = w;
            const bool moved = !(m.post == node.s);
            Node succ;
            Fingerprint fp;
            if (moved) {
                succ = settle(m, fp);
                if (std::string why = abstract(succ.s, succ.slot, n, image); !why.empty()) {
                    ok = false;
                    return fail(node, w, fmt::format("  {}\n    refimpl: {}\n{}", core::to_statement(m.action, true), why,
                                                     engine::describe(succ.s)));
                }
            }
            if (!(image == cs.next)) {
                ok = false;
                return fail(node, w, fmt::format("  {}\n    refimpl gives {}\n    core gives    {}",
                                                 core::to_statement(m.action, true), core::to_string(image),
                                                 core::to_string(cs.next)));
            }
            if (moved && visited_.insert(fp)) {
                ++nodes_;
                images_.insert(core::pack_raw(image));
                fresh(std::move(succ), m.action);
            }
        });
        if (!ok) return false;
        for (int j = 0; j < k; ++j)
            if (!matched_[std::size_t(j)]) {
                fail(node, w, fmt::format("  {}\n    is enabled in core; refimpl does not enable it",
                                          core::to_statement(core_succ_[std::size_t(j)].action, true)));
                return false;
            }
        return true;
    }

    void refimpl_search() {
        const int n = o_.tasks;
        Fingerprint fp;
        Node init = settle(Move{Action{}, refimpl::initial_state(), {0, 1}}, fp);
        visited_.insert(fp);
        nodes_ = 1;
        if (!o_.depth_first) {
            parent_.push_back(0);
            via_.push_back(Action{});
        }
        World w0;
        if (std::string why = abstract(init.s, init.slot, n, w0); !why.empty()) return fail(init, w0, why);
        if (!(w0 == core::initial_state(n)))
            return fail(init, w0, "the initial worlds differ: core starts in " + core::to_string(core::initial_state(n)));
        images_.insert(core::pack_raw(w0));
        if (o_.depth_first) {
            r_.complete = depth_first(init);
        } else {
            breadth_first(std::move(init));
        }
    }

    void breadth_first(Node init) {
        std::vector<Node> frontier, next;
        frontier.push_back(std::move(init));
        int depth = 0;
        while (!frontier.empty()) {
            if (o_.max_depth > 0 && depth >= o_.max_depth) break;
            for (const Node& node : frontier) {
                const bool ok = expand(node, [&](Node&& succ, const Action& via) {
                    parent_.push_back(node.id);
                    via_.push_back(via);
                    succ.id = uint32_t(parent_.size() - 1);
                    next.push_back(std::move(succ));
                });
                if (!ok) return;
            }
            frontier.swap(next);
            next.clear();
            next.shrink_to_fit();
            if (frontier.empty()) break;
            r_.depth = ++depth;
            if (o_.progress)
                std::fprintf(stderr, "agree: depth %d, %llu refimpl nodes, %llu images, %llu refimpl transitions\n",
                             depth, (unsigned long long)nodes_, (unsigned long long)images_.size,
                             (unsigned long long)r_.refimpl_transitions);
        }
        r_.complete = frontier.empty();
    }

    /// Depth-first with an explicit stack of frames (the unexplored new
    /// successors of each node on the path): memory is the visited set and
    /// the stack. Returns whether it ran to the end without a disagreement.
    bool depth_first(const Node& init) {
        struct Frame {
            std::vector<std::pair<Node, Action>> kids;
            std::size_t next = 0;
        };
        std::vector<Frame> frames(1);
        auto collect = [&](Frame& f) {
            return [&f](Node&& succ, const Action& via) { f.kids.emplace_back(std::move(succ), via); };
        };
        if (!expand(init, collect(frames.back()))) return false;
        while (!frames.empty()) {
            Frame& f = frames.back();
            if (f.next == f.kids.size()) {
                frames.pop_back();
                if (!frames.empty()) stack_.pop_back();   // the action that led to the popped frame's node
                continue;
            }
            std::pair<Node, Action> kid = std::move(f.kids[f.next++]);
            stack_.push_back(kid.second);
            Frame child;
            if (!expand(kid.first, collect(child))) return false;
            frames.push_back(std::move(child));
            r_.depth = std::max(r_.depth, int(frames.size()) - 1);
            if (o_.progress && nodes_ >= next_report_) {
                next_report_ = nodes_ + 1000000;
                std::fprintf(stderr, "agree: %llu refimpl nodes, %llu images, %llu refimpl transitions, stack %zu\n",
                             (unsigned long long)nodes_, (unsigned long long)images_.size,
                             (unsigned long long)r_.refimpl_transitions, frames.size() - 1);
            }
        }
        return true;
    }

    /// Core's own BFS from the initial world with the function under test,
    /// to the same depth; every state must be an image, and as many.
    void core_search() {
        const int n = o_.tasks;
        const Node none;
        CoreSet seen(n);
        std::vector<core::Packed> frontier{core::pack_raw(core::initial_state(n))}, next;
        seen.insert(frontier[0]);
        int depth = 0;
        while (!frontier.empty() && !(o_.max_depth > 0 && depth >= o_.max_depth)) {
            for (core::Packed key : frontier) {
                const World w = core::unpack_raw(key, n);
                const int k = o_.core_successors(w, o_.profile, core_succ_.data());
                r_.core_transitions += std::uint64_t(k);
                for (int j = 0; j < k; ++j) {
                    const core::Packed nk = core::pack_raw(core_succ_[std::size_t(j)].next);
                    if (!seen.insert(nk)) continue;
                    next.push_back(nk);
                    if (!images_.table.contains(nk)) {
                        r_.core_states = seen.size;
                        stack_.clear();
                        parent_.assign(1, 0);
                        return fail(none, w,
                                    fmt::format("  {}\n    core reaches {} at depth {}, the image of no refimpl state",
                                                core::to_statement(core_succ_[std::size_t(j)].action, true),
                                                core::to_string(core_succ_[std::size_t(j)].next), depth + 1));
                    }
                }
            }
            frontier.swap(next);
            next.clear();
            if (!frontier.empty()) ++depth;
        }
        r_.core_states = seen.size;
        if (r_.core_states != r_.images) {
            stack_.clear();
            parent_.assign(1, 0);
            fail(none, core::initial_state(n),
                 fmt::format("  refimpl has {} distinct images, core {} states", r_.images, r_.core_states));
        }
    }

    const Options& o_;
    const refimpl::Profile& prof_;
    Report& r_;
    FingerprintSet visited_;
    std::uint64_t nodes_ = 0, next_report_ = 1000000;
    CoreSet images_;
    std::vector<core::Successor> core_succ_ = std::vector<core::Successor>(core::kMaxActions);
    std::vector<bool> matched_;
    std::vector<uint32_t> parent_;   // breadth-first, per node id: the node it was first reached from
    std::vector<Action> via_;        // and by which action
    std::vector<Action> stack_;      // depth-first: the actions from the initial node
};

}  // namespace

Report check(const Options& o) {
    if (o.tasks < core::kMinSlots || o.tasks > core::kMaxSlots)
        throw std::invalid_argument(fmt::format("agree: tasks {} out of range ({}..{})", o.tasks, core::kMinSlots,
                                                core::kMaxSlots));
    if (o.max_depth < 0) throw std::invalid_argument("agree: negative depth bound");
    if (o.depth_first && o.max_depth > 0) throw std::invalid_argument("agree: a depth bound needs breadth-first search");
    const refimpl::Profile* prof = refimpl::find_profile(core::profile_name(o.profile));
    if (!prof) throw std::invalid_argument("agree: no refimpl profile " + std::string(core::profile_name(o.profile)));
    Report r;
    r.options = o;
    Checker(o, *prof, r).run();
    r.peak_rss_bytes = core::peak_rss_bytes();
    return r;
}

nlohmann::json to_json(const Report& r) {
    nlohmann::json j;
    j["tasks"] = r.options.tasks;
    j["profile"] = std::string(core::profile_name(r.options.profile));
    j["max_depth"] = r.options.max_depth;
    j["depth_first"] = r.options.depth_first;
    j["erase_zombie_fields"] = r.options.erase_zombie_fields;
    j["agree"] = r.agree;
    j["complete"] = r.complete;
    j["refimpl_states"] = r.refimpl_states;
    j["refimpl_transitions"] = r.refimpl_transitions;
    j["images"] = r.images;
    j["core_states"] = r.core_states;
    j["core_transitions"] = r.core_transitions;
    j["depth"] = r.depth;
    j["refimpl_seconds"] = r.refimpl_seconds;
    j["core_seconds"] = r.core_seconds;
    j["peak_rss_bytes"] = r.peak_rss_bytes;
    if (!r.agree) j["counterexample"] = r.counterexample;
    return j;
}

}  // namespace reapcheck::agree
