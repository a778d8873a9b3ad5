#include "model/symbolic.hpp"

#include <functional>
#include <unordered_map>
#include <iterator>

namespace reapcheck::model {

namespace {

using z3::expr;
constexpr int kEPERM = 1, kESRCH = 3, kECHILD = 10, kEINVAL = 22, kSIGCHLD = 17, kSIGKILL = 9;

// Pointers to the fields of SymSlot, for the generic helpers below, in
// declaration order (the groups are named after the lists).
using Field = expr SymSlot::*;
const Field kFields[] = {&SymSlot::st,      &SymSlot::nr,        &SymSlot::rp,       &SymSlot::par,
                         &SymSlot::ptraced, &SymSlot::sib,       &SymSlot::pseq,     &SymSlot::esig,
                         &SymSlot::code,    &SymSlot::autoreap,  &SymSlot::is_sub,   &SymSlot::has_sub,
                         &SymSlot::ign,     &SymSlot::nocldwait, &SymSlot::pending,  &SymSlot::fd,
                         &SymSlot::attr,    &SymSlot::info,      &SymSlot::info_code, &SymSlot::wact,
                         &SymSlot::woken,   &SymSlot::wall,      &SymSlot::ldr,      &SymSlot::gx,
                         &SymSlot::gcode,   &SymSlot::sxid,      &SymSlot::pxid,      &SymSlot::ak,        &SymSlot::nocap};
const char* const kFieldNames[] = {"st",       "nr",     "rp",     "par",     "ptraced",   "sib",
                                   "pseq",     "esig",   "code",   "autoreap", "is_sub",   "has_sub",
                                   "ign",      "nocldwait", "pending", "fd",    "attr",     "info",
                                   "info_code", "wact",  "woken",  "wall",    "ldr",      "gx",
                                   "gcode",    "sxid",   "pxid",   "ak",     "nocap"};
constexpr bool kFieldIsBool[] = {false, false, false, false, true,  false, false, true,  false,
                                 true,  true,  true,  true,  true,  true,  false, false, true,
                                 false, true,  true,  true,  false, true,  false, false, false,
                                 true,  true};
constexpr std::size_t kFieldCount = sizeof(kFields) / sizeof(kFields[0]);
static_assert(kFieldCount == 29, "kFields lists SymSlot's fields in declaration order");
// kFields[kThreadFirst, kThreadFirst + 3) are the thread fields; then the
// exec fields sxid, pxid (Features::exec), ak (Features::autokill) and nocap
// (Features::capset). Each group is a variable only with its switch;
// otherwise a constant (kNoSlot, false, 0).
constexpr std::size_t kThreadFirst = 22, kExecFirst = 25, kAkField = 27, kNocapField = 28;

/// The value of `field` of the slot `idx` refers to (`dflt` for no slot).
expr get(const SymWorld& w, const expr& idx, Field field, const expr& dflt) {
    expr out = dflt;
    for (int k = int(w.slot.size()) - 1; k >= 0; --k) out = z3::ite(idx == k, w.slot[k].*field, out);
    return out;
}

void set(expr& x, const expr& guard, const expr& value) { x = z3::ite(guard, value, x); }

/// The world transformer: the update of one action written against a mutable
/// copy of the pre-state, in the order of the refimpl function it mirrors.
class Updater {
public:
    Updater(const SymModel& m, const SymWorld& pre)
        : m_(m), c_(m.ctx()), thr_(m.threads()), ak_(m.features().autokill), cap_(m.features().capset), w(pre),
          ev(no_events(m)) {}

    static SymEvents no_events(const SymModel& m) {
        SymEvents e;
        z3::context& c = m.ctx();
        for (int k = 0; k < m.slots(); ++k) {
            e.ntf.push_back(c.bool_val(false));
            e.ntf_to.push_back(c.int_val(kNoSlot));
            e.ntf_sig.push_back(c.bool_val(false));
            e.ntf_self.push_back(c.bool_val(false));
            e.ntf_traced.push_back(c.bool_val(false));
            e.rep.push_back(c.bool_val(false));
            e.rep_from.push_back(c.int_val(kNoSlot));
            e.rep_to.push_back(c.int_val(kNoSlot));
            e.reaped.push_back(c.bool_val(false));
            e.reaper.push_back(c.int_val(kNoSlot));
            e.autokill.push_back(c.bool_val(false));
            e.nowait.push_back(c.bool_val(false));
        }
        return e;
    }

    /// A case only threads reach (kill alone has the group fields too).
    void cover_thr(const std::string& name, const expr& g) {
        if (m_.features().threads > 1) cover(name, g);
    }
    /// Records an update case (see SymStep::cases) taken under `g`.
    void cover(const std::string& name, const expr& g) {
        for (auto& [n, guard] : cases)
            if (n == name) {
                guard = guard || g;
                return;
            }
        cases.emplace_back(name, g);
    }

    expr num(int v) const { return c_.int_val(v); }
    expr tt() const { return c_.bool_val(true); }
    expr ff() const { return c_.bool_val(false); }
    int n() const { return int(w.slot.size()); }

    expr linked(int k) const {
        const expr& st = w.slot[k].st;
        if (thr_) return (st >= kRun && st <= kDeadU) || st == kKilled;
        return st >= kRun && st <= kDeadU;
    }
    expr dead(int k) const { return w.slot[k].st == kDeadP || w.slot[k].st == kDeadU; }
    expr can_act(int t) const { return w.slot[t].st == kRun && !w.slot[t].wact; }

    // ---- thread groups (constants without threads) -------------------------------
    // A slot's group is named by its leader's slot: ldr for a thread, itself
    // for a leader (ldr == kNoSlot).

    /// The leader slot of slot k (thread_group_leader).
    expr lead(int k) const { return thr_ ? z3::ite(w.slot[k].ldr == kNoSlot, num(k), w.slot[k].ldr) : num(k); }
    /// The leader slot of the slot reference x (kNoSlot for none).
    expr lead_of(const expr& x) const {
        if (!thr_) return x;
        expr out = num(kNoSlot);
        for (int k = n() - 1; k >= 0; --k) out = z3::ite(x == k, lead(k), out);
        return out;
    }
    expr is_leader(int k) const { return thr_ ? w.slot[k].ldr == kNoSlot : tt(); }
    /// same_thread_group(x, k) for a slot reference x (false for none).
    expr same_group(const expr& x, int k) const { return thr_ ? lead_of(x) == lead(k) : x == k; }
    /// Slot j is a listed thread of k's group (j == k: always).
    expr in_group(int j, int k) const {
        if (j == k) return tt();
        if (!thr_) return ff();
        return linked(j) && lead(j) == lead(k);
    }
    /// thread_group_empty(k): no other thread of k's group is listed.
    expr group_empty(int k) const {
        if (!thr_) return tt();
        expr any = ff();
        for (int j = 0; j < n(); ++j)
            if (j != k) any = any || in_group(j, k);
        return !any;
    }
    /// delay_group_leader(k).
    expr delayed(int k) const { return thr_ ? is_leader(k) && !group_empty(k) : ff(); }
    /// Not PF_EXITING (a zapped thread has not reached do_exit yet).
    expr alive(int k) const { return thr_ ? w.slot[k].st == kRun || w.slot[k].st == kKilled : w.slot[k].st == kRun; }
    /// find_alive_thread(k) (kernel/exit.c): the first thread of k's group
    /// without PF_EXITING, leader first; kNoSlot when none.
    expr find_alive_thread(int k) const {
        if (!thr_) return z3::ite(alive(k), num(k), num(kNoSlot));
        expr out = num(kNoSlot);
        for (int j = n() - 1; j >= 0; --j) out = z3::ite(in_group(j, k) && !is_leader(j) && alive(j), num(j), out);
        for (int j = n() - 1; j >= 0; --j) out = z3::ite(in_group(j, k) && is_leader(j) && alive(j), num(j), out);
        return out;
    }
    expr find_alive_thread_of(const expr& x) const {
        expr out = num(kNoSlot);
        for (int k = n() - 1; k >= 0; --k) out = z3::ite(x == k, find_alive_thread(k), out);
        return out;
    }
    /// A per-process field (signal_struct, sighand) of t's process set to
    /// `value` under g: in every slot of the group.
    void set_proc(int t, Field f, const expr& g, const expr& value) {
        for (int j = 0; j < n(); ++j) {
            const expr in = in_group(j, t);
            if (in.is_false()) continue;
            set(w.slot[j].*f, g && in, value);
        }
    }
    expr count(const std::function<expr(int)>& pred) const {
        expr sum = num(0);
        for (int k = 0; k < n(); ++k) sum = sum + z3::ite(pred(k), num(1), num(0));
        return sum;
    }

    /// __ptrace_unlink.
    void unlink(int c, const expr& g) {
        SymSlot& s = w.slot[c];
        set(s.ptraced, g, ff());
        set(s.par, g, s.rp);
        set(s.pseq, g, num(0));
    }

    /// __wake_up_parent(p, parent) for the waiters of `parent`'s process
    /// (single-threaded: the parent itself), wait4(-1) selectors only.
    void wake(const expr& parent, const expr& g) {
        if (thr_) {   // every thread of parent's process waits on signal->wait_chldexit
            const expr pl = lead_of(parent);
            for (int k = 0; k < n(); ++k) set(w.slot[k].woken, g && pl == lead(k) && w.slot[k].wact, tt());
            return;
        }
        for (int k = 0; k < n(); ++k) set(w.slot[k].woken, g && parent == k && w.slot[k].wact, tt());
    }

    /// do_notify_parent(tsk, sig) with the CLONE_AUTOREAP hunk
    /// (kernel/signal.c; refimpl/signal.cpp). `sigchld`: sig is SIGCHLD
    /// (else 0). Returns whether tsk reaps itself; effects only under g.
    expr notify_parent(int t, const expr& sigchld, const expr& g) {
        const SymSlot& s = w.slot[t];
        const expr par = s.par;
        const expr ptr = s.ptraced;
        if (m_.exec()) {
            // the exec-id fix-up: a task whose parent exec'd since it was
            // created notifies with SIGCHLD whatever its exit signal
            // (kernel/signal.c do_notify_parent: tsk->parent_exec_id !=
            // tsk->parent->self_exec_id)
            const expr fixup = !sigchld && s.pxid != get(w, par, &SymSlot::sxid, num(0));
            cover("do_notify_parent: the parent exec'd, SIGCHLD instead of exit_signal 0", g && fixup);
            return notify_parent_sig(t, sigchld || fixup, g);
        }
        return notify_parent_sig(t, sigchld, g);
    }

    /// do_notify_parent once the signal is settled (`sigchld`: sig is SIGCHLD).
    expr notify_parent_sig(int t, const expr& sigchld, const expr& g) {
        const SymSlot& s = w.slot[t];
        const expr par = s.par;
        const expr ptr = s.ptraced;
        const expr pign = get(w, par, &SymSlot::ign, ff());
        const expr pnocld = get(w, par, &SymSlot::nocldwait, ff());
        const expr ignoring = !ptr && sigchld && (pign || pnocld);
        expr send = sigchld && !(ignoring && pign);
        expr selfreap = ignoring;
        if (m_.profile().has_autoreap) {
            const expr ar = !ptr && s.autoreap;
            selfreap = selfreap || ar;
            send = send && !ar;
        }
        // group_send_sig: SIGCHLD pends unless the parent is already exiting
        // (prepare_signal drops signals to a group in exit).
        expr parent_running = ff();
        if (thr_) {
            // prepare_signal drops it once SIGNAL_GROUP_EXIT is set; else it
            // pends in the process's shared_pending (every slot of the group)
            const expr pl = lead_of(par);
            for (int k = 0; k < n(); ++k) {
                const expr in = linked(k) && lead(k) == pl;
                set(w.slot[k].pending, g && in && send && !w.slot[k].gx, tt());
                parent_running = parent_running || (par == k && !w.slot[k].gx);
            }
        } else {
            for (int k = 0; k < n(); ++k) {
                set(w.slot[k].pending, g && par == k && send && w.slot[k].st == kRun, tt());
                parent_running = parent_running || (par == k && w.slot[k].st == kRun);
            }
        }
        wake(par, g);
        set(ev.ntf[t], g, tt());
        set(ev.ntf_to[t], g, par);
        set(ev.ntf_sig[t], g, send);
        set(ev.ntf_self[t], g, selfreap);
        set(ev.ntf_traced[t], g, ptr);
        cover("do_notify_parent: traced, to the tracer", g && ptr);
        cover("do_notify_parent: SIGCHLD sent", g && send && parent_running);
        cover("do_notify_parent: SIGCHLD sent to an exiting parent (dropped)", g && send && !parent_running);
        cover("do_notify_parent: exit_signal 0, nothing sent", g && !ptr && !sigchld);
        cover("do_notify_parent: parent ignores SIGCHLD (SIG_IGN), self-reap", g && ignoring && pign);
        cover("do_notify_parent: parent has SA_NOCLDWAIT, self-reap, SIGCHLD sent", g && ignoring && !pign && send);
        if (m_.profile().has_autoreap)
            cover("do_notify_parent: autoreap, self-reap, silent", g && !ptr && s.autoreap);
        return selfreap;
    }

    /// Frees a released slot that no pidfd holds any more.
    void gc() {
        for (int k = 0; k < n(); ++k) {
            expr held = ff();
            for (int j = 0; j < n(); ++j) held = held || w.slot[j].fd == k;
            const expr drop = w.slot[k].st == kGone && !held;
            cover("put_pid: the last pidfd on a released pid gone, the slot freed", drop);
            reset(k, drop, true);
        }
    }

    /// Fields back to their defaults (all of them, or all but the pid's).
    void reset(int k, const expr& g, bool pid_too) {
        const Slot d;
        SymSlot& s = w.slot[k];
        set(s.st, g, num(d.st));
        if (pid_too) {
            set(s.nr, g, num(0));
            set(s.attr, g, num(0));
            set(s.info, g, ff());
            set(s.info_code, g, num(0));
        }
        set(s.rp, g, num(kNoSlot));
        set(s.par, g, num(kNoSlot));
        set(s.ptraced, g, ff());
        set(s.sib, g, num(0));
        set(s.pseq, g, num(0));
        set(s.esig, g, ff());
        set(s.code, g, num(0));
        set(s.autoreap, g, ff());
        set(s.is_sub, g, ff());
        set(s.has_sub, g, ff());
        set(s.ign, g, ff());
        set(s.nocldwait, g, ff());
        set(s.pending, g, ff());
        set(s.fd, g, num(kNoSlot));
        set(s.wact, g, ff());
        set(s.woken, g, ff());
        set(s.wall, g, ff());
        if (thr_) {
            set(s.ldr, g, num(kNoSlot));
            set(s.gx, g, ff());
            set(s.gcode, g, num(0));
        }
        if (m_.exec()) {
            set(s.sxid, g, num(0));
            set(s.pxid, g, num(0));
        }
        if (ak_) set(s.ak, g, ff());
        if (cap_) set(s.nocap, g, ff());
    }

    /// send_signal(v, SIGKILL) to v's process (kernel/signal.c; refimpl
    /// send_signal): dropped once SIGNAL_GROUP_EXIT is set and by the
    /// namespace init; complete_signal: a running thread of the group takes
    /// it and starts the group exit (SIGNAL_GROUP_EXIT with SIGKILL as the
    /// code, every running thread's do_exit pending). Under g; returns
    /// whether it started the group exit.
    expr group_sigkill(int v, const expr& g) {
        expr taker = ff();
        std::vector<expr> zap;
        for (int j = 0; j < n(); ++j) {
            zap.push_back(in_group(j, v) && w.slot[j].st == kRun);
            taker = taker || zap.back();
        }
        const expr kills = (g.is_true() ? !w.slot[v].gx : g && !w.slot[v].gx) && lead(v) != 0 && taker;
        set_proc(v, &SymSlot::gx, kills, tt());
        set_proc(v, &SymSlot::gcode, kills, num(kSIGKILL));
        for (int j = 0; j < n(); ++j) set(w.slot[j].st, kills && zap[j], num(kKilled));
        return kills;
    }

    /// fput of slot t's pidfd (close(2), or do_exit's exit_files; refimpl
    /// fput, fs/file.c): when no other descriptor table holds the AUTOKILL
    /// file, its last reference goes and pidfs_file_release (fs/pidfs.c)
    /// SIGKILLs the pid's process (SEND_SIG_PRIV), if its task is not yet
    /// released. Call before t's descriptor is cleared. (SEND_SIG_PRIV
    /// would kill even the namespace init, which group_sigkill spares: the
    /// AUTOKILL file's pid is always a clone3 child, never init's.)
    void fput_pidfd(int t) {
        if (!ak_ || !m_.profile().has_autokill) return;   // no AUTOKILL file exists without the flag
        const SymSlot& me = w.slot[t];
        const expr v = me.fd;
        expr others = ff();
        for (int j = 0; j < n(); ++j)
            if (j != t) others = others || (w.slot[j].fd == v && w.slot[j].ak);
        const expr last = me.fd != kNoSlot && me.ak && !others;
        cover("fput: the AUTOKILL file still held by another table", me.fd != kNoSlot && me.ak && others);
        expr any = ff(), gone = ff();
        for (int k = 0; k < n(); ++k) {
            const expr hit = last && v == k && linked(k) && is_leader(k);
            set(ev.autokill[k], hit, tt());
            any = any || hit;
            gone = gone || (last && v == k && !linked(k));
            const expr kills = group_sigkill(k, hit);
            cover("pidfs_file_release: AUTOKILL, SIGKILL starts the group exit", kills);
            cover("pidfs_file_release: AUTOKILL, SIGKILL dropped (the group is exiting)", hit && !kills);
        }
        cover("pidfs_file_release: AUTOKILL file released after its task", gone);
    }

    /// find_new_reaper for a single-threaded exiting `father`: with
    /// has_child_subreaper, the nearest ancestor subreaper that is running;
    /// else init (slot 0).
    expr find_new_reaper(int father) {
        std::vector<expr> chain;
        expr a = w.slot[father].rp;
        for (int lvl = 0; lvl < n(); ++lvl) {
            chain.push_back(a);
            a = get(w, a, &SymSlot::rp, num(kNoSlot));
        }
        expr r = num(0);
        for (int lvl = int(chain.size()) - 1; lvl >= 0; --lvl) {
            const expr& x = chain[lvl];
            if (thr_) {   // the subreaper's first live thread
                const expr th = find_alive_thread_of(x);
                r = z3::ite(x != kNoSlot && get(w, x, &SymSlot::is_sub, ff()) && th != kNoSlot, th, r);
                continue;
            }
            const expr ok = x != kNoSlot && get(w, x, &SymSlot::is_sub, ff()) && get(w, x, &SymSlot::st, num(0)) == kRun;
            r = z3::ite(ok, x, r);
        }
        r = z3::ite(w.slot[father].has_sub, r, num(0));
        if (thr_) {   // a live sibling thread first
            const expr th = find_alive_thread(father);
            return z3::ite(th != kNoSlot, th, r);
        }
        return r;
    }

    /// exit_notify (kernel/exit.c; refimpl/exit.cpp) of slot t.
    void exit_notify(int t) {
        if (thr_) {
            exit_notify_threads(t);
            return;
        }
        // forget_original_parent: exit_ptrace first (__ptrace_detach).
        for (int c = 0; c < n(); ++c) {
            if (c == t) continue;
            SymSlot& s = w.slot[c];
            const expr traced = linked(c) && s.ptraced && s.par == t;
            unlink(c, traced);
            const expr zombie = traced && s.st == kZombie;
            const expr other = s.rp != t;
            const expr dead_other = notify_parent(c, s.esig, zombie && other);
            const expr ignoring = w.slot[t].ign || w.slot[t].nocldwait;
            expr dead_same = ignoring;
            if (m_.profile().has_autoreap) dead_same = dead_same || s.autoreap;
            wake(num(t), zombie && !other && dead_same);
            set(s.st, zombie && ((other && dead_other) || (!other && dead_same)), num(kDeadP));
            cover("exit_ptrace: a tracee that is not a zombie detached", traced && s.st != kZombie && s.st != kDeadP);
            cover("exit_ptrace: a zombie tracee of another real parent, renotified", zombie && other);
            cover("exit_ptrace: a zombie tracee of the tracer itself, released", zombie && !other && dead_same);
            cover("exit_ptrace: a zombie tracee of the tracer itself, kept for reparenting",
                  zombie && !other && !dead_same);
        }
        // The children move to the new reaper, in list order, to the tail.
        std::vector<expr> child;
        for (int c = 0; c < n(); ++c) child.push_back(c == t ? ff() : linked(c) && w.slot[c].rp == t);
        const expr reaper = find_new_reaper(t);
        std::vector<expr> old_sib;
        for (int c = 0; c < n(); ++c) old_sib.push_back(w.slot[c].sib);
        expr any_child = ff();
        for (int c = 0; c < n(); ++c) any_child = any_child || child[c];
        cover("find_new_reaper: init", any_child && reaper == 0);
        cover("find_new_reaper: an ancestor subreaper", any_child && reaper != 0);
        cover("find_new_reaper: has_child_subreaper, init (the nearest running subreaper, or none)",
              any_child && w.slot[t].has_sub && reaper == 0);
        for (int c = 0; c < n(); ++c) {
            SymSlot& s = w.slot[c];
            set(ev.rep[c], child[c], tt());
            set(ev.rep_from[c], child[c], num(t));
            set(ev.rep_to[c], child[c], reaper);
            cover("reparent_leader: a running child", child[c] && (s.st == kRun || s.st == kExiting));
            cover("reparent_leader: a traced child keeps its tracer as parent", child[c] && s.ptraced);
            cover("reparent_leader: an EXIT_DEAD child keeps its exit_signal", child[c] && dead(c));
            set(s.rp, child[c], reaper);
            set(s.par, child[c] && !s.ptraced, reaper);
            // reparent_leader: SIGCHLD as exit signal, and a zombie is announced again.
            set(s.esig, child[c] && !dead(c), tt());
            const expr zombie = child[c] && !s.ptraced && s.st == kZombie;
            const expr self = notify_parent(c, tt(), zombie);
            set(s.st, zombie && self, num(kDeadP));
            cover("reparent_leader: a zombie renotified, stays a zombie", zombie && !self);
            cover("reparent_leader: a zombie renotified, reaps itself", zombie && self);
        }
        for (int c = 0; c < n(); ++c) {
            expr before = num(0);
            for (int d = 0; d < n(); ++d)
                if (d != c)
                    before = before + z3::ite(child[d] && (old_sib[d] < old_sib[c] || (old_sib[d] == old_sib[c] && d < c)),
                                              num(1), num(0));
            set(w.slot[c].sib, child[c], w.next_seq + before);
        }
        w.next_seq = w.next_seq + count([&](int c) { return child[c]; });
        // The task's own notification.
        SymSlot& me = w.slot[t];
        const expr traced = me.ptraced;
        const expr sig_traced = z3::ite(me.par == me.rp, me.esig, tt());
        notify_parent(t, sig_traced, traced);
        const expr self = notify_parent(t, me.esig, !traced);
        cover("exit_notify: traced, stays a zombie for the tracer", traced);
        cover("exit_notify: traced by another than the real parent (SIGCHLD)", traced && me.par != me.rp);
        cover("exit_notify: untraced, stays a zombie", !traced && !self);
        cover("exit_notify: untraced, reaps itself (EXIT_DEAD)", !traced && self);
        me.st = z3::ite(!traced && self, num(kDeadP), num(kZombie));
    }

    /// exit_notify with thread groups (kernel/exit.c; refimpl/exit.cpp):
    /// exit_ptrace's __ptrace_detach releases a traced sub-thread zombie and
    /// keeps a delayed leader; forget_original_parent hands the children to
    /// a live sibling thread first (find_alive_thread, no reparent_leader:
    /// the same process), and moves every thread of each child process; a
    /// leader whose group is not empty stays a zombie without notifying
    /// (delay_group_leader), an untraced sub-thread reaps itself silently.
    void exit_notify_threads(int t) {
        for (int c = 0; c < n(); ++c) {
            if (c == t) continue;
            SymSlot& s = w.slot[c];
            const expr traced = linked(c) && s.ptraced && s.par == t;
            const expr leader = is_leader(c), empty = group_empty(c);
            unlink(c, traced);
            const expr zombie = traced && s.st == kZombie;
            const expr other = !same_group(s.rp, t);
            const expr last = zombie && leader && empty;
            const expr dead_other = notify_parent(c, s.esig, last && other);
            const expr ignoring = w.slot[t].ign || w.slot[t].nocldwait;
            expr dead_same = ignoring;
            if (m_.profile().has_autoreap) dead_same = dead_same || s.autoreap;
            wake(num(t), last && !other && dead_same);
            set(s.st, (zombie && !leader) || (last && ((other && dead_other) || (!other && dead_same))), num(kDeadP));
            cover("exit_ptrace: a tracee that is not a zombie detached", traced && s.st != kZombie && s.st != kDeadP);
            cover("exit_ptrace: a zombie tracee of another real parent, renotified", last && other);
            cover("exit_ptrace: a zombie tracee of the tracer itself, released", last && !other && dead_same);
            cover("exit_ptrace: a zombie tracee of the tracer itself, kept for reparenting",
                  last && !other && !dead_same);
            cover_thr("__ptrace_detach: a traced sub-thread zombie released", zombie && !leader);
            cover_thr("__ptrace_detach: a traced delayed group leader kept", zombie && leader && !empty);
        }
        std::vector<expr> child;
        for (int c = 0; c < n(); ++c)
            child.push_back(c == t ? ff() : linked(c) && w.slot[c].rp == t && is_leader(c));
        const expr sibling = find_alive_thread(t);
        const expr reaper = find_new_reaper(t);
        const expr other_process = sibling == kNoSlot;
        std::vector<expr> old_sib, old_ldr, was_child;
        for (int c = 0; c < n(); ++c) old_sib.push_back(w.slot[c].sib);
        expr any_child = ff();
        for (int c = 0; c < n(); ++c) any_child = any_child || child[c];
        cover_thr("find_new_reaper: a live thread of the exiting one's group", any_child && !other_process);
        cover("find_new_reaper: init", any_child && reaper == 0);
        cover("find_new_reaper: an ancestor subreaper", any_child && other_process && reaper != 0);
        cover("find_new_reaper: has_child_subreaper, init (the nearest running subreaper, or none)",
              any_child && other_process && w.slot[t].has_sub && reaper == 0);
        // the threads of each child process move with it
        std::vector<expr> moves(std::size_t(n()), ff());
        for (int j = 0; j < n(); ++j)
            for (int c = 0; c < n(); ++c)
                if (c == j) moves[j] = moves[j] || child[c];
                else moves[j] = moves[j] || (child[c] && linked(j) && w.slot[j].ldr == c);
        std::vector<expr> empty_before;
        for (int c = 0; c < n(); ++c) empty_before.push_back(group_empty(c));
        for (int j = 0; j < n(); ++j) {
            SymSlot& s = w.slot[j];
            set(s.rp, moves[j], reaper);
            set(s.par, moves[j] && !s.ptraced, reaper);
        }
        for (int c = 0; c < n(); ++c) {
            SymSlot& s = w.slot[c];
            set(ev.rep[c], child[c], tt());
            set(ev.rep_from[c], child[c], num(t));
            set(ev.rep_to[c], child[c], reaper);
            cover("reparent_leader: a running child", child[c] && other_process && (s.st == kRun || s.st == kExiting));
            cover("reparent_leader: a traced child keeps its tracer as parent", child[c] && s.ptraced);
            cover("reparent_leader: an EXIT_DEAD child keeps its exit_signal", child[c] && other_process && dead(c));
            cover_thr("forget_original_parent: a child process with threads moves with them",
                  child[c] && !empty_before[c]);
            const expr moved = child[c] && other_process;
            set(s.esig, moved && !dead(c), tt());
            const expr zombie = moved && !s.ptraced && s.st == kZombie && empty_before[c];
            const expr self = notify_parent(c, tt(), zombie);
            set(s.st, zombie && self, num(kDeadP));
            cover("reparent_leader: a zombie renotified, stays a zombie", zombie && !self);
            cover("reparent_leader: a zombie renotified, reaps itself", zombie && self);
            cover_thr("reparent_leader: a delayed zombie leader not renotified",
                  moved && !s.ptraced && s.st == kZombie && !empty_before[c]);
        }
        for (int c = 0; c < n(); ++c) {
            expr before = num(0);
            for (int d = 0; d < n(); ++d)
                if (d != c)
                    before = before + z3::ite(child[d] && (old_sib[d] < old_sib[c] || (old_sib[d] == old_sib[c] && d < c)),
                                              num(1), num(0));
            set(w.slot[c].sib, child[c], w.next_seq + before);
        }
        w.next_seq = w.next_seq + count([&](int c) { return child[c]; });
        // The task's own notification.
        SymSlot& me = w.slot[t];
        const expr traced = me.ptraced;
        const expr leader = is_leader(t), empty = group_empty(t);
        // the exit signal only for a last thread traced by its real parent's group (!ptrace_reparented)
        const expr sig_traced = z3::ite(leader && empty && same_group_of(me.par, me.rp), me.esig, tt());
        notify_parent(t, sig_traced, traced);
        const expr self = notify_parent(t, me.esig, !traced && leader && empty);
        cover("exit_notify: traced, stays a zombie for the tracer", traced);
        cover("exit_notify: traced by another than the real parent (SIGCHLD)", traced && me.par != me.rp);
        cover("exit_notify: untraced, stays a zombie", !traced && leader && empty && !self);
        cover("exit_notify: untraced, reaps itself (EXIT_DEAD)", !traced && leader && empty && self);
        cover_thr("exit_notify: a group leader with live threads, a delayed zombie", !traced && leader && !empty);
        cover_thr("exit_notify: an untraced sub-thread, released at once", !traced && !leader);
        me.st = z3::ite(!traced && ((leader && empty && self) || !leader), num(kDeadP), num(kZombie));
    }

    /// do_exit up to exit_notify with threads (kernel/exit.c; refimpl
    /// detail::do_exit): synchronize_group_exit (the last thread out sets
    /// SIGNAL_GROUP_EXIT and the group's code), PF_EXITING, exit_files.
    void do_exit_threads(int t, const expr& code) {
        expr others = ff();
        for (int j = 0; j < n(); ++j)
            if (j != t) others = others || (in_group(j, t) && alive(j));
        const expr last = !others && !w.slot[t].gx;
        cover("synchronize_group_exit: the last thread sets the group's exit code", last);
        set_proc(t, &SymSlot::gx, last, tt());
        set_proc(t, &SymSlot::gcode, last, code);
        SymSlot& me = w.slot[t];
        me.st = num(kExiting);
        me.code = code;
        me.wact = me.woken = me.wall = ff();
        cover("exit_files: the pidfd closed", me.fd != kNoSlot);
        fput_pidfd(t);
        me.fd = num(kNoSlot);
        if (ak_) me.ak = ff();
        gc();
    }

    /// same_thread_group of two slot references (false when either is none).
    expr same_group_of(const expr& a, const expr& b) const {
        if (!thr_) return a == b && a != kNoSlot;
        return lead_of(a) == lead_of(b) && a != kNoSlot && b != kNoSlot;
    }

    struct Scan {
        std::vector<expr> chosen;
        expr any, present;
    };

    /// One do_wait scan of wait4(-1) by slot t: the children list in list
    /// order, then the ptraced list (wait_consider_task, kernel/exit.c).
    Scan scan_any(int t, const expr& wall) const {
        if (thr_) return scan_any_threads(t, wall);
        std::vector<expr> reap_c, reap_p;
        expr present = ff();
        for (int c = 0; c < n(); ++c) {
            const SymSlot& s = w.slot[c];
            const expr in_children = c != t && linked(c) && s.rp == t;
            const expr eligible = wall || s.esig;
            reap_c.push_back(in_children && eligible && s.st == kZombie && (!s.ptraced || s.par == t));
            present = present || (in_children && !dead(c) && eligible);
            const expr in_ptraced = c != t && linked(c) && s.ptraced && s.par == t;
            reap_p.push_back(in_ptraced && s.st == kZombie);
            present = present || (in_ptraced && !dead(c));
        }
        Scan out{{}, ff(), present};
        expr any_c = ff();
        for (int c = 0; c < n(); ++c) any_c = any_c || reap_c[c];
        for (int c = 0; c < n(); ++c) {
            expr first_c = reap_c[c], first_p = reap_p[c];
            for (int d = 0; d < n(); ++d) {
                if (d == c) continue;
                const SymSlot &sc = w.slot[c], &sd = w.slot[d];
                first_c = first_c && !(reap_c[d] && (sd.sib < sc.sib || (sd.sib == sc.sib && d < c)));
                first_p = first_p && !(reap_p[d] && (sd.pseq < sc.pseq || (sd.pseq == sc.pseq && d < c)));
            }
            out.chosen.push_back(first_c || (!any_c && first_p));
            out.any = out.any || reap_c[c] || reap_p[c];
        }
        return out;
    }

    /// do_wait's scan with threads (kernel/exit.c): tsk = current, then
    /// while_each_thread: each thread's children list, then its ptraced
    /// list, the caller's first; a delayed group leader is never reaped but
    /// keeps the wait alive; a traced child whose tracer is in its real
    /// parent's group is reaped through the children list.
    Scan scan_any_threads(int t, const expr& wall) const {
        std::vector<int> waiters = {t};
        for (int j = 0; j < n(); ++j)
            if (j != t) waiters.push_back(j);
        Scan out{std::vector<expr>(std::size_t(n()), ff()), ff(), ff()};
        expr earlier = ff();   // a phase before this one has a candidate
        for (int wt : waiters) {
            const expr is_waiter = in_group(wt, t);
            std::vector<expr> reap_c, reap_p;
            for (int c = 0; c < n(); ++c) {
                const SymSlot& s = w.slot[c];
                const expr in_children = is_waiter && c != wt && linked(c) && is_leader(c) && s.rp == wt;
                const expr eligible = wall || s.esig;
                reap_c.push_back(in_children && eligible && s.st == kZombie && !delayed(c) &&
                                 (!s.ptraced || same_group(s.par, wt)));
                out.present = out.present || (in_children && !dead(c) && eligible);
                const expr in_ptraced = is_waiter && c != wt && linked(c) && s.ptraced && s.par == wt;
                reap_p.push_back(in_ptraced && s.st == kZombie && !delayed(c));
                out.present = out.present || (in_ptraced && !dead(c));
            }
            for (int phase = 0; phase < 2; ++phase) {
                const std::vector<expr>& cand = phase == 0 ? reap_c : reap_p;
                const Field seq = phase == 0 ? &SymSlot::sib : &SymSlot::pseq;
                expr any = ff();
                for (int c = 0; c < n(); ++c) {
                    expr first = cand[c];
                    for (int d = 0; d < n(); ++d) {
                        if (d == c) continue;
                        const expr &sc = w.slot[c].*seq, &sd = w.slot[d].*seq;
                        first = first && !(cand[d] && (sd < sc || (sd == sc && d < c)));
                    }
                    out.chosen[c] = out.chosen[c] || (!earlier && first);
                    any = any || cand[c];
                }
                earlier = earlier || any;
            }
        }
        out.any = earlier;
        return out;
    }

    /// waitid(P_PIDFD, WEXITED|WNOHANG|__WALL) of slot t on its pidfd.
    Scan scan_pidfd(int t) const {
        Scan out{{}, ff(), ff()};
        if (thr_) {
            // do_wait_pid: the pid's task as a child of any thread of the
            // caller's group (is_effectively_child without __WNOTHREAD),
            // then as a tracee of one
            const expr target = w.slot[t].fd;
            for (int c = 0; c < n(); ++c) {
                const SymSlot& s = w.slot[c];
                const expr mine = target == c && linked(c) && c != t;
                const expr by_tree = same_group(s.rp, t);
                const expr by_trace = s.ptraced && same_group(s.par, t);
                const expr reap = mine && s.st == kZombie && !delayed(c) &&
                                  ((by_tree && (!s.ptraced || same_group_of(s.par, s.rp))) || by_trace);
                out.chosen.push_back(reap);
                out.any = out.any || reap;
                out.present = out.present || (mine && !dead(c) && (by_tree || by_trace));
            }
            return out;
        }
        const expr target = w.slot[t].fd;
        for (int c = 0; c < n(); ++c) {
            const SymSlot& s = w.slot[c];
            const expr mine = target == c && linked(c) && c != t;
            const expr by_tree = s.rp == t;
            const expr by_trace = s.ptraced && s.par == t;
            const expr reap = mine && s.st == kZombie && ((by_tree && (!s.ptraced || s.par == t)) || by_trace);
            out.chosen.push_back(reap);
            out.any = out.any || reap;
            out.present = out.present || (mine && !dead(c) && (by_tree || by_trace));
        }
        return out;
    }

    /// wait_task_zombie of the chosen slot, with the EXIT_TRACE hand-off.
    void reap(const Scan& sc, int t, expr& ret, expr& status) {
        ret = num(0);
        status = num(0);
        for (int c = 0; c < n(); ++c) {
            SymSlot& s = w.slot[c];
            const expr g = sc.chosen[c];
            set(ev.reaped[c], g, tt());
            set(ev.reaper[c], g, num(t));
            cover("wait_task_zombie: a child reaped by its real parent", g && !s.ptraced);
            cover("wait_task_zombie: a tracee reaped by its tracer, also the real parent",
                  g && s.ptraced && s.par == s.rp);
            ret = z3::ite(g, s.nr, ret);
            // the group's exit code once SIGNAL_GROUP_EXIT is set
            status = z3::ite(g, thr_ ? z3::ite(s.gx, s.gcode, s.code) : s.code, status);
            const expr handoff = thr_ ? g && s.ptraced && !same_group_of(s.par, s.rp) && is_leader(c)
                                      : g && s.ptraced && s.par != s.rp;
            if (thr_) cover_thr("wait_task_zombie: a traced sub-thread reaped by its tracer", g && !is_leader(c));
            unlink(c, handoff);
            const expr self = notify_parent(c, s.esig, handoff);
            cover("wait_task_zombie: EXIT_TRACE hand-off, a zombie again for the real parent", handoff && !self);
            cover("wait_task_zombie: EXIT_TRACE hand-off, reaps itself", handoff && self);
            set(s.st, g, z3::ite(handoff && !self, num(kZombie), num(kDeadP)));
        }
    }

    // ---- execve (Features::exec) ------------------------------------------------

    /// This updater's world, events and cases become `o`'s where g holds (o
    /// started as a copy of this one, with no cases of its own).
    void take(const expr& g, const SymWorld& o, const SymEvents& oe,
              const std::vector<std::pair<std::string, expr>>& oc) {
        if (g.is_false()) return;
        set(w.next_nr, g, o.next_nr);
        set(w.next_seq, g, o.next_seq);
        if (m_.exec()) set(w.next_xid, g, o.next_xid);
        for (Field f : m_.state_fields())
            for (int k = 0; k < n(); ++k) set(w.slot[k].*f, g, o.slot[k].*f);
        for (std::vector<expr> SymEvents::*f :
             {&SymEvents::ntf, &SymEvents::ntf_to, &SymEvents::ntf_sig, &SymEvents::ntf_self, &SymEvents::ntf_traced,
              &SymEvents::rep, &SymEvents::rep_from, &SymEvents::rep_to, &SymEvents::reaped, &SymEvents::reaper})
            for (int k = 0; k < n(); ++k) set((ev.*f)[k], g, (oe.*f)[k]);
        for (const auto& [name, guard] : oc) cover(name, g && guard);
    }
    void take(const expr& g, const Updater& o) { take(g, o.w, o.ev, o.cases); }
    /// A copy of this updater to run a step on, merged back with take().
    Updater fork() const {
        Updater o(*this);
        o.cases.clear();
        return o;
    }
    /// A kernel step (pidfs_exit, unhash) of slot j where g holds, as the
    /// model's own action on the current world.
    void kernel_step(ActKind k, int j, const expr& g) {
        const SymStep st = m_.step(w, Act{k, j}, true);
        const expr on = g && st.enabled;
        // the step's own events join those of the transition so far
        SymEvents both = ev;
        for (int c = 0; c < n(); ++c) {
            const expr nt = on && st.ev.ntf[std::size_t(c)], rp = on && st.ev.rep[std::size_t(c)],
                       rd = on && st.ev.reaped[std::size_t(c)];
            for (std::vector<expr> SymEvents::*f : {&SymEvents::ntf, &SymEvents::ntf_to, &SymEvents::ntf_sig,
                                                    &SymEvents::ntf_self, &SymEvents::ntf_traced})
                set((both.*f)[std::size_t(c)], nt, (st.ev.*f)[std::size_t(c)]);
            for (std::vector<expr> SymEvents::*f : {&SymEvents::rep, &SymEvents::rep_from, &SymEvents::rep_to})
                set((both.*f)[std::size_t(c)], rp, (st.ev.*f)[std::size_t(c)]);
            for (std::vector<expr> SymEvents::*f : {&SymEvents::reaped, &SymEvents::reaper})
                set((both.*f)[std::size_t(c)], rd, (st.ev.*f)[std::size_t(c)]);
        }
        take(on, st.post, both, st.cases);
    }

    /// de_thread (fs/exec.c; refimpl/exec.cpp) for slot t: the other thread
    /// of its group (at most one in the model) is zapped and its exit run
    /// to the end; a non-leader caller then takes over the leader's pid
    /// (exchange_tids, transfer_pid: the pid fields swap slots and pidfds
    /// follow the pid), its place on the children list and exit_signal
    /// SIGCHLD, and the old leader is released without notification (its
    /// tracer woken). A traced sub-thread stays a zombie for its tracer:
    /// refimpl's approximation of the declared gap (de_thread would sleep).
    void de_thread(int t) {
        const Updater start = *this;
        for (int j = 0; j < n(); ++j) {
            if (j == t) continue;
            const expr in = start.in_group(j, t);
            if (in.is_false()) continue;
            Updater v = start.fork();
            const expr leader = start.is_leader(j);
            // zap_other_threads, then the zapped thread's do_exit with code
            // 0 (do_group_exit while group_exec_task is set); a blocked wait
            // scans once more first (refimpl detail::do_exit)
            {
                const SymSlot& s = v.w.slot[j];
                const expr running = s.st == kRun || s.st == kKilled;
                Updater x = v.fork();
                const expr was_waiting = x.w.slot[j].wact, wall = x.w.slot[j].wall;
                x.w.slot[j].wact = x.w.slot[j].woken = x.w.slot[j].wall = ff();
                Scan sc = x.scan_any(j, wall);
                for (auto& c : sc.chosen) c = c && was_waiting;
                expr r0 = num(0), s0 = num(0);
                x.reap(sc, j, r0, s0);
                x.cover("de_thread: a zapped waiter's last scan reaps", sc.any && was_waiting);
                x.do_exit_threads(j, num(0));
                v.cover("de_thread: another thread zapped", running);
                v.take(running, x);
            }
            {
                Updater x = v.fork();
                const expr exiting = x.w.slot[j].st == kExiting;
                x.exit_notify(j);
                v.take(exiting, x);
            }
            // a non-leader caller: the leader (a zombie now) hands over its pid
            {
                Updater x = v.fork();
                SymSlot &m = x.w.slot[t], &l = x.w.slot[j];
                const SymSlot pm = v.w.slot[t], pl = v.w.slot[j];
                m.nr = pl.nr, m.attr = pl.attr, m.info = pl.info, m.info_code = pl.info_code;
                l.nr = pm.nr, l.attr = pm.attr, l.info = pm.info, l.info_code = pm.info_code;
                for (int k = 0; k < n(); ++k) {
                    const expr fd = v.w.slot[k].fd;
                    x.w.slot[k].fd = z3::ite(fd == j, num(t), z3::ite(fd == t, num(j), fd));
                }
                m.sib = pl.sib;
                m.esig = tt();
                l.esig = ff();
                m.ldr = num(kNoSlot);
                l.ldr = num(t);
                x.wake(pl.par, pl.ptraced);
                l.st = num(kDeadP);
                x.cover("de_thread: a thread execs, takes the leader's pid; the old leader released", tt());
                x.cover("de_thread: the released old leader was traced, its tracer woken", pl.ptraced);
                v.take(leader, x);
            }
            v.cover("de_thread: a traced sub-thread stays a zombie (de_thread would wait: a declared gap)",
                    !leader && v.w.slot[j].st == kZombie);
            // release_task: the rest of the zapped thread's (or old leader's) exit
            v.kernel_step(ActKind::KPidfsExit, j, v.w.slot[j].st == kDeadP);
            v.kernel_step(ActKind::KUnhash, j, v.w.slot[j].st == kDeadU);
            take(in, v);
        }
    }

    const SymModel& m_;
    z3::context& c_;
    bool thr_;   ///< the model has threads (SymModel::threads)
    bool ak_;    ///< Features::autokill: the ak fields and events are variables
    bool cap_;   ///< Features::capset: the nocap fields are variables
    SymWorld w;
    SymEvents ev;
    std::vector<std::pair<std::string, expr>> cases;
};

}  // namespace

SymModel::SymModel(z3::context& ctx, const refimpl::Profile& profile, Features features)
    : ctx_(ctx), p_(profile), f_(std::move(features)), acts_(alphabet(f_)) {
    if (f_.slots < 2) throw ModelError("the model needs at least 2 slots (init and main)");
    if (f_.threads < 1 || f_.threads > 2)
        throw ModelError("the symbolic model has 1 or 2 threads per process (--threads " + std::to_string(f_.threads) + ")");
}

namespace {
/// Whether field i of kFields is a state variable under the switches.
bool field_is_var(std::size_t i, bool threads, const Features& f) {
    if (i == kAkField) return f.autokill;
    if (i == kNocapField) return f.capset;
    if (i >= kExecFirst) return f.exec;
    if (i >= kThreadFirst) return threads;
    return true;
}
}  // namespace

std::vector<z3::expr SymSlot::*> SymModel::state_fields() const {
    std::vector<z3::expr SymSlot::*> out;
    for (std::size_t i = 0; i < kFieldCount; ++i)
        if (field_is_var(i, threads(), f_)) out.push_back(kFields[i]);
    return out;
}

namespace {
SymSlot make_slot(const std::vector<expr>& v) {
    return SymSlot{v[0],  v[1],  v[2],  v[3],  v[4],  v[5],  v[6],  v[7],  v[8],  v[9],  v[10], v[11], v[12], v[13],
                   v[14], v[15], v[16], v[17], v[18], v[19], v[20], v[21], v[22], v[23], v[24], v[25], v[26], v[27], v[28]};
}
/// The constant of field i where it is not a variable (Slot's default).
expr field_constant(z3::context& c, std::size_t i) {
    if (kFieldIsBool[i]) return c.bool_val(false);
    return c.int_val(kFields[i] == &SymSlot::ldr ? kNoSlot : 0);
}
}  // namespace

SymWorld SymModel::vars(const std::string& prefix) const {
    SymWorld w{{}, ctx_.int_const((prefix + ".next_nr").c_str()), ctx_.int_const((prefix + ".next_seq").c_str()),
               exec() ? ctx_.int_const((prefix + ".next_xid").c_str()) : ctx_.int_val(1)};
    for (int k = 0; k < f_.slots; ++k) {
        std::vector<expr> v;
        for (std::size_t i = 0; i < kFieldCount; ++i) {
            if (!field_is_var(i, threads(), f_)) {
                v.push_back(field_constant(ctx_, i));
                continue;
            }
            const std::string name = prefix + "." + kFieldNames[i] + std::to_string(k);
            v.push_back(kFieldIsBool[i] ? ctx_.bool_const(name.c_str()) : ctx_.int_const(name.c_str()));
        }
        w.slot.push_back(make_slot(v));
    }
    return w;
}

SymWorld SymModel::constant(const World& c) const {
    if (int(c.slot.size()) != f_.slots) throw ModelError("a world of another slot count");
    SymWorld w{{}, ctx_.int_val(c.next_nr), ctx_.int_val(c.next_seq), ctx_.int_val(c.next_xid)};
    for (const Slot& s : c.slot) {
        auto i = [&](int v) { return ctx_.int_val(v); };
        auto b = [&](bool v) { return ctx_.bool_val(v); };
        w.slot.push_back(SymSlot{i(s.st), i(s.nr), i(s.rp), i(s.par), b(s.ptraced), i(s.sib), i(s.pseq), b(s.esig),
                                 i(s.code), b(s.autoreap), b(s.is_sub), b(s.has_sub), b(s.ign), b(s.nocldwait),
                                 b(s.pending), i(s.fd), i(s.attr), b(s.info), i(s.info_code), b(s.wact), b(s.woken),
                                 b(s.wall), i(s.ldr), b(s.gx), i(s.gcode), i(s.sxid), i(s.pxid), b(s.ak), b(s.nocap)});
    }
    return w;
}

z3::expr SymModel::equal(const SymWorld& a, const SymWorld& b) const {
    z3::expr_vector parts(ctx_);
    parts.push_back(a.next_nr == b.next_nr);
    parts.push_back(a.next_seq == b.next_seq);
    if (exec()) parts.push_back(a.next_xid == b.next_xid);
    const auto fields = state_fields();
    for (std::size_t k = 0; k < a.slot.size(); ++k)
        for (Field f : fields) parts.push_back(a.slot[k].*f == b.slot[k].*f);
    return z3::mk_and(parts);
}

z3::expr SymModel::initial(const SymWorld& w) const { return equal(w, constant(initial_world(f_.slots))); }

z3::expr SymModel::domain(const SymWorld& w) const {
    z3::expr_vector parts(ctx_);
    const int n = f_.slots;
    for (const SymSlot& s : w.slot) {
        parts.push_back(s.st >= 0 && s.st < (threads() ? kStCount : kKilled));
        for (const expr* r : {&s.rp, &s.par, &s.fd}) parts.push_back(*r >= kNoSlot && *r < n);
        parts.push_back(s.attr >= 0 && s.attr <= 2);
        if (threads()) parts.push_back(s.ldr >= kNoSlot && s.ldr < n);
    }
    return z3::mk_and(parts);
}

z3::expr SymModel::linked(const SymWorld& w, int k) const {
    return w.slot[k].st >= kRun && w.slot[k].st <= kDeadU;
}

z3::expr SymModel::wait_would_block(const SymWorld& w, int t, const z3::expr& wall) const {
    const Updater u(*this, w);
    const auto sc = u.scan_any(t, wall);
    return !sc.any && sc.present;
}

z3::expr SymModel::wait_would_report(const SymWorld& w, int t, const z3::expr& wall) const {
    const Updater u(*this, w);
    return u.scan_any(t, wall).any;
}

SymStep SymModel::step(const SymWorld& pre, const Act& a, bool with_cases) const {
    Updater u(*this, pre);
    const int t = a.actor;
    const int n = f_.slots;
    expr enabled = u.can_act(t);
    expr ret = u.num(0), blocks = u.ff(), status = u.num(0);
    SymSlot& me = u.w.slot[t];
    switch (a.kind) {
    case ActKind::KExitNotify:
        enabled = pre.slot[t].st == kExiting;
        u.exit_notify(t);
        break;
    case ActKind::KPidfsExit:
        // pidfs_exit (fs/pidfs.c): exit info for a pid with pidfs attr, else mark it dead.
        enabled = pre.slot[t].st == kDeadP;
        u.cover("pidfs_exit: exit information published", me.attr == 2);
        u.cover("pidfs_exit: no pidfd ever, the pid marked dead", me.attr == 0);
        me.info = me.info || me.attr == 2;
        me.info_code = z3::ite(me.attr == 2, me.code, me.info_code);
        me.attr = z3::ite(me.attr == 0, u.num(1), me.attr);
        me.st = u.num(kDeadU);
        break;
    case ActKind::KUnhash:
        // release_task's unhash: ptrace_unlink, detach the pid (pollers see POLLHUP).
        enabled = pre.slot[t].st == kDeadU;
        u.cover("release_task: a traced task unlinked", me.ptraced);
        u.unlink(t, me.ptraced);
        u.reset(t, u.tt(), false);
        me.st = u.num(kGone);
        if (threads())
            // release_task: the delayed group leader's notification when its
            // last other thread goes (kernel/exit.c), with the group's code
            for (int l = 0; l < n; ++l) {
                if (l == t) continue;
                SymSlot& ls = u.w.slot[l];
                const expr g = pre.slot[t].ldr == l && ls.st == kZombie && u.group_empty(l);
                set(ls.code, g && ls.gx, ls.gcode);
                const expr self = u.notify_parent(l, ls.esig, g);
                set(ls.st, g && self, u.num(kDeadP));
                u.cover_thr("release_task: the last thread gone, the delayed leader notifies", g && !self);
                u.cover_thr("release_task: the last thread gone, the delayed leader reaps itself", g && self);
            }
        u.gc();
        u.cover("release_task: the pid lives on, held by a pidfd", me.st == kGone);
        break;
    case ActKind::Resume: {
        enabled = pre.slot[t].st == kRun && pre.slot[t].wact && pre.slot[t].woken;
        me.woken = u.ff();
        const auto sc = u.scan_any(t, pre.slot[t].wall);
        const expr sleeps = !sc.any && sc.present;
        u.reap(sc, t, ret, status);
        ret = z3::ite(sc.any || sleeps, ret, u.num(-kECHILD));
        u.cover("do_wait (woken): reaps", sc.any);
        u.cover("do_wait (woken): sleeps again", sleeps);
        u.cover("do_wait (woken): ECHILD", !sc.any && !sc.present);
        blocks = sleeps;
        me.wact = sleeps;
        me.wall = sleeps && me.wall;
        break;
    }
    case ActKind::Clone: {
        const refimpl::Profile& p = p_;
        const bool pidfd = a.flags & kFlagPidfd, autoreap = a.flags & kFlagAutoreap, parent = a.flags & kFlagParent;
        expr live = u.count([&](int k) { return u.linked(k); });
        expr free_slot = u.ff();
        std::vector<expr> is_new;
        for (int k = 0; k < n; ++k) {
            expr lowest = pre.slot[k].st == kFree;
            for (int j = 0; j < k; ++j) lowest = lowest && pre.slot[j].st != kFree;
            is_new.push_back(lowest);
            free_slot = free_slot || lowest;
        }
        enabled = enabled && live < f_.task_bound() && free_slot;
        if (a.flags & kFlagThread) {
            // CLONE_THREAD|CLONE_SIGHAND|CLONE_VM (kernel/fork.c; refimpl
            // sys_clone): offered while the group has fewer threads than
            // the bound. clone3_args_valid refuses an exit_signal with
            // CLONE_THREAD and a flag bit outside allowed_new; copy_process
            // refuses AUTOREAP and NNP with CLONE_THREAD.
            expr members = u.num(0);
            for (int j = 0; j < n; ++j) members = members + z3::ite(u.in_group(j, t), u.num(1), u.num(0));
            enabled = enabled && members < f_.threads;
            bool einval = a.sigchld;
            if (a.flags & kFlagAutoreap)
                einval = einval || !(p.allowed_new & p.autoreap_bit) || p.has_autoreap;
            if (a.flags & kFlagNnp) {
                einval = einval || !(p.allowed_new & p.nnp_bit) || p.has_nnp;
                einval = einval || (p.has_autoreap && (p.nnp_bit & p.autoreap_bit));
                einval = einval || (p.has_autokill && (p.nnp_bit & p.autokill_bit));   // needs CLONE_PIDFD
            }
            const expr ok = u.c_.bool_val(!einval);
            expr child_slot = u.num(kNoSlot);
            for (int k = 0; k < n; ++k) {
                SymSlot& c = u.w.slot[k];
                const SymSlot& cur = pre.slot[t];
                const expr g = ok && is_new[k];
                child_slot = z3::ite(is_new[k], u.num(k), child_slot);
                set(c.st, g, u.num(kRun));
                set(c.nr, g, pre.next_nr);
                set(c.ldr, g, u.lead(t));
                set(c.rp, g, cur.rp);   // the creator's real_parent
                set(c.par, g, cur.rp);
                set(c.ptraced, g, u.ff());
                set(c.sib, g, u.num(0));   // not on a children list
                set(c.pseq, g, u.num(0));
                set(c.esig, g, u.ff());    // exit_signal -1
                set(c.code, g, u.num(0));
                // the process's signal_struct and sighand, shared
                for (Field f : {&SymSlot::autoreap, &SymSlot::is_sub, &SymSlot::has_sub, &SymSlot::ign,
                                &SymSlot::nocldwait, &SymSlot::pending, &SymSlot::gx, &SymSlot::gcode})
                    set(c.*f, g, cur.*f);
                set(c.fd, g, cur.fd);   // dup_fd: its own copy of the table
                if (f_.autokill) set(c.ak, g, cur.ak);   // ... with the same files
                if (f_.capset) set(c.nocap, g, cur.nocap);   // the credentials are copied
                set(c.attr, g, u.num(0));
                set(c.info, g, u.ff());
                set(c.info_code, g, u.num(0));
                set(c.wact, g, u.ff());
                set(c.woken, g, u.ff());
                set(c.wall, g, u.ff());
                if (exec()) {   // copy_process: both exec ids of the creator (CLONE_THREAD)
                    set(c.sxid, g, cur.sxid);
                    set(c.pxid, g, cur.pxid);
                }
            }
            (void)child_slot;
            u.w.next_nr = z3::ite(ok, pre.next_nr + 1, pre.next_nr);
            u.w.next_seq = z3::ite(ok, pre.next_seq + 1, pre.next_seq);   // thread_node only
            ret = z3::ite(ok, pre.next_nr, u.num(-kEINVAL));
            if (einval) u.cover("copy_process: CLONE_THREAD, EINVAL", u.tt());
            else u.cover("copy_process: CLONE_THREAD, a thread", u.tt());
            break;
        }
        if (pidfd) enabled = enabled && pre.slot[t].fd == kNoSlot;
        // clone3_args_valid, then copy_process's checks in source order (kernel/fork.c).
        bool einval = autoreap && !(p.allowed_new & p.autoreap_bit);
        // CLONE_PIDFD_AUTOKILL (and CLONE_NNP with it): clone3_args_valid
        // refuses a bit outside allowed_new; copy_process (refimpl
        // copy_process_checks) refuses AUTOKILL without CLONE_PIDFD or
        // CLONE_AUTOREAP (EINVAL), and, where the profile has the privilege
        // check (v5, mainline), without CLONE_NNP from a caller without
        // CAP_SYS_ADMIN (EPERM, after every EINVAL check).
        const bool want_autokill = a.flags & kFlagAutokill, want_nnp = a.flags & kFlagNnp;
        bool eperm_check = false;
        if (want_autokill) {
            einval = einval || !(p.allowed_new & p.autokill_bit) || (want_nnp && !(p.allowed_new & p.nnp_bit));
            if (p.has_autokill) {
                einval = einval || !pidfd || !(p.has_autoreap && autoreap);
                eperm_check = p.autokill_needs_nnp_or_cap && !(p.has_nnp && want_nnp);
            }
        }
        const bool autokill = want_autokill && p.has_autokill;
        einval = einval || (parent && a.sigchld);
        einval = einval || (parent && t == 0);   // CLONE_PARENT from the namespace init
        if (p.has_autoreap && autoreap) {
            einval = einval || (p.autoreap_requires_pidfd && !pidfd);
            einval = einval || (p.autoreap_rejects_parent && parent);
            einval = einval || a.sigchld;
        }
        expr fails = u.c_.bool_val(einval);
        if (threads() && parent) fails = fails || u.lead(t) == 0;   // a thread of the namespace init
        if (p.parent_rejected_while_autoreap && parent) fails = fails || pre.slot[t].autoreap;
        const expr eperm = eperm_check && !einval ? pre.slot[t].nocap : u.ff();
        const expr ok = eperm_check ? !fails && !eperm : !fails;
        const expr rp = parent ? pre.slot[t].rp : u.num(t);
        const bool flag = p.has_autoreap && autoreap;
        // CLONE_PARENT: the group leader's exit_signal
        expr esig = parent ? (threads() ? get(pre, u.lead(t), &SymSlot::esig, u.ff()) : pre.slot[t].esig)
                           : u.c_.bool_val(a.sigchld);
        if (parent && p.autoreap_parent_zero_exit_signal && flag) esig = u.ff();
        const expr has_sub = get(pre, rp, &SymSlot::has_sub, u.ff()) || get(pre, rp, &SymSlot::is_sub, u.ff());
        expr child_slot = u.num(kNoSlot);
        for (int k = 0; k < n; ++k) {
            SymSlot& c = u.w.slot[k];
            const expr g = ok && is_new[k];
            child_slot = z3::ite(is_new[k], u.num(k), child_slot);
            set(c.st, g, u.num(kRun));
            set(c.nr, g, pre.next_nr);
            set(c.rp, g, rp);
            set(c.par, g, rp);
            set(c.ptraced, g, u.ff());
            set(c.sib, g, pre.next_seq + 1);
            set(c.pseq, g, u.num(0));
            set(c.esig, g, esig);
            set(c.code, g, u.num(0));
            set(c.autoreap, g, u.c_.bool_val(flag));
            set(c.is_sub, g, u.ff());
            set(c.has_sub, g, has_sub);
            set(c.ign, g, pre.slot[t].ign);
            set(c.nocldwait, g, pre.slot[t].nocldwait);
            set(c.pending, g, u.ff());
            set(c.fd, g, pre.slot[t].fd);   // dup_fd copies the table before the pidfd is installed
            set(c.attr, g, u.num(pidfd ? 2 : 0));
            set(c.info, g, u.ff());
            set(c.info_code, g, u.num(0));
            set(c.wact, g, u.ff());
            set(c.woken, g, u.ff());
            set(c.wall, g, u.ff());
            if (threads()) {
                set(c.ldr, g, u.num(kNoSlot));
                set(c.gx, g, u.ff());
                set(c.gcode, g, u.num(0));
            }
            if (exec()) {
                // copy_process: self_exec_id copied; parent_exec_id the
                // creator's own with CLONE_PARENT, else its self_exec_id
                set(c.sxid, g, pre.slot[t].sxid);
                set(c.pxid, g, parent ? pre.slot[t].pxid : pre.slot[t].sxid);
            }
            if (f_.autokill) set(c.ak, g, pre.slot[t].ak);   // dup_fd: the same files
            if (f_.capset) set(c.nocap, g, pre.slot[t].nocap);   // copy_creds
        }
        if (pidfd) set(me.fd, ok, child_slot);
        // the AUTOKILL file: the PIDFD_AUTOKILL f_flag (v4 on) or
        // signal->autokill_pidfd (rfc-v3), installed in the caller's table only
        if (autokill) set(me.ak, ok, u.tt());
        else if (pidfd && f_.autokill) set(me.ak, ok, u.ff());
        u.w.next_nr = z3::ite(ok, pre.next_nr + 1, pre.next_nr);
        u.w.next_seq = z3::ite(ok, pre.next_seq + 2, pre.next_seq);   // thread_node, then sibling
        ret = eperm_check ? z3::ite(ok, pre.next_nr, z3::ite(fails, u.num(-kEINVAL), u.num(-kEPERM)))
                          : z3::ite(ok, pre.next_nr, u.num(-kEINVAL));
        u.cover("copy_process: EINVAL", fails);
        u.cover("copy_process: a child", ok);
        if (want_autokill) {
            u.cover("copy_process: CLONE_PIDFD_AUTOKILL, EINVAL", fails);
            if (eperm_check) u.cover("copy_process: CLONE_PIDFD_AUTOKILL without CAP_SYS_ADMIN or CLONE_NNP, EPERM", eperm);
            if (autokill) u.cover("copy_process: CLONE_PIDFD_AUTOKILL, the pidfd is the AUTOKILL file", ok);
            if (autokill && want_nnp) u.cover("copy_process: CLONE_PIDFD_AUTOKILL|CLONE_NNP without CAP_SYS_ADMIN", ok && pre.slot[t].nocap);
        }
        if (parent) u.cover("copy_process: CLONE_PARENT, a sibling", ok);
        if (flag) u.cover("copy_signal: an autoreap process", ok);
        if (pidfd) u.cover("pidfd_prepare: a pidfd on the child", ok);
        u.cover("copy_process: has_child_subreaper inherited", ok && has_sub);
        u.cover("copy_process: SIGCHLD ignored or SA_NOCLDWAIT inherited",
                ok && (pre.slot[t].ign || pre.slot[t].nocldwait));
        break;
    }
    case ActKind::Exit:
        if (threads()) {
            u.do_exit_threads(t, u.num((a.code & 0xff) << 8));
            break;
        }
        // do_exit up to exit_notify: PF_EXITING, exit code, exit_files.
        me.st = u.num(kExiting);
        me.code = u.num((a.code & 0xff) << 8);
        me.wact = me.woken = me.wall = u.ff();
        u.cover("exit_files: the pidfd closed", me.fd != kNoSlot);
        me.fd = u.num(kNoSlot);
        u.gc();
        break;
    case ActKind::ExitGroup: {
        // do_group_exit (kernel/exit.c): the first caller sets the group's
        // code and zaps the other threads (zap_other_threads: SIGKILL, their
        // do_exit a pending step); not offered in the namespace init's group.
        enabled = enabled && u.lead(t) != 0;
        const expr first = !pre.slot[t].gx;
        const expr code = z3::ite(first, u.num((a.code & 0xff) << 8), pre.slot[t].gcode);
        u.set_proc(t, &SymSlot::gx, first, u.tt());
        u.set_proc(t, &SymSlot::gcode, first, code);
        expr zapped = u.ff();
        for (int j = 0; j < n; ++j) {
            if (j == t) continue;
            const expr z = first && u.in_group(j, t) && pre.slot[j].st == kRun;
            set(u.w.slot[j].st, z, u.num(kKilled));
            zapped = zapped || z;
        }
        u.cover("zap_other_threads: a thread killed", zapped);
        u.do_exit_threads(t, code);
        break;
    }
    case ActKind::KDoExit: {
        // the zapped thread's do_exit with the group's code; a wait it was
        // blocked in scans once more first (refimpl detail::do_exit)
        enabled = pre.slot[t].st == kKilled;
        const expr was_waiting = pre.slot[t].wact;
        me.wact = me.woken = me.wall = u.ff();
        const auto sc = u.scan_any(t, pre.slot[t].wall);
        Updater::Scan gated = sc;
        for (auto& c : gated.chosen) c = c && was_waiting;
        expr r0 = u.num(0), s0 = u.num(0);
        u.reap(gated, t, r0, s0);
        // (with autokill alone, a profile without CLONE_PIDFD_AUTOKILL kills nobody)
        if (f_.threads > 1 || f_.kill || p_.has_autokill) {
            u.cover("do_exit: a killed waiter's last scan reaps", was_waiting && sc.any);
            u.cover("do_exit: a killed thread", u.tt());
        }
        u.do_exit_threads(t, pre.slot[t].gcode);
        break;
    }
    case ActKind::Kill: {
        // kill(2) with SIGKILL (refimpl sys_kill -> send_signal; kernel/
        // signal.c): to another process's leader while its exit_state is
        // 0. prepare_signal drops it once SIGNAL_GROUP_EXIT is set;
        // sig_task_ignored: the namespace init (SIGNAL_UNKILLABLE) ignores
        // it; complete_signal: the target, or another live thread of its
        // group, takes it and starts the group exit (SIGNAL_GROUP_EXIT with
        // SIGKILL as the code, every running thread zapped).
        const int v = a.target;
        const SymSlot& s = pre.slot[v];
        enabled = enabled && (s.st == kRun || s.st == kExiting || s.st == kKilled) && u.is_leader(v) &&
                  !u.in_group(v, t);
        const expr kills = u.group_sigkill(v, u.tt());
        u.cover("send_signal: SIGKILL starts the group exit", kills);
        u.cover("send_signal: SIGKILL dropped (group exiting, init, or nobody to take it)", !kills);
        break;
    }
    case ActKind::Exec: {
        // sys_execve (fs/exec.c; refimpl/exec.cpp): de_thread, then
        // exit_signal SIGCHLD, begin_new_exec's new self_exec_id (refimpl:
        // one more than every exec id so far, World::next_xid),
        // flush_signal_handlers (SIG_IGN stays, SA_NOCLDWAIT goes; the
        // model has no handler functions) and close-on-exec (every pidfd is
        // O_CLOEXEC). Not by the namespace init's group.
        if (threads()) enabled = enabled && u.lead(t) != 0;
        if (f_.threads > 1) u.de_thread(t);
        SymSlot& x = u.w.slot[t];
        u.cover("de_thread: exit_signal reset to SIGCHLD", !x.esig);
        x.esig = u.tt();
        x.sxid = u.w.next_xid;
        u.w.next_xid = u.w.next_xid + 1;
        u.cover("flush_signal_handlers: SA_NOCLDWAIT cleared", x.nocldwait);
        if (threads()) u.set_proc(t, &SymSlot::nocldwait, u.tt(), u.ff());
        else x.nocldwait = u.ff();
        u.cover("do_close_on_exec: the pidfd closed", x.fd != kNoSlot);
        u.fput_pidfd(t);   // the last reference of an AUTOKILL file kills (refimpl: fput in sys_execve)
        x.fd = u.num(kNoSlot);
        if (f_.autokill) x.ak = u.ff();
        u.gc();
        u.cover("begin_new_exec: a new self_exec_id", u.tt());
        break;
    }
    case ActKind::Wait4: {
        const auto sc = u.scan_any(t, u.c_.bool_val(a.wall));
        const expr sleeps = !sc.any && sc.present && !a.nohang;
        u.reap(sc, t, ret, status);
        ret = z3::ite(sc.any || sc.present, ret, u.num(-kECHILD));
        u.cover("do_wait: reaps", sc.any);
        if (a.nohang) u.cover("do_wait: WNOHANG, nothing to reap", !sc.any && sc.present);
        else u.cover("do_wait: sleeps", sleeps);
        u.cover("do_wait: ECHILD", !sc.any && !sc.present);
        if (!a.wall) {
            // a child that only __WALL would consider (exit_signal 0)
            expr hidden = u.ff();
            for (int c = 0; c < n; ++c)
                hidden = hidden || (c != t && u.linked(c) && pre.slot[c].rp == t && !pre.slot[c].esig &&
                                    !pre.slot[c].ptraced);
            u.cover("eligible_child: an exit_signal 0 child skipped without __WALL", hidden);
        }
        blocks = sleeps;
        me.wact = sleeps;
        me.woken = u.ff();
        me.wall = sleeps && a.wall;
        break;
    }
    case ActKind::Waitid: {
        enabled = enabled && pre.slot[t].fd != kNoSlot;
        const auto sc = u.scan_pidfd(t);
        u.reap(sc, t, ret, status);
        ret = z3::ite(sc.any || sc.present, ret, u.num(-kECHILD));
        u.cover("waitid P_PIDFD: reaps", sc.any);
        u.cover("waitid P_PIDFD: WNOHANG, nothing to reap", !sc.any && sc.present);
        u.cover("waitid P_PIDFD: ECHILD", !sc.any && !sc.present);
        break;
    }
    case ActKind::Sigaction:
        if (threads()) {   // the group's sighand and shared_pending; not offered in init's group
            enabled = enabled && u.lead(t) != 0;
            u.set_proc(t, &SymSlot::ign, u.tt(), u.c_.bool_val(a.handler == 1));
            u.set_proc(t, &SymSlot::nocldwait, u.tt(), u.c_.bool_val(a.handler == 2));
            u.cover("do_sigaction: a pending SIGCHLD discarded", pre.slot[t].pending);
            u.set_proc(t, &SymSlot::pending, u.tt(), u.ff());
            break;
        }
        // do_sigaction: SIG_IGN / SIG_DFL discard a pending SIGCHLD.
        me.ign = u.c_.bool_val(a.handler == 1);
        me.nocldwait = u.c_.bool_val(a.handler == 2);
        u.cover("do_sigaction: a pending SIGCHLD discarded", me.pending);
        me.pending = u.ff();
        break;
    case ActKind::Subreaper: {
        if (threads()) {
            u.set_proc(t, &SymSlot::is_sub, u.tt(), u.c_.bool_val(a.value != 0));
            if (a.value == 0) break;
            // propagate_has_child_subreaper: the children of every thread of
            // a marked process, and each marked process's threads
            std::vector<expr> mark(std::size_t(n), u.ff());
            for (int round = 0; round < n; ++round) {
                std::vector<expr> next;
                for (int c = 0; c < n; ++c) {
                    expr via = u.same_group(pre.slot[c].rp, t);
                    for (int d = 0; d < n; ++d) via = via || (mark[d] && u.same_group(pre.slot[c].rp, d));
                    next.push_back(c == 0 ? u.ff()
                                          : u.linked(c) && u.is_leader(c) && !u.in_group(c, t) && !pre.slot[c].has_sub && via);
                }
                mark = next;
            }
            expr any = u.ff();
            for (int j = 0; j < n; ++j) {
                expr m = mark[j];
                for (int c = 0; c < n; ++c)
                    if (c != j) m = m || (mark[c] && u.linked(j) && pre.slot[j].ldr == c);
                set(u.w.slot[j].has_sub, m, u.tt());
                any = any || mark[j];
            }
            u.cover("propagate_has_child_subreaper: a descendant marked", any);
            break;
        }
        me.is_sub = u.c_.bool_val(a.value != 0);
        if (a.value != 0) {
            // propagate_has_child_subreaper over the descendants (kernel/sys.c).
            std::vector<expr> mark(std::size_t(n), u.ff());
            for (int round = 0; round < n; ++round) {
                std::vector<expr> next;
                for (int c = 0; c < n; ++c) {
                    expr via = pre.slot[c].rp == t;
                    for (int d = 0; d < n; ++d) via = via || (mark[d] && pre.slot[c].rp == d);
                    next.push_back(c == 0 || c == t ? u.ff() : u.linked(c) && !pre.slot[c].has_sub && via);
                }
                mark = next;
            }
            expr any = u.ff();
            for (int c = 0; c < n; ++c) {
                set(u.w.slot[c].has_sub, mark[c], u.tt());
                any = any || mark[c];
            }
            u.cover("propagate_has_child_subreaper: a descendant marked", any);
        }
        break;
    }
    case ActKind::Sigpending:
        ret = z3::ite(me.pending, u.num(kSIGCHLD), u.num(0));
        u.cover("sigpending: SIGCHLD pending", me.pending);
        if (threads()) u.set_proc(t, &SymSlot::pending, u.tt(), u.ff());
        else me.pending = u.ff();
        break;
    case ActKind::PidfdOpen: {
        const int v = a.target;
        enabled = enabled && pre.slot[t].fd == kNoSlot && u.linked(v);
        if (threads()) enabled = enabled && u.is_leader(v);   // the alphabet opens pidfds on leaders
        const expr ok = pre.slot[v].attr != 1;   // pidfs_register_pid fails once pidfs_exit marked it dead
        set(u.w.slot[v].attr, ok, u.num(2));
        set(me.fd, ok, u.num(v));
        ret = z3::ite(ok, u.num(3), u.num(-kESRCH));
        u.cover("pidfd_open: a pidfd", ok);
        u.cover("pidfd_open: ESRCH (pidfs_exit has marked the pid dead)", !ok);
        break;
    }
    case ActKind::Close:
        enabled = enabled && pre.slot[t].fd != kNoSlot;
        u.fput_pidfd(t);   // sys_close: the deferred fput runs before the closer returns
        me.fd = u.num(kNoSlot);
        if (f_.autokill) me.ak = u.ff();
        u.gc();
        break;
    case ActKind::Capset:
        // capset(2) dropping CAP_SYS_ADMIN from the caller's credentials
        // (refimpl sys_capset_drop); offered while the caller has it.
        enabled = enabled && !pre.slot[t].nocap;
        me.nocap = u.tt();
        u.cover("capset: CAP_SYS_ADMIN dropped", u.tt());
        break;
    case ActKind::WaitidNowait: {
        // waitid(P_ALL, WEXITED|WNOHANG|WNOWAIT|__WALL) (kernel/exit.c:
        // do_wait, wait_task_zombie): the scan of wait4(-1) with __WALL;
        // WNOWAIT reports the first zombie (its pid and status) and returns
        // before anything changes.
        const auto sc = u.scan_any(t, u.tt());
        for (int c = 0; c < n; ++c) {
            const SymSlot& s = pre.slot[c];
            const expr& g = sc.chosen[c];
            set(u.ev.reaped[c], g, u.tt());
            set(u.ev.reaper[c], g, u.num(t));
            set(u.ev.nowait[c], g, u.tt());
            ret = z3::ite(g, s.nr, ret);
            status = z3::ite(g, threads() ? z3::ite(s.gx, s.gcode, s.code) : s.code, status);
        }
        ret = z3::ite(sc.any || sc.present, ret, u.num(-kECHILD));
        u.cover("wait_task_zombie: WNOWAIT, reported and left a zombie", sc.any);
        u.cover("do_wait: WNOWAIT|WNOHANG, nothing to report", !sc.any && sc.present);
        u.cover("do_wait: WNOWAIT, ECHILD", !sc.any && !sc.present);
        break;
    }
    case ActKind::PtraceAttach: {
        const int v = a.target;
        const SymSlot& s = pre.slot[v];
        enabled = enabled && u.linked(v) && !s.ptraced && (s.st == kRun || s.st == kExiting);
        expr ok = s.st == kRun;
        if (threads()) {   // not a thread of the caller's group; a zapped thread is not yet exiting
            enabled = (enabled || (u.can_act(t) && s.st == kKilled && !s.ptraced)) && !u.in_group(v, t);
            ok = ok || s.st == kKilled;
        }
        SymSlot& d = u.w.slot[v];
        set(d.ptraced, ok, u.tt());
        set(d.par, ok, u.num(t));
        set(d.pseq, ok, pre.next_seq);
        u.w.next_seq = z3::ite(ok, pre.next_seq + 1, pre.next_seq);
        ret = z3::ite(ok, u.num(0), u.num(-kEPERM));
        u.cover("ptrace_attach: attached", ok);
        u.cover("ptrace_attach: EPERM (exiting)", !ok);
        break;
    }
    case ActKind::PtraceDetach: {
        const int v = a.target;
        const SymSlot& s = pre.slot[v];
        enabled = enabled && u.linked(v) && s.ptraced && s.par == t;
        const expr ok = threads() ? s.st == kRun || s.st == kKilled : s.st == kRun;
        u.unlink(v, ok);
        ret = z3::ite(ok, u.num(0), u.num(-kESRCH));
        u.cover("ptrace_detach: detached", ok);
        u.cover("ptrace_detach: ESRCH (not stopped: exiting)", !ok);
        break;
    }
    }
    std::vector<std::pair<std::string, expr>> cases;
    if (with_cases)
        for (auto& [name, guard] : u.cases) {
        expr g = (enabled && guard).simplify();
        if (!g.is_false()) cases.emplace_back(name, g);
    }
    return SymStep{enabled, u.w, ret, blocks, status, u.ev, std::move(cases)};
}

namespace {
using EvField = std::vector<expr> SymEvents::*;
const EvField kEvFields[] = {&SymEvents::ntf,  &SymEvents::ntf_to,   &SymEvents::ntf_sig, &SymEvents::ntf_self,
                             &SymEvents::ntf_traced, &SymEvents::rep, &SymEvents::rep_from, &SymEvents::rep_to,
                             &SymEvents::reaped, &SymEvents::reaper, &SymEvents::autokill, &SymEvents::nowait};
const char* const kEvNames[] = {"ntf", "ntf_to", "ntf_sig", "ntf_self", "ntf_traced", "rep",
                                "rep_from", "rep_to", "reaped", "reaper", "autokill", "nowait"};
constexpr bool kEvIsBool[] = {true, false, true, true, true, true, false, false, true, false, true, true};
/// Whether event field i is a variable: autokill with Features::autokill,
/// nowait with Features::wnowait (else constants false), the others always.
bool event_is_var(std::size_t i, const Features& f) {
    if (kEvFields[i] == &SymEvents::autokill) return f.autokill;
    if (kEvFields[i] == &SymEvents::nowait) return f.wnowait;
    return true;
}
}  // namespace

SymEvents SymModel::event_vars(const std::string& prefix) const {
    SymEvents e;
    for (std::size_t i = 0; i < std::size(kEvFields); ++i)
        for (int k = 0; k < f_.slots; ++k) {
            if (!event_is_var(i, f_)) {
                (e.*kEvFields[i]).push_back(ctx_.bool_val(false));
                continue;
            }
            const std::string name = prefix + "." + kEvNames[i] + std::to_string(k);
            (e.*kEvFields[i]).push_back(kEvIsBool[i] ? ctx_.bool_const(name.c_str()) : ctx_.int_const(name.c_str()));
        }
    return e;
}

z3::expr SymModel::events_equal(const SymEvents& a, const SymEvents& b) const {
    z3::expr_vector parts(ctx_);
    for (std::size_t i = 0; i < std::size(kEvFields); ++i) {
        if (!event_is_var(i, f_)) continue;
        const EvField f = kEvFields[i];
        for (std::size_t k = 0; k < (a.*f).size(); ++k) parts.push_back((a.*f)[k] == (b.*f)[k]);
    }
    return z3::mk_and(parts);
}

void SymModel::flatten(const SymWorld& w, z3::expr_vector& out) const {
    out.push_back(w.next_nr);
    out.push_back(w.next_seq);
    if (exec()) out.push_back(w.next_xid);
    const auto fields = state_fields();
    for (const SymSlot& sl : w.slot)
        for (Field f : fields) out.push_back(sl.*f);
}

void SymModel::flatten(const SymEvents& e, z3::expr_vector& out) const {
    for (std::size_t i = 0; i < std::size(kEvFields); ++i)
        if (event_is_var(i, f_))
            for (const expr& x : e.*kEvFields[i]) out.push_back(x);
}

SymNext SymModel::compact_next(const SymWorld& pre, const z3::expr& act) const {
    std::vector<SymStep> steps;
    for (const Act& a : acts_) steps.push_back(step(pre, a));
    z3::expr_vector en(ctx_);
    en.push_back(act >= 0 && act < int(acts_.size()));
    for (std::size_t i = 0; i < steps.size(); ++i) en.push_back(z3::implies(act == int(i), steps[i].enabled.simplify()));
    // ite(act in group1, v1, ite(act in group2, v2, ... dflt)).
    auto define = [&](const expr& dflt, auto value_of) {
        std::vector<expr> values;
        std::vector<std::vector<int>> members;
        std::unordered_map<unsigned, std::size_t> index;   // Z3 AST id of the simplified value
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const expr v = value_of(steps[i]).simplify();
            if (z3::eq(v, dflt)) continue;
            const unsigned id = Z3_get_ast_id(ctx_, v);
            auto [it, fresh] = index.emplace(id, values.size());
            if (fresh) {
                values.push_back(v);
                members.emplace_back();
            }
            members[it->second].push_back(int(i));
        }
        expr out = dflt;
        for (std::size_t g = values.size(); g-- > 0;) {
            z3::expr_vector is(ctx_);
            for (int i : members[g]) is.push_back(act == i);
            out = z3::ite(z3::mk_or(is), values[g], out);
        }
        return out;
    };
    SymWorld post = pre;
    post.next_nr = define(pre.next_nr, [](const SymStep& st) { return st.post.next_nr; });
    post.next_seq = define(pre.next_seq, [](const SymStep& st) { return st.post.next_seq; });
    if (exec()) post.next_xid = define(pre.next_xid, [](const SymStep& st) { return st.post.next_xid; });
    const auto fields = state_fields();
    for (std::size_t k = 0; k < post.slot.size(); ++k)
        for (Field f : fields)
            post.slot[k].*f = define(pre.slot[k].*f, [&](const SymStep& st) { return st.post.slot[k].*f; });
    const expr ret = define(ctx_.int_val(0), [](const SymStep& st) { return st.ret; });
    SymEvents ev = Updater::no_events(*this);
    for (std::size_t i = 0; i < std::size(kEvFields); ++i) {
        if (!event_is_var(i, f_)) continue;
        const EvField f = kEvFields[i];
        for (std::size_t k = 0; k < (ev.*f).size(); ++k)
            (ev.*f)[k] = define((ev.*f)[k], [&](const SymStep& st) { return (st.ev.*f)[k]; });
    }
    return SymNext{z3::mk_and(en), post, ret, ev};
}

z3::expr SymModel::compact_transition(const SymWorld& pre, const SymWorld& post, const z3::expr& act,
                                      const z3::expr& ret, const SymEvents& ev) const {
    const SymNext nx = compact_next(pre, act);
    return nx.enabled && equal(post, nx.post) && ret == nx.ret && events_equal(ev, nx.ev);
}

SymWorld SymModel::unflatten_world(const z3::expr_vector& v, unsigned& at) const {
    SymWorld w{{}, v[at], v[at + 1], exec() ? v[at + 2] : ctx_.int_val(1)};
    at += exec() ? 3 : 2;
    for (int k = 0; k < f_.slots; ++k) {
        std::vector<expr> x;
        for (std::size_t i = 0; i < kFieldCount; ++i) x.push_back(field_is_var(i, threads(), f_) ? v[at++] : field_constant(ctx_, i));
        w.slot.push_back(make_slot(x));
    }
    return w;
}

SymEvents SymModel::unflatten_events(const z3::expr_vector& v, unsigned& at) const {
    SymEvents e;
    for (std::size_t i = 0; i < std::size(kEvFields); ++i)
        for (int k = 0; k < f_.slots; ++k)
            (e.*kEvFields[i]).push_back(event_is_var(i, f_) ? v[at++] : ctx_.bool_val(false));
    return e;
}

World SymModel::value(const z3::model& m, const SymWorld& w) const {
    auto i = [&](const expr& e) { return m.eval(e, true).get_numeral_int(); };
    auto b = [&](const expr& e) { return m.eval(e, true).is_true(); };
    World out;
    out.next_nr = i(w.next_nr);
    out.next_seq = i(w.next_seq);
    for (const SymSlot& s : w.slot)
        out.slot.push_back(Slot{i(s.st), i(s.nr), i(s.rp), i(s.par), b(s.ptraced), i(s.sib), i(s.pseq), b(s.esig),
                                i(s.code), b(s.autoreap), b(s.is_sub), b(s.has_sub), b(s.ign), b(s.nocldwait),
                                b(s.pending), i(s.fd), i(s.attr), b(s.info), i(s.info_code), b(s.wact), b(s.woken),
                                b(s.wall), i(s.ldr), b(s.gx), i(s.gcode), i(s.sxid), i(s.pxid), b(s.ak), b(s.nocap)});
    out.next_xid = i(w.next_xid);
    return out;
}

}  // namespace reapcheck::model
