// A lossless fixed-width bit packing of canonical refimpl states (the output
// of canonicalize: compacted, pids numbered in order, list positions and exec
// ids compressed to ranks), the form in which the explicit engine stores
// states and keeps its frontier (checker/explicit/).
//
// Word 0 holds the number of words. Every task then starts on a word of its
// own (so a task that a transition leaves alone packs to the same words and
// its subtree in the tree store is shared); the processes, sighands, pids,
// files and descriptor tables follow in one stream. Fields that canonical
// states derive (pid numbers, next_pid_nr, next_seq) are not stored.
// A value that does not fit its field throws std::logic_error: the packing
// never loses information silently.
#pragma once

#include <cstdint>
#include <vector>

#include "refimpl/state.hpp"

namespace reapcheck::engine {

/// Packs a canonical state. require: s is canonical (canonicalize's output).
void pack_state(const refimpl::State& s, std::vector<uint64_t>& words);
/// pack_state as a plain field-by-field bit writer that checks each field as
/// it goes: the reference that pack_state must equal word for word (tested),
/// and the path that names the field when a value does not fit.
void pack_state_reference(const refimpl::State& s, std::vector<uint64_t>& words);
/// The inverse of pack_state.
refimpl::State unpack_state(const std::vector<uint64_t>& words);

namespace detail {

// wait options the model uses: WNOHANG, WUNTRACED, WEXITED, WCONTINUED (bits
// 0-3) and WNOWAIT, __WNOTHREAD, __WALL, __WCLONE (bits 24, 29, 30, 31).
inline constexpr uint32_t kLowOptions = 0xF, kHighOptions = 0xFF000000;
inline uint64_t s16(int v) { return uint64_t(uint16_t(int16_t(v))); }

/// The fast bit writer: the same bit stream as pack_state_reference's, into
/// a buffer sized beforehand (no push_back), and no check per field: every
/// field's overflow bits are or-ed into `bad`. Within a task (which starts on
/// a word of its own) a fresh Acc starts at bit 0, so the compiler folds
/// every shift and word boundary of the task's layout to constants.
struct Acc {
    uint64_t*& out;
    uint64_t& bad;
    uint64_t cur = 0;
    unsigned used = 0;
    [[gnu::always_inline]] void put(uint64_t v, unsigned bits) {
        bad |= v >> bits;
        cur |= v << used;
        used += bits;
        if (used < 64) return;
        *out++ = cur;
        used -= 64;
        cur = used ? v >> (bits - used) : 0;
    }
    [[gnu::always_inline]] void id(refimpl::Id v) { put(uint64_t(int64_t(v) + 1), 5); }
    [[gnu::always_inline]] void flush() {
        if (used) *out++ = cur;
        cur = 0;
        used = 0;
    }
};

/// pack_state's layout, written from a view of a canonical state: v gives
/// the tables' sizes and each object as the canonical state holds it
/// (tasks(), task(i), ..., fds(i), fd(i, k), pid_numbered(i)). pack_state
/// views a State; canonicalisation views a state through its renaming
/// without building the renamed copy (canon.cpp). false when a value does
/// not fit its field (words are then meaningless).
template <class V>
bool pack_view(const V& v, std::vector<uint64_t>& words) {
    using namespace refimpl;
    // The exact length: word 0, the header's word, 3 words a task (131
    // bits), then the stream of the other tables (bits per object below).
    uint64_t stream = v.procs() * 48 + v.sighands() * 11 + v.pids() * 24 + v.files() * 16;
    for (std::size_t i = 0; i < v.fdtables(); ++i) stream += 12 + v.fds(i) * 21;
    const std::size_t n = 2 + v.tasks() * 3 + std::size_t((stream + 63) / 64);
    words.resize(n);
    uint64_t* out = words.data() + 1;
    uint64_t bad = 0;
    {
        Acc w{out, bad};
        w.put(v.tasks(), 5);
        w.put(v.procs(), 5);
        w.put(v.sighands(), 5);
        w.put(v.pids(), 5);
        w.put(v.files(), 5);
        w.put(v.fdtables(), 5);
        w.flush();
    }
    for (std::size_t i = 0; i < v.tasks(); ++i) {
        const Task& t = v.task(i);
        Acc w{out, bad};
        w.id(t.pid);
        w.id(t.proc);
        w.id(t.files);
        w.id(t.leader);
        w.id(t.real_parent);
        w.id(t.parent);
        w.put(t.sibling_seq, 5);
        w.put(t.ptrace_seq, 5);
        w.put(t.thread_seq, 5);
        w.put(s16(t.exit_code), 16);
        w.put(s16(t.exit_signal), 16);
        w.put(uint8_t(t.pdeath_signal), 8);
        w.put(t.parent_exec_id, 6);
        w.put(t.self_exec_id, 6);
        w.put(uint64_t(t.exit_state), 3);
        w.put(uint64_t(t.step), 3);
        w.put(uint64_t(t.exiting) | uint64_t(t.ptraced) << 1 | uint64_t(t.nnp) << 2 | uint64_t(t.cap_sys_admin) << 3 |
                  uint64_t(t.sigchld_pending) << 4,
              5);
        const Wait& x = t.wait;
        w.put(uint64_t(x.active) | uint64_t(x.woken) << 1 | uint64_t(x.waitid) << 2 | uint64_t(x.nonblock_fd) << 3, 4);
        w.put(x.idtype, 2);
        w.id(x.pid);
        bad |= x.options & ~(kLowOptions | kHighOptions);
        w.put((x.options & kLowOptions) | (x.options >> 24) << 4, 12);
        w.flush();
    }
    Acc w{out, bad};
    for (std::size_t i = 0; i < v.procs(); ++i) {
        const Proc& p = v.proc(i);
        w.put(uint64_t(p.autoreap) | uint64_t(p.is_child_subreaper) << 1 | uint64_t(p.has_child_subreaper) << 2 |
                  uint64_t(p.unkillable) << 3 | uint64_t(p.group_exit) << 4 | uint64_t(p.sigchld_pending) << 5,
              6);
        w.put(s16(p.group_exit_code), 16);
        w.put(uint8_t(p.live), 8);
        w.put(uint8_t(p.quick_threads), 8);
        w.id(p.sighand);
        w.id(p.autokill_file);
    }
    for (std::size_t i = 0; i < v.sighands(); ++i) {
        const Sighand& h = v.sighand(i);
        w.put(uint64_t(h.sigchld), 2);
        w.put(h.nocldwait, 1);
        w.put(uint8_t(h.users), 8);
    }
    for (std::size_t i = 0; i < v.pids(); ++i) {
        const Pid& p = v.pid(i);
        bad |= uint64_t(!v.pid_numbered(i));
        w.id(p.task);
        w.put(uint64_t(p.attr), 2);
        w.put(p.exit_info, 1);
        w.put(s16(p.exit_code), 16);
    }
    for (std::size_t i = 0; i < v.files(); ++i) {
        const File& f = v.file(i);
        w.id(f.pid);
        w.put(uint64_t(f.thread) | uint64_t(f.nonblock) << 1 | uint64_t(f.autokill) << 2, 3);
        w.put(uint8_t(f.refs), 8);
    }
    for (std::size_t i = 0; i < v.fdtables(); ++i) {
        w.put(uint8_t(v.fdtable(i).users), 8);
        w.put(v.fds(i), 4);
        for (std::size_t k = 0; k < v.fds(i); ++k) {
            const Fd& fd = v.fd(i, k);
            w.put(s16(fd.nr), 16);
            w.id(fd.file);
        }
    }
    w.flush();
    words[0] = n;
    return !bad && out == words.data() + n;
}

}  // namespace detail

}  // namespace reapcheck::engine
