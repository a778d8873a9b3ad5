// The compiled form of a predicate (compile.hpp). Each operation of the
// tree is a node with a function pointer chosen at compile time for what
// the node does: a fact is one function per fact (facts.hpp's readers with
// a constant Fact, their switch folded), with a quantified variable as
// subject read from its slot directly; a quantifier is one function per
// kind and domain; `x == constant` keeps the constant in the node. Values
// and the order of evaluation are the interpreter's (eval.cpp): quantifiers
// visit their domain in the same order and stop at the same element, so
// even a reader that throws (a broken refimpl contract under a mutant)
// throws at the same place.
#include "properties/lang/compile.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <boost/container/small_vector.hpp>

#include "properties/lang/facts.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::props::lang {

using namespace refimpl;
using AstOp = lang::Op;

namespace compiled {

struct Ctx {
    const Profile* p;
    const State* s;            ///< the state facts read now (pre or post in a step property)
    const StepView* v;         ///< nullptr for a state predicate
    int64_t vars[kMaxVars];    ///< written by a quantifier before its body, the only reader
};

using Fn = int64_t (*)(const Op&, Ctx&);

struct Op {
    Fn fn = nullptr;
    const Op* a = nullptr;
    const Op* b = nullptr;
    const Op* c = nullptr;
    const Op* const* kids = nullptr;   ///< AndN / OrN operands
    int64_t value = 0;                 ///< a constant; `x == k`: k
    uint32_t nkids = 0;
    uint8_t slot = 0;                  ///< a variable's slot; a fact of a variable: its slot
    Type type = Type::Bool;
    Type fact_type = Type::Bool;       ///< a fact's own type (its `none` value), also when fused
    Fn real = nullptr;                 ///< mutate(): the function a mutated op wraps
    // While building: operand indices into ops / kids.
    int32_t ia = -1, ib = -1, ic = -1, ik = -1;
};

namespace {

inline int64_t run(const Op* o, Ctx& c) { return o->fn(*o, c); }

int64_t op_const(const Op& n, Ctx&) { return n.value; }
int64_t op_var(const Op& n, Ctx& c) { return c.vars[n.slot]; }
int64_t op_truthy(const Op& n, Ctx& c) { return run(n.a, c) != 0; }
int64_t op_not(const Op& n, Ctx& c) { return !run(n.a, c); }
int64_t op_and(const Op& n, Ctx& c) { return run(n.a, c) && run(n.b, c); }
int64_t op_or(const Op& n, Ctx& c) { return run(n.a, c) || run(n.b, c); }
int64_t op_implies(const Op& n, Ctx& c) { return !run(n.a, c) || run(n.b, c); }
int64_t op_and_n(const Op& n, Ctx& c) {
    for (uint32_t k = 0; k < n.nkids; ++k)
        if (!run(n.kids[k], c)) return 0;
    return 1;
}
int64_t op_or_n(const Op& n, Ctx& c) {
    for (uint32_t k = 0; k < n.nkids; ++k)
        if (run(n.kids[k], c)) return 1;
    return 0;
}
int64_t op_eq(const Op& n, Ctx& c) { return run(n.a, c) == run(n.b, c); }
int64_t op_ne(const Op& n, Ctx& c) { return run(n.a, c) != run(n.b, c); }
int64_t op_eq_k(const Op& n, Ctx& c) { return run(n.a, c) == n.value; }
int64_t op_ne_k(const Op& n, Ctx& c) { return run(n.a, c) != n.value; }
int64_t op_lt(const Op& n, Ctx& c) { return run(n.a, c) < run(n.b, c); }
int64_t op_le(const Op& n, Ctx& c) { return run(n.a, c) <= run(n.b, c); }
int64_t op_gt(const Op& n, Ctx& c) { return run(n.a, c) > run(n.b, c); }
int64_t op_ge(const Op& n, Ctx& c) { return run(n.a, c) >= run(n.b, c); }
// Wrapping arithmetic, as the interpreter's.
int64_t op_add(const Op& n, Ctx& c) { return int64_t(uint64_t(run(n.a, c)) + uint64_t(run(n.b, c))); }
int64_t op_sub(const Op& n, Ctx& c) { return int64_t(uint64_t(run(n.a, c)) - uint64_t(run(n.b, c))); }
int64_t op_neg(const Op& n, Ctx& c) { return int64_t(0 - uint64_t(run(n.a, c))); }
int64_t op_bitand(const Op& n, Ctx& c) { return run(n.a, c) & run(n.b, c); }
int64_t op_bitor(const Op& n, Ctx& c) { return run(n.a, c) | run(n.b, c); }
int64_t op_has(const Op& n, Ctx& c) {
    const int64_t m = run(n.b, c);
    return (run(n.a, c) & m) == m;
}
int64_t op_has_k(const Op& n, Ctx& c) { return (run(n.a, c) & n.value) == n.value; }
int64_t op_same_process(const Op& n, Ctx& c) {
    const int64_t a = run(n.a, c), b = run(n.b, c);
    const State& s = *c.s;
    return facts::in_range(s.tasks, a) && facts::in_range(s.tasks, b) && s.same_thread_group(Id(a), Id(b));
}
int64_t op_ite(const Op& n, Ctx& c) { return run(n.a, c) ? run(n.b, c) : run(n.c, c); }
template <bool Post>
int64_t op_prepost(const Op& n, Ctx& c) {
    const State* saved = c.s;
    c.s = Post ? &c.v->post : &c.v->pre;
    const int64_t r = run(n.a, c);
    c.s = saved;
    return r;
}
int64_t op_mutated(const Op& n, Ctx& c) {
    const int64_t r = n.real(n, c);
    return n.type == Type::Bool ? int64_t(!r) : r + 1;
}

// --- facts: one function per fact, subject a variable's slot or an operand ---

template <Fact F, bool VarSubject>
int64_t op_fact(const Op& n, Ctx& c) {
    if constexpr (facts::is_task_fact(F) || facts::is_file_fact(F) || facts::is_pid_fact(F) ||
                  facts::is_event_fact(F)) {
        const int64_t i = VarSubject ? c.vars[n.slot] : run(n.a, c);
        if constexpr (facts::is_task_fact(F)) return facts::task_fact(*c.p, *c.s, F, n.fact_type, i);
        else if constexpr (facts::is_file_fact(F)) return facts::file_fact(*c.p, *c.s, F, n.fact_type, i);
        else if constexpr (facts::is_pid_fact(F)) return facts::pid_fact(*c.s, F, n.fact_type, i);
        else return facts::event_fact(c.v, F, n.fact_type, i);
    } else {
        return facts::global_fact(*c.p, *c.s, c.v, F, n.fact_type);
    }
}

// A fact of a quantified variable fused with what most often uses it:
// `t.f == k`, `t.f != k`, `not t.f` (one call instead of two).
enum class Use : uint8_t { Eq, Ne, Not };
template <Fact F, Use U>
int64_t op_fact_use(const Op& n, Ctx& c) {
    const int64_t x = op_fact<F, true>(n, c);
    if constexpr (U == Use::Eq) return x == n.value;
    else if constexpr (U == Use::Ne) return x != n.value;
    else return !x;
}

constexpr std::size_t kFacts = std::size_t(Fact::SNextPidNr) + 1;

template <bool VarSubject, std::size_t... I>
constexpr std::array<Fn, kFacts> fact_table(std::index_sequence<I...>) {
    return {&op_fact<Fact(I), VarSubject>...};
}
constexpr auto kFactOfVar = fact_table<true>(std::make_index_sequence<kFacts>{});
constexpr auto kFactOfExpr = fact_table<false>(std::make_index_sequence<kFacts>{});
template <Use U, std::size_t... I>
constexpr std::array<Fn, kFacts> fact_use_table(std::index_sequence<I...>) {
    return {&op_fact_use<Fact(I), U>...};
}
constexpr auto kFactEq = fact_use_table<Use::Eq>(std::make_index_sequence<kFacts>{});
constexpr auto kFactNe = fact_use_table<Use::Ne>(std::make_index_sequence<kFacts>{});
constexpr auto kFactNot = fact_use_table<Use::Not>(std::make_index_sequence<kFacts>{});

/// The fact index of a fact-of-a-variable op (-1 for any other op).
int fact_of_var(Fn fn) {
    for (std::size_t f = 0; f < kFacts; ++f)
        if (kFactOfVar[f] == fn) return int(f);
    return -1;
}

// --- quantifiers ---

using Ids = boost::container::small_vector<Id, 16>;

/// The kind of the events of an events domain but Domain::Events.
constexpr Event::Kind event_kind(Domain d) {
    return d == Domain::Notifies    ? Event::Kind::Notify
           : d == Domain::Reparents ? Event::Kind::Reparent
           : d == Domain::Reaps     ? Event::Kind::Reap
           : d == Domain::Autokills ? Event::Kind::Autokill
                                    : Event::Kind::TraceHandoff;
}

/// Calls f(x) for each element of the domain, in the interpreter's order
/// (eval.cpp: State::threads_of / children_of / ptraced_of's list order,
/// sorted the same way without a heap allocation); f returns false to stop.
template <Domain D, class F>
[[gnu::always_inline]] inline void each(const Op& n, Ctx& c, F f) {
    const State& s = *c.s;
    if constexpr (D == Domain::Tasks) {
        for (std::size_t t = 0; t < s.tasks.size(); ++t)
            if (!f(int64_t(t))) return;
    } else if constexpr (D == Domain::Processes) {
        for (std::size_t t = 0; t < s.tasks.size(); ++t)
            if (s.is_leader(Id(t)) && !f(int64_t(t))) return;
    } else if constexpr (D == Domain::Pidfds) {
        for (std::size_t i = 0; i < s.files.size(); ++i)
            if (s.files[i].refs > 0 && !f(int64_t(i))) return;
    } else if constexpr (D == Domain::Pids) {
        for (std::size_t i = 0; i < s.pids.size(); ++i)
            if (!f(int64_t(i))) return;
    } else if constexpr (D == Domain::Threads || D == Domain::Children || D == Domain::Tracees) {
        const int64_t ti = run(n.a, c);
        if (!facts::in_range(s.tasks, ti)) return;
        const Id t = Id(ti);
        Ids v;
        const auto& ts = s.tasks;
        for (Id i = 0; i < Id(ts.size()); ++i) {
            if (ts[i].exit_state == ExitState::Released) continue;
            if constexpr (D == Domain::Threads) {
                if (ts[i].proc == ts[t].proc) v.push_back(i);
            } else if constexpr (D == Domain::Children) {
                if (ts[i].real_parent == t && s.is_leader(i)) v.push_back(i);
            } else {
                if (ts[i].ptraced && ts[i].parent == t) v.push_back(i);
            }
        }
        // the comparators of refimpl/state.cpp, on the same input order
        if constexpr (D == Domain::Threads)
            std::sort(v.begin(), v.end(), [&](Id a, Id b) {
                if (s.is_leader(a) != s.is_leader(b)) return s.is_leader(a);
                return ts[a].thread_seq < ts[b].thread_seq;
            });
        else if constexpr (D == Domain::Children)
            std::sort(v.begin(), v.end(), [&](Id a, Id b) { return ts[a].sibling_seq < ts[b].sibling_seq; });
        else
            std::sort(v.begin(), v.end(), [&](Id a, Id b) { return ts[a].ptrace_seq < ts[b].ptrace_seq; });
        for (Id x : v)
            if (!f(int64_t(x))) return;
    } else if constexpr (D == Domain::Ancestors) {
        int64_t t = run(n.a, c);
        for (std::size_t hops = 0; facts::in_range(s.tasks, t) && hops < s.tasks.size(); ++hops) {
            t = s.tasks[std::size_t(t)].real_parent;
            if (!facts::in_range(s.tasks, t) || !f(t)) return;
        }
    } else {
        if (!c.v) return;
        constexpr bool any = D == Domain::Events;
        constexpr Event::Kind k = event_kind(D);
        const auto& evs = c.v->events;
        for (std::size_t e = 0; e < evs.size(); ++e)
            if ((any || evs[e].kind == k) && !f(int64_t(e))) return;
    }
}

template <AstOp Q, Domain D>
int64_t op_quant(const Op& n, Ctx& c) {
    int64_t r = Q == AstOp::Forall ? 1 : Q == AstOp::First ? -1 : 0;
    const Op* body = n.b;
    const uint8_t slot = n.slot;
    each<D>(n, c, [&](int64_t x) {
        c.vars[slot] = x;
        const bool v = run(body, c) != 0;
        if constexpr (Q == AstOp::Forall) {
            if (!v) r = 0;
            return v;
        } else if constexpr (Q == AstOp::Exists) {
            if (v) r = 1;
            return !v;
        } else if constexpr (Q == AstOp::Count) {
            r += v;
            return true;
        } else {
            if (v) r = x;
            return !v;
        }
    });
    return r;
}

constexpr std::size_t kDomains = std::size_t(Domain::Handoffs) + 1;

template <AstOp Q, std::size_t... I>
constexpr std::array<Fn, kDomains> quant_table(std::index_sequence<I...>) {
    return {&op_quant<Q, Domain(I)>...};
}
constexpr auto kForall = quant_table<AstOp::Forall>(std::make_index_sequence<kDomains>{});
constexpr auto kExists = quant_table<AstOp::Exists>(std::make_index_sequence<kDomains>{});
constexpr auto kCount = quant_table<AstOp::Count>(std::make_index_sequence<kDomains>{});
constexpr auto kFirst = quant_table<AstOp::First>(std::make_index_sequence<kDomains>{});

bool is_profile_fact(Fact f) { return f >= Fact::PrHasAutoreap && f <= Fact::PrAutokillBit; }

/// Ops whose value is always 0 or 1.
bool boolean(Fn fn) {
    static const Fn ops[] = {&op_truthy, &op_not,  &op_and, &op_or, &op_implies, &op_and_n, &op_or_n,
                             &op_eq,     &op_ne,   &op_eq_k, &op_ne_k, &op_lt,    &op_le,    &op_gt,
                             &op_ge,     &op_has, &op_has_k, &op_same_process};
    for (Fn f : ops)
        if (f == fn) return true;
    for (std::size_t d = 0; d < kDomains; ++d)
        if (fn == kForall[d] || fn == kExists[d]) return true;
    for (std::size_t f = 0; f < kFacts; ++f)
        if (fn == kFactEq[f] || fn == kFactNe[f] || fn == kFactNot[f]) return true;
    return false;
}

/// Builds the op tree of a Program: ops by index, pointers fixed at the end.
class Builder {
public:
    Builder(const Program& prog, const Profile& p) : prog_(prog), p_(p) {}

    std::vector<Op> ops;          ///< every op built, folded-away ones included
    std::vector<int32_t> kids;    ///< AndN / OrN operands: indices into ops

    int32_t build(int32_t i) {
        const Node& n = prog_.nodes[std::size_t(i)];
        switch (n.op) {
        case AstOp::Const: return constant(n.value, n.type);
        case AstOp::Var: {
            Op o;
            o.fn = &op_var;
            o.slot = n.slot;
            return add(o, n.type);
        }
        case AstOp::Fact: {
            if (n.a < 0) {
                // The profile is fixed for the run: its facts are constants.
                if (is_profile_fact(n.fact))
                    return constant(facts::global_fact(p_, State{}, nullptr, n.fact, n.type), n.type);
                Op o;
                o.fn = kFactOfExpr[std::size_t(n.fact)];
                o.fact_type = n.type;
                return add(o, n.type);
            }
            const Node& sn = prog_.nodes[std::size_t(n.a)];
            Op o;
            o.fact_type = n.type;
            if (sn.op == AstOp::Var) {
                o.fn = kFactOfVar[std::size_t(n.fact)];
                o.slot = sn.slot;
            } else {
                o.fn = kFactOfExpr[std::size_t(n.fact)];
                o.ia = build(n.a);
            }
            return add(o, n.type);
        }
        case AstOp::Not: {
            const int32_t a = build(n.a);
            if (is_const(a)) return constant(!value(a), n.type);
            if (const int f = fact_of_var(ops[std::size_t(a)].fn); f >= 0) return fused(kFactNot, f, a, 0, n.type);
            return unary(&op_not, a, n.type);
        }
        case AstOp::And: case AstOp::Or: case AstOp::Implies: {
            const int32_t a = build(n.a);
            // The left operand decides or drops out: fold. A constant right
            // operand stays (the left one is evaluated first either way).
            if (is_const(a)) {
                const bool k = value(a) != 0;
                if (n.op == AstOp::And && !k) return constant(0, n.type);
                if (n.op == AstOp::Or && k) return constant(1, n.type);
                if (n.op == AstOp::Implies && !k) return constant(1, n.type);
                return truthy(build(n.b));
            }
            const int32_t b = build(n.b);
            return binary(n.op == AstOp::And ? &op_and : n.op == AstOp::Or ? &op_or : &op_implies, a, b, n.type);
        }
        case AstOp::AndN: case AstOp::OrN: {
            const bool is_and = n.op == AstOp::AndN;
            std::vector<int32_t> ks;
            bool decided = false;   // an operand that decides the value (after those before it ran)
            for (int32_t k = n.a; k < n.a + n.b; ++k) {
                const int32_t x = build(prog_.kids[std::size_t(k)]);
                if (is_const(x)) {
                    if ((value(x) != 0) == is_and) continue;   // neutral
                    decided = true;
                    break;
                }
                ks.push_back(x);
            }
            if (ks.empty()) return constant(decided ? !is_and : is_and, n.type);
            if (decided) ks.push_back(constant(!is_and, Type::Bool));
            if (ks.size() == 1) return truthy(ks[0]);
            Op o;
            o.fn = is_and ? &op_and_n : &op_or_n;
            o.ik = int32_t(kids.size());
            o.nkids = uint32_t(ks.size());
            kids.insert(kids.end(), ks.begin(), ks.end());
            return add(o, n.type);
        }
        case AstOp::Eq: case AstOp::Ne: {
            const int32_t a = build(n.a), b = build(n.b);
            if (is_const(a) && is_const(b))
                return constant(n.op == AstOp::Eq ? value(a) == value(b) : value(a) != value(b), n.type);
            if (is_const(b)) {
                if (const int f = fact_of_var(ops[std::size_t(a)].fn); f >= 0)
                    return fused(n.op == AstOp::Eq ? kFactEq : kFactNe, f, a, value(b), n.type);
                Op o;
                o.fn = n.op == AstOp::Eq ? &op_eq_k : &op_ne_k;
                o.ia = a;
                o.value = value(b);
                return add(o, n.type);
            }
            return binary(n.op == AstOp::Eq ? &op_eq : &op_ne, a, b, n.type);
        }
        case AstOp::Lt: case AstOp::Le: case AstOp::Gt: case AstOp::Ge:
        case AstOp::Add: case AstOp::Sub: case AstOp::BitAnd: case AstOp::BitOr: {
            const int32_t a = build(n.a), b = build(n.b);
            if (is_const(a) && is_const(b)) {
                const int64_t x = value(a), y = value(b);
                switch (n.op) {
                case AstOp::Lt: return constant(x < y, n.type);
                case AstOp::Le: return constant(x <= y, n.type);
                case AstOp::Gt: return constant(x > y, n.type);
                case AstOp::Ge: return constant(x >= y, n.type);
                case AstOp::Add: return constant(int64_t(uint64_t(x) + uint64_t(y)), n.type);
                case AstOp::Sub: return constant(int64_t(uint64_t(x) - uint64_t(y)), n.type);
                case AstOp::BitAnd: return constant(x & y, n.type);
                default: return constant(x | y, n.type);
                }
            }
            Fn fn = n.op == AstOp::Lt    ? &op_lt
                    : n.op == AstOp::Le  ? &op_le
                    : n.op == AstOp::Gt  ? &op_gt
                    : n.op == AstOp::Ge  ? &op_ge
                    : n.op == AstOp::Add ? &op_add
                    : n.op == AstOp::Sub ? &op_sub
                    : n.op == AstOp::BitAnd ? &op_bitand
                                            : &op_bitor;
            return binary(fn, a, b, n.type);
        }
        case AstOp::Neg: {
            const int32_t a = build(n.a);
            if (is_const(a)) return constant(int64_t(0 - uint64_t(value(a))), n.type);
            return unary(&op_neg, a, n.type);
        }
        case AstOp::Has: {
            const int32_t a = build(n.a), b = build(n.b);
            if (is_const(b)) {
                if (is_const(a)) return constant((value(a) & value(b)) == value(b), n.type);
                Op o;
                o.fn = &op_has_k;
                o.ia = a;
                o.value = value(b);
                return add(o, n.type);
            }
            return binary(&op_has, a, b, n.type);
        }
        case AstOp::SameProcess: return binary(&op_same_process, build(n.a), build(n.b), n.type);
        case AstOp::Forall: case AstOp::Exists: case AstOp::Count: case AstOp::First: {
            const auto& table = n.op == AstOp::Forall   ? kForall
                                : n.op == AstOp::Exists ? kExists
                                : n.op == AstOp::Count  ? kCount
                                                        : kFirst;
            Op o;
            o.fn = table[std::size_t(n.domain)];
            o.slot = n.slot;
            if (n.a >= 0) o.ia = build(n.a);
            o.ib = build(n.b);
            return add(o, n.type);
        }
        case AstOp::Ite: {
            const int32_t a = build(n.a);
            if (is_const(a)) return value(a) ? build(n.b) : build(n.c);
            Op o;
            o.fn = &op_ite;
            o.ia = a;
            o.ib = build(n.b);
            o.ic = build(n.c);
            return add(o, n.type);
        }
        case AstOp::Pre: case AstOp::Post: {
            const int32_t a = build(n.a);
            if (is_const(a)) return a;
            return unary(n.op == AstOp::Post ? &op_prepost<true> : &op_prepost<false>, a, n.type);
        }
        }
        return constant(0, n.type);
    }

private:
    int32_t add(Op o, Type t) {
        o.type = t;
        ops.push_back(o);
        return int32_t(ops.size() - 1);
    }
    int32_t constant(int64_t v, Type t) {
        Op o;
        o.fn = &op_const;
        o.value = v;
        return add(o, t);
    }
    int32_t unary(Fn fn, int32_t a, Type t) {
        Op o;
        o.fn = fn;
        o.ia = a;
        return add(o, t);
    }
    int32_t binary(Fn fn, int32_t a, int32_t b, Type t) {
        Op o;
        o.fn = fn;
        o.ia = a;
        o.ib = b;
        return add(o, t);
    }
    /// The fact-of-a-variable op `a` fused with its use (table[f]): the
    /// fact's node with another function and the constant.
    int32_t fused(const std::array<Fn, kFacts>& table, int f, int32_t a, int64_t k, Type t) {
        Op o = ops[std::size_t(a)];
        o.fn = table[std::size_t(f)];
        o.value = k;
        o.type = t;
        ops.push_back(o);
        return int32_t(ops.size() - 1);
    }
    /// x as a boolean: x itself when it is 0 or 1 already.
    int32_t truthy(int32_t x) {
        const Op& o = ops[std::size_t(x)];
        if (boolean(o.fn) || (o.fn == &op_const && (o.value == 0 || o.value == 1))) return x;
        return unary(&op_truthy, x, Type::Bool);
    }
    bool is_const(int32_t x) const { return ops[std::size_t(x)].fn == &op_const; }
    int64_t value(int32_t x) const { return ops[std::size_t(x)].value; }

    const Program& prog_;
    const Profile& p_;
};

constexpr uint32_t kAllEventKinds = (1u << Compiled::kEventKinds) - 1;

/// What a step predicate is worth on a class of transitions, found without
/// a state: those whose events have only some kinds (a quantifier over the
/// other kinds' events has an empty domain), and the self-loops (the
/// successor equals the state, so `pre(x)` and `post(x)` read equal values:
/// every fact reads the State through Ctx::s, the StepView's call, result
/// and events, or the profile, and a self-loop's two States compare equal
/// field by field, refimpl/state.hpp's operator==). A value is either known
/// (a constant, with the profile's facts) or a key that names its
/// computation, so that `x == x`, `has(x, x)` and `a => a` are known to be
/// true whatever x and a are. Only what the value is, not whether a reader
/// would throw, is decided.
class Decider {
public:
    Decider(const Program& prog, const Profile& p, bool same, uint32_t absent)
        : prog_(prog), p_(p), same_(same), absent_(absent) {}

    struct Sym {
        bool known = false;
        int64_t value = 0;
        bool boolean = false;   ///< 0 or 1 whatever the state
        std::string key;
    };

    Sym at(int32_t i) const {
        const Node& n = prog_.nodes[std::size_t(i)];
        switch (n.op) {
        case AstOp::Const: return known(n.value);
        case AstOp::Var: return sym("v" + std::to_string(n.slot), false);
        case AstOp::Fact: {
            if (n.a < 0 && is_profile_fact(n.fact))
                return known(facts::global_fact(p_, State{}, nullptr, n.fact, n.type));
            return sym("f" + std::to_string(int(n.fact)) + "(" + (n.a >= 0 ? at(n.a).key : "") + ")", false);
        }
        case AstOp::Pre: case AstOp::Post: {
            Sym a = at(n.a);
            if (same_ || a.known) return a;
            return sym((n.op == AstOp::Pre ? "pre(" : "post(") + a.key + ")", a.boolean);
        }
        case AstOp::Not: {
            const Sym a = at(n.a);
            if (a.known) return known(a.value == 0);
            return sym("!" + a.key, true);
        }
        case AstOp::And: return conj({at(n.a), at(n.b)}, true);
        case AstOp::Or: return conj({at(n.a), at(n.b)}, false);
        case AstOp::AndN: case AstOp::OrN: {
            std::vector<Sym> ks;
            for (int32_t k = n.a; k < n.a + n.b; ++k) ks.push_back(at(prog_.kids[std::size_t(k)]));
            return conj(std::move(ks), n.op == AstOp::AndN);
        }
        case AstOp::Implies: {
            const Sym a = at(n.a), b = at(n.b);
            if ((a.known && !a.value) || (b.known && b.value)) return known(1);
            if (a.known) return truthy(b);
            if (truthy(a).key == truthy(b).key) return known(1);
            if (b.known) return sym("!" + truthy(a).key, true);
            return sym("=>(" + truthy(a).key + "," + truthy(b).key + ")", true);
        }
        case AstOp::Eq: case AstOp::Ne: case AstOp::Lt: case AstOp::Le: case AstOp::Gt: case AstOp::Ge:
        case AstOp::Add: case AstOp::Sub: case AstOp::BitAnd: case AstOp::BitOr: case AstOp::Has: {
            const Sym a = at(n.a), b = at(n.b);
            if (a.known && b.known) {
                const int64_t x = a.value, y = b.value;
                switch (n.op) {
                case AstOp::Eq: return known(x == y);
                case AstOp::Ne: return known(x != y);
                case AstOp::Lt: return known(x < y);
                case AstOp::Le: return known(x <= y);
                case AstOp::Gt: return known(x > y);
                case AstOp::Ge: return known(x >= y);
                case AstOp::Add: return known(int64_t(uint64_t(x) + uint64_t(y)));
                case AstOp::Sub: return known(int64_t(uint64_t(x) - uint64_t(y)));
                case AstOp::BitAnd: return known(x & y);
                case AstOp::BitOr: return known(x | y);
                default: return known((x & y) == y);
                }
            }
            if (a.key == b.key) {   // the same computation twice: equal values
                if (n.op == AstOp::Eq || n.op == AstOp::Le || n.op == AstOp::Ge || n.op == AstOp::Has) return known(1);
                if (n.op == AstOp::Ne || n.op == AstOp::Lt || n.op == AstOp::Gt) return known(0);
            }
            const bool cmp = n.op != AstOp::Add && n.op != AstOp::Sub && n.op != AstOp::BitAnd && n.op != AstOp::BitOr;
            return sym("o" + std::to_string(int(n.op)) + "(" + a.key + "," + b.key + ")", cmp);
        }
        case AstOp::Neg: {
            const Sym a = at(n.a);
            if (a.known) return known(int64_t(0 - uint64_t(a.value)));
            return sym("-" + a.key, false);
        }
        case AstOp::SameProcess: return sym("sp(" + at(n.a).key + "," + at(n.b).key + ")", true);
        case AstOp::Forall: case AstOp::Exists: case AstOp::Count: case AstOp::First: {
            const int64_t none = n.op == AstOp::Forall ? 1 : n.op == AstOp::First ? -1 : 0;
            if (empty(n.domain)) return known(none);
            const Sym body = at(n.b);
            // a body of one value: forall true is true, exists / count / first of false are none
            if (body.known && (n.op == AstOp::Forall ? body.value != 0 : body.value == 0)) return known(none);
            return sym("q" + std::to_string(int(n.op)) + "." + std::to_string(int(n.domain)) + "." +
                           std::to_string(n.slot) + "(" + (n.a >= 0 ? at(n.a).key : "") + ":" + body.key + ")",
                       n.op == AstOp::Forall || n.op == AstOp::Exists);
        }
        case AstOp::Ite: {
            const Sym a = at(n.a);
            if (a.known) return a.value ? at(n.b) : at(n.c);
            const Sym b = at(n.b), c = at(n.c);
            return sym("?(" + truthy(a).key + "," + b.key + "," + c.key + ")", b.boolean && c.boolean);
        }
        }
        return sym("?", false);
    }

private:
    static Sym known(int64_t v) { return Sym{true, v, v == 0 || v == 1, "k" + std::to_string(v)}; }
    static Sym sym(std::string key, bool boolean) { return Sym{false, 0, boolean, std::move(key)}; }
    static Sym truthy(const Sym& s) {
        if (s.known) return known(s.value != 0);
        return s.boolean ? s : sym("T(" + s.key + ")", true);
    }
    /// and / or of operands (all evaluated left to right): one that decides
    /// makes the value known, neutral ones drop out.
    static Sym conj(std::vector<Sym> ks, bool is_and) {
        std::string key;
        std::vector<Sym> rest;
        for (const Sym& k : ks) {
            if (k.known) {
                if ((k.value != 0) != is_and) return known(!is_and);
                continue;
            }
            rest.push_back(truthy(k));
        }
        if (rest.empty()) return known(is_and);
        if (rest.size() == 1) return rest[0];
        for (const Sym& k : rest) key += k.key + ",";
        return sym((is_and ? "&(" : "|(") + key + ")", true);
    }
    /// An events domain with no event of its kinds on these transitions.
    bool empty(Domain d) const {
        if (d < Domain::Events) return false;
        const uint32_t k = d == Domain::Events ? kAllEventKinds : 1u << unsigned(event_kind(d));
        return (absent_ & k) == k;
    }

    const Program& prog_;
    const Profile& p_;
    bool same_;
    uint32_t absent_;
};

}  // namespace
}  // namespace compiled

Compiled::Compiled(const Program& prog, const Profile& p)
    : p_(&p), guard_kind_(prog.guard_kind), guard_value_(prog.guard_value) {
    compiled::Builder b(prog, p);
    const int32_t root = b.build(prog.root);
    // Keep the ops the root reaches (folding leaves the others behind),
    // numbered in the order they were built; operand indices become pointers.
    std::vector<int32_t> at(b.ops.size(), -1);
    std::vector<int32_t> todo{root};
    auto reach = [&](int32_t x) {
        if (x >= 0 && at[std::size_t(x)] < 0) {
            at[std::size_t(x)] = 0;
            todo.push_back(x);
        }
    };
    at[std::size_t(root)] = 0;
    while (!todo.empty()) {
        const compiled::Op& o = b.ops[std::size_t(todo.back())];
        todo.pop_back();
        reach(o.ia);
        reach(o.ib);
        reach(o.ic);
        for (uint32_t k = 0; o.ik >= 0 && k < o.nkids; ++k) reach(b.kids[std::size_t(o.ik) + k]);
    }
    for (std::size_t i = 0; i < b.ops.size(); ++i)
        if (at[i] >= 0) {
            at[i] = int32_t(ops_.size());
            ops_.push_back(b.ops[i]);
        }
    std::size_t nkids = 0;
    for (const compiled::Op& o : ops_) nkids += o.nkids;
    kids_.reserve(nkids);   // no reallocation below: the ops point into it
    for (compiled::Op& o : ops_) {
        if (o.ia >= 0) o.a = &ops_[std::size_t(at[std::size_t(o.ia)])];
        if (o.ib >= 0) o.b = &ops_[std::size_t(at[std::size_t(o.ib)])];
        if (o.ic >= 0) o.c = &ops_[std::size_t(at[std::size_t(o.ic)])];
        if (o.ik >= 0) {
            const std::size_t first = kids_.size();
            for (uint32_t k = 0; k < o.nkids; ++k)
                kids_.push_back(&ops_[std::size_t(at[std::size_t(b.kids[std::size_t(o.ik) + k])])]);
            o.kids = kids_.data() + first;
        }
    }
    root_ = &ops_[std::size_t(at[std::size_t(root)])];
    // What the predicate is on each class of transitions (kinds of events
    // present, self-loop or not), where that needs no state.
    // Only the kinds the predicate quantifies over matter: one analysis per
    // subset of those.
    uint32_t about = 0;
    for (const Node& n : prog.nodes)
        if ((n.op == AstOp::Forall || n.op == AstOp::Exists || n.op == AstOp::Count || n.op == AstOp::First) &&
            n.domain >= Domain::Events)
            about |= n.domain == Domain::Events ? compiled::kAllEventKinds
                                                : 1u << unsigned(compiled::event_kind(n.domain));
    for (int same = 0; same < 2; ++same)
        for (uint32_t kinds = 0; kinds < kKindSets; ++kinds) {
            if ((kinds & about) != kinds) {   // as without the kinds it is not about
                decided_[same][kinds] = decided_[same][kinds & about];
                continue;
            }
            const compiled::Decider d(prog, p, same != 0, ~kinds & compiled::kAllEventKinds);
            const compiled::Decider::Sym v = d.at(prog.root);
            decided_[same][kinds] = v.known ? int8_t(v.value != 0) : int8_t(-1);
        }
}

uint32_t Compiled::event_kinds(const std::vector<Event>& events) {
    static_assert(unsigned(Event::Kind::TraceHandoff) + 1 == kEventKinds);
    uint32_t m = 0;
    for (const Event& e : events) m |= 1u << unsigned(e.kind);
    return m;
}

Compiled::~Compiled() = default;

bool Compiled::state(const State& s) const {
    compiled::Ctx c;   // vars: written by a quantifier before they are read
    c.p = p_;
    c.s = &s;
    c.v = nullptr;
    return root_->fn(*root_, c) != 0;
}

bool Compiled::step(const StepView& v) const {
    if (guard_kind_ >= 0 && int(v.call.kind) != guard_kind_) return guard_value_;
    compiled::Ctx c;
    c.p = p_;
    c.s = &v.pre;
    c.v = &v;
    return root_->fn(*root_, c) != 0;
}

std::size_t Compiled::ops() const { return ops_.size(); }

void Compiled::mutate(std::size_t k) {
    compiled::Op& o = ops_.at(k);
    if (o.fn == &compiled::op_mutated) return;
    o.real = o.fn;
    o.fn = &compiled::op_mutated;
}

}  // namespace reapcheck::props::lang
