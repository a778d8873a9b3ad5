// The translation of the property language into Z3 terms over the slot model
// (to_z3.hpp). Every value of the language is one Z3 term: a boolean, an
// integer, or a reference (a task, a pid: its slot, -1 for none; a pidfd: the
// slot whose descriptor table holds it, with the slot of its pid; an event:
// its kind and the slot it is about). How each fact reads the slots, and why
// that is refimpl's value on every abstracted state (model/world.cpp:
// abstract), is said next to it; crosscheck checks it state by state and
// transition by transition.
#include "checker/symbolic/fold.hpp"
#include "checker/symbolic/to_z3.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "checker/engine/trace.hpp"
#include "checker/symbolic/bridge.hpp"
#include "properties/lang/lang.hpp"

namespace reapcheck::symbolic {

using model::SymSlot;
using model::SymWorld;
using props::lang::Domain;
using props::lang::Fact;
using props::lang::Node;
using props::lang::Op;
using props::lang::Program;
using props::lang::Type;
using z3::expr;

namespace {

// The language's values of refimpl enumerations (refimpl/state.hpp, events.hpp).
constexpr int kRunning = int(refimpl::ExitState::Running), kZombieEs = int(refimpl::ExitState::Zombie),
              kDeadEs = int(refimpl::ExitState::Dead), kReleased = int(refimpl::ExitState::Released);
constexpr int kStepDoExit = int(refimpl::Step::DoExit);
constexpr int kNoStep = int(refimpl::Step::None), kStepNotify = int(refimpl::Step::ExitNotify),
              kStepPidfs = int(refimpl::Step::PidfsExit), kStepUnhash = int(refimpl::Step::Unhash);
constexpr int kSigchld = refimpl::kSigchldValue;
constexpr int kHandlerDfl = int(refimpl::Handler::Dfl), kHandlerIgn = int(refimpl::Handler::Ign);
constexpr int64_t kWEXITED = 0x4, kWALL = 0x40000000;
constexpr int64_t kPOLLIN = 0x1, kPOLLHUP = 0x10;

enum class EvKind { Notify, Reparent, Reap, Autokill };

/// A value of the language as terms.
struct Val {
    expr e;                  ///< Bool or Int; a reference: the slot (-1: none)
    std::optional<expr> pid; ///< a pidfd: the slot of its struct pid
    int k = -2;              ///< a reference known at translation time: its slot (-1: none)
    EvKind ev = EvKind::Notify;
};

/// The state of one translation.
struct Env {
    const SymWorld* w = nullptr;           ///< the world facts read now
    const SymTransition* tr = nullptr;     ///< a step form's transition
    const props::CallView* call = nullptr; ///< the action of this conjunct (step forms that read the call)
    const model::Act* act = nullptr;
    std::vector<std::optional<Val>> vars = std::vector<std::optional<Val>>(props::lang::kMaxVars);
};

bool is_ite(const expr& e) { return e.is_app() && e.decl().decl_kind() == Z3_OP_ITE; }

class Tr {
public:
    Tr(const model::SymModel& m, const Program& p, std::vector<std::string>& about, bool perturb = false)
        : m_(m), c_(m.ctx()), p_(p), about_(about), perturb_(perturb) {
        for (const model::Act& a : m.acts())
            if (a.kind == model::ActKind::Clone) {
                if (a.flags & model::kFlagPidfd) clone_bits_ |= refimpl::kCLONE_PIDFD;
                if (a.flags & model::kFlagAutoreap) clone_bits_ |= m.profile().autoreap_bit;
                if (a.flags & model::kFlagParent) clone_bits_ |= refimpl::kCLONE_PARENT;
                if (a.flags & model::kFlagThread)
                    clone_bits_ |= refimpl::kCLONE_THREAD | refimpl::kCLONE_SIGHAND | refimpl::kCLONE_VM;
                if (a.flags & model::kFlagNnp) clone_bits_ |= m.profile().nnp_bit;
                if (a.flags & model::kFlagAutokill) clone_bits_ |= m.profile().autokill_bit;
            }
    }
    /// The call kinds of the model's actions.
    void call_kinds(const std::vector<props::CallView>& calls) {
        for (const auto& cv : calls) kinds_.push_back(int(cv.kind));
    }

    expr boolean(int32_t i, Env& env) { return val(i, env).e; }

    Val val(int32_t i, Env& env) {
        const Node& n = p_.nodes[std::size_t(i)];
        switch (n.op) {
        case Op::Const:
            if (n.type == Type::Bool) return v(c_.bool_val(n.value != 0));
            if (ref(n.type)) return r(int(n.value));
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
            if (a.is_true()) return v(b);
            if (b.is_true()) return v(b);
            return v(z3::implies(a, b));
        }
        case Op::Eq: case Op::Ne: {
            // call.kind == K for a kind none of the model's actions has (exec)
            for (const auto& [f, k] : {std::pair{n.a, n.b}, std::pair{n.b, n.a}}) {
                const Node& fn = p_.nodes[std::size_t(f)];
                const Node& kn = p_.nodes[std::size_t(k)];
                if (fn.op == Op::Fact && fn.fact == Fact::CKind && kn.op == Op::Const && env.call &&
                    std::find(kinds_.begin(), kinds_.end(), int(kn.value)) == kinds_.end()) {
                    const Val x = about(i, "a call the model does not have (call.kind)",
                                        v(c_.bool_val(n.op == Op::Ne)));
                    return x;
                }
            }
            const Val a = val(n.a, env), b = val(n.b, env);
            if (p_.nodes[std::size_t(n.a)].type == Type::Event) fail(i, "comparing kernel events");
            expr eq = eq_(a.e, b.e);
            return v(n.op == Op::Eq ? eq : not_(eq));
        }
        case Op::Lt: return v(cmp(n, env, [](const expr& a, const expr& b) { return a < b; }));
        case Op::Le: return v(cmp(n, env, [](const expr& a, const expr& b) { return a <= b; }));
        case Op::Gt: return v(cmp(n, env, [](const expr& a, const expr& b) { return a > b; }));
        case Op::Ge: return v(cmp(n, env, [](const expr& a, const expr& b) { return a >= b; }));
        case Op::Add: case Op::Sub: {
            const expr a = val(n.a, env).e, b = val(n.b, env).e;
            if (a.is_numeral() && b.is_numeral()) {   // wrapping, as the explicit evaluator
                const auto x = uint64_t(a.get_numeral_int64()), y = uint64_t(b.get_numeral_int64());
                return v(num(int64_t(n.op == Op::Add ? x + y : x - y)));
            }
            return v(n.op == Op::Add ? a + b : a - b);
        }
        case Op::Neg: {
            const expr a = val(n.a, env).e;
            return v(a.is_numeral() ? num(int64_t(0 - uint64_t(a.get_numeral_int64()))) : -a);
        }
        case Op::BitAnd: return v(bits(val(n.a, env).e, val(n.b, env).e, '&'));
        case Op::BitOr: return v(bits(val(n.a, env).e, val(n.b, env).e, '|'));
        case Op::Has: {
            const expr m = val(n.b, env).e;
            const Node& fn = p_.nodes[std::size_t(n.a)];
            if (fn.op == Op::Fact && fn.fact == Fact::CFlags && m.is_numeral() && m.get_numeral_int64() >= 0)
                if (const std::string flags = missing_flags(m.get_numeral_uint64()); !flags.empty())
                    return about(i, flags, v(c_.bool_val(false)));
            return v(eq_(bits(val(n.a, env).e, m, '&'), m));
        }
        case Op::SameProcess: {
            // single-threaded processes: the same task (refimpl's
            // same_thread_group of two task indices); with threads, the
            // same leader
            const Val a = val(n.a, env), b = val(n.b, env);
            if (thr()) {
                const expr la = select(a, num(-1), [&](int k) { return lead(*env.w, k); });
                const expr lb = select(b, num(-1), [&](int k) { return lead(*env.w, k); });
                return v(eq_(la, lb) && la != -1);
            }
            if (a.k >= -1 && b.k >= -1) return v(c_.bool_val(a.k == b.k && a.k != -1));
            return v(eq_(a.e, b.e) && a.e != -1);
        }
        case Op::Forall: case Op::Exists: case Op::Count: case Op::First: return quantify(i, n, env);
        case Op::Ite: {
            const expr cond = boolean(n.a, env);
            if (cond.is_true()) return val(n.b, env);
            if (cond.is_false()) return val(n.c, env);
            const Val a = val(n.b, env), b = val(n.c, env);
            Val out = v(z3::ite(cond, a.e, b.e));
            if (a.pid && b.pid) out.pid = z3::ite(cond, *a.pid, *b.pid);
            return out;
        }
        case Op::Pre: case Op::Post: {
            if (!env.tr) fail(i, n.op == Op::Pre ? "pre(...)" : "post(...)");
            const SymWorld* saved = env.w;
            env.w = n.op == Op::Pre ? &env.tr->pre : &env.tr->post;
            Val out = val(n.a, env);
            env.w = saved;
            return out;
        }
        }
        fail(i, "this operation");
    }

private:
    // ---- helpers ---------------------------------------------------------------------

    static bool ref(Type t) {
        return t == Type::Task || t == Type::Pid || t == Type::File || t == Type::Null || t == Type::Event;
    }
    Val v(const expr& e) const { return Val{e, std::nullopt, -2, EvKind::Notify}; }
    Val r(int k) const { return Val{c_.int_val(k), std::nullopt, k, EvKind::Notify}; }

    [[noreturn]] void fail(int32_t i, const std::string& what) const {
        int line = 0;
        if (std::size_t(i) < p_.where.size()) line = p_.where[std::size_t(i)].first;
        throw Untranslatable("'" + what + "' (" + p_.file + ":" + std::to_string(line) + ")");
    }
    /// A construct about a feature the model lacks, read with its one value
    /// in the model (`model`). When perturbing (Translator::why_not), it is
    /// read as a free variable instead: a form that is valid with the model's
    /// value but not with a free one holds only because of that construct.
    Val about(int32_t i, const std::string& what, Val model) {
        int line = 0;
        if (std::size_t(i) < p_.where.size()) line = p_.where[std::size_t(i)].first;
        about_.push_back("'" + what + "' (" + p_.file + ":" + std::to_string(line) + ")");
        if (!perturb_) return model;
        const std::string name = "about." + std::to_string(i);
        return v(model.e.is_bool() ? c_.bool_const(name.c_str()) : c_.int_const(name.c_str()));
    }
    /// The clone flag bits of `mask` no action of the model sets, by name.
    std::string missing_flags(uint64_t mask) const {
        static const std::pair<uint64_t, const char*> names[] = {
            {refimpl::kCLONE_VM, "CLONE_VM"},         {refimpl::kCLONE_FS, "CLONE_FS"},
            {refimpl::kCLONE_FILES, "CLONE_FILES"},   {refimpl::kCLONE_SIGHAND, "CLONE_SIGHAND"},
            {refimpl::kCLONE_PTRACE, "CLONE_PTRACE"}, {refimpl::kCLONE_VFORK, "CLONE_VFORK"},
            {refimpl::kCLONE_THREAD, "CLONE_THREAD"}, {refimpl::kCLONE_UNTRACED, "CLONE_UNTRACED"}};
        const uint64_t missing = mask & ~clone_bits_;
        std::string out;
        uint64_t named = 0;
        for (const auto& [bit, name] : names)
            if (missing & bit) {
                out += (out.empty() ? "" : "|") + std::string(name);
                named |= bit;
            }
        const refimpl::Profile& p = m_.profile();
        if (missing & p.nnp_bit & ~named) {
            out += (out.empty() ? "" : "|") + std::string("CLONE_NNP");
            named |= p.nnp_bit;
        }
        if (missing & p.autokill_bit & ~named) {
            out += (out.empty() ? "" : "|") + std::string("CLONE_PIDFD_AUTOKILL");
            named |= p.autokill_bit;
        }
        if (missing & ~named) out += (out.empty() ? "" : "|") + std::string("other clone flags");
        return out;
    }

    std::vector<int32_t> kids(const Node& n) const {
        return {p_.kids.begin() + n.a, p_.kids.begin() + n.a + n.b};
    }
    /// Conjunction with short-circuit on constants: a conjunct after a false
    /// one is not translated (so a guard `call.kind == clone and ...` keeps
    /// the rest from being read for other calls).
    expr and_(const std::vector<int32_t>& ops, Env& env) {
        return fold::all(c_, ops, [&](int32_t k) { return boolean(k, env); });
    }
    expr or_(const std::vector<int32_t>& ops, Env& env) {
        return fold::any(c_, ops, [&](int32_t k) { return boolean(k, env); });
    }
    expr not_(const expr& e) const { return fold::negate(c_, e); }
    expr eq_(const expr& a, const expr& b) const { return fold::equal(c_, a, b); }
    template <class F>
    expr cmp(const Node& n, Env& env, F f) {
        const expr a = val(n.a, env).e, b = val(n.b, env).e;
        if (a.is_numeral() && b.is_numeral()) {
            const int64_t x = a.get_numeral_int64(), y = b.get_numeral_int64();
            const bool r = n.op == Op::Lt ? x < y : n.op == Op::Le ? x <= y : n.op == Op::Gt ? x > y : x >= y;
            return c_.bool_val(r);
        }
        return f(a, b);
    }
    /// Bitwise and/or on integers: constants fold; an if-then-else of
    /// constants (pidfd_poll's level, a wait's options) is distributed over
    /// its branches; anything else goes through 64-bit vectors.
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

    /// The value of `f(k)` for the slot reference `x` (`none` where x is none).
    template <class F>
    expr select(const Val& x, const expr& none, F f) const {
        if (x.k == -1) return none;
        if (x.k >= 0) return f(x.k);
        expr out = none;
        for (int k = m_.slots() - 1; k >= 0; --k) out = z3::ite(x.e == k, f(k), out);
        return out;
    }
    expr none_of(Type t) const {
        switch (t) {
        case Type::Bool: return c_.bool_val(false);
        case Type::ExitState: return c_.int_val(kReleased);
        case Type::Task: case Type::File: case Type::Pid: case Type::Event: case Type::Null: return c_.int_val(-1);
        default: return c_.int_val(0);
        }
    }
    expr num(int64_t x) const { return c_.int_val(x); }
    expr linked(const SymWorld& w, int k) const {
        if (grp()) return (w.slot[k].st >= model::kRun && w.slot[k].st <= model::kDeadU) || w.slot[k].st == model::kKilled;
        return w.slot[k].st >= model::kRun && w.slot[k].st <= model::kDeadU;
    }
    /// The model has threads (the thread constructs read the groups).
    bool thr() const { return m_.features().threads > 1; }
    /// The thread-group fields are variables (threads, or kill).
    bool grp() const { return m_.threads(); }
    /// The slot of k's group leader (a thread's ldr, else k).
    expr lead(const SymWorld& w, int k) const {
        return z3::ite(w.slot[k].ldr == model::kNoSlot, num(k), w.slot[k].ldr);
    }
    /// thread_group_empty(k): no other listed thread of k's group.
    expr group_empty(const SymWorld& w, int k) const {
        expr any = c_.bool_val(false);
        for (int j = 0; j < m_.slots(); ++j)
            if (j != k) any = any || (linked(w, j) && lead(w, j) == lead(w, k));
        return !any;
    }
    expr used(const SymWorld& w, int k) const { return w.slot[k].st != model::kFree; }
    /// A task result: `k` as a reference, computed for each slot.
    Val task_ref(const Val& x, const std::function<expr(int)>& f) const {
        if (x.k == -1) return r(-1);
        Val out = v(select(x, num(-1), f));
        if (out.e.is_numeral()) out.k = int(out.e.get_numeral_int64());
        return out;
    }

    // ---- facts -----------------------------------------------------------------------

    Val fact(int32_t i, const Node& n, Env& env) {
        if (n.a < 0) return global(i, n, env);
        const Val x = val(n.a, env);
        const Type st = p_.nodes[std::size_t(n.a)].type;
        if (st == Type::Task) return task_fact(i, n, env, x);
        if (st == Type::Pid) return pid_fact(i, n, env, x);
        if (st == Type::File) return file_fact(i, n, env, x);
        if (st == Type::Event) return event_fact(i, n, x, env);
        fail(i, "a fact of this value");
    }

    /// A slot field for a pid's facts. A pid outlives its slot in refimpl
    /// (a released task's struct pid stays in the table): when the
    /// transition frees the slot (the last pidfd on a released pid closed),
    /// the post-state reads the pid's facts as they were, which is
    /// refimpl's value (nothing changes a pid no file refers to).
    expr pid_field(const Env& env, int k, expr SymSlot::*f) const {
        const SymWorld& w = *env.w;
        if (env.tr && env.w == &env.tr->post)
            return z3::ite(w.slot[k].st == model::kFree, env.tr->pre.slot[k].*f, w.slot[k].*f);
        return w.slot[k].*f;
    }

    Val task_fact(int32_t i, const Node& n, Env& env, const Val& x) {
        const SymWorld& w = *env.w;
        auto field = [&](expr SymSlot::*f) { return v(select(x, none_of(n.type), [&](int k) { return w.slot[k].*f; })); };
        auto by = [&](auto f) { return v(select(x, none_of(n.type), f)); };
        switch (n.fact) {
        case Fact::TExitState:
            // RUNNING and EXITING are TASK_RUNNING's exit_state 0; DEAD with
            // either release step pending is EXIT_DEAD; RELEASED (and FREE:
            // released without a pidfd) is released
            return by([&](int k) {
                const expr& s = w.slot[k].st;
                return z3::ite(s == model::kRun || s == model::kExiting || s == model::kKilled, num(kRunning),
                               z3::ite(s == model::kZombie, num(kZombieEs),
                                       z3::ite(s == model::kDeadP || s == model::kDeadU, num(kDeadEs), num(kReleased))));
            });
        case Fact::TStep:
            return by([&](int k) {
                const expr& s = w.slot[k].st;
                return z3::ite(s == model::kExiting, num(kStepNotify), z3::ite(s == model::kKilled, num(kStepDoExit),
                               z3::ite(s == model::kDeadP, num(kStepPidfs),
                                       z3::ite(s == model::kDeadU, num(kStepUnhash), num(kNoStep)))));
            });
        case Fact::TExiting:   // PF_EXITING stays set from do_exit on
            return by([&](int k) { return w.slot[k].st >= model::kExiting && w.slot[k].st != model::kKilled; });
        case Fact::TLinked: return by([&](int k) { return linked(w, k); });
        case Fact::TAlive:   // exit_state 0 without PF_EXITING: a zapped thread is still alive
            return by([&](int k) { return w.slot[k].st == model::kRun || w.slot[k].st == model::kKilled; });
        case Fact::TLeader:   // single-threaded processes: every task leads its group
            if (thr()) return task_ref(x, [&](int k) { return lead(w, k); });
            return about(i, "leader", x);
        case Fact::TIsLeader:
            if (thr()) return by([&](int k) { return w.slot[k].ldr == model::kNoSlot; });
            return about(i, "is_leader", v(x.k == -1 ? c_.bool_val(false) : x.k >= 0 ? c_.bool_val(true) : x.e != -1));
        case Fact::TRealParent: return task_ref(x, [&](int k) { return w.slot[k].rp; });
        case Fact::TParent: return task_ref(x, [&](int k) { return w.slot[k].par; });
        case Fact::TTracer: return task_ref(x, [&](int k) { return z3::ite(w.slot[k].ptraced, w.slot[k].par, num(-1)); });
        case Fact::TTraced: return field(&SymSlot::ptraced);
        case Fact::TExitSignal:   // a thread's is -1
            return by([&](int k) {
                return z3::ite(w.slot[k].ldr != model::kNoSlot, num(-1), z3::ite(w.slot[k].esig, num(kSigchld), num(0)));
            });
        case Fact::TExitCode: return field(&SymSlot::code);
        case Fact::TPdeathSignal: return about(i, "pdeath_signal", v(num(0)));
        case Fact::TPid: return task_ref(x, [&](int k) { return z3::ite(used(w, k), num(k), num(-1)); });
        case Fact::TPidNr: return by([&](int k) { return pid_field(env, k, &SymSlot::nr); });
        case Fact::TAutoreap: return field(&SymSlot::autoreap);
        case Fact::TSubreaper: return field(&SymSlot::is_sub);
        case Fact::THasChildSubreaper: return field(&SymSlot::has_sub);
        case Fact::TSigchldPending: case Fact::TSharedSigchldPending: return field(&SymSlot::pending);
        case Fact::TThreadSigchldPending: return about(i, "thread_sigchld_pending", v(c_.bool_val(false)));
        case Fact::TSigchldHandler:
            return by([&](int k) { return z3::ite(w.slot[k].ign, num(kHandlerIgn), num(kHandlerDfl)); });
        case Fact::TNocldwait: return field(&SymSlot::nocldwait);
        case Fact::TGroupExit:
            if (!grp()) fail(i, fact_name(n.fact));
            return field(&SymSlot::gx);
        case Fact::TLiveThreads:   // signal->live: the group's threads not yet in do_exit
            if (!grp()) fail(i, fact_name(n.fact));
            return by([&](int k) {
                expr sum = num(0);
                for (int j = 0; j < m_.slots(); ++j)
                    sum = sum + z3::ite((w.slot[j].st == model::kRun || w.slot[j].st == model::kKilled) &&
                                            lead(w, j) == lead(w, k),
                                        num(1), num(0));
                return sum;
            });
        case Fact::TThreadGroupEmpty:
            if (thr()) return by([&](int k) { return group_empty(w, k); });
            return about(i, "thread_group_empty",
                         v(x.k == -1 ? c_.bool_val(false) : x.k >= 0 ? c_.bool_val(true) : x.e != -1));
        case Fact::TDelayGroupLeader:
            if (thr())
                return by([&](int k) { return w.slot[k].ldr == model::kNoSlot && !group_empty(w, k); });
            return about(i, "delay_group_leader", v(c_.bool_val(false)));
        case Fact::TCapSysAdmin:   // per task; capset drops it (Features::capset)
            if (!m_.features().capset) fail(i, fact_name(n.fact));
            return by([&](int k) { return !w.slot[k].nocap; });
        case Fact::TWaiting: case Fact::TWaitAny: return field(&SymSlot::wact);
        case Fact::TWaitWoken: return field(&SymSlot::woken);
        case Fact::TWaitOptions:   // a blocked wait4(-1): WEXITED, with or without __WALL
            return by([&](int k) {
                const SymSlot& s = w.slot[k];
                return z3::ite(s.wact, z3::ite(s.wall, num(kWEXITED | kWALL), num(kWEXITED)), num(0));
            });
        case Fact::TWaitPid: return about(i, "wait_pid", r(-1));
        case Fact::TWaitWouldBlock:
            return by([&](int k) { return w.slot[k].wact && m_.wait_would_block(w, k, w.slot[k].wall); });
        case Fact::TWaitWouldReport:
            return by([&](int k) { return w.slot[k].wact && m_.wait_would_report(w, k, w.slot[k].wall); });
        case Fact::TWaitClear:
            return by([&](int k) { return !w.slot[k].wact && !w.slot[k].woken && !w.slot[k].wall; });
        case Fact::TSelfExecId: case Fact::TParentExecId:
            // with exec: the model's exec ids, which equal refimpl's (World::next_xid)
            if (m_.exec()) return field(n.fact == Fact::TSelfExecId ? &SymSlot::sxid : &SymSlot::pxid);
            return about(i, n.fact == Fact::TSelfExecId ? "self_exec_id" : "parent_exec_id", v(num(0)));
        case Fact::THasFiles:
            // the descriptor table lives until do_exit's exit_files: a
            // running task has one; a slot holding a pidfd has one too
            // (never otherwise on a reachable state: aux.resting)
            return by([&](int k) {
                return w.slot[k].st == model::kRun || w.slot[k].fd != model::kNoSlot ||
                       (grp() ? w.slot[k].st == model::kKilled : c_.bool_val(false));
            });
        default: fail(i, fact_name(n.fact));
        }
    }

    Val pid_fact(int32_t i, const Node& n, Env& env, const Val& x) {
        const SymWorld& w = *env.w;
        switch (n.fact) {
        case Fact::PTask:   // the task until __unhash_process (RELEASED: none)
            return task_ref(x, [&](int k) { return z3::ite(linked(w, k), num(k), num(-1)); });
        case Fact::PExitInfo:
            return v(select(x, none_of(n.type), [&](int k) { return pid_field(env, k, &SymSlot::info); }));
        case Fact::PExitCode:
            return v(select(x, none_of(n.type), [&](int k) { return pid_field(env, k, &SymSlot::info_code); }));
        case Fact::PNr: return v(select(x, none_of(n.type), [&](int k) { return pid_field(env, k, &SymSlot::nr); }));
        case Fact::PAttr:   // 0 none, 1 dead, 2 allocated: refimpl::Attr's values
            return v(select(x, none_of(n.type), [&](int k) { return pid_field(env, k, &SymSlot::attr); }));
        default: fail(i, fact_name(n.fact));
        }
    }

    /// pidfd_poll (fs/pidfs.c) of the pid in slot k: POLLIN|POLLHUP once
    /// released, POLLIN once the task left TASK_RUNNING's exit_state, else 0.
    expr poll(const SymWorld& w, int k) const {
        const expr& s = w.slot[k].st;
        expr exited = s == model::kZombie || s == model::kDeadP || s == model::kDeadU;
        if (thr()) exited = exited && !(w.slot[k].ldr == model::kNoSlot && !group_empty(w, k));   // delay_group_leader
        return z3::ite(!linked(w, k), num(kPOLLIN | kPOLLHUP), z3::ite(exited, num(kPOLLIN), num(0)));
    }

    /// A pidfd: the descriptor of slot `holder` (one per table in the model).
    /// It is open while the holder's descriptor is set: within one
    /// transition a descriptor is closed or opened, never both.
    Val file_fact(int32_t i, const Node& n, Env& env, const Val& x) {
        const SymWorld& w = *env.w;
        if (!x.pid) fail(i, "a pidfd that is not a variable");
        const Val pid = v(*x.pid);
        const expr open = select(x, c_.bool_val(false), [&](int k) { return w.slot[k].fd != model::kNoSlot; });
        switch (n.fact) {
        case Fact::FPid: return pid;
        case Fact::FTask:
            return task_ref(pid, [&](int k) { return z3::ite(linked(w, k), num(k), num(-1)); });
        case Fact::FPoll: {
            expr lvl = num(0);
            for (int k = m_.slots() - 1; k >= 0; --k) lvl = z3::ite(pid.e == k, poll(w, k), lvl);
            return v(z3::ite(open, lvl, num(0)));
        }
        case Fact::FOpen: return v(open);
        case Fact::FRefs: return v(z3::ite(open, num(1), num(0)));
        case Fact::FAutokill:   // the AUTOKILL file of its pid (Features::autokill)
            if (m_.features().autokill)
                return v(select(x, c_.bool_val(false), [&](int k) { return w.slot[k].fd != model::kNoSlot && w.slot[k].ak; }));
            return about(i, fact_name(n.fact), v(c_.bool_val(false)));
        case Fact::FThread: case Fact::FNonblock:
            return about(i, fact_name(n.fact), v(c_.bool_val(false)));
        default: fail(i, fact_name(n.fact));
        }
    }

    Val event_fact(int32_t i, const Node& n, const Val& x, Env& env) {
        if (x.k < 0 || !env.tr) fail(i, "an event that is not a quantified variable");
        const model::SymEvents& ev = env.tr->ev;
        const auto k = std::size_t(x.k);
        auto ref = [&](const expr& e) {
            Val out = v(e);
            if (e.is_numeral()) out.k = int(e.get_numeral_int64());
            return out;
        };
        switch (n.fact) {
        case Fact::EKind:
            return v(num(int(x.ev == EvKind::Notify     ? refimpl::Event::Kind::Notify
                             : x.ev == EvKind::Reparent ? refimpl::Event::Kind::Reparent
                             : x.ev == EvKind::Autokill ? refimpl::Event::Kind::Autokill
                                                        : refimpl::Event::Kind::Reap)));
        case Fact::ETask: return r(x.k);
        case Fact::EOther:
            if (x.ev == EvKind::Autokill) return r(-1);
            return ref(x.ev == EvKind::Notify ? ev.ntf_to[k] : x.ev == EvKind::Reparent ? ev.rep_to[k] : ev.reaper[k]);
        case Fact::EFrom: return x.ev == EvKind::Reparent ? ref(ev.rep_from[k]) : r(-1);
        case Fact::ESig:   // the model's exit signals are SIGCHLD or none; AUTOKILL's is SIGKILL
            if (x.ev == EvKind::Autokill) return v(num(refimpl::kSIGKILL));
            return v(x.ev == EvKind::Notify ? z3::ite(ev.ntf_sig[k], num(kSigchld), num(0)) : num(0));
        case Fact::ESelfreap: return v(x.ev == EvKind::Notify ? ev.ntf_self[k] : c_.bool_val(false));
        case Fact::ETraced: return v(x.ev == EvKind::Notify ? ev.ntf_traced[k] : c_.bool_val(false));
        case Fact::ENowait:   // a WNOWAIT report (Features::wnowait)
            if (m_.features().wnowait) return v(x.ev == EvKind::Reap ? ev.nowait[k] : c_.bool_val(false));
            return about(i, "nowait (WNOWAIT)", v(c_.bool_val(false)));
        default: fail(i, fact_name(n.fact));
        }
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
        if (!env.tr) fail(i, fact_name(n.fact));
        const SymTransition& tr = *env.tr;
        switch (n.fact) {
        case Fact::RRet: return v(tr.ret);
        case Fact::RErrno: return v(z3::ite(tr.ret < 0, -tr.ret, num(0)));
        default: break;
        }
        if (!env.call) fail(i, fact_name(n.fact));   // the caller splits by action for these
        const props::CallView& cv = *env.call;
        const model::Act& a = *env.act;
        const bool wait = cv.kind == props::CallView::Kind::Wait;
        const bool may_block = a.kind == model::ActKind::Resume || (a.kind == model::ActKind::Wait4 && !a.nohang);
        switch (n.fact) {
        case Fact::CKind: return v(num(int(cv.kind)));
        case Fact::CActor: return r(int(cv.actor));
        case Fact::CFlags: return v(num(int64_t(cv.clone_flags)));
        case Fact::CExitSignal: return v(num(cv.exit_signal));
        case Fact::CLegacy: return b(cv.legacy);
        case Fact::CWaitOptions: return v(num(int64_t(cv.wait_options)));
        case Fact::CGroup: return about(i, "call.group (exit_group)", b(cv.group));
        case Fact::ROk:
            // ret >= 0 and not asleep. Only a wait without WNOHANG (or a
            // resumed one) can sleep, and it returns 0 exactly when it
            // sleeps (else a pid or an error): ok is ret > 0 for those
            return v(may_block ? tr.ret > 0 : tr.ret >= 0);
        case Fact::RTask: {
            // clone: the child, the slot the call filled; a wait: the task
            // whose pid number it returned
            Val out = r(-1);
            if (cv.kind == props::CallView::Kind::Clone) {
                expr t = num(-1);
                for (int k = m_.slots() - 1; k >= 0; --k)
                    t = z3::ite(tr.pre.slot[k].st == model::kFree && tr.post.slot[k].st != model::kFree, num(k), t);
                out = v(t);
            } else if (wait) {
                expr t = num(-1);
                for (int k = m_.slots() - 1; k >= 0; --k)
                    t = z3::ite(tr.ret > 0 && tr.pre.slot[k].st != model::kFree && tr.pre.slot[k].nr == tr.ret, num(k), t);
                out = v(t);
            }
            return out;
        }
        default: fail(i, fact_name(n.fact));
        }
    }

    static std::string fact_name(Fact f) {
        switch (f) {
        case Fact::TUnkillable: return "unkillable";
        case Fact::TGroupExit: return "group_exit";
        case Fact::TLiveThreads: return "live_threads";
        case Fact::TNnp: return "nnp";
        case Fact::TCapSysAdmin: return "cap_sys_admin";
        case Fact::FThread: return "thread";
        case Fact::FNonblock: return "nonblock";
        case Fact::FAutokill: return "autokill";
        case Fact::EStatus: return "status of an event";
        case Fact::RBlocks: return "result.blocks";
        case Fact::RFd: return "result.fd";
        case Fact::RStatus: return "result.status";
        case Fact::RHasStatus: return "result.has_status";
        case Fact::CKind: case Fact::CActor: case Fact::CFlags: case Fact::CExitSignal: case Fact::CLegacy:
        case Fact::CWaitOptions: case Fact::CGroup: return "call";
        case Fact::RRet: case Fact::ROk: case Fact::RErrno: case Fact::RTask: return "result";
        default: return "this fact";
        }
    }

    // ---- quantifiers -----------------------------------------------------------------

    struct Elem {
        expr guard;
        Val x;
    };

    std::vector<Elem> domain(int32_t i, const Node& n, Env& env) {
        const SymWorld& w = *env.w;
        std::vector<Elem> out;
        const int N = m_.slots();
        switch (n.domain) {
        case Domain::Tasks: case Domain::Processes:
            // every task entry the model keeps (a task released with no
            // pidfd left is a FREE slot); with threads, processes are the
            // leaders
            for (int k = 0; k < N; ++k)
                out.push_back({thr() && n.domain == Domain::Processes ? used(w, k) && w.slot[k].ldr == model::kNoSlot
                                                                      : used(w, k),
                               r(k)});
            return out;
        case Domain::Pids:
            for (int k = 0; k < N; ++k) out.push_back({used(w, k), r(k)});
            return out;
        case Domain::Pidfds:
            for (int k = 0; k < N; ++k) {
                Val f = r(k);
                f.pid = w.slot[k].fd;
                out.push_back({w.slot[k].fd != model::kNoSlot, f});
            }
            return out;
        case Domain::Threads: {
            const Val t = val(n.a, env);
            if (thr()) {
                // the group's listed threads (in slot order: first(...) would
                // need for_each_thread's order, leader first)
                if (n.op == Op::First) fail(i, "first(...) over threads");
                const expr lt = select(t, num(-1), [&](int k) { return lead(w, k); });
                for (int k = 0; k < N; ++k) out.push_back({linked(w, k) && lead(w, k) == lt, r(k)});
                return out;
            }
            // a single-threaded process's thread list: the task while it is
            // listed (until release_task)
            if (t.k >= 0) out.push_back({linked(w, t.k), t});
            else if (t.k == -2) out.push_back({select(t, c_.bool_val(false), [&](int k) { return linked(w, k); }), t});
            // other threads: none in the model; a free one when perturbing
            const Val other = about(i, "threads(...)", v(c_.bool_val(false)));
            if (!other.e.is_false()) out.push_back({other.e, v(c_.int_const(("about.thread." + std::to_string(i)).c_str()))});
            return out;
        }
        case Domain::Children: case Domain::Tracees: {
            const Val t = val(n.a, env);
            if (n.op == Op::First) fail(i, "first(...) over children or tracees");
            for (int k = 0; k < N; ++k) {
                const SymSlot& s = w.slot[k];
                expr of = n.domain == Domain::Children ? s.rp == t.e : s.ptraced && s.par == t.e;
                if (thr() && n.domain == Domain::Children) of = of && s.ldr == model::kNoSlot;   // leaders only
                out.push_back({linked(w, k) && t.e != k && t.e != -1 && of, r(k)});
            }
            return out;
        }
        case Domain::Ancestors: {
            // the real-parent chain, nearest first, at most N hops
            Val a = val(n.a, env);
            for (int hop = 0; hop < N; ++hop) {
                a = task_ref(a, [&](int k) { return w.slot[k].rp; });
                if (a.k == -1) break;
                out.push_back({a.k >= 0 ? c_.bool_val(true) : a.e != -1, a});
            }
            return out;
        }
        case Domain::Events: case Domain::Notifies: case Domain::Reparents: case Domain::Reaps: {
            if (!env.tr) fail(i, "kernel events");
            if (n.op == Op::First) fail(i, "first(...) over kernel events");
            const model::SymEvents& ev = env.tr->ev;
            auto add = [&](EvKind kind, const std::vector<expr>& on) {
                for (int k = 0; k < N; ++k) {
                    Val e = r(k);
                    e.ev = kind;
                    out.push_back({on[std::size_t(k)], e});
                }
            };
            if (n.domain == Domain::Events || n.domain == Domain::Notifies) add(EvKind::Notify, ev.ntf);
            if (n.domain == Domain::Events || n.domain == Domain::Reparents) add(EvKind::Reparent, ev.rep);
            if (n.domain == Domain::Events || n.domain == Domain::Reaps) add(EvKind::Reap, ev.reaped);
            if (n.domain == Domain::Events && m_.features().autokill) add(EvKind::Autokill, ev.autokill);
            return out;
        }
        case Domain::Autokills: {   // pidfs_file_release's SIGKILL (Features::autokill)
            if (!m_.features().autokill) fail(i, "autokills");
            if (!env.tr) fail(i, "kernel events");
            if (n.op == Op::First) fail(i, "first(...) over kernel events");
            for (int k = 0; k < N; ++k) {
                Val e = r(k);
                e.ev = EvKind::Autokill;
                out.push_back({env.tr->ev.autokill[std::size_t(k)], e});
            }
            return out;
        }
        case Domain::Handoffs: fail(i, "handoffs");
        }
        fail(i, "this domain");
    }

    Val quantify(int32_t i, const Node& n, Env& env) {
        const std::vector<Elem> elems = domain(i, n, env);
        std::optional<Val> saved = env.vars[n.slot];
        std::vector<expr> bodies;
        for (const Elem& e : elems) {
            if (e.guard.is_false()) {
                bodies.push_back(c_.bool_val(false));
                continue;
            }
            env.vars[n.slot] = e.x;
            bodies.push_back(boolean(n.b, env));
        }
        env.vars[n.slot] = saved;
        switch (n.op) {
        case Op::Forall: {
            z3::expr_vector all(c_);
            for (std::size_t k = 0; k < elems.size(); ++k) {
                if (elems[k].guard.is_false() || bodies[k].is_true()) continue;
                if (elems[k].guard.is_true() && bodies[k].is_false()) return v(c_.bool_val(false));
                all.push_back(elems[k].guard.is_true() ? bodies[k] : z3::implies(elems[k].guard, bodies[k]));
            }
            if (all.empty()) return v(c_.bool_val(true));
            return v(all.size() == 1 ? all[0] : z3::mk_and(all));
        }
        case Op::Exists: {
            z3::expr_vector any(c_);
            for (std::size_t k = 0; k < elems.size(); ++k) {
                if (elems[k].guard.is_false() || bodies[k].is_false()) continue;
                if (elems[k].guard.is_true() && bodies[k].is_true()) return v(c_.bool_val(true));
                any.push_back(elems[k].guard.is_true() ? bodies[k] : elems[k].guard && bodies[k]);
            }
            if (any.empty()) return v(c_.bool_val(false));
            return v(any.size() == 1 ? any[0] : z3::mk_or(any));
        }
        case Op::Count: {
            expr sum = num(0);
            for (std::size_t k = 0; k < elems.size(); ++k) {
                if (elems[k].guard.is_false() || bodies[k].is_false()) continue;
                sum = sum + z3::ite(elems[k].guard && bodies[k], num(1), num(0));
            }
            return v(sum);
        }
        case Op::First: {
            Val out = r(-1);
            if (elems.empty()) return out;
            const bool files = n.type == Type::File;
            expr e = num(-1), pid = num(-1);
            for (std::size_t k = elems.size(); k-- > 0;) {
                const expr hit = elems[k].guard && bodies[k];
                e = z3::ite(hit, elems[k].x.e, e);
                if (files) pid = z3::ite(hit, *elems[k].x.pid, pid);
            }
            out = v(e);
            if (files) out.pid = pid;
            return out;
        }
        default: break;
        }
        fail(i, "this quantifier");
    }

    const model::SymModel& m_;
    z3::context& c_;
    const Program& p_;
    std::vector<std::string>& about_;
    bool perturb_;
    uint64_t clone_bits_ = 0;    ///< the clone flags some action of the model sets
    std::vector<int> kinds_;     ///< the call kinds of the model's actions
};

/// Whether the predicate reads the call (so a step form is split by action).
bool reads_call(const Program& p) {
    for (const Node& n : p.nodes)
        if (n.op == Op::Fact && n.a < 0 && n.fact >= Fact::CKind && n.fact <= Fact::RHasStatus && n.fact != Fact::RRet &&
            n.fact != Fact::RErrno)
            return true;
    return false;
}

expr step_form(const model::SymModel& m, const std::vector<props::CallView>& calls, const Program& prog,
               const SymTransition& tr, std::vector<std::string>& about, bool perturb = false, int only = -1) {
    Tr t(m, prog, about, perturb);
    t.call_kinds(calls);
    if (only >= 0 && reads_call(prog)) {
        Env env;
        env.w = &tr.pre;
        env.tr = &tr;
        env.call = &calls[std::size_t(only)];
        env.act = &m.acts()[std::size_t(only)];
        return t.boolean(prog.root, env);
    }
    if (!reads_call(prog)) {
        Env env;
        env.w = &tr.pre;
        env.tr = &tr;
        return t.boolean(prog.root, env);
    }
    // One conjunct per group of actions with the same form: the call's
    // facts are constants of the action, so most conjuncts fold to true.
    std::map<unsigned, std::pair<expr, z3::expr_vector>> groups;
    std::vector<unsigned> order;
    for (std::size_t i = 0; i < m.acts().size(); ++i) {
        Env env;
        env.w = &tr.pre;
        env.tr = &tr;
        env.call = &calls[i];
        env.act = &m.acts()[i];
        const expr f = t.boolean(prog.root, env);
        if (f.is_true()) continue;
        const unsigned id = Z3_get_ast_id(m.ctx(), f);
        auto it = groups.find(id);
        if (it == groups.end()) {
            it = groups.emplace(id, std::make_pair(f, z3::expr_vector(m.ctx()))).first;
            order.push_back(id);
        }
        it->second.second.push_back(tr.act == int(i));
    }
    z3::expr_vector all(m.ctx());
    for (unsigned id : order) {
        auto& [f, acts] = groups.at(id);
        all.push_back(z3::implies(acts.size() == 1 ? acts[0] : z3::mk_or(acts), f));
    }
    if (all.empty()) return m.ctx().bool_val(true);
    return all.size() == 1 ? all[0] : z3::mk_and(all);
}

}  // namespace

Translator::Translator(const model::SymModel& m) : m_(m) {
    std::vector<refimpl::Id> task_of;
    for (int k = 0; k < m.slots(); ++k) task_of.push_back(refimpl::Id(k));
    for (const model::Act& a : m.acts()) calls_.push_back(engine::call_view(m.profile(), to_action(a, task_of)));
}

expr Translator::state(const Program& prog, const SymWorld& w) const {
    std::vector<std::string> about;
    Tr t(m_, prog, about);
    Env env;
    env.w = &w;
    return t.boolean(prog.root, env);
}

expr Translator::step(const Program& prog, const SymTransition& tr) const {
    std::vector<std::string> about;
    return step_form(m_, calls_, prog, tr, about);
}

expr Translator::step_of(const Program& prog, const SymTransition& tr, int act) const {
    std::vector<std::string> about;
    return step_form(m_, calls_, prog, tr, about, false, act);
}

std::string Translator::why_not(const Program& prog, bool state) const {
    try {
        const SymWorld pre = m_.vars("why.pre"), post = m_.vars("why.post");
        const model::SymEvents ev = m_.event_vars("why.ev");
        const expr act = m_.ctx().int_const("why.act"), ret = m_.ctx().int_const("why.ret");
        auto form = [&](bool perturb, std::vector<std::string>& about) {
            if (!state) return step_form(m_, calls_, prog, SymTransition{pre, post, act, ret, ev}, about, perturb);
            Tr t(m_, prog, about, perturb);
            Env env;
            env.w = &pre;
            return t.boolean(prog.root, env);
        };
        auto valid = [&](const expr& f) {
            z3::solver s(m_.ctx());
            z3::params ps(m_.ctx());
            ps.set("timeout", 5000u);
            s.set(ps);
            s.add(!f);
            return s.check() == z3::unsat;
        };
        // A form that is true whatever the state only because a construct
        // the model lacks reads its one value (true with the model's value,
        // not with a free one) would hold vacuously.
        std::vector<std::string> about, ignored;
        const expr f = form(false, about);
        if (!about.empty() && valid(f)) {
            bool vacuous = true;
            try {
                vacuous = !valid(form(true, ignored));
            } catch (const Untranslatable&) {
                // what the perturbed reading reaches has no form either: the
                // property is about the missing feature
            }
            if (vacuous) return about.front() + ", which the model does not have";
        }
    } catch (const Untranslatable& e) {
        return e.what();
    }
    return "";
}

const Program* program_of(const props::Property& p) { return p.text ? p.text->program() : nullptr; }

namespace {

/// The conjuncts of model.lemmas, each filed under its part (SlotsLemma),
/// the parts in the order of their first conjunct.
class LemmaParts {
public:
    explicit LemmaParts(z3::context& c) : c_(c) {}
    void add(std::string_view part, const expr& e) {
        auto it = std::find(names_.begin(), names_.end(), part);
        if (it == names_.end()) {
            names_.emplace_back(part);
            conj_.emplace_back(c_);
            it = names_.end() - 1;
        }
        conj_[std::size_t(it - names_.begin())].push_back(e);
    }
    std::vector<SlotsLemma> take() const {
        std::vector<SlotsLemma> out;
        for (std::size_t i = 0; i < names_.size(); ++i)
            out.push_back(SlotsLemma{std::string(kSlotsInvariant) + "." + names_[i], z3::mk_and(conj_[i])});
        return out;
    }

private:
    z3::context& c_;
    std::vector<std::string> names_;
    std::vector<z3::expr_vector> conj_;
};

}  // namespace

std::vector<SlotsLemma> slots_lemmas(const model::SymModel& m, const SymWorld& w) {
    LemmaParts all(m.ctx());
    const int n = m.slots();
    for (int k = 0; k < n; ++k) {
        const SymSlot& s = w.slot[k];
        expr held = m.ctx().bool_val(false);
        for (int j = 0; j < n; ++j) held = held || w.slot[j].fd == k;
        // a FREE slot has its resting values: no pid, no pidfd on it or in
        // it, no wait, not traced
        all.add("free", z3::implies(s.st == model::kFree, s.attr == 0 && !s.info && !held && !s.ptraced &&
                                                            s.fd == model::kNoSlot && !s.wact && !s.woken && !s.wall));
        // the AUTOKILL mark is on a held descriptor only
        if (m.features().autokill) all.add("free", z3::implies(s.ak, s.fd != model::kNoSlot));
        // The AUTOKILL file is made by a clone that starts a new process
        // (CLONE_AUTOREAP refuses CLONE_THREAD; the model's clones share no
        // descriptor table) and installed in the parent's table, and dup_fd
        // copies it only into tasks the holder's process creates later: no
        // task holds the AUTOKILL pidfd of its own process (pidfs_file_release
        // never kills the holder's own group). Without it, a task holding its
        // own AUTOKILL pidfd whose thread execs breaks autokill.last_reference
        // in the induction step.
        if (m.features().autokill) {
            auto leader = [&](int j) {
                return m.threads() ? z3::ite(w.slot[j].ldr == model::kNoSlot, m.ctx().int_val(j), w.slot[j].ldr)
                                   : m.ctx().int_val(j);
            };
            expr own = m.ctx().bool_val(false);
            for (int j = 0; j < n; ++j) own = own || (s.fd == j && leader(j) == leader(k));
            all.add("autokill", z3::implies(s.ak, !own));
        }
        // a RELEASED slot stays only while a pidfd holds its pid
        all.add("free", z3::implies(s.st == model::kGone, held));
        // single-threaded processes: a linked task is neither its own
        // parent nor its own real parent, and its real parent is older (pid
        // numbers only grow, and a task is reparented only to an ancestor
        // or init; this makes the real-parent relation acyclic)
        // (with threads: the real parent's group leader is older; the
        // real parent itself may be a younger sibling thread that adopted
        // the children of an exiting thread, find_new_reaper)
        expr older = s.rp == model::kNoSlot;
        for (int j = 0; j < n; ++j) {
            if (j == k) continue;
            expr nr = w.slot[j].nr;
            if (m.threads())
                for (int l = n - 1; l >= 0; --l)
                    if (l != j) nr = z3::ite(w.slot[j].ldr == l, w.slot[l].nr, nr);
            older = older || (s.rp == j && nr < s.nr);
        }
        const expr linked = m.threads() ? (s.st >= model::kRun && s.st <= model::kDeadU) || s.st == model::kKilled
                                        : s.st >= model::kRun && s.st <= model::kDeadU;
        all.add("parents", z3::implies(linked, s.par != k && s.rp != k && older));
        if (m.exec())
            // execve's de_thread hands the zombie leader's pid (and its pidfs
            // attr) to a running thread: a pid pidfs_exit marked dead belongs
            // to a task past pidfs_exit (unhash pending, or released), never
            // to a zombie (aux.resting says: never to a running task)
            all.add("exec", z3::implies(s.attr == 1, s.st == model::kDeadU || s.st == model::kGone));
        if (!m.threads()) continue;
        // Thread groups. A slot that is not listed has the resting thread
        // fields; a zapped thread's group is exiting; a thread's leader is a
        // listed leader whose signal_struct and sighand it shares (the
        // per-process fields are the same in every slot of the group), with
        // the same real parent, exit_signal -1 and no place on a children
        // list, and which is not released before it (EXIT_DEAD: release
        // pending) while it is listed; an untraced sub-thread is released at exit_notify, so it is
        // never a zombie; a group has at most Features::threads threads.
        const expr listed = (s.st >= model::kRun && s.st <= model::kDeadU) || s.st == model::kKilled;
        all.add("threads", z3::implies(!listed, s.ldr == model::kNoSlot && !s.gx && s.gcode == 0));
        all.add("threads", z3::implies(s.st == model::kKilled, s.gx));
        // SIGNAL_GROUP_EXIT: every other thread is zapped or gone, the
        // caller exits (do_group_exit), or the last thread left (do_exit)
        all.add("threads", z3::implies(s.gx, s.st != model::kRun));
        // init's process never exits: its leader is slot 0
        if (k == 0) all.add("threads", s.ldr == model::kNoSlot && !s.gx);
        // The leader lemmas are one part per thread slot k (leader.<k>: what
        // slot k's leader is and shares): the one leader part's step query
        // was prove's heaviest at 4 slots with threads (146.6 M units, 112.5
        // s of CPU at load ~12), where the per-slot parts' queries each ask
        // for a violation at one slot only. Splitting a hypothesis into
        // parts changes nothing in the simultaneous induction (engine.cpp,
        // prove_hypotheses): the conjunction H of the hypotheses is the
        // same, each part's query still assumes all of H on the earlier
        // states, and H is inductive when every part's query is unsat.
        const std::string leader_part = "leader." + std::to_string(k);
        expr members = m.ctx().int_val(1);
        for (int j = 0; j < n; ++j) {
            if (j == k) continue;
            const SymSlot& l = w.slot[j];
            const expr l_listed = (l.st >= model::kRun && l.st <= model::kDeadU) || l.st == model::kKilled;
            all.add(leader_part, z3::implies(
                listed && s.ldr == j,
                l_listed && l.st != model::kDeadP && l.st != model::kDeadU &&   // delay_group_leader
                    l.ldr == model::kNoSlot && l.autoreap == s.autoreap && l.is_sub == s.is_sub &&
                    l.has_sub == s.has_sub && l.ign == s.ign && l.nocldwait == s.nocldwait &&
                    l.pending == s.pending && l.gx == s.gx && l.gcode == s.gcode && l.rp == s.rp && !s.esig &&
                    s.sib == 0 && z3::implies(s.st == model::kZombie, s.ptraced)));
            members = members + z3::ite(l_listed && l.ldr == k, m.ctx().int_val(1), m.ctx().int_val(0));
        }
        all.add(leader_part, s.ldr != k);
        all.add("threads", z3::implies(listed && s.ldr == model::kNoSlot, members <= m.features().threads));
    }
    return all.take();
}

expr slots_invariant(const model::SymModel& m, const SymWorld& w) {
    z3::expr_vector all(m.ctx());
    for (const SlotsLemma& l : slots_lemmas(m, w)) all.push_back(l.holds);
    return z3::mk_and(all);
}

std::vector<std::string> slots_lemma_ids(const model::SymModel& m) {
    std::vector<std::string> out;
    for (const SlotsLemma& l : slots_lemmas(m, m.vars("lemma.ids"))) out.push_back(l.id);
    return out;
}

expr slots_lemma(const model::SymModel& m, const SymWorld& w, const std::string& id) {
    for (SlotsLemma& l : slots_lemmas(m, w))
        if (l.id == id) return l.holds;
    throw model::ModelError("no part '" + id + "' of " + std::string(kSlotsInvariant));
}

}  // namespace reapcheck::symbolic
