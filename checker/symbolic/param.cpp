// The parameterized model (param.hpp). Each update follows the N-slot
// update of model/symbolic.cpp (and through it refimpl and the kernel
// function cited there), written per task instead of per slot: "for each
// slot c" becomes a guard on the argument of a field, "some slot" an
// existential quantifier (or, where one task is meant, a parameter chosen
// with `Universe::choose`).
#include "checker/symbolic/param.hpp"

#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

#include "checker/symbolic/to_z3.hpp"
#include "model/symbolic.hpp"

namespace reapcheck::symbolic::param {

namespace {

constexpr int kEPERM = 1, kESRCH = 3, kECHILD = 10, kEINVAL = 22, kSIGCHLD = 17;

using Pred = std::function<expr(const expr&)>;

Pred always_v(const expr& v) {
    return [v](const expr&) { return v; };
}

bool numeral(const expr& x, int& k) {
    if (!x.is_numeral()) return false;
    k = x.get_numeral_int();
    return true;
}

}  // namespace

// ---- Universe ------------------------------------------------------------------------

Universe::Universe(z3::context& c)
    : c_(c), sort_(c.uninterpreted_sort("Task")), init_(c.constant("init", sort_)), main_(c.constant("main", sort_)) {}

Universe::Universe(z3::context& c, int n) : c_(c), n_(n), sort_(c.int_sort()), init_(c.int_val(0)), main_(c.int_val(1)) {}

expr Universe::elem(int k) const { return c_.int_val(k); }

expr Universe::forall(const std::function<expr(const expr&)>& body) const {
    if (finite()) {
        z3::expr_vector all(c_);
        for (int k = 0; k < n_; ++k) all.push_back(body(elem(k)));
        return z3::mk_and(all);
    }
    const expr x = c_.constant(("q!" + std::to_string(fresh_++)).c_str(), sort_);
    return z3::forall(x, body(x));
}

expr Universe::exists(const std::function<expr(const expr&)>& body) const {
    if (finite()) {
        z3::expr_vector any(c_);
        for (int k = 0; k < n_; ++k) any.push_back(body(elem(k)));
        return z3::mk_or(any);
    }
    const expr x = c_.constant(("q!" + std::to_string(fresh_++)).c_str(), sort_);
    return z3::exists(x, body(x));
}

expr Universe::fresh(const std::string& name) const {
    return c_.constant((name + "!" + std::to_string(fresh_++)).c_str(), sort_);
}

Universe::Choice Universe::choose(const std::string& name, const std::function<expr(const expr&)>& pred,
                                  const expr& dflt, Sides& side) const {
    if (finite()) {
        expr out = dflt;
        for (int k = n_ - 1; k >= 0; --k) out = z3::ite(pred(elem(k)), elem(k), out);
        return {out, exists(pred)};
    }
    const expr x = fresh(name);
    const expr found = c_.bool_const((name + ".found!" + std::to_string(fresh_++)).c_str());
    side.push_back({{x.decl().name().str(), found.decl().name().str()},
                    z3::implies(found, pred(x)) &&
                        z3::implies(!found, x == dflt && forall([&](const expr& y) { return !pred(y); }))});
    return {x, found};
}

expr Universe::some(const std::string& name, const std::function<expr(const expr&)>& pred, Sides& side) const {
    if (finite()) return exists(pred);
    return choose(name, pred, init_, side).found;
}

std::function<expr(const expr&)> Universe::witness(const std::string& name,
                                                   const std::function<expr(const expr&, const expr&)>& pred,
                                                   Sides& side) const {
    if (finite()) {
        const Universe* self = this;
        return [self, pred](const expr& x) { return self->exists([&](const expr& c) { return pred(x, c); }); };
    }
    const std::string id = std::to_string(fresh_++);
    const z3::func_decl w = c_.function((name + ".w!" + id).c_str(), sort_, sort_);
    const z3::func_decl found = c_.function((name + ".found!" + id).c_str(), sort_, c_.bool_sort());
    side.push_back({{w.name().str(), found.name().str()}, forall([&](const expr& x) {
        return z3::implies(found(x), pred(x, w(x))) &&
               z3::implies(!found(x), forall([&](const expr& c) { return !pred(x, c); }));
    })});
    return [found](const expr& x) { return found(x); };
}

expr F1::operator()(const expr& x) const {
    const unsigned id = x.id();
    if (auto it = memo_->find(id); it != memo_->end()) return it->second.second;
    expr out = (*f_)(x);
    memo_->emplace(id, std::make_pair(x, out));
    return out;
}

expr F2::operator()(const expr& x, const expr& y) const {
    const uint64_t id = (uint64_t(x.id()) << 32) | y.id();
    if (auto it = memo_->find(id); it != memo_->end()) return it->second.second;
    expr out = (*f_)(x, y);
    z3::expr_vector args(x.ctx());
    args.push_back(x);
    args.push_back(y);
    memo_->emplace(id, std::make_pair(args, out));
    return out;
}

namespace {

/// field := ite(g(x), v(x), field(x))
void set(F1& f, Pred g, Pred v) {
    F1 old = f;
    f = F1([old, g = std::move(g), v = std::move(v)](const expr& x) { return z3::ite(g(x), v(x), old(x)); });
}

/// The world transformer, as model/symbolic.cpp's Updater: a mutable world,
/// the events so far, and the side conditions of the chosen parameters.
class Up {
public:
    Up(const PModel& m, const PWorld& pre)
        : m_(m), u_(m.universe()), c_(u_.ctx()), w(pre), ev(no_events()) {}

    PEvents no_events() const {
        const expr f = c_.bool_val(false);
        const expr none = u_.init();
        auto cf = [f](const expr&) { return f; };
        auto cn = [none](const expr&) { return none; };
        return PEvents{F1(cf), F1(cn), F1(cf), F1(cf), F1(cf), F1(cf), F1(cn), F1(cn), F1(cf), F1(cn)};
    }

    expr tt() const { return c_.bool_val(true); }
    expr ff() const { return c_.bool_val(false); }
    expr num(int v) const { return c_.int_val(v); }
    static Pred always(const expr& v) { return always_v(v); }

    static expr linked(const PWorld& s, const expr& x) { return s.st(x) >= model::kRun && s.st(x) <= model::kDeadU; }
    static expr dead(const PWorld& s, const expr& x) { return s.st(x) == model::kDeadP || s.st(x) == model::kDeadU; }
    /// Two task references are equal (both none, or the same task).
    static expr same(const expr& ha, const expr& a, const expr& hb, const expr& b) {
        return (ha && hb && a == b) || (!ha && !hb);
    }
    expr can_act(const expr& t) const { return w.st(t) == model::kRun && !w.wact(t); }

    /// __ptrace_unlink of every task with g(x).
    void unlink(const Pred& g) {
        const PWorld s = w;
        set(w.ptraced, g, always(ff()));
        set(w.par, g, [s](const expr& x) { return s.rp(x); });
        set(w.has_par, g, [s](const expr& x) { return s.has_rp(x); });
    }

    /// do_notify_parent (kernel/signal.c, with the CLONE_AUTOREAP hunk;
    /// refimpl/signal.cpp) of every task c with g(c), SIGCHLD when sig(c);
    /// `single`: g holds of that task at most. Returns whether c reaps itself.
    Pred notify(const Pred& g, const Pred& sig, const std::optional<expr>& single = std::nullopt) {
        const PWorld s = w;
        const bool ar_profile = m_.profile().has_autoreap;
        auto pign = [s](const expr& c) { return s.has_par(c) && s.ign(s.par(c)); };
        auto pnocld = [s](const expr& c) { return s.has_par(c) && s.nocldwait(s.par(c)); };
        auto ignoring = [s, sig, pign, pnocld](const expr& c) { return !s.ptraced(c) && sig(c) && (pign(c) || pnocld(c)); };
        Pred send = [s, sig, ignoring, pign, ar_profile](const expr& c) {
            expr out = sig(c) && !(ignoring(c) && pign(c));
            if (ar_profile) out = out && !(!s.ptraced(c) && s.autoreap(c));
            return out;
        };
        Pred self = [s, ignoring, ar_profile](const expr& c) {
            expr out = ignoring(c);
            if (ar_profile) out = out || (!s.ptraced(c) && s.autoreap(c));
            return out;
        };
        // group_send_sig to the parent (pending unless it is exiting), and
        // __wake_up_parent for its waiters
        auto to = [&](const std::string& name, const Pred& extra) -> Pred {
            auto at = [s, g, extra](const expr& x, const expr& c) { return g(c) && s.has_par(c) && s.par(c) == x && extra(c); };
            if (single) {
                const expr c = *single;
                return [at, c](const expr& x) { return at(x, c); };
            }
            return u_.witness(name, at, side);
        };
        const Pred sends = to("sigchld_to", send), wakes = to("wakes", always(tt()));
        set(w.pending, [s, sends](const expr& x) { return s.st(x) == model::kRun && sends(x); }, always(tt()));
        set(w.woken, [s, wakes](const expr& x) { return s.wact(x) && wakes(x); }, always(tt()));
        set(ev.ntf, g, always(tt()));
        set(ev.ntf_to, g, [s](const expr& c) { return s.par(c); });
        set(ev.ntf_sig, g, send);
        set(ev.ntf_self, g, self);
        set(ev.ntf_traced, g, [s](const expr& c) { return s.ptraced(c); });
        return self;
    }

    /// __wake_up_parent(t) under g (the waiters of t's process: t itself).
    void wake(const expr& t, const expr& g) {
        const PWorld s = w;
        set(w.woken, [s, t, g](const expr& x) { return g && x == t && s.wact(x); }, always(tt()));
    }

    /// Fields back to their defaults (all of them, or all but the pid's) for g(x).
    void reset(const Pred& g, bool pid_too) {
        const expr f = ff(), z = num(0);
        set(w.st, g, always(num(model::kFree)));
        if (pid_too) {
            set(w.nr, g, always(z));
            set(w.attr, g, always(z));
            set(w.info, g, always(f));
            set(w.info_code, g, always(z));
        }
        for (F1* b : {&w.has_rp, &w.has_par, &w.ptraced, &w.esig, &w.autoreap, &w.is_sub, &w.has_sub, &w.ign,
                      &w.nocldwait, &w.pending, &w.has_fd, &w.wact, &w.woken, &w.wall})
            set(*b, g, always(f));
        set(w.code, g, always(z));
        const PWorld s = w;
        // the task leaves the forest: its own ancestors are gone
        F2 anc = s.anc;
        w.anc = F2([anc, g](const expr& a, const expr& b) { return z3::ite(g(b), a == b, anc(a, b)); });
    }

    /// put_pid: the pid of task k (when g) freed if RELEASED and no pidfd holds it
    /// (model/symbolic.cpp gc: only the pid whose last holder went can be freed).
    void gc(const expr& k, const expr& g) {
        const PWorld s = w;
        const expr held = u_.some("holder", [&](const expr& j) { return s.has_fd(j) && s.fd(j) == k; }, side);
        const expr drop = g && s.st(k) == model::kGone && !held;
        reset([k, drop](const expr& x) { return drop && x == k; }, true);
    }

    /// find_new_reaper (kernel/exit.c) for a single-threaded exiting
    /// `father`: with has_child_subreaper, the nearest ancestor that is a
    /// running subreaper; else (or without one) init.
    expr find_new_reaper(const expr& t) {
        const PWorld s = w;
        const Universe& u = u_;
        const Pred cand = [s](const expr& r) { return s.is_sub(r) && s.st(r) == model::kRun; };
        const Pred nearest = [s, t, cand, &u](const expr& r) {
            return s.anc(r, t) && r != t && cand(r) &&
                   u.forall([&](const expr& a) { return z3::implies(s.anc(a, t) && a != t && s.anc(r, a) && a != r, !cand(a)); });
        };
        // Some running subreaper above t, and then the nearest one. (The
        // ancestors of a task form a chain, anc being the closure of rp: a
        // candidate above t has a nearest one. Written so, "no candidate" is
        // quantifier-free under the universal quantifier, and the condition
        // stays universal.)
        const Pred above = [s, t, cand](const expr& r) { return s.anc(r, t) && r != t && cand(r); };
        Universe::Choice r{u_.init(), u_.exists(above)};
        if (u_.finite()) {
            r = u_.choose("reaper", nearest, u_.init(), side);
        } else {
            r.elem = u_.fresh("reaper");
            r.found = c_.bool_const(("reaper.found!" + r.elem.decl().name().str()).c_str());
            side.push_back({{r.elem.decl().name().str(), r.found.decl().name().str()},
                            z3::implies(r.found, nearest(r.elem)) &&
                                z3::implies(!r.found, r.elem == u_.init() && u_.forall([&](const expr& y) { return !above(y); }))});
        }
        params.emplace_back("reaper", r.elem);
        return z3::ite(s.has_sub(t) && r.found, r.elem, u_.init());
    }

    /// exit_notify (kernel/exit.c; refimpl/exit.cpp) of task t.
    void exit_notify(const expr& t) {
        const bool ar_profile = m_.profile().has_autoreap;
        // forget_original_parent: exit_ptrace first (__ptrace_detach).
        const PWorld s0 = w;
        {
        const Pred traced = [s0, t](const expr& c) {
            return c != t && linked(s0, c) && s0.ptraced(c) && s0.has_par(c) && s0.par(c) == t;
        };
        unlink(traced);
        const PWorld s1 = w;
        const Pred zombie = [s1, traced](const expr& c) { return traced(c) && s1.st(c) == model::kZombie; };
        const Pred other = [s1, t](const expr& c) { return !(s1.has_rp(c) && s1.rp(c) == t); };
        const Pred dead_other = notify([zombie, other](const expr& c) { return zombie(c) && other(c); },
                                       [s1](const expr& c) { return s1.esig(c); });
        const Pred dead_same = [s0, t, ar_profile](const expr& c) {
            expr out = s0.ign(t) || s0.nocldwait(t);
            if (ar_profile) out = out || s0.autoreap(c);
            return out;
        };
        wake(t, u_.some("released", [&](const expr& c) { return zombie(c) && !other(c) && dead_same(c); }, side));
        set(w.st,
            [zombie, other, dead_other, dead_same](const expr& c) {
                return zombie(c) && ((other(c) && dead_other(c)) || (!other(c) && dead_same(c)));
            },
            always(num(model::kDeadP)));
        }
        // The children move to the new reaper (reparent_leader), to the tail
        // of its children list in list order.
        const PWorld s4 = w;
        {
        const Pred child = [s4, t](const expr& c) { return c != t && linked(s4, c) && s4.has_rp(c) && s4.rp(c) == t; };
        const expr reaper = find_new_reaper(t);
        set(ev.rep, child, always(tt()));
        set(ev.rep_from, child, always(t));
        set(ev.rep_to, child, always(reaper));
        set(w.rp, child, always(reaper));
        set(w.has_rp, child, always(tt()));
        set(w.par, [child, s4](const expr& c) { return child(c) && !s4.ptraced(c); }, always(reaper));
        set(w.has_par, [child, s4](const expr& c) { return child(c) && !s4.ptraced(c); }, always(tt()));
        set(w.esig, [child, s4](const expr& c) { return child(c) && !dead(s4, c); }, always(tt()));
        const PWorld s5 = w;
        const Pred zombie2 = [child, s5](const expr& c) {
            return child(c) && !s5.ptraced(c) && s5.st(c) == model::kZombie;
        };
        const Pred self2 = notify(zombie2, always(tt()));
        set(w.st, [zombie2, self2](const expr& c) { return zombie2(c) && self2(c); }, always(num(model::kDeadP)));
        {
            const F2 slt = s4.slt;
            w.slt = F2([slt, child](const expr& x, const expr& y) {
                return z3::ite(child(x) && child(y), slt(x, y), z3::ite(child(x), x != x, z3::ite(child(y), x == x, slt(x, y))));
            });
            // the subtrees under t now hang under the reaper
            const F2 anc = s4.anc;
            w.anc = F2([anc, t, reaper](const expr& a, const expr& b) {
                return z3::ite(anc(t, b) && b != t, (anc(a, b) && !anc(a, t)) || anc(a, reaper), anc(a, b));
            });
        }
        }
        // The task's own notification.
        const PWorld s7 = w;
        const expr traced_me = s7.ptraced(t);
        const expr sig_traced = z3::ite(same(s7.has_par(t), s7.par(t), s7.has_rp(t), s7.rp(t)), s7.esig(t), tt());
        notify([t, traced_me](const expr& c) { return c == t && traced_me; }, always(sig_traced), t);
        const PWorld s8 = w;
        const Pred self = notify([t, traced_me](const expr& c) { return c == t && !traced_me; },
                                 [s8](const expr& c) { return s8.esig(c); }, t);
        const expr st_me = z3::ite(!traced_me && self(t), num(model::kDeadP), num(model::kZombie));
        set(w.st, [t](const expr& x) { return x == t; }, always(st_me));
    }

    struct Scan {
        Pred chosen;
        expr any, present;
    };

    /// One do_wait scan of wait4(-1) by t: the children list in list order,
    /// then the ptraced list (wait_consider_task, kernel/exit.c).
    Scan scan_any(const expr& t, const expr& wall) {
        const PWorld s = w;
        const Universe& u = u_;
        const Pred in_children = [s, t](const expr& c) { return c != t && linked(s, c) && s.has_rp(c) && s.rp(c) == t; };
        const Pred eligible = [s, wall](const expr& c) { return wall || s.esig(c); };
        const Pred reap_c = [s, t, in_children, eligible](const expr& c) {
            return in_children(c) && eligible(c) && s.st(c) == model::kZombie &&
                   (!s.ptraced(c) || (s.has_par(c) && s.par(c) == t));
        };
        const Pred in_ptraced = [s, t](const expr& c) {
            return c != t && linked(s, c) && s.ptraced(c) && s.has_par(c) && s.par(c) == t;
        };
        const Pred reap_p = [s, in_ptraced](const expr& c) { return in_ptraced(c) && s.st(c) == model::kZombie; };
        const expr present = u.some("present", [&](const expr& c) {
            return (in_children(c) && !dead(s, c) && eligible(c)) || (in_ptraced(c) && !dead(s, c));
        }, side);
        const expr any_c = u.some("reapable_child", reap_c, side);
        const Pred first_c = [s, reap_c, &u](const expr& c) {
            return reap_c(c) && u.forall([&](const expr& d) { return !(d != c && reap_c(d) && s.slt(d, c)); });
        };
        const Pred first_p = [s, reap_p, &u](const expr& c) {
            return reap_p(c) && u.forall([&](const expr& d) { return !(d != c && reap_p(d) && s.plt(d, c)); });
        };
        const Pred chosen = [first_c, first_p, any_c](const expr& c) { return first_c(c) || (!any_c && first_p(c)); };
        const expr any = any_c || u.some("reapable_tracee", reap_p, side);
        return Scan{chosen, any, present};
    }

    /// waitid(P_PIDFD, WEXITED|WNOHANG|__WALL) of t on its pidfd.
    Scan scan_pidfd(const expr& t) const {
        const PWorld s = w;
        const expr c = s.fd(t);
        const expr mine = s.has_fd(t) && linked(s, c) && c != t;
        const expr by_tree = s.has_rp(c) && s.rp(c) == t;
        const expr by_trace = s.ptraced(c) && s.has_par(c) && s.par(c) == t;
        const expr reap = mine && s.st(c) == model::kZombie &&
                          ((by_tree && (!s.ptraced(c) || (s.has_par(c) && s.par(c) == t))) || by_trace);
        const expr present = mine && !dead(s, c) && (by_tree || by_trace);
        return Scan{[c, reap](const expr& x) { return x == c && reap; }, reap, present};
    }

    /// wait_task_zombie of the chosen task, with the EXIT_TRACE hand-off.
    void reap(const Scan& sc, const expr& t, expr& ret, expr& status, std::optional<expr>& reaped, expr& got) {
        const PWorld s = w;
        const Universe::Choice ch = u_.choose("reaped", sc.chosen, u_.init(), side);
        const expr c = ch.elem;
        params.emplace_back("reaped", c);
        got = ch.found;
        reaped = c;
        const expr g = got;
        const Pred at = [c, g](const expr& x) { return g && x == c; };
        set(ev.reaped, at, always(tt()));
        set(ev.reaper, at, always(t));
        ret = z3::ite(got, s.nr(c), num(0));
        status = z3::ite(got, s.code(c), num(0));
        const expr handoff = got && s.ptraced(c) && !same(s.has_par(c), s.par(c), s.has_rp(c), s.rp(c));
        unlink([c, handoff](const expr& x) { return handoff && x == c; });
        const PWorld s2 = w;
        const Pred self = notify([c, handoff](const expr& x) { return handoff && x == c; },
                                 [s2](const expr& x) { return s2.esig(x); }, c);
        const expr st = z3::ite(handoff && !self(c), num(model::kZombie), num(model::kDeadP));
        set(w.st, at, always(st));
    }

    const PModel& m_;
    const Universe& u_;
    z3::context& c_;
    PWorld w;
    PEvents ev;
    Sides side;
    std::vector<std::pair<std::string, expr>> params;
};

}  // namespace

// ---- PModel --------------------------------------------------------------------------

PModel::PModel(const Universe& u, const refimpl::Profile& p, const model::Features& f) : u_(u), p_(p), f_(f) {
    // The parameterized alphabet: model::alphabet's actions over 3 slots
    // with actor and target dropped, each kind and argument list once.
    model::Features g = f;
    g.slots = 3;
    g.tasks = 0;
    for (const model::Act& a : model::alphabet(g)) {
        PAct pa{a, a.target != model::kNoSlot};
        pa.act.actor = 0;
        pa.act.target = pa.has_target ? 1 : model::kNoSlot;
        bool dup = false;
        for (const PAct& b : acts_) {
            const model::Act &x = b.act, &y = pa.act;
            dup = dup || (x.kind == y.kind && x.flags == y.flags && x.sigchld == y.sigchld && x.code == y.code &&
                          x.nohang == y.nohang && x.wall == y.wall && x.handler == y.handler && x.value == y.value);
        }
        if (!dup) acts_.push_back(pa);
    }
}

expr PModel::linked(const PWorld& w, const expr& x) const { return Up::linked(w, x); }

PWorld PModel::symbols(const std::string& prefix) const {
    z3::context& c = u_.ctx();
    const z3::sort T = u_.sort();
    auto f1 = [&](const char* name, const z3::sort& range) {
        const z3::func_decl f = c.function((prefix + "." + name).c_str(), T, range);
        return F1([f](const expr& x) { return f(x); });
    };
    auto f2 = [&](const char* name) {
        const z3::func_decl f = c.function((prefix + "." + name).c_str(), T, T, c.bool_sort());
        return F2([f](const expr& x, const expr& y) { return f(x, y); });
    };
    const z3::sort I = c.int_sort(), B = c.bool_sort();
    return PWorld{f1("st", I),        f1("nr", I),       f1("code", I),     f1("attr", I),      f1("info_code", I),
                  f1("ptraced", B),   f1("esig", B),     f1("autoreap", B), f1("is_sub", B),    f1("has_sub", B),
                  f1("ign", B),       f1("nocldwait", B), f1("pending", B), f1("info", B),      f1("wact", B),
                  f1("woken", B),     f1("wall", B),     f1("rp", T),       f1("has_rp", B),    f1("par", T),
                  f1("has_par", B),   f1("fd", T),       f1("has_fd", B),   f2("slt"),          f2("plt"),
                  f2("anc"),          c.int_const((prefix + ".next_nr").c_str())};
}

PWorld PModel::of_slots(const model::SymWorld& w) const {
    z3::context& c = u_.ctx();
    const int n = int(w.slot.size());
    using Field = expr model::SymSlot::*;
    auto sel = [w, n, &c](Field f) {
        return [w, n, f, &c](const expr& x) {
            int k = 0;
            if (numeral(x, k)) return w.slot[std::size_t(k)].*f;
            expr out = w.slot[std::size_t(n - 1)].*f;
            for (int j = n - 2; j >= 0; --j) out = z3::ite(x == c.int_val(j), w.slot[std::size_t(j)].*f, out);
            return out;
        };
    };
    auto f = [&](Field fl) { return F1(sel(fl)); };
    auto has = [&](Field fl) {
        auto s = sel(fl);
        return F1([s](const expr& x) { return s(x) != model::kNoSlot; });
    };
    auto order = [&](Field fl) {
        auto s = sel(fl);
        return F2([s](const expr& x, const expr& y) { return s(x) < s(y) || (s(x) == s(y) && x < y); });
    };
    // anc: the closure of rp, n rounds of a boolean matrix
    std::vector<std::vector<expr>> a;
    for (int i = 0; i < n; ++i) {
        a.emplace_back();
        for (int j = 0; j < n; ++j) a.back().push_back(c.bool_val(i == j));
    }
    for (int round = 0; round < n; ++round) {
        std::vector<std::vector<expr>> next = a;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                z3::expr_vector any(c);
                any.push_back(c.bool_val(i == j));
                for (int k = 0; k < n; ++k) any.push_back(w.slot[std::size_t(j)].rp == k && a[std::size_t(i)][std::size_t(k)]);
                next[std::size_t(i)][std::size_t(j)] = z3::mk_or(any).simplify();
            }
        a = std::move(next);
    }
    auto pick = [n, &c](const std::vector<std::vector<expr>>& m, const expr& x, const expr& y) {
        auto row = [&](int i) {
            int k = 0;
            if (numeral(y, k)) return m[std::size_t(i)][std::size_t(k)];
            expr out = m[std::size_t(i)][std::size_t(n - 1)];
            for (int j = n - 2; j >= 0; --j) out = z3::ite(y == c.int_val(j), m[std::size_t(i)][std::size_t(j)], out);
            return out;
        };
        int k = 0;
        if (numeral(x, k)) return row(k);
        expr out = row(n - 1);
        for (int i = n - 2; i >= 0; --i) out = z3::ite(x == c.int_val(i), row(i), out);
        return out;
    };
    using S = model::SymSlot;
    return PWorld{f(&S::st),        f(&S::nr),       f(&S::code),     f(&S::attr),       f(&S::info_code),
                  f(&S::ptraced),   f(&S::esig),     f(&S::autoreap), f(&S::is_sub),     f(&S::has_sub),
                  f(&S::ign),       f(&S::nocldwait), f(&S::pending), f(&S::info),       f(&S::wact),
                  f(&S::woken),     f(&S::wall),     f(&S::rp),       has(&S::rp),       f(&S::par),
                  has(&S::par),     f(&S::fd),       has(&S::fd),     order(&S::sib),    order(&S::pseq),
                  F2([a, pick](const expr& x, const expr& y) { return pick(a, x, y); }),
                  w.next_nr};
}

expr PModel::initial(const PWorld& w) const {
    const Universe& u = u_;
    const expr init = u.init(), main = u.main();
    const model::World w0 = model::initial_world(2);
    z3::expr_vector all(u.ctx());
    all.push_back(init != main);
    all.push_back(w.next_nr == w0.next_nr);
    all.push_back(u.forall([&](const expr& x) {
        const expr ri = x == init, rm = x == main;
        auto by = [&](int vi, int vm, int vo) {
            return z3::ite(ri, u.ctx().int_val(vi), z3::ite(rm, u.ctx().int_val(vm), u.ctx().int_val(vo)));
        };
        const model::Slot &si = w0.slot[0], &sm = w0.slot[1];
        z3::expr_vector f(u.ctx());
        f.push_back(w.st(x) == by(si.st, sm.st, model::kFree));
        f.push_back(w.nr(x) == by(si.nr, sm.nr, 0));
        f.push_back(w.code(x) == 0 && w.attr(x) == 0 && w.info_code(x) == 0);
        f.push_back(w.esig(x) == (ri || rm));
        for (const F1* b : {&w.ptraced, &w.autoreap, &w.is_sub, &w.has_sub, &w.ign, &w.nocldwait, &w.pending, &w.info,
                            &w.wact, &w.woken, &w.wall, &w.has_fd})
            f.push_back(!(*b)(x));
        // main's real parent and parent are init; init has none
        f.push_back(w.has_rp(x) == rm && w.has_par(x) == rm);
        f.push_back(z3::implies(rm, w.rp(x) == init && w.par(x) == init));
        // init comes before main on the list order (sibling_seq 0 and 1)
        f.push_back(u.forall([&](const expr& y) {
            return w.slt(x, y) == (ri && y == main) && !w.plt(x, y) && w.anc(x, y) == (x == y || (ri && y == main));
        }));
        return z3::mk_and(f);
    }));
    return z3::mk_and(all);
}

std::vector<std::pair<std::string, expr>> PModel::lemma_parts(const PWorld& w) const {
    const Universe& u = u_;
    auto held = [&](const expr& x) { return u.exists([&](const expr& j) { return w.has_fd(j) && w.fd(j) == x; }); };
    std::vector<std::pair<std::string, expr>> out;
    out.emplace_back("lemma: statuses and attrs in range", u.forall([&](const expr& x) {
        return w.st(x) >= 0 && w.st(x) < model::kStCount && w.attr(x) >= 0 && w.attr(x) <= 2;
    }));
    // a FREE task has its resting values, and no pidfd refers to its pid
    out.emplace_back("lemma: a FREE task rests", u.forall([&](const expr& x) {
        return z3::implies(w.st(x) == model::kFree, w.attr(x) == 0 && !w.info(x) && !w.ptraced(x) && !w.has_fd(x) &&
                                                        !w.wact(x) && !w.woken(x) && !w.wall(x));
    }));
    out.emplace_back("lemma: no pidfd refers to a FREE task", u.forall([&](const expr& j) {
        return z3::implies(w.has_fd(j), w.st(w.fd(j)) != model::kFree);
    }));
    // a RELEASED task's pid stays only while a pidfd holds it
    out.emplace_back("lemma: a RELEASED task's pid is held by a pidfd",
                     u.forall([&](const expr& x) { return z3::implies(w.st(x) == model::kGone, held(x)); }));
    // anc is a forest order (Ivy's tree axioms): reflexive, transitive,
    // antisymmetric, linear below each task; it contains rp; init is a root;
    // a task that is not running (or exiting) is a leaf; nobody is its own
    // parent or real parent.
    auto all2 = [&](const std::function<expr(const expr&, const expr&)>& f) {
        return u.forall([&](const expr& x) { return u.forall([&](const expr& y) { return f(x, y); }); });
    };
    auto all3 = [&](const std::function<expr(const expr&, const expr&, const expr&)>& f) {
        return u.forall([&](const expr& x) {
            return u.forall([&](const expr& y) { return u.forall([&](const expr& z) { return f(x, y, z); }); });
        });
    };
    out.emplace_back("lemma: anc reflexive", u.forall([&](const expr& x) { return w.anc(x, x); }));
    out.emplace_back("lemma: anc transitive", all3([&](const expr& x, const expr& y, const expr& z) {
        return z3::implies(w.anc(x, y) && w.anc(y, z), w.anc(x, z));
    }));
    out.emplace_back("lemma: anc antisymmetric", all2([&](const expr& x, const expr& y) {
        return z3::implies(w.anc(x, y) && w.anc(y, x), x == y);
    }));
    out.emplace_back("lemma: anc linear below a task", all3([&](const expr& x, const expr& y, const expr& z) {
        return z3::implies(w.anc(x, z) && w.anc(y, z), w.anc(x, y) || w.anc(y, x));
    }));
    out.emplace_back("lemma: the real parent is an ancestor", u.forall([&](const expr& y) {
        return z3::implies(linked(w, y) && w.has_rp(y), w.anc(w.rp(y), y) && w.rp(y) != y) &&
               z3::implies(linked(w, y) && w.has_par(y), w.par(y) != y);
    }));
    out.emplace_back("lemma: a task with an ancestor is linked, with a real parent", all2([&](const expr& a, const expr& y) {
        return z3::implies(w.anc(a, y) && a != y, linked(w, y) && w.has_rp(y));
    }));
    out.emplace_back("lemma: an ancestor is the real parent's ancestor", all2([&](const expr& a, const expr& y) {
        return z3::implies(w.anc(a, y) && a != y && w.has_rp(y), w.anc(a, w.rp(y)));
    }));
    out.emplace_back("lemma: init is a root, a task past exit_notify a leaf", all2([&](const expr& x, const expr& y) {
        return z3::implies(w.anc(x, u.init()), x == u.init()) &&
               z3::implies(w.anc(x, y) && w.st(x) != model::kRun && w.st(x) != model::kExiting, x == y);
    }));
    return out;
}

expr PModel::lemmas(const PWorld& w) const {
    z3::expr_vector all(u_.ctx());
    for (const auto& [n, e] : lemma_parts(w)) all.push_back(e);
    return z3::mk_and(all);
}

PStep PModel::step(const PWorld& pre, const PAct& pa) const {
    const expr actor = u_.fresh("actor");
    const expr target = pa.has_target ? u_.fresh("target") : u_.init();
    return step(pre, pa, actor, target);
}

PStep PModel::step(const PWorld& pre, const PAct& pa, const expr& t, const expr& v) const {
    Up u(*this, pre);
    const model::Act& a = pa.act;
    z3::context& c = u_.ctx();
    expr enabled = u.can_act(t);
    expr ret = u.num(0), status = u.num(0), got = u.ff();
    std::optional<expr> child;
    u.params.emplace_back("actor", t);
    if (pa.has_target) u.params.emplace_back("target", v);
    auto at = [](const expr& t0) { return [t0](const expr& x) { return x == t0; }; };
    const Pred me = at(t);
    switch (a.kind) {
    case model::ActKind::KExitNotify:
        enabled = pre.st(t) == model::kExiting;
        u.exit_notify(t);
        break;
    case model::ActKind::KPidfsExit: {
        // pidfs_exit (fs/pidfs.c): exit info for a pid with pidfs attr, else mark it dead.
        enabled = pre.st(t) == model::kDeadP;
        const expr alloc = pre.attr(t) == 2;
        set(u.w.info, me, always_v(pre.info(t) || alloc));
        set(u.w.info_code, me, always_v(z3::ite(alloc, pre.code(t), pre.info_code(t))));
        set(u.w.attr, me, always_v(z3::ite(pre.attr(t) == 0, u.num(1), pre.attr(t))));
        set(u.w.st, me, always_v(u.num(model::kDeadU)));
        break;
    }
    case model::ActKind::KUnhash: {
        // release_task's unhash: ptrace_unlink, detach the pid (pollers see POLLHUP).
        enabled = pre.st(t) == model::kDeadU;
        const expr traced = pre.ptraced(t);
        u.unlink([t, traced](const expr& x) { return traced && x == t; });
        u.reset(me, false);
        set(u.w.st, me, always_v(u.num(model::kGone)));
        u.gc(t, u.tt());
        break;
    }
    case model::ActKind::Resume: {
        enabled = pre.st(t) == model::kRun && pre.wact(t) && pre.woken(t);
        set(u.w.woken, me, always_v(u.ff()));
        const auto sc = u.scan_any(t, pre.wall(t));
        const expr sleeps = !sc.any && sc.present;
        u.reap(sc, t, ret, status, child, got);
        ret = z3::ite(sc.any || sleeps, ret, u.num(-kECHILD));
        set(u.w.wact, me, always_v(sleeps));
        set(u.w.wall, me, always_v(sleeps && pre.wall(t)));
        break;
    }
    case model::ActKind::Clone: {
        const refimpl::Profile& p = p_;
        const bool pidfd = a.flags & model::kFlagPidfd, autoreap = a.flags & model::kFlagAutoreap,
                   parent = a.flags & model::kFlagParent;
        const PWorld s = pre;
        const Universe::Choice nc = u_.choose("new", [s](const expr& x) { return s.st(x) == model::kFree; }, u_.init(), u.side);
        const expr n = nc.elem;
        u.params.emplace_back("new", n);
        enabled = enabled && nc.found;
        if (pidfd) enabled = enabled && !pre.has_fd(t);
        // clone3_args_valid, then copy_process's checks in source order (kernel/fork.c).
        bool einval = autoreap && !(p.allowed_new & p.autoreap_bit);
        einval = einval || (parent && a.sigchld);
        expr fails = c.bool_val(einval);
        if (parent) fails = fails || t == u_.init();   // CLONE_PARENT from the namespace init
        if (p.has_autoreap && autoreap) {
            bool e2 = p.autoreap_requires_pidfd && !pidfd;
            e2 = e2 || (p.autoreap_rejects_parent && parent);
            e2 = e2 || a.sigchld;
            fails = fails || c.bool_val(e2);
        }
        if (p.parent_rejected_while_autoreap && parent) fails = fails || pre.autoreap(t);
        const expr ok = !fails;
        const expr has_rp = parent ? pre.has_rp(t) : u.tt();
        const expr rp = parent ? pre.rp(t) : t;
        const bool flag = p.has_autoreap && autoreap;
        expr esig = parent ? pre.esig(t) : c.bool_val(a.sigchld);
        if (parent && p.autoreap_parent_zero_exit_signal && flag) esig = u.ff();
        const expr has_sub = has_rp && (pre.has_sub(rp) || pre.is_sub(rp));
        const Pred g = [ok, n](const expr& x) { return ok && x == n; };
        set(u.w.st, g, always_v(u.num(model::kRun)));
        set(u.w.nr, g, always_v(pre.next_nr));
        set(u.w.rp, g, always_v(rp));
        set(u.w.has_rp, g, always_v(has_rp));
        set(u.w.par, g, always_v(rp));
        set(u.w.has_par, g, always_v(has_rp));
        set(u.w.esig, g, always_v(esig));
        set(u.w.code, g, always_v(u.num(0)));
        set(u.w.autoreap, g, always_v(c.bool_val(flag)));
        set(u.w.has_sub, g, always_v(has_sub));
        set(u.w.ign, g, always_v(pre.ign(t)));
        set(u.w.nocldwait, g, always_v(pre.nocldwait(t)));
        set(u.w.fd, g, always_v(pre.fd(t)));   // dup_fd copies the table before the pidfd is installed
        set(u.w.has_fd, g, always_v(pre.has_fd(t)));
        set(u.w.attr, g, always_v(u.num(pidfd ? 2 : 0)));
        set(u.w.info_code, g, always_v(u.num(0)));
        for (F1* b : {&u.w.ptraced, &u.w.is_sub, &u.w.pending, &u.w.info, &u.w.wact, &u.w.woken, &u.w.wall})
            set(*b, g, always_v(u.ff()));
        if (pidfd) {
            set(u.w.fd, [ok, t](const expr& x) { return ok && x == t; }, always_v(n));
            set(u.w.has_fd, [ok, t](const expr& x) { return ok && x == t; }, always_v(u.tt()));
        }
        u.w.next_nr = z3::ite(ok, pre.next_nr + 1, pre.next_nr);
        {
            // the child goes to the tail of the list order (sibling_seq = next_seq + 1)
            const F2 slt = pre.slt, anc = pre.anc;
            u.w.slt = F2([slt, ok, n](const expr& x, const expr& y) {
                return z3::ite(ok && y == n, x != n, z3::ite(ok && x == n, x != x, slt(x, y)));
            });
            u.w.anc = F2([anc, ok, n, rp, has_rp](const expr& x, const expr& y) {
                return z3::ite(ok && y == n, x == n || (has_rp && anc(x, rp)), z3::ite(ok && x == n, x == y, anc(x, y)));
            });
        }
        ret = z3::ite(ok, pre.next_nr, u.num(-kEINVAL));
        child = n;
        got = ok;
        break;
    }
    case model::ActKind::Exit: {
        // do_exit up to exit_notify: PF_EXITING, exit code, exit_files.
        enabled = enabled && t != u_.init();
        set(u.w.st, me, always_v(u.num(model::kExiting)));
        set(u.w.code, me, always_v(u.num((a.code & 0xff) << 8)));
        for (F1* b : {&u.w.wact, &u.w.woken, &u.w.wall, &u.w.has_fd}) set(*b, me, always_v(u.ff()));
        u.gc(pre.fd(t), pre.has_fd(t));
        break;
    }
    case model::ActKind::Wait4: {
        const auto sc = u.scan_any(t, c.bool_val(a.wall));
        const expr sleeps = !sc.any && sc.present && c.bool_val(!a.nohang);
        u.reap(sc, t, ret, status, child, got);
        ret = z3::ite(sc.any || sc.present, ret, u.num(-kECHILD));
        set(u.w.wact, me, always_v(sleeps));
        set(u.w.woken, me, always_v(u.ff()));
        set(u.w.wall, me, always_v(sleeps && c.bool_val(a.wall)));
        break;
    }
    case model::ActKind::Waitid: {
        enabled = enabled && pre.has_fd(t);
        const auto sc = u.scan_pidfd(t);
        u.reap(sc, t, ret, status, child, got);
        ret = z3::ite(sc.any || sc.present, ret, u.num(-kECHILD));
        break;
    }
    case model::ActKind::Sigaction:
        // do_sigaction: SIG_IGN / SIG_DFL discard a pending SIGCHLD.
        enabled = enabled && t != u_.init();
        set(u.w.ign, me, always_v(c.bool_val(a.handler == 1)));
        set(u.w.nocldwait, me, always_v(c.bool_val(a.handler == 2)));
        set(u.w.pending, me, always_v(u.ff()));
        break;
    case model::ActKind::Subreaper: {
        set(u.w.is_sub, me, always_v(c.bool_val(a.value != 0)));
        if (a.value != 0) {
            // propagate_has_child_subreaper (kernel/sys.c): every descendant
            // reached through tasks without has_child_subreaper is marked.
            const PWorld s = pre;
            const Universe& uv = u_;
            const expr init = u_.init();
            const Pred walk = [s, init, t](const expr& x) {
                return x != init && x != t && Up::linked(s, x) && !s.has_sub(x);
            };
            const Pred mark = [s, t, walk, &uv](const expr& x) {
                return walk(x) && s.anc(t, x) &&
                       uv.forall([&](const expr& y) { return z3::implies(s.anc(y, x) && s.anc(t, y) && y != t && y != x, walk(y)); });
            };
            set(u.w.has_sub, mark, always_v(u.tt()));
        }
        break;
    }
    case model::ActKind::Sigpending:
        ret = z3::ite(pre.pending(t), u.num(kSIGCHLD), u.num(0));
        set(u.w.pending, me, always_v(u.ff()));
        break;
    case model::ActKind::PidfdOpen: {
        enabled = enabled && !pre.has_fd(t) && Up::linked(pre, v) && v != u_.init() && v != t;
        const expr ok = pre.attr(v) != 1;   // pidfs_register_pid fails once pidfs_exit marked it dead
        set(u.w.attr, [ok, v](const expr& x) { return ok && x == v; }, always_v(u.num(2)));
        set(u.w.fd, [ok, t](const expr& x) { return ok && x == t; }, always_v(v));
        set(u.w.has_fd, [ok, t](const expr& x) { return ok && x == t; }, always_v(u.tt()));
        ret = z3::ite(ok, u.num(3), u.num(-kESRCH));
        break;
    }
    case model::ActKind::Close:
        enabled = enabled && pre.has_fd(t);
        set(u.w.has_fd, me, always_v(u.ff()));
        u.gc(pre.fd(t), u.tt());
        break;
    case model::ActKind::PtraceAttach: {
        enabled = enabled && Up::linked(pre, v) && !pre.ptraced(v) &&
                  (pre.st(v) == model::kRun || pre.st(v) == model::kExiting) && v != u_.init() && v != t;
        const expr ok = pre.st(v) == model::kRun;
        const Pred g = [ok, v](const expr& x) { return ok && x == v; };
        set(u.w.ptraced, g, always_v(u.tt()));
        set(u.w.par, g, always_v(t));
        set(u.w.has_par, g, always_v(u.tt()));
        // the tracee goes to the tail of the ptraced order (ptrace_seq = next_seq)
        const F2 plt = pre.plt;
        u.w.plt = F2([plt, ok, v](const expr& x, const expr& y) {
            return z3::ite(ok && y == v, x != v, z3::ite(ok && x == v, x != x, plt(x, y)));
        });
        ret = z3::ite(ok, u.num(0), u.num(-kEPERM));
        break;
    }
    case model::ActKind::PtraceDetach: {
        enabled = enabled && Up::linked(pre, v) && pre.ptraced(v) && pre.has_par(v) && pre.par(v) == t &&
                  v != u_.init() && v != t;
        const expr ok = pre.st(v) == model::kRun;
        u.unlink([ok, v](const expr& x) { return ok && x == v; });
        ret = z3::ite(ok, u.num(0), u.num(-kESRCH));
        break;
    }
    // Threads and kill are not in the parameterized model: PModel's alphabet
    // is model::alphabet without them (the CLI refuses --threads/--kill with
    // --unbounded), so these kinds never reach here.
    case model::ActKind::ExitGroup:
    case model::ActKind::KDoExit:
    case model::ActKind::Kill:
    case model::ActKind::Exec:
        throw std::logic_error("parameterized model: no threads, kill or execve (" + pa.act.describe() + ")");
    // Nor capset and waitid WNOWAIT (the CLI refuses --capset/--wnowait).
    case model::ActKind::Capset:
    case model::ActKind::WaitidNowait:
        throw std::logic_error("parameterized model: no capset or WNOWAIT (" + pa.act.describe() + ")");
    }
    return PStep{enabled, u.side, u.w, ret, status, u.ev, t, v, child, got, u.params};
}

model::World PModel::value(const z3::model& m, const PWorld& w, const std::vector<expr>& elems) const {
    model::World out;
    auto i = [&](const expr& e) {
        const expr v = m.eval(e, true);
        return v.is_numeral() ? v.get_numeral_int() : 0;
    };
    auto b = [&](const expr& e) { return m.eval(e, true).is_true(); };
    auto index = [&](const expr& has, const expr& x) {
        if (!b(has)) return model::kNoSlot;
        const expr v = m.eval(x, true);
        for (std::size_t k = 0; k < elems.size(); ++k)
            if (z3::eq(m.eval(elems[k], true), v)) return int(k);
        return model::kNoSlot;
    };
    out.next_nr = i(w.next_nr);
    out.next_seq = 0;
    for (const expr& x : elems) {
        model::Slot s;
        s.st = i(w.st(x));
        s.nr = i(w.nr(x));
        s.rp = index(w.has_rp(x), w.rp(x));
        s.par = index(w.has_par(x), w.par(x));
        s.ptraced = b(w.ptraced(x));
        s.esig = b(w.esig(x));
        s.code = i(w.code(x));
        s.autoreap = b(w.autoreap(x));
        s.is_sub = b(w.is_sub(x));
        s.has_sub = b(w.has_sub(x));
        s.ign = b(w.ign(x));
        s.nocldwait = b(w.nocldwait(x));
        s.pending = b(w.pending(x));
        s.fd = index(w.has_fd(x), w.fd(x));
        s.attr = i(w.attr(x));
        s.info = b(w.info(x));
        s.info_code = i(w.info_code(x));
        s.wact = b(w.wact(x));
        s.woken = b(w.woken(x));
        s.wall = b(w.wall(x));
        // list position: how many tasks come before it
        for (const expr& y : elems) s.sib += b(w.slt(y, x)) ? 1 : 0;
        for (const expr& y : elems) s.pseq += s.ptraced && b(w.plt(y, x)) ? 1 : 0;
        out.slot.push_back(s);
    }
    return out;
}

// ---- agreement with the N-slot model ---------------------------------------------------

expr agreement_states(const model::SymModel& sm, const model::SymWorld& pre) {
    // value ranges, model.lemmas, and the list positions of linked tasks
    // below next_seq (where clone, exit_notify and ptrace_attach put the tail)
    z3::expr_vector assume(sm.ctx());
    assume.push_back(sm.domain(pre));
    assume.push_back(slots_invariant(sm, pre));
    for (const model::SymSlot& s : pre.slot) {
        // a released or free task's parents are reset (release_task), and
        // aux.resting's descriptor clause: only a running task holds a pidfd
        assume.push_back(z3::implies(s.st == model::kGone || s.st == model::kFree,
                                     s.rp == model::kNoSlot && s.par == model::kNoSlot));
        assume.push_back(z3::implies(s.st != model::kRun, s.fd == model::kNoSlot));
        const expr lk = s.st >= model::kRun && s.st <= model::kDeadU;
        assume.push_back(z3::implies(lk, s.sib < pre.next_seq && s.sib >= 0));
        assume.push_back(z3::implies(lk && s.ptraced, s.pseq < pre.next_seq && s.pseq >= 0));
    }
    return z3::mk_and(assume);
}

namespace {
model::Features unbounded_tasks(model::Features f) {
    f.tasks = 0;
    return f;
}
}  // namespace

Instance::Instance(const refimpl::Profile& p, const model::Features& f0)
    : f(unbounded_tasks(f0)),
      u(c, f.slots),
      pm(u, p, f),
      sm(c, p, f),
      pre(sm.vars("pre")),
      pw(pm.of_slots(pre)),
      base(agreement_states(sm, pre)) {}

const PAct* same_act(const PModel& pm, const model::Act& a) {
    const PAct* pa = nullptr;
    for (const PAct& b : pm.acts()) {
        const model::Act& x = b.act;
        if (x.kind == a.kind && x.flags == a.flags && x.sigchld == a.sigchld && x.code == a.code &&
            x.nohang == a.nohang && x.wall == a.wall && x.handler == a.handler && x.value == a.value)
            pa = &b;
    }
    return pa;
}

AgreeResult agree(const refimpl::Profile& p, const model::Features& f0, double query_seconds, unsigned query_rlimit) {
    const auto t0 = std::chrono::steady_clock::now();
    AgreeResult out;
    Instance in(p, f0);
    z3::context& c = in.c;
    const Universe& u = in.u;
    const PModel& pm = in.pm;
    const model::SymModel& sm = in.sm;
    const model::SymWorld& pre = in.pre;
    const PWorld& pw = in.pw;
    const expr& base = in.base;
    out.slots = in.f.slots;
    const int n = in.f.slots;
    for (const model::Act& a : sm.acts()) {
        // the parameterized action of the same kind and arguments
        const PAct* pa = same_act(pm, a);
        ++out.actions;
        if (!pa) {
            out.disagreements.push_back(a.describe() + ": no parameterized action");
            continue;
        }
        const model::SymStep ns = sm.step(pre, a);
        const PStep ps = pm.step(pw, *pa, u.elem(a.actor), pa->has_target ? u.elem(a.target) : u.init());
        z3::expr_vector eq(c);
        std::vector<std::string> what;
        auto add = [&](const std::string& w, const expr& e) {
            eq.push_back(e);
            what.push_back(w);
        };
        const PWorld& q = ps.post;
        const model::SymWorld& r = ns.post;
        add("next_nr", q.next_nr == r.next_nr);
        add("ret", ps.ret == ns.ret);
        add("status", ps.status == ns.status);
        for (int k = 0; k < n; ++k) {
            const expr x = u.elem(k);
            const model::SymSlot& s = r.slot[std::size_t(k)];
            const std::string sk = "slot" + std::to_string(k) + ".";
            const expr lk = s.st >= model::kRun && s.st <= model::kDeadU;
            add(sk + "st", q.st(x) == s.st);
            add(sk + "nr", q.nr(x) == s.nr);
            add(sk + "code", q.code(x) == s.code);
            add(sk + "attr", q.attr(x) == s.attr);
            add(sk + "info_code", q.info_code(x) == s.info_code);
            const std::pair<const F1*, const expr*> bools[] = {
                {&q.ptraced, &s.ptraced}, {&q.esig, &s.esig}, {&q.autoreap, &s.autoreap}, {&q.is_sub, &s.is_sub},
                {&q.has_sub, &s.has_sub}, {&q.ign, &s.ign}, {&q.nocldwait, &s.nocldwait}, {&q.pending, &s.pending},
                {&q.info, &s.info}, {&q.wact, &s.wact}, {&q.woken, &s.woken}, {&q.wall, &s.wall}};
            const char* names[] = {"ptraced", "esig", "autoreap", "is_sub", "has_sub", "ign",
                                   "nocldwait", "pending", "info", "wact", "woken", "wall"};
            for (std::size_t i = 0; i < std::size(bools); ++i) add(sk + names[i], (*bools[i].first)(x) == *bools[i].second);
            auto ref = [&](const char* name, const F1& has, const F1& val, const expr& slot) {
                add(sk + name, has(x) == (slot != model::kNoSlot) && z3::implies(has(x), val(x) == slot));
            };
            ref("rp", q.has_rp, q.rp, s.rp);
            ref("par", q.has_par, q.par, s.par);
            ref("fd", q.has_fd, q.fd, s.fd);
            // list orders, on linked tasks (ptraced ones for ptrace_seq)
            for (int j = 0; j < n; ++j) {
                if (j == k) continue;
                const model::SymSlot& o = r.slot[std::size_t(j)];
                const expr y = u.elem(j);
                const expr lj = o.st >= model::kRun && o.st <= model::kDeadU;
                const expr sib_lt = s.sib < o.sib || (s.sib == o.sib && c.bool_val(k < j));
                const expr pseq_lt = s.pseq < o.pseq || (s.pseq == o.pseq && c.bool_val(k < j));
                add(sk + "sibling order with slot" + std::to_string(j), z3::implies(lk && lj, q.slt(x, y) == sib_lt));
                add(sk + "ptrace order with slot" + std::to_string(j),
                    z3::implies(lk && lj && s.ptraced && o.ptraced, q.plt(x, y) == pseq_lt));
            }
            // events
            const model::SymEvents& e = ns.ev;
            const std::size_t K = std::size_t(k);
            add(sk + "notified", ps.ev.ntf(x) == e.ntf[K]);
            add(sk + "notified to",
                z3::implies(e.ntf[K] && e.ntf_to[K] != model::kNoSlot, ps.ev.ntf_to(x) == e.ntf_to[K]));
            add(sk + "notify sig", z3::implies(e.ntf[K], ps.ev.ntf_sig(x) == e.ntf_sig[K]));
            add(sk + "notify self", z3::implies(e.ntf[K], ps.ev.ntf_self(x) == e.ntf_self[K]));
            add(sk + "notify traced", z3::implies(e.ntf[K], ps.ev.ntf_traced(x) == e.ntf_traced[K]));
            add(sk + "reparented", ps.ev.rep(x) == e.rep[K]);
            add(sk + "reparented from/to",
                z3::implies(e.rep[K], ps.ev.rep_from(x) == e.rep_from[K] && ps.ev.rep_to(x) == e.rep_to[K]));
            add(sk + "reaped", ps.ev.reaped(x) == e.reaped[K]);
            add(sk + "reaper", z3::implies(e.reaped[K], ps.ev.reaper(x) == e.reaper[K]));
        }
        z3::solver s(c);
        z3::params prm(c);
        prm.set("timeout", unsigned(query_seconds * 1000));
        if (query_rlimit != 0) prm.set("rlimit", query_rlimit);
        s.set(prm);
        const expr en_p = ps.enabled, en_n = ns.enabled;
        // one query: is there a pre-state where they differ?
        z3::expr_vector bad(c);
        bad.push_back(en_p != en_n);
        for (unsigned i = 0; i < eq.size(); ++i) bad.push_back(en_n && !eq[i]);
        s.add(base);
        s.add(z3::mk_or(bad));
        const z3::check_result r0 = s.check();
        if (r0 == z3::unknown) {
            ++out.unknown;
            out.disagreements.push_back(a.describe() + ": unknown (" + s.reason_unknown() + ")");
            continue;
        }
        if (r0 == z3::unsat) continue;
        const z3::model m = s.get_model();
        std::string diff;
        if (m.eval(en_p != en_n, true).is_true())
            diff = fmt::format("enabled: parameterized {}, N-slot {}", m.eval(en_p, true).is_true(),
                               m.eval(en_n, true).is_true());
        for (unsigned i = 0; i < eq.size() && diff.size() < 400; ++i)
            if (m.eval(en_n && !eq[i], true).is_true()) diff += (diff.empty() ? "" : ", ") + what[i];
        out.disagreements.push_back(a.describe() + ": " + diff + "\n  pre-state:\n" + model::describe(sm.value(m, pre)));
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace reapcheck::symbolic::param
