// The evaluator of the property language: one recursive switch over the
// parsed tree (lang/ast.hpp). Facts are read straight from refimpl's State
// and the transition's StepView, with refimpl's own helpers where the kernel
// has one (thread_group_empty, delay_group_leader, pidfd_poll,
// wait_would_block). A fact of `none` (or of an index the state does not
// have, e.g. a child read in the pre-state) is false, 0, none, or for
// exit_state `released`: every expression has a value.
#include "properties/lang/eval.hpp"

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

int64_t none_value(Type t) {
    switch (t) {
    case Type::Task: case Type::File: case Type::Pid: case Type::Event: case Type::Null: return -1;
    case Type::ExitState: return int64_t(ExitState::Released);
    default: return 0;
    }
}

template <class T>
bool in_range(const T& table, int64_t i) {
    return i >= 0 && std::size_t(i) < table.size();
}

int64_t task_fact(const Ctx& c, Fact f, Type type, int64_t i) {
    const State& s = *c.s;
    if (!in_range(s.tasks, i)) return none_value(type);
    const Id t = Id(i);
    const Task& k = s.tasks[t];
    const Proc& pr = s.procs[k.proc];
    switch (f) {
    case Fact::TExitState: return int64_t(k.exit_state);
    case Fact::TStep: return int64_t(k.step);
    case Fact::TExiting: return k.exiting;
    case Fact::TLinked: return k.exit_state != ExitState::Released;
    case Fact::TAlive: return k.exit_state == ExitState::Running && !k.exiting;
    case Fact::TLeader: return k.leader;
    case Fact::TIsLeader: return s.is_leader(t);
    case Fact::TRealParent: return k.real_parent;
    case Fact::TParent: return k.parent;
    case Fact::TTracer: return k.ptraced ? k.parent : kNone;
    case Fact::TTraced: return k.ptraced;
    case Fact::TExitSignal: return k.exit_signal;
    case Fact::TExitCode: return k.exit_code;
    case Fact::TPdeathSignal: return k.pdeath_signal;
    case Fact::TPid: return k.pid;
    case Fact::TPidNr: return in_range(s.pids, k.pid) ? s.pids[k.pid].nr : 0;
    case Fact::TAutoreap: return pr.autoreap;
    case Fact::TSubreaper: return pr.is_child_subreaper;
    case Fact::THasChildSubreaper: return pr.has_child_subreaper;
    case Fact::TUnkillable: return pr.unkillable;
    case Fact::TGroupExit: return pr.group_exit;
    case Fact::TLiveThreads: return pr.live;
    case Fact::TSigchldPending: return k.sigchld_pending || pr.sigchld_pending;
    case Fact::TThreadSigchldPending: return k.sigchld_pending;
    case Fact::TSharedSigchldPending: return pr.sigchld_pending;
    case Fact::TSigchldHandler: return int64_t(s.sighand_of(t).sigchld);
    case Fact::TNocldwait: return s.sighand_of(t).nocldwait;
    case Fact::TThreadGroupEmpty: return s.thread_group_empty(t);
    case Fact::TDelayGroupLeader: return s.delay_group_leader(t);
    case Fact::TWaiting: return k.wait.active;
    case Fact::TWaitWoken: return k.wait.woken;
    case Fact::TWaitOptions: return k.wait.options;
    case Fact::TWaitAny: return k.wait.active && k.wait.idtype == 0;
    case Fact::TWaitPid: return k.wait.active && k.wait.idtype == 1 ? k.wait.pid : kNone;
    case Fact::TWaitWouldBlock: return k.wait.active && wait_would_block(s, c.p, t);
    case Fact::TWaitWouldReport: return k.wait.active && wait_would_report(s, c.p, t);
    case Fact::TWaitClear: return k.wait == Wait{};
    case Fact::TNnp: return k.nnp;
    case Fact::TCapSysAdmin: return k.cap_sys_admin;
    case Fact::TSelfExecId: return k.self_exec_id;
    case Fact::TParentExecId: return k.parent_exec_id;
    case Fact::THasFiles: return k.files != kNone;
    default: return none_value(type);
    }
}

int64_t file_fact(const Ctx& c, Fact f, Type type, int64_t i) {
    const State& s = *c.s;
    if (!in_range(s.files, i)) return none_value(type);
    const File& fl = s.files[std::size_t(i)];
    switch (f) {
    case Fact::FPid: return fl.pid;
    case Fact::FTask: return in_range(s.pids, fl.pid) ? s.pids[fl.pid].task : kNone;
    case Fact::FPoll: return fl.refs > 0 ? int64_t(pidfd_poll(s, c.p, Id(i))) : 0;
    case Fact::FThread: return fl.thread;
    case Fact::FNonblock: return fl.nonblock;
    case Fact::FAutokill: return fl.autokill;
    case Fact::FRefs: return fl.refs;
    case Fact::FOpen: return fl.refs > 0;
    default: return none_value(type);
    }
}

int64_t pid_fact(const Ctx& c, Fact f, Type type, int64_t i) {
    const State& s = *c.s;
    if (!in_range(s.pids, i)) return none_value(type);
    const Pid& pd = s.pids[std::size_t(i)];
    switch (f) {
    case Fact::PTask: return pd.task;
    case Fact::PExitInfo: return pd.exit_info;
    case Fact::PExitCode: return pd.exit_code;
    case Fact::PNr: return pd.nr;
    case Fact::PAttr: return int64_t(pd.attr);
    default: return none_value(type);
    }
}

int64_t event_fact(const Ctx& c, Fact f, Type type, int64_t i) {
    if (!c.v || !in_range(c.v->events, i)) return none_value(type);
    const Event& e = c.v->events[std::size_t(i)];
    switch (f) {
    case Fact::EKind: return int64_t(e.kind);
    case Fact::ETask: return e.task;
    case Fact::EOther: return e.other;
    case Fact::EFrom: return e.from;
    case Fact::ESig: return e.sig;
    case Fact::ESelfreap: return e.selfreap;
    case Fact::ETraced: return e.traced;
    case Fact::ENowait: return e.nowait;
    case Fact::EStatus: return e.status;
    default: return none_value(type);
    }
}

int64_t global_fact(const Ctx& c, Fact f, Type type) {
    const Profile& p = c.p;
    switch (f) {
    case Fact::PrHasAutoreap: return p.has_autoreap;
    case Fact::PrAutoreapRequiresPidfd: return p.autoreap_requires_pidfd;
    case Fact::PrAutoreapRejectsParent: return p.autoreap_rejects_parent;
    case Fact::PrAutoreapParentZeroExitSignal: return p.autoreap_parent_zero_exit_signal;
    case Fact::PrParentRejectedWhileAutoreap: return p.parent_rejected_while_autoreap;
    case Fact::PrHasAutokill: return p.has_autokill;
    case Fact::PrAutokillNeedsNnpOrCap: return p.autokill_needs_nnp_or_cap;
    case Fact::PrAutokillSetsNnp: return p.autokill_sets_nnp;
    case Fact::PrAutokillByPointer: return p.autokill_by_pointer;
    case Fact::PrHasNnp: return p.has_nnp;
    case Fact::PrAutoreapBit: return int64_t(p.autoreap_bit);
    case Fact::PrNnpBit: return int64_t(p.nnp_bit);
    case Fact::PrAutokillBit: return int64_t(p.autokill_bit);
    case Fact::SNextPidNr: return c.s->next_pid_nr;
    default: break;
    }
    if (!c.v) return none_value(type);
    const CallView& call = c.v->call;
    const SysResult& r = c.v->result;
    switch (f) {
    case Fact::CKind: return int64_t(call.kind);
    case Fact::CActor: return call.actor;
    case Fact::CFlags: return int64_t(call.clone_flags);
    case Fact::CExitSignal: return call.exit_signal;
    case Fact::CLegacy: return call.legacy;
    case Fact::CWaitOptions: return call.wait_options;
    case Fact::CGroup: return call.group;
    case Fact::RRet: return r.ret;
    case Fact::ROk: return r.ok();
    case Fact::RErrno: return r.ret < 0 ? -r.ret : 0;
    case Fact::RBlocks: return r.blocks;
    case Fact::RTask: return r.task;
    case Fact::RFd: return r.fd;
    case Fact::RStatus: return r.status;
    case Fact::RHasStatus: return r.has_status;
    default: return none_value(type);
    }
}

bool is_task_fact(Fact f) { return f <= Fact::THasFiles; }
bool is_file_fact(Fact f) { return f >= Fact::FPid && f <= Fact::FOpen; }
bool is_pid_fact(Fact f) { return f >= Fact::PTask && f <= Fact::PAttr; }
bool is_event_fact(Fact f) { return f >= Fact::EKind && f <= Fact::EStatus; }

class Machine {
public:
    explicit Machine(const Program& prog) : n_(prog.nodes), k_(prog.kids) {}

    int64_t eval(int32_t i, Ctx& c) const {
        const Node& n = n_[std::size_t(i)];
        switch (n.op) {
        case Op::Const: return n.value;
        case Op::Var: return c.vars[n.slot];
        case Op::Fact: {
            if (n.a < 0) return global_fact(c, n.fact, n.type);
            const Node& sn = n_[std::size_t(n.a)];   // mostly a quantified variable: no call
            const int64_t subj = sn.op == Op::Var ? c.vars[sn.slot] : eval(n.a, c);
            if (is_task_fact(n.fact)) return task_fact(c, n.fact, n.type, subj);
            if (is_file_fact(n.fact)) return file_fact(c, n.fact, n.type, subj);
            if (is_pid_fact(n.fact)) return pid_fact(c, n.fact, n.type, subj);
            if (is_event_fact(n.fact)) return event_fact(c, n.fact, n.type, subj);
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
        auto list = [&](const std::vector<Id>& ids) {
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
