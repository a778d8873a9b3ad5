#include "checker/report/itf.hpp"

#include <algorithm>

namespace reapcheck::engine {

using namespace refimpl;
using nlohmann::json;

namespace {

json big(int64_t v) { return json{{"#bigint", std::to_string(v)}}; }
json set_of(json items) { return json{{"#set", std::move(items)}}; }

const char* handler_name(const Sighand& h) {
    switch (h.sigchld) {
    case Handler::Dfl: return "SIG_DFL";
    case Handler::Ign: return "SIG_IGN";
    case Handler::User: return "handler";
    }
    return "?";
}

/// Names of the pidfds in an fd table, sorted (the set's canonical order).
json fd_set(const WorldStep& w, Id table) {
    std::vector<std::string> names;
    if (table != kNone)
        for (const Fd& fd : w.state.fdtables[table].fds) {
            auto it = w.fd_names.find(fd.nr);
            names.push_back(it == w.fd_names.end() ? "fd" + std::to_string(fd.nr) : it->second);
        }
    std::sort(names.begin(), names.end());
    return set_of(json(names));
}

/// The task a struct pid belongs to (also after unhash, when the link is gone).
Id task_of_pid(const State& s, Id pid) {
    if (s.pids[pid].task != kNone) return s.pids[pid].task;
    for (Id t = 0; t < Id(s.tasks.size()); ++t)
        if (s.tasks[t].pid == pid) return t;
    return kNone;
}

json task_record(const WorldStep& w, Id t) {
    const State& s = w.state;
    const Task& k = s.tasks[t];
    const Proc& pr = s.procs[k.proc];
    const Sighand& sh = s.sighands[pr.sighand];
    auto name_or_empty = [&](Id x) { return x == kNone ? std::string() : w.name(x); };
    return json{
        {"name", w.name(t)},
        {"pid", big(s.pids[k.pid].nr)},
        {"tgid", big(s.pids[s.tasks[k.leader].pid].nr)},
        {"leader", w.name(k.leader)},
        {"state", task_state_word(s, t)},
        {"kernel_step", to_string(k.step)},
        {"parent", name_or_empty(k.parent)},
        {"real_parent", name_or_empty(k.real_parent)},
        {"tracer", k.ptraced ? name_or_empty(k.parent) : std::string()},
        {"children", [&] {
             std::vector<std::string> v;
             for (Id x : s.children_of(t)) v.push_back(w.name(x));
             std::sort(v.begin(), v.end());
             return set_of(json(v));
         }()},
        {"exit_signal", big(k.exit_signal)},
        {"exit_code", big(k.exit_code)},
        {"pdeath_signal", big(k.pdeath_signal)},
        {"autoreap", pr.autoreap},
        {"is_child_subreaper", pr.is_child_subreaper},
        {"has_child_subreaper", pr.has_child_subreaper},
        {"sigchld_pending", pr.sigchld_pending},
        {"sigchld_pending_thread", k.sigchld_pending},
        {"sigchld_handler", handler_name(sh)},
        {"sa_nocldwait", sh.nocldwait},
        {"no_new_privs", k.nnp},
        {"cap_sys_admin", k.cap_sys_admin},
        {"blocked_in_wait", k.wait.active},
        {"pidfds", fd_set(w, k.files)},
    };
}

json world(const WorldStep& w) {
    const State& s = w.state;
    json tasks = json::array();
    for (Id t = 0; t < Id(s.tasks.size()); ++t) tasks.push_back(json::array({w.name(t), task_record(w, t)}));
    // Pidfds by name: the file behind the number in the first table that
    // holds it, and every task whose table holds that number.
    json pidfds = json::array();
    for (const auto& [nr, name] : w.fd_names) {
        Id file = kNone;
        std::vector<std::string> holders;
        for (Id t = 0; t < Id(s.tasks.size()); ++t) {
            const Id tab = s.tasks[t].files;
            if (tab == kNone) continue;
            for (const Fd& fd : s.fdtables[tab].fds)
                if (fd.nr == nr) {
                    if (file == kNone) file = fd.file;
                    holders.push_back(w.name(t));
                }
        }
        if (file == kNone) continue;   // closed everywhere
        std::sort(holders.begin(), holders.end());
        const File& f = s.files[file];
        const Pid& p = s.pids[f.pid];
        const Id target = task_of_pid(s, f.pid);
        pidfds.push_back(json::array(
            {name, json{{"fd", big(nr)},
                        {"target", target == kNone ? std::string() : w.name(target)},
                        {"pid", big(p.nr)},
                        {"thread", f.thread},
                        {"nonblock", f.nonblock},
                        {"autokill", f.autokill},
                        {"holders", set_of(json(holders))},
                        {"target_linked", p.task != kNone},
                        {"exit_info", p.exit_info},
                        {"exit_code", big(p.exit_code)}}}));
    }
    return json{{"tasks", json{{"#map", tasks}}},
                {"pidfds", json{{"#map", pidfds}}},
                {"zombies", big(s.zombies())}};
}

}  // namespace

const std::vector<std::string>& itf_vars() {
    static const std::vector<std::string> v{"action", "actor", "observed", "tasks", "pidfds", "zombies"};
    return v;
}

json to_itf(const WorldTrace& wt, const std::string& source, const std::string& description) {
    json j;
    j["#meta"] = {{"format", "ITF"},
                  {"format-description", "https://apalache-mc.org/docs/adr/015adr-trace.html"},
                  {"source", source},
                  {"description", description},
                  {"profile", wt.profile}};
    j["vars"] = itf_vars();
    j["states"] = json::array();
    for (std::size_t i = 0; i < wt.steps.size(); ++i) {
        const WorldStep& w = wt.steps[i];
        json st = world(w);
        st["#meta"] = {{"index", i}};
        st["action"] = i == 0 ? std::string("init") : w.text;
        st["actor"] = i == 0 || w.statement.kind != scn::Statement::Kind::Call ? std::string() : w.statement.actor;
        st["observed"] = w.observed;
        j["states"].push_back(std::move(st));
    }
    return j;
}

}  // namespace reapcheck::engine
