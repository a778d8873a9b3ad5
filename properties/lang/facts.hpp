// The facts of the property language (docs/property-language.md), read
// straight from refimpl's State and the transition's StepView, with
// refimpl's own helpers where the kernel has one (thread_group_empty,
// delay_group_leader, pidfd_poll, wait_would_block). A fact of `none` (or of
// an index the state does not have, e.g. a child read in the pre-state) is
// false, 0, none, or for exit_state `released`: every expression has a value.
// Shared by the interpreter (eval.cpp) and the compiled form (compile.cpp),
// so that the two read each fact the same way: the compiled form calls these
// with a constant `Fact`, and the switch folds away.
#pragma once

#include <cstddef>
#include <cstdint>

#include "properties/lang/ast.hpp"
#include "refimpl/kernel.hpp"

#if defined(__GNUC__)
#define RC_FACT_INLINE [[gnu::always_inline]] inline
#else
#define RC_FACT_INLINE inline
#endif

namespace reapcheck::props::lang::facts {

using namespace refimpl;

inline int64_t none_value(Type t) {
    switch (t) {
    case Type::Task: case Type::File: case Type::Pid: case Type::Event: case Type::Null: return -1;
    case Type::ExitState: return int64_t(ExitState::Released);
    default: return 0;
    }
}

template <class T>
inline bool in_range(const T& table, int64_t i) {
    return i >= 0 && std::size_t(i) < table.size();
}

RC_FACT_INLINE int64_t task_fact(const Profile& p, const State& s, Fact f, Type type, int64_t i) {
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
    case Fact::TWaitWouldBlock: return k.wait.active && wait_would_block(s, p, t);
    case Fact::TWaitWouldReport: return k.wait.active && wait_would_report(s, p, t);
    case Fact::TWaitClear: return k.wait == Wait{};
    case Fact::TNnp: return k.nnp;
    case Fact::TCapSysAdmin: return k.cap_sys_admin;
    case Fact::TSelfExecId: return k.self_exec_id;
    case Fact::TParentExecId: return k.parent_exec_id;
    case Fact::THasFiles: return k.files != kNone;
    default: return none_value(type);
    }
}

RC_FACT_INLINE int64_t file_fact(const Profile& p, const State& s, Fact f, Type type, int64_t i) {
    if (!in_range(s.files, i)) return none_value(type);
    const File& fl = s.files[std::size_t(i)];
    switch (f) {
    case Fact::FPid: return fl.pid;
    case Fact::FTask: return in_range(s.pids, fl.pid) ? s.pids[fl.pid].task : kNone;
    case Fact::FPoll: return fl.refs > 0 ? int64_t(pidfd_poll(s, p, Id(i))) : 0;
    case Fact::FThread: return fl.thread;
    case Fact::FNonblock: return fl.nonblock;
    case Fact::FAutokill: return fl.autokill;
    case Fact::FRefs: return fl.refs;
    case Fact::FOpen: return fl.refs > 0;
    default: return none_value(type);
    }
}

RC_FACT_INLINE int64_t pid_fact(const State& s, Fact f, Type type, int64_t i) {
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

RC_FACT_INLINE int64_t event_fact(const StepView* v, Fact f, Type type, int64_t i) {
    if (!v || !in_range(v->events, i)) return none_value(type);
    const Event& e = v->events[std::size_t(i)];
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

RC_FACT_INLINE int64_t global_fact(const Profile& p, const State& s, const StepView* v, Fact f, Type type) {
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
    case Fact::SNextPidNr: return s.next_pid_nr;
    default: break;
    }
    if (!v) return none_value(type);
    const CallView& call = v->call;
    const SysResult& r = v->result;
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

constexpr bool is_task_fact(Fact f) { return f <= Fact::THasFiles; }
constexpr bool is_file_fact(Fact f) { return f >= Fact::FPid && f <= Fact::FOpen; }
constexpr bool is_pid_fact(Fact f) { return f >= Fact::PTask && f <= Fact::PAttr; }
constexpr bool is_event_fact(Fact f) { return f >= Fact::EKind && f <= Fact::EStatus; }

}  // namespace reapcheck::props::lang::facts
