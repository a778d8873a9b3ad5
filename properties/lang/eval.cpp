// The evaluator of the property language: one recursive switch over the
// parsed tree (lang/ast.hpp), the reference for the compiled form
// (compile.hpp), which the explicit engine runs. Facts are read by
// lang/facts.hpp.
#include "properties/lang/eval.hpp"

#include "properties/lang/facts.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::props::lang {

using namespace refimpl;

namespace {

struct Ctx {
    Ctx(const Profile& prof, const State* state, const StepView* view) : p(prof), s(state), v(view) {}
    const Profile& p;
    const State* s;                 ///< the state facts read now (pre or post in a step property)
    const StepView* v;              ///< nullptr for a state predicate
    // Not cleared (this runs for every property on every transition): a
    // slot is written by its quantifier before the body, the only reader.
    int64_t vars[kMaxVars];
};

using namespace facts;

class Machine {
public:
    explicit Machine(const Program& prog) : n_(prog.nodes), k_(prog.kids) {}

    int64_t eval(int32_t i, Ctx& c) const {
        const Node& n = n_[std::size_t(i)];
        switch (n.op) {
        case Op::Const: return n.value;
        case Op::Var: return c.vars[n.slot];
        case Op::Fact: {
            if (n.a < 0) return global_fact(c.p, *c.s, c.v, n.fact, n.type);
            const Node& sn = n_[std::size_t(n.a)];   // mostly a quantified variable: no call
            const int64_t subj = sn.op == Op::Var ? c.vars[sn.slot] : eval(n.a, c);
            if (is_task_fact(n.fact)) return task_fact(c.p, *c.s, n.fact, n.type, subj);
            if (is_file_fact(n.fact)) return file_fact(c.p, *c.s, n.fact, n.type, subj);
            if (is_pid_fact(n.fact)) return pid_fact(*c.s, n.fact, n.type, subj);
            if (is_event_fact(n.fact)) return event_fact(c.v, n.fact, n.type, subj);
            return none_value(n.type);
        }
        case Op::Not: return !eval(n.a, c);
        case Op::And: return eval(n.a, c) && eval(n.b, c);
        case Op::AndN:
            for (int32_t k = n.a; k < n.a + n.b; ++k)
                if (!eval(k_[std::size_t(k)], c)) return 0;
            return 1;
        case Op::OrN:
            for (int32_t k = n.a; k < n.a + n.b; ++k)
                if (eval(k_[std::size_t(k)], c)) return 1;
            return 0;
        case Op::Or: return eval(n.a, c) || eval(n.b, c);
        case Op::Implies: return !eval(n.a, c) || eval(n.b, c);
        case Op::Eq: return eval(n.a, c) == operand(n.b, c);
        case Op::Ne: return eval(n.a, c) != operand(n.b, c);
        case Op::Lt: return eval(n.a, c) < eval(n.b, c);
        case Op::Le: return eval(n.a, c) <= eval(n.b, c);
        case Op::Gt: return eval(n.a, c) > eval(n.b, c);
        case Op::Ge: return eval(n.a, c) >= eval(n.b, c);
        // Wrapping arithmetic: user constants are small, and no overflow is undefined.
        case Op::Add: return int64_t(uint64_t(eval(n.a, c)) + uint64_t(eval(n.b, c)));
        case Op::Sub: return int64_t(uint64_t(eval(n.a, c)) - uint64_t(eval(n.b, c)));
        case Op::Neg: return int64_t(0 - uint64_t(eval(n.a, c)));
        case Op::BitAnd: return eval(n.a, c) & eval(n.b, c);
        case Op::BitOr: return eval(n.a, c) | eval(n.b, c);
        case Op::Has: {
            const int64_t m = eval(n.b, c);
            return (eval(n.a, c) & m) == m;
        }
        case Op::SameProcess: {
            const int64_t a = eval(n.a, c), b = eval(n.b, c);
            const State& s = *c.s;
            return in_range(s.tasks, a) && in_range(s.tasks, b) && s.same_thread_group(Id(a), Id(b));
        }
        case Op::Forall: case Op::Exists: case Op::Count: case Op::First: return quantify(n, c);
        case Op::Ite: return eval(n.a, c) ? eval(n.b, c) : eval(n.c, c);
        case Op::Pre: case Op::Post: {
            const State* saved = c.s;
            c.s = n.op == Op::Pre ? &c.v->pre : &c.v->post;
            const int64_t r = eval(n.a, c);
            c.s = saved;
            return r;
        }
        }
        return 0;
    }

private:
    /// A right-hand operand: mostly a constant, read without a call.
    int64_t operand(int32_t i, Ctx& c) const {
        const Node& n = n_[std::size_t(i)];
        return n.op == Op::Const ? n.value : eval(i, c);
    }

    /// Runs `body` for each element of the domain; `f` returns false to stop.
    template <class F>
    void each(const Node& n, Ctx& c, F f) const {
        const State& s = *c.s;
        auto list = [&](const refimpl::IdList& ids) {
            for (Id t : ids)
                if (!f(int64_t(t))) return;
        };
        auto events = [&](bool any, Event::Kind k) {
            if (!c.v) return;
            for (std::size_t e = 0; e < c.v->events.size(); ++e)
                if ((any || c.v->events[e].kind == k) && !f(int64_t(e))) return;
        };
        switch (n.domain) {
        case Domain::Tasks:
            for (std::size_t t = 0; t < s.tasks.size(); ++t)
                if (!f(int64_t(t))) return;
            return;
        case Domain::Processes:
            for (std::size_t t = 0; t < s.tasks.size(); ++t)
                if (s.is_leader(Id(t)) && !f(int64_t(t))) return;
            return;
        case Domain::Pidfds:
            for (std::size_t i = 0; i < s.files.size(); ++i)
                if (s.files[i].refs > 0 && !f(int64_t(i))) return;
            return;
        case Domain::Pids:
            for (std::size_t i = 0; i < s.pids.size(); ++i)
                if (!f(int64_t(i))) return;
            return;
        case Domain::Threads: case Domain::Children: case Domain::Tracees: {
            const int64_t t = eval(n.a, c);
            if (!in_range(s.tasks, t)) return;
            if (n.domain == Domain::Threads) list(s.threads_of(Id(t)));
            else if (n.domain == Domain::Children) list(s.children_of(Id(t)));
            else list(s.ptraced_of(Id(t)));
            return;
        }
        case Domain::Ancestors: {
            // the real-parent chain, nearest first; at most one lap of the
            // table, so that a (broken) cycle cannot loop
            int64_t t = eval(n.a, c);
            for (std::size_t hops = 0; in_range(s.tasks, t) && hops < s.tasks.size(); ++hops) {
                t = s.tasks[std::size_t(t)].real_parent;
                if (!in_range(s.tasks, t) || !f(t)) return;
            }
            return;
        }
        case Domain::Events: events(true, Event::Kind::Notify); return;
        case Domain::Notifies: events(false, Event::Kind::Notify); return;
        case Domain::Reparents: events(false, Event::Kind::Reparent); return;
        case Domain::Reaps: events(false, Event::Kind::Reap); return;
        case Domain::Autokills: events(false, Event::Kind::Autokill); return;
        case Domain::Handoffs: events(false, Event::Kind::TraceHandoff); return;
        }
    }

    int64_t quantify(const Node& n, Ctx& c) const {
        int64_t count = 0;
        bool result = n.op == Op::Forall;
        int64_t first = -1;
        each(n, c, [&](int64_t x) {
            c.vars[n.slot] = x;
            const bool v = eval(n.b, c) != 0;
            if (n.op == Op::First) {
                if (v) first = x;
                return !v;
            }
            if (n.op == Op::Count) {
                count += v;
                return true;
            }
            if (n.op == Op::Forall && !v) { result = false; return false; }
            if (n.op == Op::Exists && v) { result = true; return false; }
            return true;
        });
        if (n.op == Op::First) return first;
        return n.op == Op::Count ? count : int64_t(result);
    }

    const std::vector<Node>& n_;
    const std::vector<int32_t>& k_;
};

}  // namespace

bool run_state(const Program& prog, const Profile& p, const State& s) {
    Ctx c{p, &s, nullptr};
    return Machine(prog).eval(prog.root, c) != 0;
}

bool run_step(const Program& prog, const StepView& v) {
    if (prog.guard_kind >= 0 && int(v.call.kind) != prog.guard_kind) return prog.guard_value;
    Ctx c{v.profile, &v.pre, &v};
    return Machine(prog).eval(prog.root, c) != 0;
}

}  // namespace reapcheck::props::lang
