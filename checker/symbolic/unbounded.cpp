// prove --unbounded (unbounded.hpp): the parameterized translation of the
// property language and the invariant checks.
//
// The translation reads the same typed tree as the N-slot one
// (to_z3.cpp) and gives each fact the same reading of the model's fields,
// over the parameterized world (param.hpp) instead of slots: a quantifier
// over tasks, pids or pidfds is a quantifier over the sort Task, a task
// reference is a term of that sort with a "not none" condition, and the
// call is one action of the parameterized alphabet with its actor as a
// parameter. What it cannot read (kernel events, ancestors, counting, first)
// fails with the construct named ("no parameterized form: <construct>").
#include "checker/symbolic/unbounded.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "checker/engine/trace.hpp"
#include "checker/symbolic/bridge.hpp"
#include "checker/symbolic/param.hpp"
#include "checker/symbolic/fold.hpp"
#include "checker/symbolic/to_z3.hpp"
#include "properties/catalog.hpp"
#include "properties/lang/ast.hpp"
#include "properties/lang/lang.hpp"

namespace reapcheck::symbolic {

namespace {

using param::F1;
using param::PModel;
using param::PStep;
using param::PWorld;
using param::Universe;
using props::lang::Domain;
using props::lang::Fact;
using props::lang::Node;
using props::lang::Op;
using props::lang::Program;
using props::lang::Type;
using z3::expr;

constexpr int kRunning = int(refimpl::ExitState::Running), kZombieEs = int(refimpl::ExitState::Zombie),
              kDeadEs = int(refimpl::ExitState::Dead), kReleased = int(refimpl::ExitState::Released);
constexpr int kNoStep = int(refimpl::Step::None), kStepNotify = int(refimpl::Step::ExitNotify),
              kStepPidfs = int(refimpl::Step::PidfsExit), kStepUnhash = int(refimpl::Step::Unhash);
constexpr int kSigchld = refimpl::kSigchldValue;
constexpr int kHandlerDfl = int(refimpl::Handler::Dfl), kHandlerIgn = int(refimpl::Handler::Ign);
constexpr int64_t kWEXITED = 0x4, kWALL = 0x40000000;
constexpr int64_t kPOLLIN = 0x1, kPOLLHUP = 0x10;

struct NoForm : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A value: Bool or Int; a reference: a Task term with its "not none"
/// condition; a pidfd: its holder (the task whose table has it) and its pid.
struct Val {
    expr e;
    bool ref = false;
    std::optional<expr> has;
    std::optional<expr> pid;
};

struct Env {
    const PWorld* w = nullptr;
    const PWorld* pre = nullptr;
    const PWorld* post = nullptr;
    const PStep* step = nullptr;
    const props::CallView* call = nullptr;
    const model::Act* act = nullptr;
    std::vector<std::optional<Val>> vars = std::vector<std::optional<Val>>(props::lang::kMaxVars);
};

bool is_ite(const expr& e) { return e.is_app() && e.decl().decl_kind() == Z3_OP_ITE; }

class PTr {
public:
    PTr(const PModel& m, const Program& p) : m_(m), u_(m.universe()), c_(u_.ctx()), p_(p) {}

    expr boolean(int32_t i, Env& env) { return val(i, env).e; }

    Val val(int32_t i, Env& env) {
        const Node& n = p_.nodes[std::size_t(i)];
        switch (n.op) {
        case Op::Const:
            if (n.type == Type::Bool) return v(c_.bool_val(n.value != 0));
            if (ref(n.type)) {
                if (n.value == -1) return none();
                if (n.value == int64_t(refimpl::kInit)) return task(u_.init(), c_.bool_val(true));
                fail(i, "a task constant other than init");
            }
            return v(c_.int_val(int64_t(n.value)));
        case Op::Var: {
            const auto& x = env.vars[n.slot];
            if (!x) fail(i, "a variable out of scope");
            return *x;
        }
        case Op::Fact: return fact(i, n, env);
        case Op::Not: return v(not_(boolean(n.a, env)));
        case Op::And: return v(and_({n.a, n.b}, env));
        case Op::Or: return v(or_({n.a, n.b}, env));
        case Op::AndN: return v(and_(kids(n), env));
        case Op::OrN: return v(or_(kids(n), env));
        case Op::Implies: {
            const expr a = boolean(n.a, env);
            if (a.is_false()) return v(c_.bool_val(true));
            const expr b = boolean(n.b, env);
            if (a.is_true() || b.is_true()) return v(b);
            return v(z3::implies(a, b));
        }
        case Op::Eq: case Op::Ne: {
            if (p_.nodes[std::size_t(n.a)].type == Type::Event) fail(i, "comparing kernel events");
            const Val a = val(n.a, env), b = val(n.b, env);
            const expr eq = a.ref || b.ref ? same(a, b) : eq_(a.e, b.e);
            return v(n.op == Op::Eq ? eq : not_(eq));
        }
        case Op::Lt: return v(cmp(n, env));
        case Op::Le: return v(cmp(n, env));
        case Op::Gt: return v(cmp(n, env));
        case Op::Ge: return v(cmp(n, env));
        case Op::Add: case Op::Sub: {
            const expr a = val(n.a, env).e, b = val(n.b, env).e;
            if (a.is_numeral() && b.is_numeral()) {
                const auto x = uint64_t(a.get_numeral_int64()), y = uint64_t(b.get_numeral_int64());
                return v(c_.int_val(int64_t(n.op == Op::Add ? x + y : x - y)));
            }
            return v(n.op == Op::Add ? a + b : a - b);
        }
        case Op::Neg: {
            const expr a = val(n.a, env).e;
            return v(a.is_numeral() ? c_.int_val(int64_t(0 - uint64_t(a.get_numeral_int64()))) : -a);
        }
        case Op::BitAnd: return v(bits(val(n.a, env).e, val(n.b, env).e, '&'));
        case Op::BitOr: return v(bits(val(n.a, env).e, val(n.b, env).e, '|'));
        case Op::Has: {
            const expr m = val(n.b, env).e;
            return v(eq_(bits(val(n.a, env).e, m, '&'), m));
        }
        case Op::SameProcess: {   // single-threaded processes: the same task
            const Val a = val(n.a, env), b = val(n.b, env);
            return v(*a.has && *b.has && a.e == b.e);
        }
        case Op::Forall: case Op::Exists: return quantify(i, n, env);
        case Op::Count: fail(i, "count(...)");
        case Op::First: fail(i, "first(...)");
        case Op::Ite: {
            const expr cond = boolean(n.a, env);
            if (cond.is_true()) return val(n.b, env);
            if (cond.is_false()) return val(n.c, env);
            const Val a = val(n.b, env), b = val(n.c, env);
            Val out = v(z3::ite(cond, a.e, b.e));
            out.ref = a.ref || b.ref;
            if (a.has && b.has) out.has = z3::ite(cond, *a.has, *b.has);
            if (a.pid && b.pid) out.pid = z3::ite(cond, *a.pid, *b.pid);
            return out;
        }
        case Op::Pre: case Op::Post: {
            if (!env.step) fail(i, n.op == Op::Pre ? "pre(...)" : "post(...)");
            const PWorld* saved = env.w;
            env.w = n.op == Op::Pre ? env.pre : env.post;
            Val out = val(n.a, env);
            env.w = saved;
            return out;
        }
        }
        fail(i, "this operation");
    }

private:
    static bool ref(Type t) {
        return t == Type::Task || t == Type::Pid || t == Type::File || t == Type::Null || t == Type::Event;
    }
    Val v(const expr& e) const { return Val{e, false, std::nullopt, std::nullopt}; }
    Val task(const expr& t, const expr& has) const { return Val{t, true, has, std::nullopt}; }
    Val none() const { return task(u_.init(), c_.bool_val(false)); }
    static expr same(const Val& a, const Val& b) {
        const expr ha = *a.has, hb = *b.has;
        if (ha.is_false() && hb.is_false()) return ha.ctx().bool_val(true);
        if (ha.is_false()) return !hb;
        if (hb.is_false()) return !ha;
        return (ha && hb && a.e == b.e) || (!ha && !hb);
    }

    [[noreturn]] void fail(int32_t i, const std::string& what) const {
        int line = 0;
        if (std::size_t(i) < p_.where.size()) line = p_.where[std::size_t(i)].first;
        throw NoForm("'" + what + "' (" + p_.file + ":" + std::to_string(line) + ")");
    }

    std::vector<int32_t> kids(const Node& n) const { return {p_.kids.begin() + n.a, p_.kids.begin() + n.a + n.b}; }
    expr and_(const std::vector<int32_t>& ops, Env& env) {
        return fold::all(c_, ops, [&](int32_t k) { return boolean(k, env); });
    }
    expr or_(const std::vector<int32_t>& ops, Env& env) {
        return fold::any(c_, ops, [&](int32_t k) { return boolean(k, env); });
    }
    expr not_(const expr& e) const { return fold::negate(c_, e); }
    expr eq_(const expr& a, const expr& b) const { return fold::equal(c_, a, b); }
    expr cmp(const Node& n, Env& env) {
        const expr a = val(n.a, env).e, b = val(n.b, env).e;
        switch (n.op) {
        case Op::Lt: return (a < b).simplify();
        case Op::Le: return (a <= b).simplify();
        case Op::Gt: return (a > b).simplify();
        default: return (a >= b).simplify();
        }
    }
    expr bits(const expr& a, const expr& b, char op) const {
        if (a.is_numeral() && b.is_numeral()) {
            const int64_t x = a.get_numeral_int64(), y = b.get_numeral_int64();
            return c_.int_val(op == '&' ? (x & y) : (x | y));
        }
        if (is_ite(a)) return z3::ite(a.arg(0), bits(a.arg(1), b, op), bits(a.arg(2), b, op));
        if (is_ite(b)) return z3::ite(b.arg(0), bits(a, b.arg(1), op), bits(a, b.arg(2), op));
        const expr x = z3::int2bv(64, a), y = z3::int2bv(64, b);
        return z3::bv2int(op == '&' ? (x & y) : (x | y), true);
    }
    expr none_of(Type t) const {
        switch (t) {
        case Type::Bool: return c_.bool_val(false);
        case Type::ExitState: return c_.int_val(kReleased);
        default: return c_.int_val(0);
        }
    }
    expr num(int64_t x) const { return c_.int_val(x); }
    static expr linked(const PWorld& w, const expr& x) { return w.st(x) >= model::kRun && w.st(x) <= model::kDeadU; }

    /// f of the task x (the type's "none" value when x is none).
    Val by(const Val& x, Type t, const std::function<expr(const expr&)>& f) const {
        const expr has = *x.has;
        if (has.is_false()) return v(none_of(t));
        if (has.is_true()) return v(f(x.e));
        return v(z3::ite(has, f(x.e), none_of(t)));
    }
    /// A reference-valued fact of x.
    Val ref_of(const Val& x, const std::function<expr(const expr&)>& has, const std::function<expr(const expr&)>& f) const {
        const expr hx = *x.has;
        if (hx.is_false()) return none();
        return task(f(x.e), hx.is_true() ? has(x.e) : hx && has(x.e));
    }

    /// A pid's field; in a transition's post-state, a pid whose task the
    /// transition freed reads as it was (to_z3.cpp: pid_field).
    expr pid_field(const Env& env, const expr& k, const F1 PWorld::*f) const {
        const PWorld& w = *env.w;
        if (env.step && env.w == env.post) return z3::ite(w.st(k) == model::kFree, (env.pre->*f)(k), (w.*f)(k));
        return (w.*f)(k);
    }

    Val fact(int32_t i, const Node& n, Env& env) {
        if (n.a < 0) return global(i, n, env);
        const Val x = val(n.a, env);
        const Type st = p_.nodes[std::size_t(n.a)].type;
        const PWorld& w = *env.w;
        if (st == Type::Task) {
            auto field = [&](const F1 PWorld::*f) { return by(x, n.type, [&](const expr& k) { return (w.*f)(k); }); };
            switch (n.fact) {
            case Fact::TExitState:
                return by(x, n.type, [&](const expr& k) {
                    const expr s = w.st(k);
                    return z3::ite(s == model::kRun || s == model::kExiting, num(kRunning),
                                   z3::ite(s == model::kZombie, num(kZombieEs),
                                           z3::ite(s == model::kDeadP || s == model::kDeadU, num(kDeadEs), num(kReleased))));
                });
            case Fact::TStep:
                return by(x, n.type, [&](const expr& k) {
                    const expr s = w.st(k);
                    return z3::ite(s == model::kExiting, num(kStepNotify),
                                   z3::ite(s == model::kDeadP, num(kStepPidfs),
                                           z3::ite(s == model::kDeadU, num(kStepUnhash), num(kNoStep))));
                });
            case Fact::TExiting: return by(x, n.type, [&](const expr& k) { return w.st(k) >= model::kExiting; });
            case Fact::TLinked: return by(x, n.type, [&](const expr& k) { return linked(w, k); });
            case Fact::TAlive: return by(x, n.type, [&](const expr& k) { return w.st(k) == model::kRun; });
            case Fact::TLeader: return x;   // single-threaded processes lead their group
            case Fact::TIsLeader: case Fact::TThreadGroupEmpty: return v(*x.has);
            case Fact::TDelayGroupLeader: return v(c_.bool_val(false));
            case Fact::TRealParent: return ref_of(x, [&](const expr& k) { return w.has_rp(k); }, [&](const expr& k) { return w.rp(k); });
            case Fact::TParent: return ref_of(x, [&](const expr& k) { return w.has_par(k); }, [&](const expr& k) { return w.par(k); });
            case Fact::TTracer:
                return ref_of(x, [&](const expr& k) { return w.ptraced(k) && w.has_par(k); }, [&](const expr& k) { return w.par(k); });
            case Fact::TTraced: return field(&PWorld::ptraced);
            case Fact::TExitSignal: return by(x, n.type, [&](const expr& k) { return z3::ite(w.esig(k), num(kSigchld), num(0)); });
            case Fact::TExitCode: return field(&PWorld::code);
            case Fact::TPid: return ref_of(x, [&](const expr& k) { return w.st(k) != model::kFree; }, [](const expr& k) { return k; });
            case Fact::TPidNr: return by(x, n.type, [&](const expr& k) { return pid_field(env, k, &PWorld::nr); });
            case Fact::TAutoreap: return field(&PWorld::autoreap);
            case Fact::TSubreaper: return field(&PWorld::is_sub);
            case Fact::THasChildSubreaper: return field(&PWorld::has_sub);
            case Fact::TSigchldPending: case Fact::TSharedSigchldPending: return field(&PWorld::pending);
            case Fact::TThreadSigchldPending: return v(c_.bool_val(false));
            case Fact::TSigchldHandler:
                return by(x, n.type, [&](const expr& k) { return z3::ite(w.ign(k), num(kHandlerIgn), num(kHandlerDfl)); });
            case Fact::TNocldwait: return field(&PWorld::nocldwait);
            case Fact::TWaiting: case Fact::TWaitAny: return field(&PWorld::wact);
            case Fact::TWaitWoken: return field(&PWorld::woken);
            case Fact::TWaitOptions:
                return by(x, n.type, [&](const expr& k) {
                    return z3::ite(w.wact(k), z3::ite(w.wall(k), num(kWEXITED | kWALL), num(kWEXITED)), num(0));
                });
            case Fact::TWaitClear:
                return by(x, n.type, [&](const expr& k) { return !w.wact(k) && !w.woken(k) && !w.wall(k); });
            case Fact::THasFiles: return by(x, n.type, [&](const expr& k) { return w.st(k) == model::kRun || w.has_fd(k); });
            default: fail(i, "a task fact");
            }
        }
        if (st == Type::Pid) {
            switch (n.fact) {
            case Fact::PTask: return ref_of(x, [&](const expr& k) { return linked(w, k); }, [](const expr& k) { return k; });
            case Fact::PExitInfo: return by(x, n.type, [&](const expr& k) { return pid_field(env, k, &PWorld::info); });
            case Fact::PExitCode: return by(x, n.type, [&](const expr& k) { return pid_field(env, k, &PWorld::info_code); });
            case Fact::PNr: return by(x, n.type, [&](const expr& k) { return pid_field(env, k, &PWorld::nr); });
            case Fact::PAttr: return by(x, n.type, [&](const expr& k) { return pid_field(env, k, &PWorld::attr); });
            default: fail(i, "a pid fact");
            }
        }
        if (st == Type::File) {
            // a pidfd: the descriptor of task `holder` (one per table), open while it is set
            if (!x.pid) fail(i, "a pidfd that is not a variable");
            const expr open = *x.has && w.has_fd(x.e);
            const Val pid = task(*x.pid, c_.bool_val(true));
            switch (n.fact) {
            case Fact::FPid: return pid;
            case Fact::FTask: return ref_of(pid, [&](const expr& k) { return linked(w, k); }, [](const expr& k) { return k; });
            case Fact::FPoll: {
                // pidfd_poll (fs/pidfs.c): POLLIN|POLLHUP once released, POLLIN once out of TASK_RUNNING's exit_state
                const expr s = w.st(*x.pid);
                const expr lvl = z3::ite(!linked(w, *x.pid), num(kPOLLIN | kPOLLHUP),
                                         z3::ite(s == model::kZombie || s == model::kDeadP || s == model::kDeadU, num(kPOLLIN), num(0)));
                return v(z3::ite(open, lvl, num(0)));
            }
            case Fact::FOpen: return v(open);
            case Fact::FRefs: return v(z3::ite(open, num(1), num(0)));
            case Fact::FThread: case Fact::FNonblock: case Fact::FAutokill: return v(c_.bool_val(false));
            default: fail(i, "a pidfd fact");
            }
        }
        fail(i, "kernel events");
    }

    Val global(int32_t i, const Node& n, Env& env) {
        const refimpl::Profile& p = m_.profile();
        auto b = [&](bool x) { return v(c_.bool_val(x)); };
        switch (n.fact) {
        case Fact::PrHasAutoreap: return b(p.has_autoreap);
        case Fact::PrAutoreapRequiresPidfd: return b(p.autoreap_requires_pidfd);
        case Fact::PrAutoreapRejectsParent: return b(p.autoreap_rejects_parent);
        case Fact::PrAutoreapParentZeroExitSignal: return b(p.autoreap_parent_zero_exit_signal);
        case Fact::PrParentRejectedWhileAutoreap: return b(p.parent_rejected_while_autoreap);
        case Fact::PrHasAutokill: return b(p.has_autokill);
        case Fact::PrAutokillNeedsNnpOrCap: return b(p.autokill_needs_nnp_or_cap);
        case Fact::PrAutokillSetsNnp: return b(p.autokill_sets_nnp);
        case Fact::PrAutokillByPointer: return b(p.autokill_by_pointer);
        case Fact::PrHasNnp: return b(p.has_nnp);
        case Fact::PrAutoreapBit: return v(num(int64_t(p.autoreap_bit)));
        case Fact::PrNnpBit: return v(num(int64_t(p.nnp_bit)));
        case Fact::PrAutokillBit: return v(num(int64_t(p.autokill_bit)));
        case Fact::SNextPidNr: return v(env.w->next_nr);
        default: break;
        }
        if (!env.step || !env.call) fail(i, "the call or its result");
        const PStep& s = *env.step;
        const props::CallView& cv = *env.call;
        const model::Act& a = *env.act;
        const bool may_block = a.kind == model::ActKind::Resume || (a.kind == model::ActKind::Wait4 && !a.nohang);
        switch (n.fact) {
        case Fact::RRet: return v(s.ret);
        case Fact::RErrno: return v(z3::ite(s.ret < 0, -s.ret, num(0)));
        case Fact::CKind: return v(num(int(cv.kind)));
        case Fact::CActor: return task(s.actor, c_.bool_val(true));
        case Fact::CFlags: return v(num(int64_t(cv.clone_flags)));
        case Fact::CExitSignal: return v(num(cv.exit_signal));
        case Fact::CLegacy: return b(cv.legacy);
        case Fact::CWaitOptions: return v(num(int64_t(cv.wait_options)));
        case Fact::CGroup: return b(cv.group);
        case Fact::ROk: return v(may_block ? s.ret > 0 : s.ret >= 0);
        case Fact::RTask:
            // clone: the new task; a wait: the task it reaped
            if (s.child) return task(*s.child, s.got);
            return none();
        default: fail(i, "this fact of the call or its result");
        }
    }

    Val quantify(int32_t i, const Node& n, Env& env) {
        const PWorld& w = *env.w;
        std::function<expr(const expr&)> guard;
        std::function<Val(const expr&)> elem = [&](const expr& x) { return task(x, c_.bool_val(true)); };
        std::optional<Val> single;   // a domain of at most one element
        switch (n.domain) {
        case Domain::Tasks: case Domain::Processes: case Domain::Pids:
            guard = [&](const expr& x) { return w.st(x) != model::kFree; };
            break;
        case Domain::Pidfds:
            guard = [&](const expr& x) { return w.has_fd(x); };
            elem = [&](const expr& x) {
                Val f = task(x, c_.bool_val(true));
                f.pid = w.fd(x);
                return f;
            };
            break;
        case Domain::Threads: {   // a single-threaded process: the task while it is listed
            const Val t = val(n.a, env);
            single = t;
            guard = [&, t](const expr&) { return *t.has && linked(w, t.e); };
            break;
        }
        case Domain::Children: case Domain::Tracees: {
            const Val t = val(n.a, env);
            const bool children = n.domain == Domain::Children;
            guard = [&, t, children](const expr& x) {
                const expr of = children ? w.has_rp(x) && w.rp(x) == t.e : w.ptraced(x) && w.has_par(x) && w.par(x) == t.e;
                return *t.has && linked(w, x) && x != t.e && of;
            };
            break;
        }
        case Domain::Ancestors: fail(i, "ancestors(...)");
        default: fail(i, "kernel events");
        }
        std::optional<Val> saved = env.vars[n.slot];
        auto body = [&](const expr& x) {
            env.vars[n.slot] = single ? *single : elem(x);
            const expr g = guard(x);
            const expr b = boolean(n.b, env);
            return n.op == Op::Forall ? z3::implies(g, b) : g && b;
        };
        expr out = c_.bool_val(true);
        if (single) out = body(single->e);
        else out = n.op == Op::Forall ? u_.forall(body) : u_.exists(body);
        env.vars[n.slot] = saved;
        return v(out);
    }

    const PModel& m_;
    const Universe& u_;
    z3::context& c_;
    const Program& p_;
};

/// Whether the predicate reads the call (a step form is then split by action).
bool reads_call(const Program& p) {
    for (const Node& n : p.nodes)
        if (n.op == Op::Fact && n.a < 0 && n.fact >= Fact::CKind && n.fact <= Fact::RHasStatus) return true;
    return false;
}

/// The side conditions `f` reads (transitively): those that constrain a
/// symbol of f or of a side condition already included.
expr needed_sides(const expr& f, const param::Sides& sides) {
    std::set<std::string> names;
    std::set<unsigned> seen;
    std::vector<expr> todo{f};
    auto scan = [&](std::vector<expr>& work) {
        while (!work.empty()) {
            const expr e = work.back();
            work.pop_back();
            if (!seen.insert(e.id()).second) continue;
            if (e.is_app()) {
                if (e.decl().decl_kind() == Z3_OP_UNINTERPRETED) names.insert(e.decl().name().str());
                for (unsigned i = 0; i < e.num_args(); ++i) work.push_back(e.arg(i));
            } else if (e.is_quantifier()) {
                work.push_back(e.body());
            }
        }
    };
    scan(todo);
    z3::expr_vector out(f.ctx());
    std::vector<bool> used(sides.size(), false);
    for (bool grew = true; grew;) {
        grew = false;
        for (std::size_t i = 0; i < sides.size(); ++i) {
            if (used[i]) continue;
            bool hit = false;
            for (const std::string& n : sides[i].symbols) hit = hit || names.count(n);
            if (!hit) continue;
            used[i] = grew = true;
            out.push_back(sides[i].cond);
            std::vector<expr> w{sides[i].cond};
            scan(w);
        }
    }
    return out.empty() ? f.ctx().bool_val(true) : z3::mk_and(out);
}

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// The invariant's parts: their ids and parsed programs.
struct Part {
    std::string id;
    const Program* prog;
};

const std::vector<std::unique_ptr<props::lang::TextProperty>>& own_invariants() {
    const props::BuiltinCatalogText& f = props::builtin_unbounded_texts().at(0);
    static const auto v = props::lang::parse_text(f.text, f.path);
    return v;
}

const char* const kCatalogParts[] = {"aux.orphans", "aux.resting", "aux.autoreap_flag"};

/// The elements of Task in a model, init and main first.
std::vector<expr> universe_of(const z3::model& m, const Universe& u) {
    std::vector<expr> out{u.init(), u.main()};
    const Z3_ast_vector v = Z3_model_get_sort_universe(m.ctx(), m, u.sort());
    if (!v) return out;
    const z3::expr_vector all(m.ctx(), v);
    for (unsigned i = 0; i < all.size(); ++i) {
        const expr e = all[i];
        bool known = false;
        for (const expr& x : out) known = known || z3::eq(m.eval(x, true), e);
        if (!known) out.push_back(e);
    }
    return out;
}

std::string act_name(const model::Act& a, const std::vector<std::pair<std::string, expr>>& params, const z3::model& m,
                     const std::vector<expr>& elems) {
    model::Act b = a;
    auto index = [&](const expr& x) {
        const expr v = m.eval(x, true);
        for (std::size_t k = 0; k < elems.size(); ++k)
            if (z3::eq(m.eval(elems[k], true), v)) return int(k);
        return -1;
    };
    std::string extra;
    for (const auto& [name, x] : params) {
        if (name == "actor") b.actor = index(x);
        else if (name == "target") b.target = index(x);
        else extra += fmt::format(" {}=slot{}", name, index(x));
    }
    return b.describe() + (extra.empty() ? "" : " (" + extra.substr(1) + ")");
}

/// A state property's parameterized form over w (NoForm: none).
expr param_state_form(const PModel& m, const Program& prog, const PWorld& w) {
    PTr t(m, prog);
    Env env;
    env.w = &w;
    return t.boolean(prog.root, env);
}

/// A step property's parameterized form over action `a` from `pre` (s: its
/// step from there; NoForm: none). The call's facts are constants of the
/// action: its view is taken with placeholder tasks, the actor and target
/// are s's parameters.
expr param_step_form(const PModel& m, const Program& prog, const PWorld& pre, const PStep& s, const param::PAct& a) {
    PTr t(m, prog);
    Env env;
    env.w = &pre;
    env.pre = &pre;
    env.post = &s.post;
    env.step = &s;
    const std::vector<refimpl::Id> task_of{0, 1, 2};
    const props::CallView cv = engine::call_view(m.profile(), to_action(a.act, task_of));
    if (reads_call(prog)) {
        env.call = &cv;
        env.act = &a.act;
    }
    return t.boolean(prog.root, env);
}

class Prover {
public:
    Prover(const refimpl::Profile& p, const UnboundedOptions& o)
        : p_(p), o_(o), u_(c_), m_(u_, p, o.features), pre_(m_.symbols("pre")) {
        for (const char* id : kCatalogParts) {
            const props::Property* prop = props::find(id);
            if (prop && program_of(*prop)) parts_.push_back({id, program_of(*prop)});
        }
        for (const auto& tp : own_invariants()) parts_.push_back({tp->id, tp->eval->program()});
    }

    [[nodiscard]] std::vector<std::string> parts() const {
        std::vector<std::string> out;
        for (const Part& pt : parts_) out.push_back(pt.id);
        out.push_back("parameterized-model lemmas");
        return out;
    }

    expr state_form(const Program& prog, const PWorld& w) { return param_state_form(m_, prog, w); }
    expr step_form(const Program& prog, const PStep& s, const param::PAct& a) {
        return param_step_form(m_, prog, pre_, s, a);
    }

    using Parts = std::vector<std::pair<std::string, expr>>;
    /// The base invariant (the parts and the lemmas) over w, part by part.
    Parts base(const PWorld& w) {
        Parts out;
        out = m_.lemma_parts(w);
        for (const Part& pt : parts_) out.emplace_back(pt.id, state_form(*pt.prog, w));
        return out;
    }
    expr conj(const Parts& ps) {
        z3::expr_vector all(c_);
        for (const auto& [n, e] : ps) all.push_back(e);
        return z3::mk_and(all);
    }

    struct Query {
        z3::check_result r = z3::unknown;
        std::string reason;
        std::optional<z3::model> model;
    };
    Query check(const expr& f, double seconds) {
        z3::solver s(c_);
        z3::params ps(c_);
        ps.set("timeout", unsigned(std::max(1.0, seconds * 1000)));
        if (o_.query_rlimit != 0) ps.set("rlimit", o_.query_rlimit);
        s.set(ps);
        s.add(f);
        Query q;
        ++queries_;
        try {
            q.r = s.check();
        } catch (const z3::exception& e) {
            q.r = z3::unknown;
            q.reason = e.msg();
            return q;
        }
        if (q.r == z3::sat) q.model = s.get_model();
        if (q.r == z3::unknown) q.reason = s.reason_unknown();
        return q;
    }

    std::string cti(const z3::model& m, const PStep* s, const param::PAct* a, const std::string& what) {
        const std::vector<expr> elems = universe_of(m, u_);
        std::string out = fmt::format("    {} ({} tasks in the model's universe; slot k is its k-th element, "
                                      "slot0 init, slot1 main):\n",
                                      what, elems.size());
        const PWorld& w = s ? pre_ : init_world_;
        out += "    pre-state:\n" + indent(model::describe(m_.value(m, w, elems)));
        if (s && a) {
            out += "    action: " + act_name(a->act, s->params, m, elems) + "\n";
            out += "    post-state:\n" + indent(model::describe(m_.value(m, s->post, elems)));
        }
        return out;
    }
    static std::string indent(const std::string& t) {
        std::string out;
        std::size_t at = 0;
        while (at < t.size()) {
            const std::size_t nl = t.find('\n', at);
            out += "  " + t.substr(at, nl == std::string::npos ? std::string::npos : nl - at + 1);
            if (nl == std::string::npos) break;
            at = nl + 1;
        }
        if (!out.empty() && out.back() != '\n') out += "\n";
        return out;
    }

    /// Initiation and consecution of `inv` (a function of a world); `step`:
    /// instead of consecution of inv, that every transition satisfies it.
    UnboundedResult prove(const std::string& id, const std::function<Parts(const PWorld&)>& inv,
                          const std::function<expr(const PStep&, const param::PAct&)>* step_prop, double budget,
                          bool assume = true) {
        const auto t0 = std::chrono::steady_clock::now();
        UnboundedResult r;
        r.property = id;
        queries_ = 0;
        auto left = [&] { return budget - since(t0); };
        auto unknown = [&](const std::string& why) {
            r.kind = UnboundedResult::Kind::Unknown;
            r.reason = why;
            r.seconds = since(t0);
            r.queries = queries_;
            return r;
        };
        std::string first_unknown;
        try {
            if (!step_prop) {
                const Query q = check(m_.initial(init_world_) && !conj(inv(init_world_)), left());
                if (q.r == z3::unknown) return unknown("initiation: " + q.reason);
                if (q.r == z3::sat) {
                    r.kind = UnboundedResult::Kind::NotInductive;
                    r.reason = "does not hold in the initial world";
                    r.cti = cti(*q.model, nullptr, nullptr, "the initial world");
                    r.seconds = since(t0);
                    r.queries = queries_;
                    return r;
                }
            }
            const Parts pre_parts = base(pre_);
            const expr hyp = !assume ? c_.bool_val(true)
                                     : conj(pre_parts) && (step_prop ? c_.bool_val(true) : conj(inv(pre_)));
            for (const param::PAct& a : m_.acts()) {
                const PStep s = m_.step(pre_, a);
                const Parts goals = step_prop ? Parts{{id, (*step_prop)(s, a)}} : inv(s.post);
                for (const auto& [part, goal] : goals) {
                    if (o_.interrupt && *o_.interrupt) return unknown("interrupted");
                    if (left() <= 0) return unknown(fmt::format("timeout: the {:.0f} s budget ran out", budget));
                    if (goal.is_true()) continue;
                    const std::string what = kind_of(a.act) + (step_prop ? "" : ", " + part);
                    const auto tq = std::chrono::steady_clock::now();
                    const expr f = hyp && s.enabled && !goal;
                    const Query q = check(f && needed_sides(f, s.sides), left());
                    if (o_.progress && since(tq) > 2)
                        std::fprintf(stderr, "prove --unbounded: %s: %s: %.1f s\n", id.c_str(), what.c_str(), since(tq));
                    if (q.r == z3::unknown) {
                        if (first_unknown.empty()) first_unknown = fmt::format("{}: {}", what, q.reason);
                        continue;
                    }
                    if (q.r == z3::sat) {
                        r.kind = UnboundedResult::Kind::NotInductive;
                        r.reason = step_prop ? "a transition from a state of the invariant violates it"
                                             : "a transition from a state of the invariant breaks " + part;
                        r.cti = cti(*q.model, &s, &a, "counterexample to induction");
                        r.seconds = since(t0);
                        r.queries = queries_;
                        return r;
                    }
                }
            }
        } catch (const NoForm& e) {
            r.kind = UnboundedResult::Kind::Unknown;
            r.reason = std::string("no parameterized form: ") + e.what();
            r.seconds = since(t0);
            return r;
        } catch (const z3::exception& e) {
            return unknown(std::string("Z3: ") + e.msg());
        }
        if (!first_unknown.empty()) return unknown(first_unknown);
        r.kind = UnboundedResult::Kind::Proved;
        r.reason = !step_prop ? "initiation and consecution of the invariant with it"
                   : assume   ? "every transition from a state of the invariant satisfies it"
                              : "every transition from every state satisfies it (no invariant needed)";
        r.seconds = since(t0);
        r.queries = queries_;
        return r;
    }

    UnboundedResult prove_base(double budget) {
        return prove("invariant", [&](const PWorld& w) { return base(w); }, nullptr, budget);
    }
    /// An action without its actor ("clone3 flags=PIDFD exit_signal=0").
    static std::string kind_of(const model::Act& a) {
        const std::string d = a.describe();
        const std::size_t at = d.find(": ");
        return d.rfind("kernel", 0) == 0 ? d.substr(0, d.find(" slot")) : at == std::string::npos ? d : d.substr(at + 2);
    }

    /// A step property on every transition from every state (no invariant).
    UnboundedResult prove_step_anywhere(const props::Property& prop, double budget) {
        const Program* prog = program_of(prop);
        const std::function<expr(const PStep&, const param::PAct&)> sp = [&](const PStep& s, const param::PAct& a) {
            return step_form(*prog, s, a);
        };
        return prove(std::string(prop.id), nullptr, &sp, budget, false);
    }

    UnboundedResult prove_property(const props::Property& prop, double budget) {
        const Program* prog = program_of(prop);
        UnboundedResult r;
        r.property = std::string(prop.id);
        if (!prog) {
            r.reason = "no text";
            return r;
        }
        if (prop.kind == props::Kind::Always)
            return prove(r.property, [&](const PWorld& w) { return Parts{{r.property, state_form(*prog, w)}}; }, nullptr, budget);
        if (prop.kind == props::Kind::Step) {
            const std::function<expr(const PStep&, const param::PAct&)> sp = [&](const PStep& s, const param::PAct& a) {
                return step_form(*prog, s, a);
            };
            return prove(r.property, nullptr, &sp, budget);
        }
        r.reason = "not an `always` or `step` property";
        return r;
    }

private:
    const refimpl::Profile& p_;
    const UnboundedOptions& o_;
    z3::context c_;
    Universe u_;
    PModel m_;
    PWorld pre_;
    PWorld init_world_ = m_.symbols("init");
    std::vector<Part> parts_;
    int queries_ = 0;
};

}  // namespace

const char* to_string(UnboundedResult::Kind k) {
    switch (k) {
    case UnboundedResult::Kind::Proved: return "proved";
    case UnboundedResult::Kind::NotInductive: return "not inductive";
    case UnboundedResult::Kind::Unknown: return "unknown";
    case UnboundedResult::Kind::NotApplicable: return "not applicable";
    }
    return "?";
}

std::vector<std::string> unbounded_default_properties() {
    return {"autoreap.never_reapable_zombie", "lifecycle.zombie_has_reaper", "autoreap.rejects_parent",
            "autoreap.parent_grandchild",     "autoreap.not_inherited",      "pidfd.exit_info_on_pollhup"};
}

namespace {

/// The second half of `--agree N`: the parameterized translation of each
/// property (PTr above) in the finite instance of N tasks against the
/// N-slot translation (to_z3.cpp's Translator), which crosscheck compares
/// with the explicit evaluation of the text on refimpl. One query per state
/// property, and per step property and action: is there a pre-state (the
/// ones param::agree compares the models on) where the two forms differ?
/// For a step property both sides take the action from that state (the
/// models' post-states, which param::agree compared). A property without a
/// parameterized form is not compared (prove says `unknown` for it).
void agree_forms(const refimpl::Profile& p, const model::Features& f0,
                 const std::vector<std::tuple<std::string, const Program*, bool>>& forms, double query_seconds,
                 unsigned query_rlimit, AgreementSummary& out) {
    param::Instance in(p, f0);
    z3::context& c = in.c;
    const Translator tr(in.sm);
    auto differ = [&](const std::string& what, const expr& cond, const expr& a, const expr& b) {
        ++out.forms;
        z3::solver s(c);
        z3::params prm(c);
        prm.set("timeout", unsigned(std::max(1.0, query_seconds * 1000)));
        if (query_rlimit != 0) prm.set("rlimit", query_rlimit);
        s.set(prm);
        s.add(in.base && cond && a != b);
        const z3::check_result r = s.check();
        if (r == z3::unsat) return;
        if (r == z3::unknown) {
            ++out.unknown;
            out.disagreements.push_back(what + ": unknown (" + s.reason_unknown() + ")");
            return;
        }
        const z3::model m = s.get_model();
        out.disagreements.push_back(fmt::format("{}: the parameterized form says {}, the N-slot form {}\n  pre-state:\n{}",
                                                what, m.eval(a, true).is_true(), m.eval(b, true).is_true(),
                                                model::describe(in.sm.value(m, in.pre))));
    };
    for (const auto& [id, prog, state] : forms) {
        if (state) {
            expr pf(c), nf(c);
            try {
                pf = param_state_form(in.pm, *prog, in.pw);
                nf = tr.state(*prog, in.pre);
            } catch (const NoForm&) {
                continue;
            } catch (const Untranslatable&) {
                continue;
            }
            differ("form of " + id, c.bool_val(true), pf, nf);
            continue;
        }
        const expr act_index = c.int_const("agree.act");
        for (std::size_t ai = 0; ai < in.sm.acts().size(); ++ai) {
            const model::Act& a = in.sm.acts()[ai];
            const param::PAct* pa = param::same_act(in.pm, a);
            if (!pa) continue;   // param::agree reports it
            const model::SymStep ns = in.sm.step(in.pre, a);
            const PStep ps = in.pm.step(in.pw, *pa, in.u.elem(a.actor), pa->has_target ? in.u.elem(a.target) : in.u.init());
            expr pf(c), nf(c);
            try {
                pf = param_step_form(in.pm, *prog, in.pw, ps, *pa);
                nf = tr.step_of(*prog, SymTransition{in.pre, ns.post, act_index, ns.ret, ns.ev}, int(ai));
            } catch (const NoForm&) {
                break;
            } catch (const Untranslatable&) {
                break;
            }
            differ("form of " + id + " on " + a.describe(), ns.enabled, pf, nf);
        }
    }
}

}  // namespace

UnboundedReport prove_unbounded(const refimpl::Profile& p, const UnboundedOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    UnboundedReport rep;
    rep.profile = p.name;
    const std::vector<std::string> ids = o.properties.empty() ? unbounded_default_properties() : o.properties;
    for (const std::string& id : ids)
        if (!props::find(id)) throw std::invalid_argument("--property: unknown property id '" + id + "'");
    for (int n : o.agree) {
        model::Features f = o.features;
        f.slots = n;
        const param::AgreeResult a = param::agree(p, f, o.property_seconds, o.query_rlimit);
        AgreementSummary sum{a.slots, a.actions, a.unknown, 0, a.disagreements, a.seconds};
        // and the property forms: the run's properties and the invariant's parts
        std::vector<std::tuple<std::string, const Program*, bool>> forms;
        for (const std::string& id : ids) {
            const props::Property* prop = props::find(id);
            if (prop->applies_to(p) && program_of(*prop) &&
                (prop->kind == props::Kind::Always || prop->kind == props::Kind::Step))
                forms.emplace_back(id, program_of(*prop), prop->kind == props::Kind::Always);
        }
        for (const char* id : kCatalogParts)
            if (const props::Property* prop = props::find(id); prop && program_of(*prop)) forms.emplace_back(id, program_of(*prop), true);
        for (const auto& tp : own_invariants()) forms.emplace_back(tp->id, tp->eval->program(), true);
        const auto f0 = std::chrono::steady_clock::now();
        agree_forms(p, f, forms, o.property_seconds, o.query_rlimit, sum);
        sum.seconds += since(f0);
        rep.agreement.push_back(sum);
        if (o.progress) std::fprintf(stderr, "prove --unbounded: %s: agreement at %d slots done in %.2f s\n", p.name.c_str(), n, sum.seconds);
    }
    Prover pr(p, o);
    rep.invariant = pr.parts();
    UnboundedResult base;
    bool base_done = false;
    for (const std::string& id : ids) {
        if (o.interrupt && *o.interrupt) {
            rep.interrupted = true;
            break;
        }
        const props::Property* prop = props::find(id);
        if (!prop->applies_to(p)) {
            UnboundedResult r;
            r.property = id;
            r.kind = UnboundedResult::Kind::NotApplicable;
            r.reason = "does not apply to this profile";
            rep.results.push_back(r);
            continue;
        }
        std::optional<UnboundedResult> anywhere;
        if (prop->kind == props::Kind::Step && program_of(*prop)) {
            // a step property that holds on every transition needs no invariant
            UnboundedResult r = pr.prove_step_anywhere(*prop, o.property_seconds);
            if (r.kind == UnboundedResult::Kind::Proved || r.reason.rfind("no parameterized form", 0) == 0) {
                if (o.progress) std::fprintf(stderr, "prove --unbounded: %s: %s %s in %.2f s\n", p.name.c_str(), id.c_str(), to_string(r.kind), r.seconds);
                rep.results.push_back(r);
                continue;
            }
            anywhere = r;
        }
        if (!base_done) {
            // the invariant without the property: inductive on its own (once per profile)
            base = pr.prove_base(o.property_seconds);
            base_done = true;
            base.property = "invariant";
            rep.results.push_back(base);
            if (o.progress) std::fprintf(stderr, "prove --unbounded: %s: invariant %s in %.2f s\n", p.name.c_str(), to_string(base.kind), base.seconds);
        }
        UnboundedResult r = pr.prove_property(*prop, o.property_seconds - (anywhere ? anywhere->seconds : 0));
        if (anywhere) {
            r.seconds += anywhere->seconds;
            r.queries += anywhere->queries;
            if (r.kind == UnboundedResult::Kind::Unknown && anywhere->kind == UnboundedResult::Kind::NotInductive) {
                // what the check without the invariant found, for the reader
                r.reason += "; without the invariant, a transition from a state outside it violates the property";
                r.cti = anywhere->cti;
                const std::string from = "counterexample to induction", to = "a violating transition (its pre-state outside the invariant)";
                if (const std::size_t at = r.cti.find(from); at != std::string::npos) r.cti.replace(at, from.size(), to);
            }
        }
        if (r.kind == UnboundedResult::Kind::Proved && base.kind != UnboundedResult::Kind::Proved) {
            r.kind = UnboundedResult::Kind::Unknown;
            r.reason = "the invariant it assumes is " + std::string(to_string(base.kind));
        }
        if (o.progress) std::fprintf(stderr, "prove --unbounded: %s: %s %s in %.2f s\n", p.name.c_str(), id.c_str(), to_string(r.kind), r.seconds);
        rep.results.push_back(r);
    }
    rep.seconds = since(t0);
    return rep;
}

std::string format(const UnboundedReport& r) {
    std::string out = fmt::format("prove --unbounded, profile {}: for every number of tasks (parameterized model, docs/unbounded.md)\n", r.profile);
    out += "  invariant: ";
    for (std::size_t i = 0; i < r.invariant.size(); ++i) out += (i ? ", " : "") + r.invariant[i];
    out += "\n";
    for (const AgreementSummary& a : r.agreement) {
        out += fmt::format("  agreement with the N-slot model (no threads), {} slots: {} actions, {} property forms, {} disagree, {} unknown ({:.2f} s)\n",
                           a.slots, a.actions, a.forms, a.disagreements.size() - std::size_t(a.unknown), a.unknown, a.seconds);
        for (const std::string& d : a.disagreements) out += "    " + d + "\n";
    }
    for (const UnboundedResult& x : r.results) {
        out += fmt::format("  {:<38} {:<15} {:7.2f} s  {}\n", x.property, to_string(x.kind), x.seconds, x.reason);
        if (!x.cti.empty()) out += x.cti;
    }
    out += fmt::format("  total {:.2f} s{}\n", r.seconds, r.interrupted ? " (interrupted)" : "");
    return out;
}

nlohmann::json to_json(const UnboundedReport& r) {
    nlohmann::json j;
    j["engine"] = "prove-unbounded";
    j["profile"] = r.profile;
    j["invariant"] = r.invariant;
    j["agreement"] = nlohmann::json::array();
    for (const AgreementSummary& a : r.agreement)
        j["agreement"].push_back({{"slots", a.slots}, {"actions", a.actions}, {"forms", a.forms}, {"unknown", a.unknown},
                                  {"disagreements", a.disagreements}, {"seconds", a.seconds}});
    j["results"] = nlohmann::json::array();
    for (const UnboundedResult& x : r.results)
        j["results"].push_back({{"property", x.property}, {"verdict", to_string(x.kind)}, {"reason", x.reason},
                                {"cti", x.cti}, {"queries", x.queries}, {"seconds", x.seconds}});
    j["seconds"] = r.seconds;
    j["interrupted"] = r.interrupted;
    return j;
}

int exit_code(const UnboundedReport& r) {
    bool unknown = r.interrupted;
    for (const AgreementSummary& a : r.agreement) {
        if (std::size_t(a.unknown) < a.disagreements.size()) return 1;
        unknown = unknown || a.unknown > 0;
    }
    for (const UnboundedResult& x : r.results) {
        if (x.kind == UnboundedResult::Kind::NotInductive) return 1;
        unknown = unknown || x.kind == UnboundedResult::Kind::Unknown;
    }
    return unknown ? 3 : 0;
}

}  // namespace reapcheck::symbolic
