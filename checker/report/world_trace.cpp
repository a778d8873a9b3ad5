#include "checker/report/world_trace.hpp"

#include <algorithm>

#include "checker/scenario/parser.hpp"
#include "checker/scenario/printer.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"

namespace reapcheck::engine {

using namespace refimpl;

std::string WorldStep::name(Id t) const {
    auto it = task_names.find(t);
    if (it != task_names.end()) return it->second;
    // Appended, not `"#" + std::to_string(t)`: GCC 12 at -O2/-O3 reports a
    // false -Wrestrict on operator+(const char*, string&&).
    std::string n = "#";
    n += std::to_string(t);
    return n;
}

WorldStep world_step(const scn::RefimplExecutor& ex) {
    WorldStep w;
    w.state = ex.state();
    for (const auto& [n, t] : ex.task_bindings()) w.task_names[t] = n;
    for (const auto& [n, fd] : ex.fd_bindings()) w.fd_names[fd] = n;
    return w;
}

WorldTrace replay_world(const scn::Scenario& sc, const std::string& profile) {
    WorldTrace wt;
    wt.file = sc.file;
    wt.profile = !profile.empty() ? profile : sc.profile.value_or("mainline");
    wt.explicit_steps = sc.explicit_steps;
    wt.header = sc.header;
    scn::RefimplExecutor ex(wt.profile, sc.explicit_steps);
    wt.steps.push_back(world_step(ex));
    scn::run_scenario(sc, ex, [&](const scn::Statement& st, const scn::LineReport& line) {
        WorldStep w = world_step(ex);
        w.statement = st;
        w.text = line.statement;
        w.observed = line.observed;
        w.mismatch = line.kind == scn::LineReport::Kind::Mismatch;
        w.skipped = line.kind == scn::LineReport::Kind::Skipped;
        wt.steps.push_back(std::move(w));
    });
    return wt;
}

WorldTrace replay_world_text(const std::string& text, const std::string& file) {
    return replay_world(scn::parse_text(text, file));
}

std::string task_state_word(const State& s, Id t) {
    const Task& k = s.tasks[t];
    switch (k.exit_state) {
    case ExitState::Running: return k.exiting ? "EXITING" : "RUNNING";
    case ExitState::Zombie: return "ZOMBIE";
    case ExitState::Trace: return "TRACE";
    case ExitState::Dead: return "DEAD";
    case ExitState::Released: return "RELEASED";
    }
    return "?";
}

}  // namespace reapcheck::engine

namespace reapcheck::engine {

bool drawn(const WorldStep& cur, const WorldStep* prev, Id t) {
    if (cur.state.tasks[t].exit_state != ExitState::Released) return true;
    return prev && t < Id(prev->state.tasks.size()) && prev->state.tasks[t].exit_state != ExitState::Released;
}

Id tree_parent(const State& s, Id t) {
    const Task& k = s.tasks[t];
    if (!s.is_leader(t)) return k.leader;
    return k.real_parent == kNone ? kNone : s.tasks[k.real_parent].leader;
}

std::vector<std::string> task_flags(const State& s, Id t) {
    const Task& k = s.tasks[t];
    const Proc& pr = s.procs[k.proc];
    const Sighand& sh = s.sighands[pr.sighand];
    std::vector<std::string> f;
    if (!s.is_leader(t)) f.push_back("thread");
    if (pr.autoreap) f.push_back("autoreap");
    if (pr.is_child_subreaper) f.push_back("subreaper");
    if (pr.has_child_subreaper && t != kInit) f.push_back("has_subreaper");
    if (s.is_leader(t) && k.exit_signal != kSigchldValue && t != kInit)
        f.push_back("exit_signal " + std::to_string(k.exit_signal));
    if (sh.sigchld == Handler::Ign) f.push_back("SIG_IGN");
    if (sh.sigchld == Handler::User) f.push_back("handler");
    if (sh.nocldwait) f.push_back("NOCLDWAIT");
    if (pr.sigchld_pending || k.sigchld_pending) f.push_back("SIGCHLD pending");
    if (k.ptraced) f.push_back("traced");
    if (k.wait.active) f.push_back(k.wait.woken ? "waiting (woken)" : "waiting");
    if (k.nnp) f.push_back("nnp");
    if (k.step != Step::None) f.push_back(std::string("next: ") + to_string(k.step));
    return f;
}

std::vector<std::string> task_pidfds(const WorldStep& w, Id t) {
    std::vector<std::string> v;
    const State& s = w.state;
    const Id tab = s.tasks[t].files;
    if (tab == kNone) return v;
    for (const Fd& fd : s.fdtables[tab].fds) {
        auto it = w.fd_names.find(fd.nr);
        std::string n = it == w.fd_names.end() ? "fd" + std::to_string(fd.nr) : it->second;
        const Id pid = s.files[fd.file].pid;
        Id target = s.pids[pid].task;
        for (Id x = 0; target == kNone && x < Id(s.tasks.size()); ++x)
            if (s.tasks[x].pid == pid) target = x;
        v.push_back(n + "\u2192" + (target == kNone ? "?" : w.name(target)));
    }
    return v;
}

std::vector<std::string> describe_changes(const WorldStep& cur, const WorldStep* prev) {
    std::vector<std::string> out;
    if (!prev) return out;
    const State &a = prev->state, &b = cur.state;
    auto diff = [](const std::vector<std::string>& before, const std::vector<std::string>& after,
                   const std::string& prefix, std::string& line) {
        for (const auto& x : after)
            if (std::find(before.begin(), before.end(), x) == before.end()) line += ", +" + prefix + x;
        for (const auto& x : before)
            if (std::find(after.begin(), after.end(), x) == after.end()) line += ", -" + prefix + x;
    };
    for (Id t = 0; t < Id(b.tasks.size()); ++t) {
        if (!drawn(cur, prev, t)) continue;
        const std::string n = cur.name(t);
        if (t >= Id(a.tasks.size())) {
            const Id up = tree_parent(b, t);
            std::string line = n + ": new, " + (b.is_leader(t) ? "child of " : "thread of ") +
                               (up == kNone ? "nobody" : cur.name(up));
            for (const auto& f : task_flags(b, t)) line += ", " + f;
            out.push_back(line);
            continue;
        }
        if (!task_changed(cur, prev, t)) continue;
        std::string line;
        if (task_state_word(a, t) != task_state_word(b, t))
            line += ", " + task_state_word(a, t) + " \u2192 " + task_state_word(b, t);
        if (tree_parent(a, t) != tree_parent(b, t)) {
            const Id x = tree_parent(a, t), y = tree_parent(b, t);
            line += ", reparented " + (x == kNone ? std::string("-") : prev->name(x)) + " \u2192 " +
                    (y == kNone ? std::string("-") : cur.name(y));
        }
        if (b.tasks[t].ptraced && (!a.tasks[t].ptraced || a.tasks[t].parent != b.tasks[t].parent))
            line += ", traced by " + cur.name(b.tasks[t].parent);
        auto flags = [](const State& x, Id k) {   // "traced" is said with its tracer above
            auto f = task_flags(x, k);
            f.erase(std::remove(f.begin(), f.end(), "traced"), f.end());
            return f;
        };
        diff(flags(a, t), flags(b, t), "", line);
        if (a.tasks[t].ptraced && !b.tasks[t].ptraced) line += ", no longer traced";
        diff(task_pidfds(*prev, t), task_pidfds(cur, t), "pidfd ", line);
        if (!line.empty()) out.push_back(n + ":" + line.substr(1));
    }
    return out;
}

bool task_changed(const WorldStep& cur, const WorldStep* prev, Id t) {
    if (!prev || t >= Id(prev->state.tasks.size())) return true;
    const State &a = prev->state, &b = cur.state;
    return task_state_word(a, t) != task_state_word(b, t) || task_flags(a, t) != task_flags(b, t) ||
           task_pidfds(*prev, t) != task_pidfds(cur, t) || tree_parent(a, t) != tree_parent(b, t) ||
           a.tasks[t].parent != b.tasks[t].parent || a.tasks[t].ptraced != b.tasks[t].ptraced;
}

const char* state_fill(const std::string& state) {
    if (state == "RUNNING") return "#d9f2d9";
    if (state == "EXITING") return "#fff2b3";
    if (state == "ZOMBIE") return "#f8c8c8";
    if (state == "TRACE") return "#e3d3f5";
    if (state == "DEAD") return "#d9d9d9";
    return "#ffffff";
}

}  // namespace reapcheck::engine
