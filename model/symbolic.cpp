#include "model/symbolic.hpp"

#include <functional>
#include <unordered_map>
#include <iterator>

namespace reapcheck::model {

namespace {

using z3::expr;
constexpr int kEPERM = 1, kESRCH = 3, kECHILD = 10, kEINVAL = 22, kSIGCHLD = 17;

// Pointers to the fields of SymSlot, for the generic helpers below.
using Field = expr SymSlot::*;
const Field kFields[] = {&SymSlot::st,      &SymSlot::nr,        &SymSlot::rp,       &SymSlot::par,
                         &SymSlot::ptraced, &SymSlot::sib,       &SymSlot::pseq,     &SymSlot::esig,
                         &SymSlot::code,    &SymSlot::autoreap,  &SymSlot::is_sub,   &SymSlot::has_sub,
                         &SymSlot::ign,     &SymSlot::nocldwait, &SymSlot::pending,  &SymSlot::fd,
                         &SymSlot::attr,    &SymSlot::info,      &SymSlot::info_code, &SymSlot::wact,
                         &SymSlot::woken,   &SymSlot::wall};
const char* const kFieldNames[] = {"st",       "nr",     "rp",     "par",     "ptraced",   "sib",
                                   "pseq",     "esig",   "code",   "autoreap", "is_sub",   "has_sub",
                                   "ign",      "nocldwait", "pending", "fd",    "attr",     "info",
                                   "info_code", "wact",  "woken",  "wall"};
constexpr bool kFieldIsBool[] = {false, false, false, false, true,  false, false, true,  false, true, true,
                                 true,  true,  true,  true,  false, false, true,  false, true,  true, true};
constexpr std::size_t kFieldCount = sizeof(kFields) / sizeof(kFields[0]);

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
    Updater(const SymModel& m, const SymWorld& pre) : m_(m), c_(m.ctx()), w(pre), ev(no_events(m)) {}

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
        }
        return e;
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

    expr linked(int k) const { return w.slot[k].st >= kRun && w.slot[k].st <= kDeadU; }
    expr dead(int k) const { return w.slot[k].st == kDeadP || w.slot[k].st == kDeadU; }
    expr can_act(int t) const { return w.slot[t].st == kRun && !w.slot[t].wact; }
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
        for (int k = 0; k < n(); ++k) set(w.slot[k].woken, g && parent == k && w.slot[k].wact, tt());
    }

    /// do_notify_parent(tsk, sig) with the CLONE_AUTOREAP hunk
    /// (kernel/signal.c; refimpl/signal.cpp). `sigchld`: sig is SIGCHLD
    /// (else 0). Returns whether tsk reaps itself; effects only under g.
    expr notify_parent(int t, const expr& sigchld, const expr& g) {
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
        for (int k = 0; k < n(); ++k) {
            set(w.slot[k].pending, g && par == k && send && w.slot[k].st == kRun, tt());
            parent_running = parent_running || (par == k && w.slot[k].st == kRun);
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
            const expr ok = x != kNoSlot && get(w, x, &SymSlot::is_sub, ff()) && get(w, x, &SymSlot::st, num(0)) == kRun;
            r = z3::ite(ok, x, r);
        }
        return z3::ite(w.slot[father].has_sub, r, num(0));
    }

    /// exit_notify (kernel/exit.c; refimpl/exit.cpp) of slot t.
    void exit_notify(int t) {
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

    struct Scan {
        std::vector<expr> chosen;
        expr any, present;
    };

    /// One do_wait scan of wait4(-1) by slot t: the children list in list
    /// order, then the ptraced list (wait_consider_task, kernel/exit.c).
    Scan scan_any(int t, const expr& wall) const {
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

    /// waitid(P_PIDFD, WEXITED|WNOHANG|__WALL) of slot t on its pidfd.
    Scan scan_pidfd(int t) const {
        Scan out{{}, ff(), ff()};
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
            status = z3::ite(g, s.code, status);
            const expr handoff = g && s.ptraced && s.par != s.rp;
            unlink(c, handoff);
            const expr self = notify_parent(c, s.esig, handoff);
            cover("wait_task_zombie: EXIT_TRACE hand-off, a zombie again for the real parent", handoff && !self);
            cover("wait_task_zombie: EXIT_TRACE hand-off, reaps itself", handoff && self);
            set(s.st, g, z3::ite(handoff && !self, num(kZombie), num(kDeadP)));
        }
    }

    const SymModel& m_;
    z3::context& c_;
    SymWorld w;
    SymEvents ev;
    std::vector<std::pair<std::string, expr>> cases;
};

}  // namespace

SymModel::SymModel(z3::context& ctx, const refimpl::Profile& profile, Features features)
    : ctx_(ctx), p_(profile), f_(std::move(features)), acts_(alphabet(f_)) {
    if (f_.slots < 2) throw ModelError("the model needs at least 2 slots (init and main)");
}

SymWorld SymModel::vars(const std::string& prefix) const {
    SymWorld w{{}, ctx_.int_const((prefix + ".next_nr").c_str()), ctx_.int_const((prefix + ".next_seq").c_str())};
    for (int k = 0; k < f_.slots; ++k) {
        std::vector<expr> v;
        for (std::size_t i = 0; i < kFieldCount; ++i) {
            const std::string name = prefix + "." + kFieldNames[i] + std::to_string(k);
            v.push_back(kFieldIsBool[i] ? ctx_.bool_const(name.c_str()) : ctx_.int_const(name.c_str()));
        }
        w.slot.push_back(SymSlot{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10],
                                 v[11], v[12], v[13], v[14], v[15], v[16], v[17], v[18], v[19], v[20], v[21]});
    }
    return w;
}

SymWorld SymModel::constant(const World& c) const {
    if (int(c.slot.size()) != f_.slots) throw ModelError("a world of another slot count");
    SymWorld w{{}, ctx_.int_val(c.next_nr), ctx_.int_val(c.next_seq)};
    for (const Slot& s : c.slot) {
        auto i = [&](int v) { return ctx_.int_val(v); };
        auto b = [&](bool v) { return ctx_.bool_val(v); };
        w.slot.push_back(SymSlot{i(s.st), i(s.nr), i(s.rp), i(s.par), b(s.ptraced), i(s.sib), i(s.pseq), b(s.esig),
                                 i(s.code), b(s.autoreap), b(s.is_sub), b(s.has_sub), b(s.ign), b(s.nocldwait),
                                 b(s.pending), i(s.fd), i(s.attr), b(s.info), i(s.info_code), b(s.wact), b(s.woken),
                                 b(s.wall)});
    }
    return w;
}

z3::expr SymModel::equal(const SymWorld& a, const SymWorld& b) const {
    z3::expr_vector parts(ctx_);
    parts.push_back(a.next_nr == b.next_nr);
    parts.push_back(a.next_seq == b.next_seq);
    for (std::size_t k = 0; k < a.slot.size(); ++k)
        for (Field f : kFields) parts.push_back(a.slot[k].*f == b.slot[k].*f);
    return z3::mk_and(parts);
}

z3::expr SymModel::initial(const SymWorld& w) const { return equal(w, constant(initial_world(f_.slots))); }

z3::expr SymModel::domain(const SymWorld& w) const {
    z3::expr_vector parts(ctx_);
    const int n = f_.slots;
    for (const SymSlot& s : w.slot) {
        parts.push_back(s.st >= 0 && s.st < kStCount);
        for (const expr* r : {&s.rp, &s.par, &s.fd}) parts.push_back(*r >= kNoSlot && *r < n);
        parts.push_back(s.attr >= 0 && s.attr <= 2);
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
        if (pidfd) enabled = enabled && pre.slot[t].fd == kNoSlot;
        // clone3_args_valid, then copy_process's checks in source order (kernel/fork.c).
        bool einval = autoreap && !(p.allowed_new & p.autoreap_bit);
        einval = einval || (parent && a.sigchld);
        einval = einval || (parent && t == 0);   // CLONE_PARENT from the namespace init
        if (p.has_autoreap && autoreap) {
            einval = einval || (p.autoreap_requires_pidfd && !pidfd);
            einval = einval || (p.autoreap_rejects_parent && parent);
            einval = einval || a.sigchld;
        }
        expr fails = u.c_.bool_val(einval);
        if (p.parent_rejected_while_autoreap && parent) fails = fails || pre.slot[t].autoreap;
        const expr ok = !fails;
        const expr rp = parent ? pre.slot[t].rp : u.num(t);
        const bool flag = p.has_autoreap && autoreap;
        expr esig = parent ? pre.slot[t].esig : u.c_.bool_val(a.sigchld);
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
        }
        if (pidfd) set(me.fd, ok, child_slot);
        u.w.next_nr = z3::ite(ok, pre.next_nr + 1, pre.next_nr);
        u.w.next_seq = z3::ite(ok, pre.next_seq + 2, pre.next_seq);   // thread_node, then sibling
        ret = z3::ite(ok, pre.next_nr, u.num(-kEINVAL));
        u.cover("copy_process: EINVAL", fails);
        u.cover("copy_process: a child", ok);
        if (parent) u.cover("copy_process: CLONE_PARENT, a sibling", ok);
        if (flag) u.cover("copy_signal: an autoreap process", ok);
        if (pidfd) u.cover("pidfd_prepare: a pidfd on the child", ok);
        u.cover("copy_process: has_child_subreaper inherited", ok && has_sub);
        u.cover("copy_process: SIGCHLD ignored or SA_NOCLDWAIT inherited",
                ok && (pre.slot[t].ign || pre.slot[t].nocldwait));
        break;
    }
    case ActKind::Exit:
        // do_exit up to exit_notify: PF_EXITING, exit code, exit_files.
        me.st = u.num(kExiting);
        me.code = u.num((a.code & 0xff) << 8);
        me.wact = me.woken = me.wall = u.ff();
        u.cover("exit_files: the pidfd closed", me.fd != kNoSlot);
        me.fd = u.num(kNoSlot);
        u.gc();
        break;
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
        // do_sigaction: SIG_IGN / SIG_DFL discard a pending SIGCHLD.
        me.ign = u.c_.bool_val(a.handler == 1);
        me.nocldwait = u.c_.bool_val(a.handler == 2);
        u.cover("do_sigaction: a pending SIGCHLD discarded", me.pending);
        me.pending = u.ff();
        break;
    case ActKind::Subreaper: {
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
        me.pending = u.ff();
        break;
    case ActKind::PidfdOpen: {
        const int v = a.target;
        enabled = enabled && pre.slot[t].fd == kNoSlot && u.linked(v);
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
        me.fd = u.num(kNoSlot);
        u.gc();
        break;
    case ActKind::PtraceAttach: {
        const int v = a.target;
        const SymSlot& s = pre.slot[v];
        enabled = enabled && u.linked(v) && !s.ptraced && (s.st == kRun || s.st == kExiting);
        const expr ok = s.st == kRun;
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
        const expr ok = s.st == kRun;
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
                             &SymEvents::reaped, &SymEvents::reaper};
const char* const kEvNames[] = {"ntf", "ntf_to", "ntf_sig", "ntf_self", "ntf_traced",
                                "rep", "rep_from", "rep_to", "reaped", "reaper"};
constexpr bool kEvIsBool[] = {true, false, true, true, true, true, false, false, true, false};
}  // namespace

SymEvents SymModel::event_vars(const std::string& prefix) const {
    SymEvents e;
    for (std::size_t i = 0; i < std::size(kEvFields); ++i)
        for (int k = 0; k < f_.slots; ++k) {
            const std::string name = prefix + "." + kEvNames[i] + std::to_string(k);
            (e.*kEvFields[i]).push_back(kEvIsBool[i] ? ctx_.bool_const(name.c_str()) : ctx_.int_const(name.c_str()));
        }
    return e;
}

z3::expr SymModel::events_equal(const SymEvents& a, const SymEvents& b) const {
    z3::expr_vector parts(ctx_);
    for (EvField f : kEvFields)
        for (std::size_t k = 0; k < (a.*f).size(); ++k) parts.push_back((a.*f)[k] == (b.*f)[k]);
    return z3::mk_and(parts);
}

void SymModel::flatten(const SymWorld& w, z3::expr_vector& out) const {
    out.push_back(w.next_nr);
    out.push_back(w.next_seq);
    for (const SymSlot& sl : w.slot)
        for (Field f : kFields) out.push_back(sl.*f);
}

void SymModel::flatten(const SymEvents& e, z3::expr_vector& out) const {
    for (EvField f : kEvFields)
        for (const expr& x : e.*f) out.push_back(x);
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
    for (std::size_t k = 0; k < post.slot.size(); ++k)
        for (Field f : kFields)
            post.slot[k].*f = define(pre.slot[k].*f, [&](const SymStep& st) { return st.post.slot[k].*f; });
    const expr ret = define(ctx_.int_val(0), [](const SymStep& st) { return st.ret; });
    SymEvents ev = Updater::no_events(*this);
    for (EvField f : kEvFields)
        for (std::size_t k = 0; k < (ev.*f).size(); ++k)
            (ev.*f)[k] = define((ev.*f)[k], [&](const SymStep& st) { return (st.ev.*f)[k]; });
    return SymNext{z3::mk_and(en), post, ret, ev};
}

z3::expr SymModel::compact_transition(const SymWorld& pre, const SymWorld& post, const z3::expr& act,
                                      const z3::expr& ret, const SymEvents& ev) const {
    const SymNext nx = compact_next(pre, act);
    return nx.enabled && equal(post, nx.post) && ret == nx.ret && events_equal(ev, nx.ev);
}

SymWorld SymModel::unflatten_world(const z3::expr_vector& v, unsigned& at) const {
    SymWorld w{{}, v[at], v[at + 1]};
    at += 2;
    static_assert(kFieldCount == 22, "kFields lists SymSlot's fields in declaration order");
    for (int k = 0; k < f_.slots; ++k) {
        auto x = [&](unsigned i) { return v[at + i]; };
        w.slot.push_back(SymSlot{x(0), x(1), x(2), x(3), x(4), x(5), x(6), x(7), x(8), x(9), x(10), x(11), x(12),
                                 x(13), x(14), x(15), x(16), x(17), x(18), x(19), x(20), x(21)});
        at += unsigned(kFieldCount);
    }
    return w;
}

SymEvents SymModel::unflatten_events(const z3::expr_vector& v, unsigned& at) const {
    SymEvents e;
    for (EvField f : kEvFields)
        for (int k = 0; k < f_.slots; ++k) (e.*f).push_back(v[at++]);
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
                                b(s.wall)});
    return out;
}

}  // namespace reapcheck::model
