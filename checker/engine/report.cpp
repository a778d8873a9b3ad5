#include "checker/engine/report.hpp"

#include <map>

#include <fmt/format.h>

#include "checker/engine/itf.hpp"
#include "checker/engine/world_trace.hpp"

namespace reapcheck::engine {

namespace {
std::string stats_line(const CheckResult& r) {
    const Stats& s = r.stats;
    std::string o = fmt::format("profile {}: {} states, {} transitions, depth {}, {:.2f} s{}{}\n", r.profile, s.states,
                                s.transitions, s.depth, s.seconds, s.exhausted ? ", exhausted" : "",
                                s.stop_reason.empty() ? "" : ", stopped: " + s.stop_reason);
    for (const auto& [name, b, st] : r.runs)
        o += fmt::format("  {:<12} {:>9} states {:>10} transitions  depth {:>2}  {:6.2f} s  {:>4.0f} B/state  {}  [{}]\n",
                         name, st.states, st.transitions, st.depth, st.seconds,
                         st.states ? double(st.key_bytes) / double(st.states) : 0.0,
                         st.exhausted ? "exhausted" : st.stop_reason, b.describe());
    for (const std::string& e : r.model_errors) o += "  MODEL ERROR " + e + "\n";
    return o;
}
std::string indent(const std::string& text) {
    std::string o;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = text.find('\n', i);
        if (j == std::string::npos) j = text.size();
        o += "    " + text.substr(i, j - i) + "\n";
        i = j + 1;
    }
    return o;
}
}  // namespace

std::string format_check(const CheckResult& r, bool traces) {
    std::string o = stats_line(r);
    o += "bounds: " + r.options.bounds.describe() + (r.options.symmetry ? " symmetry=on\n" : " symmetry=off\n");
    for (const Verdict& v : r.verdicts)
        o += fmt::format("  {:<36} {:<12} {}\n", v.property, to_string(v.kind),
                         v.kind == Verdict::Kind::Covered || v.kind == Verdict::Kind::Violated
                             ? fmt::format("trace of {} steps", v.trace_steps)
                             : v.reason);
    if (traces)
        for (const Verdict& v : r.verdicts)
            if (!v.trace.empty() && v.kind == Verdict::Kind::Violated)
                o += fmt::format("\n{} {} under {}: {}\n{}", v.property, to_string(v.kind), r.profile, v.reason,
                                 indent(v.trace));
    return o;
}

std::string format_matrix(const std::vector<CheckResult>& rs) {
    std::string o;
    o += fmt::format("{:<36}", "property");
    for (const auto& r : rs) o += fmt::format(" {:<11}", r.profile);
    o += "\n";
    std::map<std::pair<std::string, std::string>, const Verdict*> at;
    for (const auto& r : rs)
        for (const auto& v : r.verdicts) at[{r.profile, v.property}] = &v;
    std::vector<std::string> ids;   // catalog order
    for (const auto& p : props::all())
        for (const auto& r : rs)
            if (at.count({r.profile, std::string(p.id)})) {
                ids.emplace_back(p.id);
                break;
            }
    for (const auto& id : ids) {
        o += fmt::format("{:<36}", id);
        for (const auto& r : rs) {
            auto it = at.find({r.profile, id});
            o += fmt::format(" {:<11}", it == at.end() ? "-" : to_string(it->second->kind));
        }
        o += "\n";
    }
    return o;
}

std::string format_review(const std::vector<CheckResult>& rs, bool traces) {
    std::string o;
    for (const auto& r : rs) o += stats_line(r);
    if (!rs.empty() && rs[0].runs.empty())
        o += "bounds: " + rs[0].options.bounds.describe() + (rs[0].options.symmetry ? " symmetry=on\n" : " symmetry=off\n");
    o += "\n" + format_matrix(rs);
    if (!traces) return o;
    for (const auto& r : rs)
        for (const auto& v : r.verdicts) {
            if (v.kind == Verdict::Kind::Violated)
                o += fmt::format("\n{} VIOLATED under {} ({} steps):\n{}", v.property, r.profile, v.trace_steps,
                                 indent(v.trace));
            else if (v.kind == Verdict::Kind::NotCovered || v.kind == Verdict::Kind::Unknown)
                o += fmt::format("\n{} {} under {}: {}\n", v.property, to_string(v.kind), r.profile, v.reason);
        }
    return o;
}

nlohmann::json to_json(const std::vector<CheckResult>& rs) {
    nlohmann::json j;
    j["tool"] = "reapcheck";
    j["schema"] = 1;
    for (const auto& r : rs) {
        nlohmann::json pr;
        pr["profile"] = r.profile;
        const Bounds& b = r.options.bounds;
        pr["bounds"] = {{"tasks", b.tasks},       {"threads", b.threads},   {"pidfds", b.pidfds},
                        {"depth", b.depth},       {"exit_codes", b.exit_codes}, {"exec", b.exec},
                        {"kill", b.kill},         {"blocking", b.blocking}, {"ptrace", b.ptrace},
                        {"autokill", b.autokill}, {"parent", b.parent},     {"subreaper", b.subreaper},
                        {"sigaction", b.sigaction}, {"symmetry", r.options.symmetry}};
        pr["stats"] = {{"states", r.stats.states},       {"transitions", r.stats.transitions},
                       {"depth", r.stats.depth},         {"exhausted", r.stats.exhausted},
                       {"stop_reason", r.stats.stop_reason}, {"seconds", r.stats.seconds},
                       {"key_bytes", r.stats.key_bytes}};
        for (const auto& [name, rb, st] : r.runs)
            pr["runs"].push_back({{"name", name}, {"bounds", rb.describe()}, {"states", st.states},
                                  {"transitions", st.transitions}, {"depth", st.depth}, {"exhausted", st.exhausted},
                                  {"stop_reason", st.stop_reason}, {"seconds", st.seconds},
                                  {"key_bytes", st.key_bytes}});
        if (!r.model_errors.empty()) pr["model_errors"] = r.model_errors;
        for (const auto& v : r.verdicts) {
            const props::Property* p = props::find(v.property);
            nlohmann::json jv = {{"property", v.property},
                                 {"kind", p ? props::to_string(p->kind) : "?"},
                                 {"verdict", to_string(v.kind)},
                                 {"reason", v.reason}};
            if (p && p->text) jv["origin"] = p->text->origin();   // a user property: where it is defined
            if (!v.trace.empty()) {
                jv["trace"] = v.trace;
                jv["trace_steps"] = v.trace_steps;
                jv["itf"] = to_itf(replay_world_text(v.trace, itf_file_name(r.profile, v.property)),
                                   itf_file_name(r.profile, v.property), v.reason);
            }
            pr["verdicts"].push_back(jv);
        }
        j["results"].push_back(pr);
    }
    return j;
}

std::string itf_file_name(const std::string& profile, const std::string& property) {
    return profile + "." + property + ".itf.json";
}

int exit_code(const std::vector<CheckResult>& rs) {
    bool unknown = false, failed = false;
    for (const auto& r : rs)
        for (const auto& v : r.verdicts) {
            failed |= is_failure(v.kind);
            unknown |= v.kind == Verdict::Kind::Unknown;
        }
    return failed ? 1 : unknown ? 3 : 0;
}

}  // namespace reapcheck::engine
