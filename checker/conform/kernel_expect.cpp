// KernelExecutor::check: the `expect` facts /proc can show (state, zombies,
// parent, tracer, exit_signal, threads, nnp, pending); the rest are skipped.
#include <csignal>

#include "checker/conform/kernel_executor.hpp"
#include "checker/conform/proc.hpp"

namespace reapcheck::conform {

using scn::Statement;

// --- expect --------------------------------------------------------------------

scn::ExpectOutcome KernelExecutor::check(const Statement& st) {
    using EO = scn::ExpectOutcome;
    using F = scn::ExpectField;
    const scn::Expect& e = st.expect;
    auto verdict = [&](bool equal, std::string observed) {
        return EO{(equal != e.negate) ? EO::Kind::Pass : EO::Kind::Fail, std::move(observed)};
    };
    auto skipped = [](std::string why) { return EO{EO::Kind::Skipped, std::move(why)}; };
    settle();
    if (e.field == F::Zombies) {
        int64_t n = 0;
        for (auto& t : tasks_)
            if (auto s = proc_state(t); s && *s == 'Z') ++n;
        return verdict(n == e.value, std::to_string(n));
    }
    Task& t = task(e.subject, st.loc);
    auto state = proc_state(t);
    switch (e.field) {
    case F::State: {
        if (e.value_name == "DEAD" || e.value_name == "TRACE")
            return skipped("state " + e.value_name + " is transient on a real kernel");
        std::string obs = !state ? "RELEASED" : *state == 'Z' ? "ZOMBIE" : "RUNNING";
        return verdict(obs == e.value_name, obs);
    }
    case F::Parent: {
        if (!state) return skipped("released: /proc shows no parent");
        auto pp = proc::status_field(t.g_tid, "PPid");
        if (!pp) return skipped("released: /proc shows no parent");
        std::string obs = name_of_global(static_cast<pid_t>(*pp));
        if (obs.empty()) obs = "none";
        return verdict(obs == e.value_name, obs);
    }
    case F::Tracer: {
        if (!state) return skipped("released: /proc shows no tracer");
        auto tp = proc::status_field(t.g_tid, "TracerPid");
        if (!tp) return skipped("released: /proc shows no tracer");
        std::string obs = *tp ? name_of_global(static_cast<pid_t>(*tp)) : "none";
        if (obs.empty()) obs = "pid " + std::to_string(*tp);
        return verdict(obs == e.value_name, obs);
    }
    case F::ExitSignal: {
        auto s = proc::stat(t.g_tid);
        if (!state || !s) return skipped("released: /proc shows no exit_signal");
        return verdict(s->exit_signal == e.value, std::to_string(s->exit_signal));
    }
    case F::Threads: {
        int64_t n = 0;
        auto lead = proc::stat(t.g_tgid);
        if (lead && (!t.starttime || t.g_tgid != t.g_tid || lead->starttime == t.starttime))
            for (pid_t tid : proc::threads(t.g_tgid))
                if (auto s = proc::stat(tid); s && s->state != 'Z' && s->state != 'X') ++n;
        return verdict(n == e.value, std::to_string(n));
    }
    case F::Nnp: {
        if (!state) return skipped("released: /proc shows no NoNewPrivs");
        auto v = proc::status_field(t.g_tid, "NoNewPrivs");
        if (!v) return skipped("no NoNewPrivs in /proc");
        return verdict(static_cast<int64_t>(*v) == e.value, std::to_string(*v));
    }
    case F::Pending: {
        if (!state || *state == 'Z') return skipped("exited: pending signals not meaningful");
        auto sh = proc::status_field(t.g_tid, "ShdPnd", true);
        auto th = proc::status_field(t.g_tid, "SigPnd", true);
        if (!sh || !th) return skipped("no ShdPnd in /proc");
        bool pending = ((*sh | *th) >> (SIGCHLD - 1)) & 1;
        std::string obs = pending ? "SIGCHLD" : "none";
        return verdict(obs == e.value_name, obs);
    }
    default: return skipped(std::string(scn::to_string(e.field)) + " is not visible in /proc");
    }
}

}  // namespace reapcheck::conform
