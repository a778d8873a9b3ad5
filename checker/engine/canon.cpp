#include "checker/engine/canon.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <boost/container/small_vector.hpp>
#include <boost/container_hash/hash.hpp>
#include <numeric>
#include <stdexcept>

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
        unsigned r = 0;
        for (unsigned w = 0; w < unsigned(x >> 6); ++w) r += ones(bits[w]);
        r += ones(bits[x >> 6] & ((uint64_t{1} << (x & 63)) - 1));
        return uint8_t(r);
    }
    /// std::popcount inline: without -mpopcnt it is a call into libgcc.
    static unsigned ones(uint64_t v) {
        v = v - ((v >> 1) & 0x5555555555555555);
        v = (v & 0x3333333333333333) + ((v >> 2) & 0x3333333333333333);
        v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0f;
        return unsigned((v * 0x0101010101010101) >> 56);
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
    Id operator[](Id i) const { return p_[i]; }

private:
    static constexpr std::size_t kInline = 32;
    Id inline_[kInline];
    std::vector<Id> heap_;
    Id* p_ = inline_;
};

/// A sequence of indices, inline up to 32 (a few tasks' tables), on the
/// heap beyond; push_back inlined.
class IdSeq {
public:
    IdSeq() = default;
    IdSeq(const IdSeq&) = delete;
    IdSeq& operator=(const IdSeq&) = delete;
    [[gnu::always_inline]] void push_back(Id v) {
        if (n_ == cap_) [[unlikely]]
            grow();
        p_[n_++] = v;
    }
    std::size_t size() const { return n_; }
    Id operator[](std::size_t i) const { return p_[i]; }
    const Id* begin() const { return p_; }
    const Id* end() const { return p_ + n_; }

private:
    void grow() {
        heap_.assign(p_, p_ + n_);
        heap_.resize(cap_ * 2);
        p_ = heap_.data();
        cap_ *= 2;
    }
    static constexpr std::size_t kInline = 32;
    Id inline_[kInline];
    std::vector<Id> heap_;
    Id* p_ = inline_;
    std::size_t n_ = 0, cap_ = kInline;
};

/// The canonical renaming of `s` keeping the tasks in `order` (input
/// indices), every object renumbered in order of first reference, seen
/// through maps: task(i), proc(i), ... give the objects the renamed state
/// holds, without building it. pack_view packs it straight into words (the
/// explorer's successors); rebuild() materialises it as a State. Both are
/// this one renaming, so the packed key is the key of the rebuilt state.
///
/// Objects are numbered as follows (the order fixes the canonical form): the
/// processes and descriptor tables in order of the tasks that use them; the
/// pids by the tasks' pids, then the files of the tables (in table order),
/// then the waits' pids; the files by the tables' descriptors (in order),
/// then the processes' AUTOKILL files; the sighands in process order. A
/// file first referenced as an AUTOKILL file keeps its pid index unmapped
/// (as the State-building renaming always did; the form stays the same
/// function of the state). A file without references (refs 0) is dropped
/// (kNone); so are released tasks not in `order`.
class Renaming {
public:
    template <class Order>
    Renaming(const State& s, const Order& order)
        : s_(s), task_map_(s.tasks.size()), proc_map_(s.procs.size()), sh_map_(s.sighands.size()),
          pid_map_(s.pids.size()), file_map_(s.files.size()), table_map_(s.fdtables.size()) {
        for (std::size_t i = 0; i < order.size(); ++i) {
            const Id t = order[i];
            order_.push_back(t);
            task_map_[t] = Id(i);
            const Task& x = s.tasks[t];
            exec_rank_.add(x.self_exec_id);
            exec_rank_.add(x.parent_exec_id);
            if (proc_map_[x.proc] == kNone) {
                proc_map_[x.proc] = Id(procs_.size());
                procs_.push_back(x.proc);
            }
            if (x.files != kNone && table_map_[x.files] == kNone) {
                table_map_[x.files] = Id(tables_.size());
                tables_.push_back(x.files);
            }
        }
        for (Id t : order_) map_pid(s.tasks[t].pid);
        for (Id tb : tables_)
            for (const Fd& fd : s.fdtables[tb].fds) map_file(fd.file);
        fd_files_ = files_.size();
        for (Id f : files_) map_pid(s.files[f].pid);
        for (Id t : order_) map_pid(s.tasks[t].wait.pid);
        for (Id p : procs_) {
            map_file(s.procs[p].autokill_file);
            const Id sh = s.procs[p].sighand;
            if (sh_map_[sh] == kNone) {
                sh_map_[sh] = Id(shs_.size());
                shs_.push_back(sh);
            }
        }
    }
    Renaming(const Renaming&) = delete;
    Renaming& operator=(const Renaming&) = delete;

    // the view pack_view reads
    std::size_t tasks() const { return order_.size(); }
    std::size_t procs() const { return procs_.size(); }
    std::size_t sighands() const { return shs_.size(); }
    std::size_t pids() const { return pids_.size(); }
    std::size_t files() const { return files_.size(); }
    std::size_t fdtables() const { return tables_.size(); }
    Task task(std::size_t i) const {
        const Id t = order_[i];
        const Task& ot = s_.tasks[t];
        Task nt = ot;
        nt.pid = pid_of(ot.pid);
        nt.proc = proc_map_[ot.proc];
        nt.files = ot.files == kNone ? kNone : table_map_[ot.files];
        nt.leader = task_map_[ot.leader];
        nt.real_parent = ot.real_parent == kNone ? kNone : task_map_[ot.real_parent];
        nt.parent = ot.parent == kNone ? kNone : task_map_[ot.parent];
        nt.sibling_seq = sibling_pos(t);
        nt.thread_seq = thread_pos(t);
        nt.ptrace_seq = ot.ptraced ? ptrace_pos(t) : uint16_t(0);
        nt.self_exec_id = exec_rank_[ot.self_exec_id];
        nt.parent_exec_id = exec_rank_[ot.parent_exec_id];
        nt.wait.pid = pid_of(ot.wait.pid);
        return nt;
    }
    Proc proc(std::size_t i) const {
        Proc p = s_.procs[procs_[i]];
        p.autokill_file = file_of(p.autokill_file);
        p.sighand = sh_map_[p.sighand];
        return p;
    }
    const Sighand& sighand(std::size_t i) const { return s_.sighands[shs_[i]]; }
    Pid pid(std::size_t i) const {
        Pid p = s_.pids[pids_[i]];
        p.nr = int32_t(i + 1);
        p.task = p.task == kNone ? kNone : task_map_[p.task];
        return p;
    }
    static bool pid_numbered(std::size_t) { return true; }
    File file(std::size_t i) const {
        File f = s_.files[files_[i]];
        if (i < fd_files_) f.pid = pid_of(f.pid);
        return f;
    }
    const FdTable& fdtable(std::size_t i) const { return s_.fdtables[tables_[i]]; }
    std::size_t fds(std::size_t i) const { return s_.fdtables[tables_[i]].fds.size(); }
    Fd fd(std::size_t i, std::size_t k) const {
        Fd fd = s_.fdtables[tables_[i]].fds[k];
        fd.file = file_of(fd.file);
        return fd;
    }

    /// Input task index -> index in the renamed state (kNone: dropped).
    void task_map(std::vector<Id>& out) const {
        out.resize(s_.tasks.size());
        for (std::size_t t = 0; t < s_.tasks.size(); ++t) out[t] = task_map_[Id(t)];
    }
    /// The largest list position of the renamed tasks.
    uint16_t max_pos() const {
        uint16_t m = 0;
        for (Id t : order_)
            m = std::max({m, sibling_pos(t), thread_pos(t), s_.tasks[t].ptraced ? ptrace_pos(t) : uint16_t(0)});
        return m;
    }

private:
    void map_pid(Id p) {
        if (p == kNone || pid_map_[p] != kNone) return;
        pid_map_[p] = Id(pids_.size());
        pids_.push_back(p);
    }
    void map_file(Id f) {
        if (f == kNone || s_.files[f].refs == 0 || file_map_[f] != kNone) return;
        file_map_[f] = Id(files_.size());
        files_.push_back(f);
    }
    Id pid_of(Id p) const { return p == kNone ? kNone : pid_map_[p]; }
    Id file_of(Id f) const { return f == kNone || s_.files[f].refs == 0 ? kNone : file_map_[f]; }
    // List positions keep only their order within their own list (a
    // parent's children, a tracer's tracees, a group's threads); 0 means "on
    // no such list". Exec ids keep only equality and order across all tasks.
    template <class Same>
    uint16_t position(Id t, uint16_t Task::*seq, Same same_list) const {
        const uint16_t v = s_.tasks[t].*seq;
        if (!v) return 0;
        uint16_t pos = 1;
        for (Id u : order_)
            if (u != t && s_.tasks[u].*seq && s_.tasks[u].*seq < v && same_list(u)) ++pos;
        return pos;
    }
    uint16_t sibling_pos(Id t) const {
        const Task& ot = s_.tasks[t];
        return position(t, &Task::sibling_seq,
                        [&](Id u) { return s_.tasks[u].real_parent == ot.real_parent && s_.is_leader(u); });
    }
    uint16_t thread_pos(Id t) const {
        const Task& ot = s_.tasks[t];
        return position(t, &Task::thread_seq, [&](Id u) { return s_.tasks[u].proc == ot.proc; });
    }
    uint16_t ptrace_pos(Id t) const {
        const Task& ot = s_.tasks[t];
        return position(t, &Task::ptrace_seq,
                        [&](Id u) { return s_.tasks[u].ptraced && s_.tasks[u].parent == ot.parent; });
    }

    const State& s_;
    IdMap task_map_, proc_map_, sh_map_, pid_map_, file_map_, table_map_;
    IdSeq order_, procs_, shs_, pids_, files_, tables_;   // input indices in renamed order
    std::size_t fd_files_ = 0;   ///< files_ first referenced by a descriptor (the rest: AUTOKILL files)
    ExecRanks exec_rank_;
};

/// The renamed state as a State, written into `o` in place (its tables keep
/// their storage: no State is built and moved per canonicalisation); `o`
/// must not be `s`.
template <class Order>
void rebuild(const State& s, const Order& order, std::vector<Id>& task_map, State& o) {
    const Renaming r(s, order);
    o.tasks.clear();
    o.procs.clear();
    o.sighands.clear();
    o.pids.clear();
    o.files.clear();
    o.fdtables.clear();
    for (std::size_t i = 0; i < r.tasks(); ++i) o.tasks.push_back(r.task(i));
    for (std::size_t i = 0; i < r.procs(); ++i) o.procs.push_back(r.proc(i));
    for (std::size_t i = 0; i < r.sighands(); ++i) o.sighands.push_back(r.sighand(i));
    for (std::size_t i = 0; i < r.pids(); ++i) o.pids.push_back(r.pid(i));
    for (std::size_t i = 0; i < r.files(); ++i) o.files.push_back(r.file(i));
    for (std::size_t i = 0; i < r.fdtables(); ++i) {
        FdTable& ft = o.fdtables.emplace_back();
        ft.users = r.fdtable(i).users;
        for (std::size_t k = 0; k < r.fds(i); ++k) ft.fds.push_back(r.fd(i, k));
    }
    r.task_map(task_map);
    o.next_pid_nr = int32_t(o.pids.size() + 1);
    o.next_seq = uint16_t(r.max_pos() + 1);
}

/// Bytes [B, E) of a and b are equal: 8-byte loads xor-ed together (the
/// last one overlapping the one before it), which the compiler inlines for
/// the constant sizes below; a constant-size memcmp of more than a few
/// bytes stayed a call into libc.
template <std::size_t B, std::size_t E, class T>
[[gnu::always_inline]] inline bool same_bytes(const T& a, const T& b) {
    static_assert(B < E && E <= sizeof(T));
    constexpr std::size_t n = E - B;
    const char* pa = reinterpret_cast<const char*>(&a) + B;
    const char* pb = reinterpret_cast<const char*>(&b) + B;
    auto load = [](const char* p, auto word) {
        decltype(word) x;
        std::memcpy(&x, p, sizeof x);
        return x;
    };
    if constexpr (n >= 8) {
        uint64_t diff = 0;
        for (std::size_t i = 0; i + 8 <= n; i += 8) diff |= load(pa + i, uint64_t{}) ^ load(pb + i, uint64_t{});
        if constexpr (n % 8 != 0) diff |= load(pa + n - 8, uint64_t{}) ^ load(pb + n - 8, uint64_t{});
        return diff == 0;
    } else if constexpr (n >= 4) {
        return ((load(pa, uint32_t{}) ^ load(pb, uint32_t{})) |
                (load(pa + n - 4, uint32_t{}) ^ load(pb + n - 4, uint32_t{}))) == 0;
    } else {
        return std::memcmp(pa, pb, n) == 0;
    }
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

/// own_signature(s, t) through a per-thread cache of the last inputs and
/// value at each task index: the explorer canonicalises the successors of
/// one state in turn, which share some of their tasks (a transition changes
/// one or two), and comparing a task's inputs is a few loads where hashing
/// them is some thirty combines. The inputs are everything own_signature
/// reads: the task (whose index fixes is_leader), its process, sighand,
/// descriptor count and pid attr. (At depth 4 about half the calls hit; a
/// second entry per index, kept for the expanded state's own version, hit
/// little more and cost more than it saved.)
std::size_t own_signature_cached(const State& s, Id t) {
    struct Entry {
        bool valid = false;
        Task task;
        Proc proc;
        Sighand sh;
        int fds = 0;
        Attr attr{};
        std::size_t h = 0;
    };
    thread_local std::vector<Entry> cache;
    if (cache.size() <= std::size_t(t)) cache.resize(std::size_t(t) + 1);
    Entry& e = cache[std::size_t(t)];
    const Task& x = s.tasks[t];
    const Proc& pr = s.procs[x.proc];
    const Sighand& sh = s.sighands[pr.sighand];
    const int fds = x.files == kNone ? -1 : int(s.fdtables[x.files].fds.size());
    const Attr attr = s.pids[x.pid].attr;
    if (e.valid && e.fds == fds && e.attr == attr && same(e.task, x) && same(e.proc, pr) && same(e.sh, sh)) return e.h;
    e.valid = true;
    e.task = x;
    e.proc = pr;
    e.sh = sh;
    e.fds = fds;
    e.attr = attr;
    e.h = own_signature(s, t);
    return e.h;
}

/// Every task's signature after `rounds` refinements, each task's own
/// fields hashed once (the refinement reads the previous round's values of
/// its real parent and parent).
void signatures(const State& s, int rounds, Small<std::size_t>& out) {
    const std::size_t n = s.tasks.size();
    Small<std::size_t> own(n), prev(n);
    for (std::size_t t = 0; t < n; ++t) own[t] = own_signature_cached(s, Id(t));
    out.assign(own.begin(), own.end());
    for (int r = 0; r < rounds; ++r) {
        std::copy(out.begin(), out.end(), prev.begin());
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

namespace {

/// The canonical order(s) of s's tasks: f(order) for each order to try, in
/// a fixed sequence; the canonical form is the one whose packed words are
/// least (with one order, that one). Released tasks are left out.
template <class F>
void candidate_orders(const State& s, bool symmetry, F&& f) {
    Small<Id> live;
    for (Id t = 0; t < Id(s.tasks.size()); ++t)
        if (s.tasks[t].exit_state != ExitState::Released) live.push_back(t);
    if (!symmetry || live.size() <= 2) return f(live);
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
    if (groups.empty()) return f(order);   // one order: nothing to compare
    // Enumerate the product of the groups' permutations (odometer).
    Small<Small<Id>> perms;
    for (auto& [b, e] : groups) {
        Small<Id> g(order.begin() + 1 + b, order.begin() + 1 + e);
        std::sort(g.begin(), g.end());
        perms.push_back(g);
    }
    while (true) {
        for (std::size_t gi = 0; gi < groups.size(); ++gi)
            std::copy(perms[gi].begin(), perms[gi].end(), order.begin() + 1 + groups[gi].first);
        f(order);
        std::size_t gi = 0;
        while (gi < perms.size() && !std::next_permutation(perms[gi].begin(), perms[gi].end())) ++gi;
        if (gi == perms.size()) break;
    }
}

}  // namespace

void canonicalize_into(const State& s, bool symmetry, State& out, std::vector<uint64_t>& words,
                       std::vector<Id>* task_map) {
    thread_local std::vector<Id> tm;   // task_map's scratch: no allocation per call
    thread_local std::vector<uint64_t> cand_words;
    thread_local State cand;
    bool first = true;
    candidate_orders(s, symmetry, [&](const Small<Id>& order) {
        if (first) {   // straight into the caller's state and words
            rebuild(s, order, tm, out);
            pack_state(out, words);
            if (task_map) *task_map = tm;
            first = false;
            return;
        }
        rebuild(s, order, tm, cand);
        pack_state(cand, cand_words);
        if (cand_words < words) {
            words.swap(cand_words);
            out = cand;
            if (task_map) *task_map = tm;
        }
    });
}

void canonical_words(const State& s, bool symmetry, std::vector<uint64_t>& words) {
    thread_local std::vector<uint64_t> cand_words;
    bool first = true;
    candidate_orders(s, symmetry, [&](const Small<Id>& order) {
        const Renaming r(s, order);
        std::vector<uint64_t>& w = first ? words : cand_words;
        if (!detail::pack_view(r, w)) [[unlikely]] {
            // a value that does not fit: the State path names it (and throws)
            State o;
            std::vector<Id> tm;
            rebuild(s, order, tm, o);
            pack_state(o, w);
            throw std::logic_error("engine bug: packing the renamed view disagrees with packing the renamed state");
        }
        if (!first && cand_words < words) words.swap(cand_words);
        first = false;
    });
}

Canon canonicalize(const State& s, bool symmetry) {
    Canon c;
    std::vector<uint64_t> w;
    canonicalize_into(s, symmetry, c.state, w, &c.task_map);
    c.key = key_of(w);
    return c;
}

}  // namespace reapcheck::engine
