#include "checker/engine/pack.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace reapcheck::engine {

using namespace refimpl;

namespace {

using detail::kHighOptions;
using detail::kLowOptions;
using detail::s16;

class Writer {
public:
    explicit Writer(std::vector<uint64_t>& w) : w_(w) {
        w_.clear();
        w_.push_back(0);   // the word count, set by finish()
    }
    /// v must fit `bits` bits (bits < 64) as an unsigned value. The word
    /// being filled stays in a register (`cur_`) until it is full.
    [[gnu::always_inline]] void put(uint64_t v, unsigned bits, const char* what) {
        if (v >> bits) [[unlikely]]
            too_wide(bits, what);
        cur_ |= v << used_;   // used_ < 64
        used_ += bits;
        if (used_ < 64) return;
        w_.push_back(cur_);
        used_ -= 64;                                   // the bits of v that did not fit
        cur_ = used_ ? v >> (bits - used_) : 0;
    }
    [[noreturn]] static void too_wide(unsigned bits, const char* what) {
        throw std::logic_error(std::string("engine bug: the packed state's field ") + what + " does not fit " +
                               std::to_string(bits) + " bits");
    }
    /// An index or kNone (-1), stored as index + 1.
    void id(Id v, const char* what) { put(uint64_t(int64_t(v) + 1), 5, what); }
    /// The next field starts a new word.
    void align() {
        if (!used_) return;
        w_.push_back(cur_);
        cur_ = 0;
        used_ = 0;
    }
    void finish() {
        align();
        w_[0] = w_.size();
    }

private:
    std::vector<uint64_t>& w_;
    uint64_t cur_ = 0;
    unsigned used_ = 0;
};

class Reader {
public:
    explicit Reader(const std::vector<uint64_t>& w) : w_(w) {}
    /// bits < 64. Inlined: unpacking a state reads about a hundred fields.
    [[gnu::always_inline]] uint64_t get(unsigned bits) {
        const uint64_t mask = (uint64_t{1} << bits) - 1;
        if (used_ == 64) {
            next_word();
            used_ = bits;
            return w_[pos_] & mask;
        }
        uint64_t v = w_[pos_] >> used_;
        if (used_ + bits <= 64) {
            used_ += bits;
            return v & mask;
        }
        const unsigned low = 64 - used_;
        next_word();
        v |= w_[pos_] << low;
        used_ = bits - low;
        return v & mask;
    }
    void next_word() {
        if (++pos_ >= w_.size()) throw std::logic_error("engine bug: a packed state ends early");
    }
    [[gnu::always_inline]] Id id() { return Id(int64_t(get(5)) - 1); }
    void align() { used_ = 64; }
    /// The next field starts at word w.
    void seek(std::size_t w) {
        pos_ = w;
        used_ = 0;
        if (pos_ >= w_.size()) used_ = 64;   // nothing left: the next get() throws
    }

private:
    const std::vector<uint64_t>& w_;
    std::size_t pos_ = 0;
    unsigned used_ = 64;
};

/// Reads one task's words (the caller checked that they are there): the bit
/// position is a local that starts at 0, so inlined reads fold to constants.
struct TaskReader {
    const uint64_t* p;
    unsigned used = 0;
    [[gnu::always_inline]] uint64_t get(unsigned bits) {
        const uint64_t mask = (uint64_t{1} << bits) - 1;
        uint64_t v = *p >> used;
        if (used + bits < 64) {
            used += bits;
            return v & mask;
        }
        const unsigned low = 64 - used;
        ++p;
        if (low < bits) v |= *p << low;
        used = bits - low;
        return v & mask;
    }
    [[gnu::always_inline]] Id id() { return Id(int64_t(get(5)) - 1); }
};

int16_t from16(uint64_t v) { return int16_t(uint16_t(v)); }

}  // namespace

void pack_state_reference(const State& s, std::vector<uint64_t>& words) {
    Writer w(words);
    w.put(s.tasks.size(), 5, "task count");
    w.put(s.procs.size(), 5, "process count");
    w.put(s.sighands.size(), 5, "sighand count");
    w.put(s.pids.size(), 5, "pid count");
    w.put(s.files.size(), 5, "file count");
    w.put(s.fdtables.size(), 5, "fd table count");
    for (const Task& t : s.tasks) {
        w.align();
        w.id(t.pid, "task.pid");
        w.id(t.proc, "task.proc");
        w.id(t.files, "task.files");
        w.id(t.leader, "task.leader");
        w.id(t.real_parent, "task.real_parent");
        w.id(t.parent, "task.parent");
        w.put(t.sibling_seq, 5, "task.sibling_seq");
        w.put(t.ptrace_seq, 5, "task.ptrace_seq");
        w.put(t.thread_seq, 5, "task.thread_seq");
        w.put(s16(t.exit_code), 16, "task.exit_code");
        w.put(s16(t.exit_signal), 16, "task.exit_signal");
        w.put(uint8_t(t.pdeath_signal), 8, "task.pdeath_signal");
        w.put(t.parent_exec_id, 6, "task.parent_exec_id");
        w.put(t.self_exec_id, 6, "task.self_exec_id");
        w.put(uint64_t(t.exit_state), 3, "task.exit_state");
        w.put(uint64_t(t.step), 3, "task.step");
        w.put(t.exiting | t.ptraced << 1 | t.nnp << 2 | t.cap_sys_admin << 3 | t.sigchld_pending << 4, 5,
              "task flags");
        const Wait& x = t.wait;
        w.put(x.active | x.woken << 1 | x.waitid << 2 | x.nonblock_fd << 3, 4, "wait flags");
        w.put(x.idtype, 2, "wait.idtype");
        w.id(x.pid, "wait.pid");
        if (x.options & ~(kLowOptions | kHighOptions))
            throw std::logic_error("engine bug: a wait option outside the packed layout: " + std::to_string(x.options));
        w.put((x.options & kLowOptions) | (x.options >> 24) << 4, 12, "wait.options");
    }
    w.align();
    for (const Proc& p : s.procs) {
        w.put(p.autoreap | p.is_child_subreaper << 1 | p.has_child_subreaper << 2 | p.unkillable << 3 |
                  p.group_exit << 4 | p.sigchld_pending << 5,
              6, "process flags");
        w.put(s16(p.group_exit_code), 16, "proc.group_exit_code");
        w.put(uint8_t(p.live), 8, "proc.live");
        w.put(uint8_t(p.quick_threads), 8, "proc.quick_threads");
        w.id(p.sighand, "proc.sighand");
        w.id(p.autokill_file, "proc.autokill_file");
    }
    for (const Sighand& h : s.sighands) {
        w.put(uint64_t(h.sigchld), 2, "sighand.sigchld");
        w.put(h.nocldwait, 1, "sighand.nocldwait");
        w.put(uint8_t(h.users), 8, "sighand.users");
    }
    for (std::size_t i = 0; i < s.pids.size(); ++i) {
        const Pid& p = s.pids[i];
        if (p.nr != int32_t(i + 1)) throw std::logic_error("engine bug: packing a state that is not canonical");
        w.id(p.task, "pid.task");
        w.put(uint64_t(p.attr), 2, "pid.attr");
        w.put(p.exit_info, 1, "pid.exit_info");
        w.put(s16(p.exit_code), 16, "pid.exit_code");
    }
    for (const File& f : s.files) {
        w.id(f.pid, "file.pid");
        w.put(f.thread | f.nonblock << 1 | f.autokill << 2, 3, "file flags");
        w.put(uint8_t(f.refs), 8, "file.refs");
    }
    for (const FdTable& t : s.fdtables) {
        w.put(uint8_t(t.users), 8, "fdtable.users");
        w.put(t.fds.size(), 4, "fdtable size");
        for (const Fd& fd : t.fds) {
            w.put(s16(fd.nr), 16, "fd.nr");
            w.id(fd.file, "fd.file");
        }
    }
    w.finish();
}

namespace {

/// pack_view's view of a canonical State: its own objects.
struct StateView {
    const State& s;
    std::size_t tasks() const { return s.tasks.size(); }
    std::size_t procs() const { return s.procs.size(); }
    std::size_t sighands() const { return s.sighands.size(); }
    std::size_t pids() const { return s.pids.size(); }
    std::size_t files() const { return s.files.size(); }
    std::size_t fdtables() const { return s.fdtables.size(); }
    const Task& task(std::size_t i) const { return s.tasks[i]; }
    const Proc& proc(std::size_t i) const { return s.procs[i]; }
    const Sighand& sighand(std::size_t i) const { return s.sighands[i]; }
    const Pid& pid(std::size_t i) const { return s.pids[i]; }
    bool pid_numbered(std::size_t i) const { return s.pids[i].nr == int32_t(i + 1); }
    const File& file(std::size_t i) const { return s.files[i]; }
    const FdTable& fdtable(std::size_t i) const { return s.fdtables[i]; }
    std::size_t fds(std::size_t i) const { return s.fdtables[i].fds.size(); }
    const Fd& fd(std::size_t i, std::size_t k) const { return s.fdtables[i].fds[k]; }
};

}  // namespace

void pack_state(const State& s, std::vector<uint64_t>& words) {
    if (!detail::pack_view(StateView{s}, words)) [[unlikely]] {
        // a field that does not fit: the reference packer says which (and throws)
        pack_state_reference(s, words);
        throw std::logic_error("engine bug: the fast packing disagrees with the reference packing");
    }
}

State unpack_state(const std::vector<uint64_t>& words) {
    Reader r(words);
    State s;
    const auto nt = r.get(5), np = r.get(5), nsh = r.get(5), npid = r.get(5), nf = r.get(5), nft = r.get(5);
    uint16_t max_pos = 0;
    // Tasks: 3 words each from word 2 (pack_state's layout), each read by a
    // fresh TaskReader at bit 0, so that its shifts fold to constants.
    if (words.size() < 2 + 3 * nt) throw std::logic_error("engine bug: a packed state ends early");
    s.tasks.resize(nt);
    for (uint64_t i = 0; i < nt; ++i) {
        TaskReader tr{words.data() + 2 + 3 * i};
        Task& t = s.tasks[i];
        t.pid = tr.id();
        t.proc = tr.id();
        t.files = tr.id();
        t.leader = tr.id();
        t.real_parent = tr.id();
        t.parent = tr.id();
        t.sibling_seq = uint16_t(tr.get(5));
        t.ptrace_seq = uint16_t(tr.get(5));
        t.thread_seq = uint16_t(tr.get(5));
        max_pos = std::max({max_pos, t.sibling_seq, t.ptrace_seq, t.thread_seq});
        t.exit_code = from16(tr.get(16));
        t.exit_signal = from16(tr.get(16));
        t.pdeath_signal = int8_t(uint8_t(tr.get(8)));
        t.parent_exec_id = uint8_t(tr.get(6));
        t.self_exec_id = uint8_t(tr.get(6));
        t.exit_state = ExitState(tr.get(3));
        t.step = Step(tr.get(3));
        const auto fl = tr.get(5);
        t.exiting = fl & 1;
        t.ptraced = fl & 2;
        t.nnp = fl & 4;
        t.cap_sys_admin = fl & 8;
        t.sigchld_pending = fl & 16;
        const auto wf = tr.get(4);
        t.wait.active = wf & 1;
        t.wait.woken = wf & 2;
        t.wait.waitid = wf & 4;
        t.wait.nonblock_fd = wf & 8;
        t.wait.idtype = uint8_t(tr.get(2));
        t.wait.pid = tr.id();
        const auto o = uint32_t(tr.get(12));
        t.wait.options = (o & kLowOptions) | (o >> 4) << 24;
    }
    r.seek(2 + 3 * nt);
    for (uint64_t i = 0; i < np; ++i) {
        Proc p;
        const auto fl = r.get(6);
        p.autoreap = fl & 1;
        p.is_child_subreaper = fl & 2;
        p.has_child_subreaper = fl & 4;
        p.unkillable = fl & 8;
        p.group_exit = fl & 16;
        p.sigchld_pending = fl & 32;
        p.group_exit_code = from16(r.get(16));
        p.live = int8_t(uint8_t(r.get(8)));
        p.quick_threads = int8_t(uint8_t(r.get(8)));
        p.sighand = r.id();
        p.autokill_file = r.id();
        s.procs.push_back(p);
    }
    for (uint64_t i = 0; i < nsh; ++i) {
        Sighand h;
        h.sigchld = Handler(r.get(2));
        h.nocldwait = r.get(1);
        h.users = int8_t(uint8_t(r.get(8)));
        s.sighands.push_back(h);
    }
    for (uint64_t i = 0; i < npid; ++i) {
        Pid p;
        p.nr = int32_t(i + 1);
        p.task = r.id();
        p.attr = Attr(r.get(2));
        p.exit_info = r.get(1);
        p.exit_code = from16(r.get(16));
        s.pids.push_back(p);
    }
    for (uint64_t i = 0; i < nf; ++i) {
        File f;
        f.pid = r.id();
        const auto fl = r.get(3);
        f.thread = fl & 1;
        f.nonblock = fl & 2;
        f.autokill = fl & 4;
        f.refs = int8_t(uint8_t(r.get(8)));
        s.files.push_back(f);
    }
    for (uint64_t i = 0; i < nft; ++i) {
        FdTable t;
        t.users = int8_t(uint8_t(r.get(8)));
        const auto n = r.get(4);
        for (uint64_t k = 0; k < n; ++k) {
            Fd fd;
            fd.nr = from16(r.get(16));
            fd.file = r.id();
            t.fds.push_back(fd);
        }
        s.fdtables.push_back(std::move(t));
    }
    s.next_pid_nr = int32_t(npid + 1);
    s.next_seq = uint16_t(max_pos + 1);
    return s;
}

}  // namespace reapcheck::engine
