// crosscheck: refimpl and the model must agree. Every transition of an
// explicit exploration (within the symbolic alphabet) must satisfy the
// symbolic relation, results included; in every explored state the model
// must enable exactly the actions the explicit alphabet offers; and for a
// sample of states the model's whole successor set, enumerated from Z3 by
// blocking models, must equal refimpl's.
#include <chrono>
#include <cstdio>
#include <deque>
#include <set>
#include <optional>
#include <unordered_set>

#include <fmt/format.h>

#include "checker/engine/canon.hpp"
#include "checker/engine/trace.hpp"
#include "checker/symbolic/bridge.hpp"
#include "checker/symbolic/engine.hpp"
#include "checker/symbolic/to_z3.hpp"
#include "model/symbolic.hpp"
#include "properties/lang/eval.hpp"
#include "properties/catalog.hpp"

namespace reapcheck::symbolic {

using Clock = std::chrono::steady_clock;
using model::SymModel;
using model::SymWorld;

namespace {

/// Assigns a concrete world to the state variables of `vars` in `zm`.
void assign(z3::context& ctx, z3::model& zm, const SymModel& m, const SymWorld& vars, const model::World& w) {
    const SymWorld c = m.constant(w);
    auto put = [&](const z3::expr& v, const z3::expr& val) {
        z3::func_decl d = v.decl();
        z3::expr x = val;
        zm.add_const_interp(d, x);
    };
    put(vars.next_nr, c.next_nr);
    put(vars.next_seq, c.next_seq);
    if (m.exec()) put(vars.next_xid, c.next_xid);
    const auto fields = m.state_fields();
    for (std::size_t k = 0; k < vars.slot.size(); ++k) {
        const model::SymSlot &v = vars.slot[k], &x = c.slot[k];
        for (auto f : fields) put(v.*f, x.*f);
    }
    (void)ctx;
}

struct ActTerms {
    z3::expr enabled, relation, ret, blocks, status;
    model::SymWorld post;
    z3::expr same_events;
    model::SymEvents ev;
    std::vector<std::pair<std::string, z3::expr>> cases;
};

/// The refimpl function of an explicit action (its entry point in refimpl/).
const char* refimpl_entry(const engine::Action& a) {
    switch (a.call.sys) {
    case scn::Sys::Clone3: return "sys_clone (clone3)";
    case scn::Sys::Exit: return "sys_exit -> do_exit";
    case scn::Sys::Wait4: return "sys_wait (wait4)";
    case scn::Sys::Waitid:
        return a.call.idtype == scn::IdType::All ? "sys_wait (waitid P_ALL WNOWAIT)" : "sys_wait (waitid P_PIDFD)";
    case scn::Sys::CapsetDrop: return "sys_capset_drop";
    case scn::Sys::Resume: return "sys_resume (a woken wait)";
    case scn::Sys::Sigaction: return "sys_sigaction";
    case scn::Sys::PrctlSubreaper: return "sys_prctl_subreaper";
    case scn::Sys::Sigpending: return "sys_sigpending";
    case scn::Sys::PidfdOpen: return "sys_pidfd_open";
    case scn::Sys::Close: return "sys_close";
    case scn::Sys::PtraceAttach: return "sys_ptrace_attach";
    case scn::Sys::PtraceDetach: return "sys_ptrace_detach";
    case scn::Sys::KExitNotify: return "exit_notify";
    case scn::Sys::KPidfsExit: return "pidfs_exit";
    case scn::Sys::KUnhash: return "unhash_task";
    case scn::Sys::ExitGroup: return "sys_exit_group";
    case scn::Sys::Kill: return "sys_kill";
    case scn::Sys::KDoExit: return "do_exit (a killed thread)";
    case scn::Sys::Execve: return "sys_execve";
    default: return "?";
    }
}

/// The refimpl functions that report events (refimpl/events.hpp).
const char* refimpl_event_fn(const refimpl::Event& e) {
    switch (e.kind) {
    case refimpl::Event::Kind::Notify: return e.traced ? "do_notify_parent (traced)" : "do_notify_parent";
    case refimpl::Event::Kind::Reparent: return "forget_original_parent (a child reparented)";
    case refimpl::Event::Kind::Reap: return "wait_task_zombie";
    case refimpl::Event::Kind::TraceHandoff: return "wait_task_zombie (EXIT_TRACE hand-off)";
    case refimpl::Event::Kind::Autokill: return "pidfs_file_release (AUTOKILL)";
    }
    return "?";
}

/// Every refimpl function the model's alphabet under `f` can reach in profile `p`.
std::vector<std::string> expected_refimpl(const model::Features& f, const refimpl::Profile& p) {
    std::vector<std::string> out = {"sys_clone (clone3)", "sys_exit -> do_exit", "sys_wait (wait4)",
                                    "sys_sigpending", "exit_notify", "pidfs_exit", "unhash_task",
                                    "do_notify_parent", "forget_original_parent (a child reparented)",
                                    "wait_task_zombie"};
    if (f.blocking) out.emplace_back("sys_resume (a woken wait)");
    if (f.sigaction) out.emplace_back("sys_sigaction");
    if (f.subreaper) out.emplace_back("sys_prctl_subreaper");
    if (f.pidfds)
        for (const char* x : {"sys_wait (waitid P_PIDFD)", "sys_pidfd_open", "sys_close"}) out.emplace_back(x);
    if (f.ptrace)
        for (const char* x : {"sys_ptrace_attach", "sys_ptrace_detach", "do_notify_parent (traced)",
                              "wait_task_zombie (EXIT_TRACE hand-off)"})
            out.emplace_back(x);
    if (f.threads > 1) out.emplace_back("sys_exit_group");
    const bool autokill = f.autokill && f.pidfds && p.has_autokill;
    if (f.threads > 1 || f.kill || autokill) out.emplace_back("do_exit (a killed thread)");
    if (f.kill) out.emplace_back("sys_kill");
    if (f.exec) out.emplace_back("sys_execve");
    if (autokill) out.emplace_back("pidfs_file_release (AUTOKILL)");
    if (f.capset) out.emplace_back("sys_capset_drop");
    if (f.wnowait) out.emplace_back("sys_wait (waitid P_ALL WNOWAIT)");
    return out;
}

/// The model's events (evaluated in `zm`) as concrete values, one line per event.
std::set<std::string> model_events(const z3::model& zm, const model::SymEvents& ev) {
    std::set<std::string> out;
    auto b = [&](const z3::expr& e) { return zm.eval(e, true).is_true(); };
    auto i = [&](const z3::expr& e) { return zm.eval(e, true).get_numeral_int(); };
    for (std::size_t k = 0; k < ev.ntf.size(); ++k) {
        if (b(ev.ntf[k]))
            out.insert(fmt::format("notify slot{} to slot{} sig={} selfreap={} traced={}", k, i(ev.ntf_to[k]),
                                   b(ev.ntf_sig[k]) ? 17 : 0, b(ev.ntf_self[k]), b(ev.ntf_traced[k])));
        if (b(ev.rep[k])) out.insert(fmt::format("reparent slot{} from slot{} to slot{}", k, i(ev.rep_from[k]), i(ev.rep_to[k])));
        if (b(ev.reaped[k]))
            out.insert(fmt::format("reap slot{} by slot{}{}", k, i(ev.reaper[k]), b(ev.nowait[k]) ? " (WNOWAIT)" : ""));
        if (b(ev.autokill[k])) out.insert(fmt::format("autokill slot{}", k));
    }
    return out;
}

/// Deep paths: short action sequences over slots (new tasks take the lowest
/// free slot; init is slot 0, main slot 1) that lead to the rules a shallow
/// breadth-first exploration does not reach: reparenting to a subreaper, a
/// renotified zombie, a tracer exiting with zombie tracees, the EXIT_TRACE
/// hand-off, a woken wait that finds nothing, pids outliving their task. Every
/// transition out of every state on a path is checked, as in the exploration.
/// A path whose step the profile or the switches do not offer is skipped.
std::vector<std::pair<std::string, std::vector<model::Act>>> deep_paths(const model::Features& f) {
    using model::Act;
    using model::ActKind;
    auto clone = [](int t, bool sig = true, int flags = 0) {
        Act a{ActKind::Clone, t};
        a.sigchld = sig;
        a.flags = flags;
        return a;
    };
    auto exit_ = [&](int t) {
        Act a{ActKind::Exit, t};
        a.code = f.exit_codes.empty() ? 0 : f.exit_codes.front();
        return a;
    };
    auto notify = [](int t) { return Act{ActKind::KExitNotify, t}; };
    auto pidfs_exit = [](int t) { return Act{ActKind::KPidfsExit, t}; };
    auto unhash = [](int t) { return Act{ActKind::KUnhash, t}; };
    auto wait = [](int t, bool nohang) {
        Act a{ActKind::Wait4, t};
        a.nohang = nohang;
        return a;
    };
    auto resume = [](int t) { return Act{ActKind::Resume, t}; };
    auto ignore = [](int t) {
        Act a{ActKind::Sigaction, t};
        a.handler = 1;
        return a;
    };
    auto nocldwait = [](int t) {
        Act a{ActKind::Sigaction, t};
        a.handler = 2;
        return a;
    };
    auto subreaper = [](int t) {
        Act a{ActKind::Subreaper, t};
        a.value = 1;
        return a;
    };
    auto attach = [](int t, int v) { return Act{ActKind::PtraceAttach, t, v}; };
    auto pidfd_open = [](int t, int v) { return Act{ActKind::PidfdOpen, t, v}; };
    auto close = [](int t) { return Act{ActKind::Close, t}; };
    std::vector<std::pair<std::string, std::vector<model::Act>>> threads;
    if (f.threads > 1) {
        auto thread = [](int t) {
            Act a{ActKind::Clone, t};
            a.flags = model::kFlagThread;
            return a;
        };
        auto exit_group = [&](int t) {
            Act a{ActKind::ExitGroup, t};
            a.code = f.exit_codes.empty() ? 0 : f.exit_codes.front();
            return a;
        };
        auto do_exit = [](int t) { return Act{ActKind::KDoExit, t}; };
        threads = {
            {"a leader exits before its thread: the delayed leader notifies when the thread is released",
             {clone(1), thread(2), exit_(2), notify(2), exit_(3), notify(3), pidfs_exit(3), unhash(3)}},
            {"the delayed leader of an SA_NOCLDWAIT parent's child reaps itself when its thread is released",
             {nocldwait(1), clone(1), thread(2), exit_(2), notify(2), exit_(3), notify(3), pidfs_exit(3), unhash(3)}},
            {"exit_group zaps a thread blocked in wait4, whose last scan reaps",
             {thread(1), clone(2), wait(2, false), exit_(3), notify(3), exit_group(1), do_exit(2)}},
            {"a thread's children go to its sibling thread", {thread(1), clone(2), exit_(2), notify(2)}},
            {"a leader's child goes to its younger sibling thread", {clone(1), thread(1), exit_(1), notify(1)}},
            {"a traced sub-thread zombie reaped by its tracer",
             {clone(1), thread(2), attach(1, 3), exit_(3), notify(3), wait(1, true)}},
            {"a tracer exits with a traced sub-thread zombie",
             {clone(1), thread(2), attach(1, 3), exit_(3), notify(3), exit_(1), notify(1)}},
            {"a tracer exits with a traced delayed group leader",
             {clone(1), thread(2), attach(1, 2), exit_(2), notify(2), exit_(1), notify(1)}},
            {"a child process with threads is reparented", {clone(1), thread(2), exit_(1), notify(1)}},
            {"a delayed zombie leader is reparented without a notification",
             {clone(1), thread(2), exit_(2), notify(2), exit_(1), notify(1)}},
            {"the subreaper's live thread adopts an orphan",
             {subreaper(1), thread(1), clone(1), clone(3), exit_(1), notify(1), exit_(3), notify(3)}},
        };
    }
    if (f.kill) {
        auto kill = [](int t, int v) { return Act{ActKind::Kill, t, v}; };
        auto do_exit = [](int t) { return Act{ActKind::KDoExit, t}; };
        threads.push_back({"SIGKILL to a process blocked in wait4, whose last scan reaps",
                           {clone(1), clone(2), wait(2, false), exit_(3), notify(3), kill(1, 2), do_exit(2)}});
        threads.push_back({"SIGKILL to an exiting process is dropped", {clone(1), exit_(2), kill(1, 2)}});
    }
    if (f.exec) {
        auto exec = [](int t) { return Act{ActKind::Exec, t}; };
        threads.push_back({"a child with exit_signal 0 of a parent that exec'd notifies with SIGCHLD",
                           {clone(1, false), exec(1), exit_(2), notify(2)}});
        threads.push_back({"execve resets exit_signal 0 to SIGCHLD", {clone(1, false), exec(2)}});
        threads.push_back({"execve clears SA_NOCLDWAIT", {nocldwait(1), exec(1)}});
        threads.push_back({"execve closes the pidfd", {clone(1, true, model::kFlagPidfd), exec(1)}});
        if (f.threads > 1) {
            auto thread = [](int t) {
                Act a{ActKind::Clone, t};
                a.flags = model::kFlagThread;
                return a;
            };
            threads.push_back({"a leader execs: its thread is zapped and released", {thread(1), exec(1)}});
            threads.push_back({"a leader execs: its thread blocked in wait4 reaps in its last scan",
                               {thread(1), clone(2), wait(2, false), exit_(3), notify(3), exec(1)}});
            threads.push_back({"a thread execs: it takes the leader's pid, the old leader is released",
                               {thread(1), exec(2)}});
            threads.push_back({"a thread execs while its leader is traced: the tracer is woken",
                               {clone(1), thread(2), attach(1, 2), exec(3)}});
            threads.push_back({"a leader execs with a traced thread, which stays a zombie (the declared gap)",
                               {clone(1), thread(2), attach(1, 3), exec(2)}});
        }
    }
    if (f.autokill && f.pidfds) {
        const int ak = model::kFlagPidfd | model::kFlagAutoreap | model::kFlagAutokill;
        auto do_exit = [](int t) { return Act{ActKind::KDoExit, t}; };
        threads.push_back({"closing the AUTOKILL pidfd kills the child", {clone(1, false, ak), close(1), do_exit(2)}});
        threads.push_back({"the AUTOKILL pidfd inherited by a sibling: the first close keeps it, the holder's exit kills",
                           {clone(1, false, ak), clone(1), close(1), exit_(3), do_exit(2)}});
        threads.push_back({"the last close of the AUTOKILL pidfd after its task was released",
                           {clone(1, false, ak), clone(1), exit_(2), notify(2), pidfs_exit(2), unhash(2), close(1),
                            exit_(3)}});
        threads.push_back({"the last close of the AUTOKILL pidfd of an exiting child: SIGKILL dropped",
                           {clone(1, false, ak), exit_(2), close(1)}});
        if (f.exec)
            threads.push_back({"execve closes the AUTOKILL pidfd (every pidfd is O_CLOEXEC): the child is killed",
                               {clone(1, false, ak), Act{ActKind::Exec, 1}, do_exit(2)}});
        threads.push_back({"the AUTOKILL child killed while blocked in wait4, whose last scan reaps",
                           {clone(1, false, ak), clone(2), wait(2, false), exit_(3), notify(3), close(1), do_exit(2)}});
        if (f.capset) {
            auto capset = [](int t) { return Act{ActKind::Capset, t}; };
            threads.push_back({"CLONE_PIDFD_AUTOKILL without CAP_SYS_ADMIN", {capset(1), clone(1, false, ak)}});
            threads.push_back({"CLONE_PIDFD_AUTOKILL|CLONE_NNP without CAP_SYS_ADMIN",
                               {capset(1), clone(1, false, ak | model::kFlagNnp)}});
        }
    }
    if (f.wnowait)
        threads.push_back({"waitid WNOWAIT reports a zombie child and leaves it",
                           {clone(1), exit_(2), notify(2), Act{ActKind::WaitidNowait, 1}}});
    std::vector<std::pair<std::string, std::vector<model::Act>>> out = {
        {"an orphaned zombie grandchild goes to the subreaper, which has the default SIGCHLD",
         {subreaper(1), clone(1), clone(2), exit_(3), notify(3), exit_(2), notify(2)}},
        {"an orphaned zombie grandchild goes to the subreaper, which ignores SIGCHLD",
         {subreaper(1), clone(1), clone(2), exit_(3), notify(3), ignore(1), exit_(2), notify(2)}},
        {"the subreaper is exiting: the orphan goes to init",
         {subreaper(1), clone(1), clone(2), exit_(1), exit_(2), notify(2)}},
        {"a self-reaped (EXIT_DEAD) child of an exiting parent",
         {ignore(1), clone(1), exit_(2), notify(2), exit_(1), notify(1)}},
        {"a woken wait sleeps again, then finds no child",
         {ignore(1), clone(1), clone(1), wait(1, false), exit_(2), notify(2), resume(1), exit_(3), notify(3),
          resume(1)}},
        {"a child with exit_signal 0 exits", {clone(1, false), exit_(2), notify(2)}},
        {"an autoreap child exits", {clone(1, false, model::kFlagPidfd | model::kFlagAutoreap), exit_(2), notify(2)}},
        {"a child of an SA_NOCLDWAIT parent reaps itself and SIGCHLD is sent",
         {nocldwait(1), clone(1), exit_(2), notify(2)}},
        {"a blocked wait is woken and reaps", {clone(1), wait(1, false), exit_(2), notify(2), resume(1)}},
        {"a tracer exits with a running tracee", {clone(1), attach(1, 2), exit_(1), notify(1)}},
        {"a traced child is reparented and keeps its tracer", {clone(1), attach(0, 2), exit_(1), notify(1)}},
        {"a tracer exits with a zombie tracee whose real parent is init",
         {clone(1), attach(2, 1), exit_(1), notify(1), exit_(2), notify(2)}},
        {"a tracer exits with its own zombie child traced",
         {clone(1), attach(1, 2), exit_(2), notify(2), exit_(1), notify(1)}},
        {"a tracer that ignores SIGCHLD exits with its own zombie child traced",
         {ignore(1), clone(1), attach(1, 2), exit_(2), notify(2), exit_(1), notify(1)}},
        {"a tracer that is the real parent reaps its tracee, which is released traced",
         {clone(1), attach(1, 2), exit_(2), notify(2), wait(1, true), pidfs_exit(2), unhash(2)}},
        {"the EXIT_TRACE hand-off to a real parent with the default SIGCHLD",
         {clone(1), attach(0, 2), exit_(2), notify(2), wait(0, true)}},
        {"the EXIT_TRACE hand-off to a real parent that ignores SIGCHLD",
         {ignore(1), clone(1), attach(0, 2), exit_(2), notify(2), wait(0, true)}},
        {"pidfd_open on a pid pidfs_exit marked dead",
         {clone(1), exit_(2), notify(2), wait(1, true), pidfs_exit(2), pidfd_open(1, 2)}},
        {"a pidfd keeps a released pid; closing it frees the slot",
         {clone(1, true, model::kFlagPidfd), exit_(2), notify(2), wait(1, true), pidfs_exit(2), unhash(2), close(1)}},
    };
    out.insert(out.end(), threads.begin(), threads.end());
    return out;
}

/// Sets the event variables `ev` in `zm` to refimpl's events (slots of the pre-state).
void assign_events(z3::context& ctx, z3::model& zm, const model::SymEvents& ev, const refimpl::EventSink& events,
                   const std::vector<int>& slot_of) {
    const std::size_t n = ev.ntf.size();
    std::vector<int> ntf_to(n, model::kNoSlot), rep_from(n, model::kNoSlot), rep_to(n, model::kNoSlot),
        reaper(n, model::kNoSlot);
    std::vector<bool> ntf(n, false), sig(n, false), self(n, false), traced(n, false), rep(n, false), reaped(n, false),
        nowait(n, false), autokill(n, false);
    auto sl = [&](refimpl::Id t) {
        return t == refimpl::kNone || t >= refimpl::Id(slot_of.size()) ? model::kNoSlot : slot_of[t];
    };
    for (const refimpl::Event& e : events) {
        const int k = sl(e.task);
        if (k == model::kNoSlot || std::size_t(k) >= n) continue;
        const auto uk = std::size_t(k);
        switch (e.kind) {
        case refimpl::Event::Kind::Notify:
            ntf[uk] = true, ntf_to[uk] = sl(e.other), sig[uk] = e.sig != 0, self[uk] = e.selfreap, traced[uk] = e.traced;
            break;
        case refimpl::Event::Kind::Reparent: rep[uk] = true, rep_from[uk] = sl(e.from), rep_to[uk] = sl(e.other); break;
        case refimpl::Event::Kind::Reap:
            // a WNOWAIT report is an event of the model only with Features::wnowait
            if (!e.nowait || !ev.nowait[uk].is_false())
                reaped[uk] = true, reaper[uk] = sl(e.other), nowait[uk] = e.nowait;
            break;
        case refimpl::Event::Kind::Autokill: autokill[uk] = true; break;
        default: break;
        }
    }
    auto put = [&](const z3::expr& v, const z3::expr& val) {
        z3::func_decl d = v.decl();
        z3::expr x = val;
        zm.add_const_interp(d, x);
    };
    for (std::size_t k = 0; k < n; ++k) {
        put(ev.ntf[k], ctx.bool_val(ntf[k]));
        put(ev.ntf_to[k], ctx.int_val(ntf_to[k]));
        put(ev.ntf_sig[k], ctx.bool_val(sig[k]));
        put(ev.ntf_self[k], ctx.bool_val(self[k]));
        put(ev.ntf_traced[k], ctx.bool_val(traced[k]));
        put(ev.rep[k], ctx.bool_val(rep[k]));
        put(ev.rep_from[k], ctx.int_val(rep_from[k]));
        put(ev.rep_to[k], ctx.int_val(rep_to[k]));
        put(ev.reaped[k], ctx.bool_val(reaped[k]));
        put(ev.reaper[k], ctx.int_val(reaper[k]));
        if (!ev.nowait[k].is_true() && !ev.nowait[k].is_false()) put(ev.nowait[k], ctx.bool_val(nowait[k]));
        if (!ev.autokill[k].is_true() && !ev.autokill[k].is_false()) put(ev.autokill[k], ctx.bool_val(autokill[k]));
    }
}

/// refimpl's events of a transition in the same words, tasks as slots of the pre-state.
std::set<std::string> refimpl_events(const refimpl::EventSink& events, const std::vector<int>& slot_of) {
    std::set<std::string> out;
    auto sl = [&](refimpl::Id t) { return t == refimpl::kNone || t >= refimpl::Id(slot_of.size()) ? -9 : slot_of[t]; };
    for (const refimpl::Event& e : events) {
        switch (e.kind) {
        case refimpl::Event::Kind::Notify:
            out.insert(fmt::format("notify slot{} to slot{} sig={} selfreap={} traced={}", sl(e.task), sl(e.other),
                                   e.sig, e.selfreap, e.traced));
            break;
        case refimpl::Event::Kind::Reparent:
            out.insert(fmt::format("reparent slot{} from slot{} to slot{}", sl(e.task), sl(e.from), sl(e.other)));
            break;
        case refimpl::Event::Kind::Reap:
            out.insert(fmt::format("reap slot{} by slot{}{}", sl(e.task), sl(e.other), e.nowait ? " (WNOWAIT)" : ""));
            break;
        case refimpl::Event::Kind::Autokill: out.insert(fmt::format("autokill slot{}", sl(e.task))); break;
        default: break;   // the hand-off is seen as its notification
        }
    }
    return out;
}

}  // namespace

CrossReport crosscheck(const refimpl::Profile& p, const CrossOptions& o) {
    const auto t0 = Clock::now();
    CrossReport rep;
    rep.profile = p.name;
    rep.features = o.features;
    rep.depth = o.depth;
    {
        const model::Features& f = o.features;
        rep.coverage_required = o.deep_paths && f.ptrace && f.parent && f.pidfds && f.blocking && f.subreaper &&
                                f.sigaction && f.task_bound() >= 4;
    }
    try {
        z3::context ctx;
        const SymModel m(ctx, p, o.features);
        const auto& acts = m.acts();
        const SymWorld pre = m.vars("pre"), post = m.vars("post");
        const z3::expr r_ret = ctx.int_const("ret"), r_status = ctx.int_const("status");
        const z3::expr r_blocks = ctx.bool_const("blocks");
        // refimpl's events of a checked transition are assigned to these
        // variables: the relation requires the model's events to equal them,
        // and the step forms read them (so they are the model's events too
        // wherever the relation holds).
        const model::SymEvents r_ev = m.event_vars("ev");
        std::vector<ActTerms> terms;
        std::set<std::string> all_cases;
        for (const auto& a : acts) {
            model::SymStep st = m.step(pre, a, true);
            for (const auto& c : st.cases) all_cases.insert(c.first);
            terms.push_back(ActTerms{st.enabled,
                                     st.enabled && m.equal(post, st.post) && r_ret == st.ret &&
                                         r_blocks == st.blocks && r_status == st.status,
                                     st.ret, st.blocks, st.status, st.post, m.events_equal(r_ev, st.ev), st.ev,
                                     std::move(st.cases)});
        }
        // Every property's symbolic form, translated from its text, and the
        // text itself, which the explicit engine evaluates: both readings
        // must agree on every state and transition checked.
        struct Form {
            const props::Property* prop;
            const props::lang::Program* prog;
            std::optional<z3::expr> form;   ///< an `always` property's form over `pre`
            /// A `step` property's form for a transition taking action i:
            /// the conjunct of action i of the form bmc and prove use (which
            /// is the conjunction over the actions of these, each guarded by
            /// act == i; Translator builds both from one translation),
            /// built when an action is first checked.
            std::vector<std::optional<z3::expr>> of_act = {};
        };
        std::vector<Form> forms, step_forms;
        const z3::expr r_act = ctx.int_const("act_taken");
        const Translator translate(m);
        for (const props::Property& prop : props::all()) {
            if (prop.kind != props::Kind::Always && prop.kind != props::Kind::Step) continue;
            if (!prop.applies_to(p)) continue;
            const props::lang::Program* prog = program_of(prop);
            if (!prog) continue;
            const bool state = prop.kind == props::Kind::Always;
            if (!translate.why_not(*prog, state).empty()) continue;
            if (state) forms.push_back(Form{&prop, prog, translate.state(*prog, pre)});
            else step_forms.push_back(Form{&prop, prog, std::nullopt, std::vector<std::optional<z3::expr>>(acts.size())});
            ++rep.forms;
        }
        const z3::expr slots_ok = slots_invariant(m, pre);
        std::set<std::string> reached_cases, reached_refimpl;
        // The successor sets are enumerated from the compact relation bmc and
        // prove solve, so that encoding is compared with refimpl too.
        const z3::expr succ_act = ctx.int_const("act");
        const z3::expr succ_relation = m.compact_transition(pre, post, succ_act, ctx.int_const("succ.ret"),
                                                            m.event_vars("succ.ev"));
        const engine::Bounds b = bounds_of(o.features, o.depth);
        const bool stop_flag = false;
        auto stopped = [&] {
            return (o.interrupt && *o.interrupt) ||
                   (o.max_seconds > 0 && std::chrono::duration<double>(Clock::now() - t0).count() > o.max_seconds) ||
                   stop_flag;
        };
        std::deque<std::pair<refimpl::State, int>> queue;
        std::unordered_set<std::string> seen;
        const refimpl::State init = refimpl::initial_state();
        seen.insert(engine::canonicalize(init, false).key);
        queue.emplace_back(init, 0);
        std::vector<engine::Action> explicit_acts;
        // The deep paths' states join the exploration at its depth bound:
        // their outgoing transitions are checked, their successors not explored.
        if (o.deep_paths)
            for (const auto& [name, path] : deep_paths(o.features)) {
                refimpl::State s = init;
                model::Abstraction ab;
                bool ok = !model::abstract(s, o.features, {}, ab);
                for (const model::Act& want : path) {
                    if (!ok) break;
                    const std::string wanted = want.describe();
                    engine::enabled_actions(s, p, b, explicit_acts);
                    const engine::Action* found = nullptr;
                    for (const engine::Action& x : explicit_acts)
                        if (const auto id = to_act(x, ab.slot_of, acts); id && acts[std::size_t(*id)].describe() == wanted)
                            found = &x;
                    if (!found) {
                        ok = false;
                        break;
                    }
                    const engine::Transition tr = engine::apply(s, p, *found);
                    std::vector<int> hint = ab.slot_of;
                    hint.resize(tr.post.tasks.size(), model::kNoSlot);
                    if (tr.post.tasks.size() > s.tasks.size()) {
                        int k = 0;
                        while (k < o.features.slots && ab.world.slot[std::size_t(k)].st != model::kFree) ++k;
                        hint.back() = k;
                    }
                    s = tr.post;
                    if (model::abstract(s, o.features, hint, ab)) {
                        ok = false;
                        break;
                    }
                    if (seen.insert(engine::canonicalize(s, false).key).second) queue.emplace_back(s, o.depth);
                }
                (ok ? rep.paths_run : rep.paths_skipped).push_back(name);
            }
        const uint64_t sample_every = 7;
        auto report = [&](const std::string& what) {
            if (rep.disagreements.size() < 20) rep.disagreements.push_back(what);
        };
        while (!queue.empty()) {
            if (stopped()) {
                rep.interrupted = true;
                break;
            }
            auto [s, depth] = std::move(queue.front());
            queue.pop_front();
            ++rep.states;
            model::Abstraction abs;
            if (model::abstract(s, o.features, {}, abs)) {
                ++rep.outside;
                continue;
            }
            engine::enabled_actions(s, p, b, explicit_acts);
            z3::model zm(ctx);
            assign(ctx, zm, m, pre, abs.world);
            // Each symbolic property form agrees with the text's explicit evaluation.
            for (const Form& f : forms) {
                const bool concrete = props::lang::run_state(*f.prog, p, s);
                if (zm.eval(*f.form, true).is_true() != concrete)
                    report(fmt::format("{}: the text evaluated on refimpl's state says {} and its symbolic form {} "
                                       "in state\n{}",
                                       f.prop->id, concrete, !concrete, model::describe(abs.world)));
            }
            if (!zm.eval(slots_ok, true).is_true())
                report(fmt::format("{} does not hold in the abstraction of a refimpl state:\n{}", kSlotsInvariant,
                                   model::describe(abs.world)));
            // The model enables exactly the explicit alphabet's actions.
            std::vector<bool> explicit_enabled(acts.size(), false);
            std::vector<std::pair<int, model::World>> explicit_succ;
            for (const engine::Action& a : explicit_acts) {
                const auto id = to_act(a, abs.slot_of, acts);
                if (!id) {
                    report(fmt::format("the explicit action {} has no model counterpart in state:\n{}",
                                       a.call.sys == scn::Sys::Clone3 ? "clone3" : "(see state)",
                                       model::describe(abs.world)));
                    continue;
                }
                explicit_enabled[std::size_t(*id)] = true;
                const engine::Transition tr = engine::apply(s, p, a);
                ++rep.transitions;
                std::vector<int> hint = abs.slot_of;
                hint.resize(tr.post.tasks.size(), model::kNoSlot);
                if (tr.post.tasks.size() > s.tasks.size()) {
                    int k = 0;
                    while (k < o.features.slots && abs.world.slot[std::size_t(k)].st != model::kFree) ++k;
                    hint.back() = k;
                }
                model::Abstraction after;
                if (model::abstract(tr.post, o.features, hint, after)) {
                    ++rep.outside;
                    continue;
                }
                explicit_succ.emplace_back(*id, after.world);
                z3::model zt(ctx);
                assign(ctx, zt, m, pre, abs.world);
                assign(ctx, zt, m, post, after.world);
                {
                    z3::expr v = ctx.int_val(int64_t(tr.result.ret));
                    z3::func_decl d = r_ret.decl();
                    zt.add_const_interp(d, v);
                    z3::expr bl = ctx.bool_val(tr.result.blocks);
                    z3::func_decl db = r_blocks.decl();
                    zt.add_const_interp(db, bl);
                    z3::expr stv = ctx.int_val(int(tr.result.status));
                    z3::func_decl ds = r_status.decl();
                    zt.add_const_interp(ds, stv);
                }
                {
                    z3::expr v = ctx.int_val(*id);
                    z3::func_decl d = r_act.decl();
                    zt.add_const_interp(d, v);
                }
                ++rep.checked;
                const ActTerms& at = terms[std::size_t(*id)];
                assign_events(ctx, zt, r_ev, tr.events, abs.slot_of);
                const bool related = zt.eval(at.relation, true).is_true();
                if (!zt.eval(at.same_events, true).is_true()) {
                    // which part differs: the events are reported here, the rest below
                    const auto from_model = model_events(zt, at.ev);
                    const auto from_refimpl = refimpl_events(tr.events, abs.slot_of);
                    if (from_model != from_refimpl) {
                        std::string diff;
                        for (const auto& x : from_model)
                            if (!from_refimpl.count(x)) diff += "  only the model: " + x + "\n";
                        for (const auto& x : from_refimpl)
                            if (!from_model.count(x)) diff += "  only refimpl: " + x + "\n";
                        report(fmt::format("the events of {} differ in state\n{}{}", acts[std::size_t(*id)].describe(),
                                           model::describe(abs.world), diff));
                    }
                }
                reached_refimpl.insert(refimpl_entry(a));
                for (const refimpl::Event& e : tr.events) reached_refimpl.insert(refimpl_event_fn(e));
                for (const auto& [name, guard] : at.cases)
                    if (!reached_cases.count(name) && zt.eval(guard, true).is_true()) reached_cases.insert(name);
                // Each symbolic step form agrees with the text's explicit evaluation.
                const props::CallView cv = engine::call_view(p, a);
                const props::StepView view{p, s, tr.post, cv, tr.result, tr.events};
                for (Form& f : step_forms) {
                    const bool concrete = props::lang::run_step(*f.prog, view);
                    // the conjunct of the action taken (the whole form is the
                    // conjunction over the actions, each guarded by act == i)
                    auto& g = f.of_act[std::size_t(*id)];
                    if (!g) g = translate.step_of(*f.prog, SymTransition{pre, post, r_act, r_ret, r_ev}, *id);
                    if (zt.eval(*g, true).is_true() != concrete)
                        report(fmt::format("{}: the text evaluated on refimpl's transition says {} and its symbolic "
                                           "form {} on {} in state\n{}",
                                           f.prop->id, concrete, !concrete, acts[std::size_t(*id)].describe(),
                                           model::describe(abs.world)));
                }
                if (!related) {
                    const model::World sym_post = m.value(zt, at.post);
                    report(fmt::format(
                        "{} in state\n{}refimpl: ret={} blocks={} status={} ->\n{}model: enabled={} ret={} blocks={} "
                        "status={} ->\n{}",
                        acts[std::size_t(*id)].describe(), model::describe(abs.world), tr.result.ret,
                        tr.result.blocks, tr.result.status, model::describe(after.world),
                        zt.eval(at.enabled, true).is_true(), zt.eval(at.ret, true).to_string(),
                        zt.eval(at.blocks, true).is_true(), zt.eval(at.status, true).to_string(),
                        model::describe(sym_post)));
                }
                if (o.depth == 0 || depth + 1 < o.depth + 1) {
                    if (depth < o.depth && seen.insert(engine::canonicalize(tr.post, false).key).second)
                        queue.emplace_back(tr.post, depth + 1);
                }
            }
            for (std::size_t i = 0; i < acts.size(); ++i)
                if (!explicit_enabled[i] && zm.eval(terms[i].enabled, true).is_true())
                    report(fmt::format("the model enables {} where the explicit alphabet does not, in state:\n{}",
                                       acts[i].describe(), model::describe(abs.world)));
            // The whole successor set, from Z3, for a sample of states.
            if (int(rep.sampled) < o.successor_samples && rep.states % sample_every == 1) {
                ++rep.sampled;
                z3::solver sol(ctx);
                z3::params sp(ctx);
                sp.set("ctrl_c", false);   // keep the command's SIGINT handler
                sol.set(sp);
                const z3::expr& act = succ_act;
                sol.add(m.equal(pre, m.constant(abs.world)));
                sol.add(succ_relation);
                std::set<std::pair<int, std::string>> from_z3, from_refimpl;
                for (const auto& [id, w] : explicit_succ) from_refimpl.emplace(id, model::describe(w));
                int guard = 0;
                while (sol.check() == z3::sat && ++guard < 10000) {
                    const z3::model zs = sol.get_model();
                    const int id = zs.eval(act, true).get_numeral_int();
                    from_z3.emplace(id, model::describe(m.value(zs, post)));
                    sol.add(act != id || !m.equal(post, m.constant(m.value(zs, post))));
                }
                if (from_z3 != from_refimpl) {
                    std::string diff;
                    for (const auto& x : from_z3)
                        if (!from_refimpl.count(x))
                            diff += fmt::format("  only the model: {} ->\n{}", acts[std::size_t(x.first)].describe(), x.second);
                    for (const auto& x : from_refimpl)
                        if (!from_z3.count(x))
                            diff += fmt::format("  only refimpl: {} ->\n{}", acts[std::size_t(x.first)].describe(), x.second);
                    report(fmt::format("successor sets differ in state\n{}{}", model::describe(abs.world), diff));
                }
            }
            if (o.progress && rep.states % 2000 == 0)
                std::fprintf(stderr, "crosscheck %s: %llu states, %llu transitions\n", p.name.c_str(),
                             (unsigned long long)rep.states, (unsigned long long)rep.transitions);
        }
        for (const auto& c : all_cases)
            (reached_cases.count(c) ? rep.cases_reached : rep.cases_unreached).push_back(c);
        for (const auto& fn : expected_refimpl(o.features, p))
            (reached_refimpl.count(fn) ? rep.refimpl_reached : rep.refimpl_unreached).push_back(fn);
    } catch (const z3::exception& e) {
        throw model::ModelError(std::string("Z3: ") + e.msg());
    }
    rep.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return rep;
}

std::string format(const CrossReport& r) {
    std::string out = fmt::format(
        "crosscheck profile {}: {}, depth {}\n  {} states, {} transitions checked against the symbolic relation, "
        "{} states' successor sets enumerated from Z3, {} states or transitions outside the model skipped, {:.2f} s\n",
        r.profile, r.features.describe(), r.depth, r.states, r.checked, r.sampled, r.outside, r.seconds);
    if (r.interrupted) out += "  stopped early (interrupt or --max-time): the exploration is incomplete\n";
    out += fmt::format("  property forms (translated from the text) compared with its evaluation: {}\n", r.forms);
    out += fmt::format("  deep paths: {} run, {} skipped (a step the profile or the switches do not offer)\n",
                       r.paths_run.size(), r.paths_skipped.size());
    out += fmt::format("  update cases of the model reached: {} of {}; refimpl functions reached: {} of {}\n",
                       r.cases_reached.size(), r.cases_reached.size() + r.cases_unreached.size(),
                       r.refimpl_reached.size(), r.refimpl_reached.size() + r.refimpl_unreached.size());
    if (!r.complete() && !r.coverage_required)
        out += "  (not a failure: coverage is required with every switch on, 4 tasks and the deep paths)\n";
    for (const auto& c : r.cases_unreached) out += "  UNREACHED model case: " + c + "\n";
    for (const auto& c : r.refimpl_unreached) out += "  UNREACHED refimpl function: " + c + "\n";
    if (r.disagreements.empty()) {
        out += "  refimpl and the model agree\n";
    } else {
        out += fmt::format("  {} DISAGREEMENTS (first {} shown):\n", r.disagreements.size(), r.disagreements.size());
        for (const auto& d : r.disagreements) out += "\n" + d + "\n";
    }
    return out;
}

nlohmann::json to_json(const CrossReport& r) {
    return {{"engine", "crosscheck"},        {"profile", r.profile},     {"bounds", r.features.describe()},
            {"depth", r.depth},              {"states", r.states},       {"transitions", r.checked},
            {"sampled_states", r.sampled},   {"outside", r.outside},     {"seconds", r.seconds},
            {"forms", r.forms},
            {"interrupted", r.interrupted},  {"agree", r.disagreements.empty()},
            {"disagreements", r.disagreements}, {"complete", r.complete()},
            {"coverage_required", r.coverage_required},
            {"cases_reached", r.cases_reached}, {"cases_unreached", r.cases_unreached},
            {"refimpl_reached", r.refimpl_reached}, {"refimpl_unreached", r.refimpl_unreached},
            {"paths_run", r.paths_run}, {"paths_skipped", r.paths_skipped}};
}

}  // namespace reapcheck::symbolic
