#include "checker/engine/canon.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>
#include <boost/container/small_vector.hpp>
#include <boost/container_hash/hash.hpp>
#include <numeric>

#include "checker/engine/pack.hpp"

namespace reapcheck::engine {

using namespace refimpl;

namespace {

/// Scratch sequences of a canonicalisation: inline, so that canonicalising
/// the states the checker explores allocates nothing.
template <class T>
using Small = boost::container::small_vector<T, 16>;

/// Rank compression of a set of exec ids (uint8_t): each value -> its
/// position among the distinct values added, so only order and equality
/// survive. The set is a 256-bit map; a rank is the number of set bits below
/// the value (what a sorted, deduplicated list and lower_bound gave).
struct ExecRanks {
    uint64_t bits[4] = {0, 0, 0, 0};
    void add(uint8_t x) { bits[x >> 6] |= uint64_t{1} << (x & 63); }
    uint8_t operator[](uint8_t x) const {
        int r = 0;
        for (unsigned w = 0; w < unsigned(x >> 6); ++w) r += std::popcount(bits[w]);
        r += std::popcount(bits[x >> 6] & ((uint64_t{1} << (x & 63)) - 1));
        return uint8_t(r);
    }
};

/// An index map old -> new of one table, every entry kNone to begin with:
/// inline up to 32 entries (a few tasks' tables), on the heap beyond.
class IdMap {
public:
    explicit IdMap(std::size_t n) {
        if (n > kInline) {
            heap_.assign(n, kNone);
            p_ = heap_.data();
        } else {
            std::fill_n(inline_, n, kNone);
        }
    }
    IdMap(const IdMap&) = delete;
    IdMap& operator=(const IdMap&) = delete;
    Id& operator[](Id i) { return p_[i]; }

private:
    static constexpr std::size_t kInline = 32;
    Id inline_[kInline];
    std::vector<Id> heap_;
    Id* p_ = inline_;
};

/// Rebuild `s` into `o` keeping the tasks in `order` (input indices),
/// renumbering every object in order of first reference. `o` is overwritten
/// in place (its tables keep their storage: no State is built and moved per
/// canonicalisation); it must not be `s`.
template <class Order>
void rebuild(const State& s, const Order& order, std::vector<Id>& task_map, State& o) {
    o.tasks.clear();
    o.procs.clear();
    o.sighands.clear();
    o.pids.clear();
    o.files.clear();
    o.fdtables.clear();
    task_map.assign(s.tasks.size(), kNone);
    for (std::size_t i = 0; i < order.size(); ++i) task_map[order[i]] = Id(i);
    IdMap proc_map(s.procs.size()), sh_map(s.sighands.size()), pid_map(s.pids.size()), file_map(s.files.size()),
        table_map(s.fdtables.size());
    auto map_pid = [&](Id p) -> Id {
        if (p == kNone) return kNone;
        if (pid_map[p] == kNone) {
            pid_map[p] = Id(o.pids.size());
            Pid np = s.pids[p];
            np.nr = int32_t(o.pids.size() + 1);
            np.task = np.task == kNone ? kNone : task_map[np.task];
            o.pids.push_back(np);
        }
        return pid_map[p];
    };
    auto map_file = [&](Id f) -> Id {
        if (f == kNone || s.files[f].refs == 0) return kNone;
        if (file_map[f] == kNone) {
            file_map[f] = Id(o.files.size());
            o.files.push_back(s.files[f]);
        }
        return file_map[f];
    };
    // List positions keep only their order within their own list (a
    // parent's children, a tracer's tracees, a group's threads); 0 means "on
    // no such list". Exec ids keep only equality and order across all tasks.
    auto position = [&](Id t, uint16_t Task::*seq, auto same_list) -> uint16_t {
        const uint16_t v = s.tasks[t].*seq;
        if (!v) return 0;
        uint16_t pos = 1;
        for (Id u : order)
            if (u != t && s.tasks[u].*seq && s.tasks[u].*seq < v && same_list(u)) ++pos;
        return pos;
    };
    ExecRanks exec_rank;
    for (Id t : order) {
        exec_rank.add(s.tasks[t].self_exec_id);
        exec_rank.add(s.tasks[t].parent_exec_id);
    }
    uint16_t max_pos = 0;
    for (Id t : order) {
        Task nt = s.tasks[t];
        nt.leader = task_map[nt.leader];
        nt.real_parent = nt.real_parent == kNone ? kNone : task_map[nt.real_parent];
        nt.parent = nt.parent == kNone ? kNone : task_map[nt.parent];
        const Task& ot = s.tasks[t];
        nt.sibling_seq = position(t, &Task::sibling_seq, [&](Id u) {
            return s.tasks[u].real_parent == ot.real_parent && s.is_leader(u);
        });
        nt.thread_seq = position(t, &Task::thread_seq, [&](Id u) { return s.tasks[u].proc == ot.proc; });
        nt.ptrace_seq = ot.ptraced ? position(t, &Task::ptrace_seq, [&](Id u) {
            return s.tasks[u].ptraced && s.tasks[u].parent == ot.parent;
        }) : uint16_t(0);
        max_pos = std::max({max_pos, nt.sibling_seq, nt.thread_seq, nt.ptrace_seq});
        nt.self_exec_id = exec_rank[nt.self_exec_id];
        nt.parent_exec_id = exec_rank[nt.parent_exec_id];
        if (proc_map[nt.proc] == kNone) {
            proc_map[nt.proc] = Id(o.procs.size());
            o.procs.push_back(s.procs[nt.proc]);
        }
        nt.proc = proc_map[nt.proc];
        if (nt.files != kNone) {
            if (table_map[nt.files] == kNone) {
                table_map[nt.files] = Id(o.fdtables.size());
                o.fdtables.push_back(s.fdtables[nt.files]);
            }
            nt.files = table_map[nt.files];
        }
        o.tasks.push_back(nt);
    }
    for (Task& nt : o.tasks) nt.pid = map_pid(nt.pid);
    for (FdTable& ft : o.fdtables)
        for (Fd& fd : ft.fds) fd.file = map_file(fd.file);
    for (File& f : o.files) f.pid = map_pid(f.pid);
    for (Task& nt : o.tasks) nt.wait.pid = map_pid(nt.wait.pid);
    for (Proc& pr : o.procs) {
        pr.autokill_file = map_file(pr.autokill_file);
        if (sh_map[pr.sighand] == kNone) {
            sh_map[pr.sighand] = Id(o.sighands.size());
            o.sighands.push_back(s.sighands[pr.sighand]);
        }
        pr.sighand = sh_map[pr.sighand];
    }
    o.next_pid_nr = int32_t(o.pids.size() + 1);
    o.next_seq = uint16_t(max_pos + 1);
}

/// The structural signature of a task: its own fields and its process's,
/// without references to other tasks, refined by its parents' signatures
/// (two rounds: parents and grandparents). Equal for tasks that a renaming can
/// exchange (it is a hash: unequal tasks may collide, which only costs extra
/// permutations, never exactness).
/// boost::hash_combine of every argument in turn (a fold: no initializer
/// list is built). The values, hence the task order, are those of the loop
/// over the same sequence that this replaced.
template <class... V>
void combine_all(std::size_t& h, V... v) {
    (boost::hash_combine(h, int(v)), ...);
}

std::size_t own_signature(const State& s, Id t) {
    const Task& x = s.tasks[t];
    const Proc& pr = s.procs[x.proc];
    const Sighand& sh = s.sighands[pr.sighand];
    std::size_t h = 0;
    combine_all(h, int(x.exit_state), int(x.step), int(x.exiting), int(x.ptraced), int(x.exit_signal),
                int(x.exit_code), int(x.pdeath_signal), int(x.nnp), int(x.cap_sys_admin), int(x.sigchld_pending),
                int(x.wait.active), int(x.wait.woken), int(x.wait.options), int(x.wait.idtype), int(s.is_leader(t)),
                int(pr.autoreap), int(pr.is_child_subreaper), int(pr.has_child_subreaper), int(pr.group_exit),
                int(pr.group_exit_code), int(pr.live), int(pr.sigchld_pending), int(sh.sigchld), int(sh.nocldwait),
                int(x.files == kNone ? -1 : int(s.fdtables[x.files].fds.size())), int(s.pids[x.pid].attr));
    return h;
}

/// Every task's signature after `rounds` refinements, each task's own
/// fields hashed once (the refinement reads the previous round's values of
/// its real parent and parent).
void signatures(const State& s, int rounds, Small<std::size_t>& out) {
    const std::size_t n = s.tasks.size();
    Small<std::size_t> own(n), prev;
    for (std::size_t t = 0; t < n; ++t) own[t] = own_signature(s, Id(t));
    out = own;
    for (int r = 0; r < rounds; ++r) {
        prev = out;
        for (std::size_t t = 0; t < n; ++t) {
            const Task& x = s.tasks[t];
            std::size_t h = own[t];
            boost::hash_combine(h, x.real_parent == kNone ? std::size_t(1) : prev[x.real_parent]);
            boost::hash_combine(h, x.parent == x.real_parent ? std::size_t(2) : prev[x.parent]);
            out[t] = h;
        }
    }
}

}  // namespace

std::string describe(const State& s) {
    std::string o;
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        const Task& x = s.tasks[t];
        const Proc& pr = s.procs[x.proc];
        const Sighand& sh = s.sighands[pr.sighand];
        o += "task " + std::to_string(t) + ": pid#" + std::to_string(x.pid) + " proc#" + std::to_string(x.proc) +
             " leader " + std::to_string(x.leader) + " real_parent " + std::to_string(x.real_parent) + " parent " +
             std::to_string(x.parent) + " " + to_string(x.exit_state) + " step " + to_string(x.step) +
             (x.exiting ? " exiting" : "") + (x.ptraced ? " traced" : "") + " exit_signal " +
             std::to_string(x.exit_signal) + " exit_code " + std::to_string(x.exit_code) + " seq " +
             std::to_string(x.sibling_seq) + "/" + std::to_string(x.thread_seq) + "/" + std::to_string(x.ptrace_seq) +
             " exec " + std::to_string(x.parent_exec_id) + "/" + std::to_string(x.self_exec_id) +
             (x.wait.active ? (x.wait.woken ? " wait(woken)" : " wait") : "") + " | autoreap " +
             std::to_string(pr.autoreap) + " sub " + std::to_string(pr.is_child_subreaper) +
             std::to_string(pr.has_child_subreaper) + " live " + std::to_string(pr.live) + " quick " +
             std::to_string(pr.quick_threads) + " group_exit " + std::to_string(pr.group_exit) + ":" +
             std::to_string(pr.group_exit_code) + " sigchld " + std::to_string(int(sh.sigchld)) +
             (sh.nocldwait ? "+NOCLDWAIT" : "") + (pr.sigchld_pending ? " PENDING" : "") + "\n";
    }
    for (Id f = 0; f < Id(s.files.size()); ++f)
        o += "file " + std::to_string(f) + ": pid#" + std::to_string(s.files[f].pid) + " refs " +
             std::to_string(s.files[f].refs) + (s.files[f].autokill ? " autokill" : "") + "\n";
    for (Id p = 0; p < Id(s.pids.size()); ++p)
        o += "pid#" + std::to_string(p) + ": task " + std::to_string(s.pids[p].task) + " attr " +
             std::to_string(int(s.pids[p].attr)) + (s.pids[p].exit_info ? " exit " + std::to_string(s.pids[p].exit_code) : "") + "\n";
    return o;
}

namespace {

/// Bytes [B, E) of a and b are equal: a constant-size memcmp, which the
/// compiler turns into a few loads and compares.
template <std::size_t B, std::size_t E, class T>
[[gnu::always_inline]] inline bool same_bytes(const T& a, const T& b) {
    static_assert(B < E && E <= sizeof(T));
    return std::memcmp(reinterpret_cast<const char*>(&a) + B, reinterpret_cast<const char*>(&b) + B, E - B) == 0;
}

// The layouts same_state compares: every byte but padding. A field added to
// one of these structs changes a size or an offset and fails here.
static_assert(sizeof(Task) == 44 && offsetof(Task, wait) == 32 && offsetof(Wait, nonblock_fd) == 6 &&
              offsetof(Wait, options) == 8 && sizeof(Wait) == 12);
static_assert(sizeof(Proc) == 16 && offsetof(Proc, group_exit) == 4 && offsetof(Proc, group_exit_code) == 6 &&
              offsetof(Proc, sighand) == 10 && offsetof(Proc, sigchld_pending) == 12 &&
              offsetof(Proc, autokill_file) == 14);
static_assert(sizeof(Pid) == 12 && offsetof(Pid, exit_code) == 8);
static_assert(sizeof(File) == 6 && sizeof(Sighand) == 3 && sizeof(Fd) == 4);

bool same(const Task& a, const Task& b) { return same_bytes<0, 39>(a, b) && same_bytes<40, 44>(a, b); }
bool same(const Proc& a, const Proc& b) {
    return same_bytes<0, 5>(a, b) && same_bytes<6, 13>(a, b) && same_bytes<14, 16>(a, b);
}
bool same(const Pid& a, const Pid& b) { return same_bytes<0, 10>(a, b); }
bool same(const File& a, const File& b) { return same_bytes<0, 6>(a, b); }
bool same(const Sighand& a, const Sighand& b) { return same_bytes<0, 3>(a, b); }
bool same(const FdTable& a, const FdTable& b) {
    if (a.users != b.users || a.fds.size() != b.fds.size()) return false;
    for (std::size_t i = 0; i < a.fds.size(); ++i)
        if (!same_bytes<0, 4>(a.fds[i], b.fds[i])) return false;
    return true;
}
template <class T>
bool same_table(const T& a, const T& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}

}  // namespace

bool same_state(const State& a, const State& b) {
    if (a.tasks.size() != b.tasks.size() || a.procs.size() != b.procs.size() ||
        a.sighands.size() != b.sighands.size() || a.pids.size() != b.pids.size() ||
        a.files.size() != b.files.size() || a.fdtables.size() != b.fdtables.size() ||
        a.next_pid_nr != b.next_pid_nr || a.next_seq != b.next_seq)
        return false;
    return same_table(a.tasks, b.tasks) && same_table(a.procs, b.procs) && same_table(a.pids, b.pids) &&
           same_table(a.files, b.files) && same_table(a.sighands, b.sighands) && same_table(a.fdtables, b.fdtables);
}

namespace {
std::string key_of(const std::vector<uint64_t>& w) {
    return std::string(reinterpret_cast<const char*>(w.data()), w.size() * sizeof(uint64_t));
}
}  // namespace

Canon compact_in_order(const State& s, const std::vector<Id>& order) {
    Canon c;
    rebuild(s, order, c.task_map, c.state);
    std::vector<uint64_t> w;
    pack_state(c.state, w);
    c.key = key_of(w);
    return c;
}

void canonicalize_into(const State& s, bool symmetry, State& out, std::vector<uint64_t>& words,
                       std::vector<Id>* task_map) {
    Small<Id> live;
    thread_local std::vector<Id> tm;   // task_map's scratch: no allocation per call
    for (Id t = 0; t < Id(s.tasks.size()); ++t)
        if (s.tasks[t].exit_state != ExitState::Released) live.push_back(t);
    if (!symmetry || live.size() <= 2) {
        rebuild(s, live, tm, out);
        pack_state(out, words);
        if (task_map) *task_map = tm;
        return;
    }
    // init (task 0) stays first: it is the namespace reaper, unlike any other.
    Small<std::size_t> task_sig;
    signatures(s, 2, task_sig);
    Small<std::pair<std::size_t, Id>> sig;
    for (std::size_t i = 1; i < live.size(); ++i) sig.emplace_back(task_sig[live[i]], live[i]);
    std::sort(sig.begin(), sig.end());
    // Groups of equal signature; every order within each group is tried.
    Small<std::pair<std::size_t, std::size_t>> groups;
    for (std::size_t i = 0; i < sig.size();) {
        std::size_t j = i;
        while (j < sig.size() && sig[j].first == sig[i].first) ++j;
        if (j - i > 1) groups.emplace_back(i, j);
        i = j;
    }
    Small<Id> order{live[0]};
    for (auto& [_, t] : sig) order.push_back(t);
    if (groups.empty()) {   // one order: nothing to compare
        rebuild(s, order, tm, out);
        pack_state(out, words);
        if (task_map) *task_map = tm;
        return;
    }
    // Enumerate the product of the groups' permutations (odometer); the
    // representative is the one whose packed words are least.
    Small<Small<Id>> perms;
    for (auto& [b, e] : groups) {
        Small<Id> g(order.begin() + 1 + b, order.begin() + 1 + e);
        std::sort(g.begin(), g.end());
        perms.push_back(g);
    }
    bool first = true;
    thread_local std::vector<uint64_t> cand_words;
    thread_local State cand;
    while (true) {
        for (std::size_t gi = 0; gi < groups.size(); ++gi)
            std::copy(perms[gi].begin(), perms[gi].end(), order.begin() + 1 + groups[gi].first);
        rebuild(s, order, tm, cand);
        pack_state(cand, cand_words);
        if (first || cand_words < words) {
            words.swap(cand_words);
            out = cand;
            if (task_map) *task_map = tm;
            first = false;
        }
        std::size_t gi = 0;
        while (gi < perms.size() && !std::next_permutation(perms[gi].begin(), perms[gi].end())) ++gi;
        if (gi == perms.size()) break;
    }
}

Canon canonicalize(const State& s, bool symmetry) {
    Canon c;
    std::vector<uint64_t> w;
    canonicalize_into(s, symmetry, c.state, w, &c.task_map);
    c.key = key_of(w);
    return c;
}

}  // namespace reapcheck::engine
