#include "checker/report/report.hpp"

#include <map>

#include <fmt/format.h>

#include "checker/report/itf.hpp"
#include "checker/report/world_trace.hpp"

namespace reapcheck::engine {

const refimpl::Profile* file_profile(const std::string& name) {
    const refimpl::Profile* p = refimpl::find_profile(name);
    if (!p) return nullptr;
    for (const refimpl::Profile& b : refimpl::all_profiles())
        if (&b == p) return nullptr;
    return p;
}

std::string profile_label(const std::string& name) {
    const refimpl::Profile* p = file_profile(name);
    if (!p) return name;
    return name + " (file " + p->source + (p->base.empty() ? std::string() : ", based on " + p->base) + ")";
}

namespace {
std::string stats_line(const CheckResult& r) {
    const Stats& s = r.stats;
    std::string o = fmt::format("profile {}: {} states, {} transitions, depth {}, {:.2f} s{}{}\n", profile_label(r.profile), s.states,
                                s.transitions, s.depth, s.seconds, s.exhausted ? ", exhausted" : "",
                                s.stop_reason.empty() ? "" : ", stopped: " + s.stop_reason);
    for (const auto& [name, b, st] : r.runs)
        o += fmt::format("  {:<12} {:>9} states {:>10} transitions  depth {:>2}  {:6.2f} s  {:>4.0f} B/state  {}  [{}]\n",
                         name, st.states, st.transitions, st.depth, st.seconds,
                         st.states ? double(st.key_bytes) / double(st.states) : 0.0,
                         st.exhausted ? "exhausted" : st.stop_reason, b.describe());
    if (r.options.por || !r.por_note.empty())
        o += fmt::format("partial-order reduction: {} states expanded with one action ({})\n", s.reduced,
                         r.por_note.empty() ? "on" : r.por_note);
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
/// Facts that never held, "a traced task, a subreaper".
std::string never_held(const Coverage& c) {
    std::string o;
    for (int f = 0; f < kFacts; ++f)
        if (!(c.facts & (1u << unsigned(f)))) o += (o.empty() ? "" : ", ") + std::string(describe(Fact(f)));
    return o;
}
std::string format_coverage(const Coverage& c) {
    if (c.empty()) return "";
    std::string o = fmt::format("\ncoverage: {} action classes enabled\n  {:<28} {:>12} {:>12} {:>12}\n",
                                c.actions.size(), "action", "enabled", "changed", "errors");
    for (const ActionCount& a : c.actions)
        o += fmt::format("  {:<28} {:>12} {:>12} {:>12}\n", a.action, a.enabled, a.changed, a.errors);
    const std::string never = never_held(c);
    o += "  never held: " + (never.empty() ? std::string("-") : never) + "\n";
    if (!c.vacuous.empty()) {
        o += "vacuous (holds, but the run never had what the property is about):\n";
        for (const Vacuity& v : c.vacuous) o += fmt::format("  {:<36} {}\n", v.property, v.why);
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
    o += format_coverage(r.coverage);
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
    std::map<std::string, std::vector<std::string>> vacuous;   // "property: why" -> profiles
    for (const auto& r : rs)
        for (const Vacuity& v : r.coverage.vacuous) vacuous[v.property + ": " + v.why].push_back(r.profile);
    if (!vacuous.empty()) {
        o += "\nvacuous holds (the run never had what the property is about):\n";
        for (const auto& [what, profiles] : vacuous) {
            std::string ps;
            for (const auto& p : profiles) ps += (ps.empty() ? "" : ", ") + p;
            o += "  " + what + " [" + ps + "]\n";
        }
    }
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
        if (const refimpl::Profile* fp = refimpl::find_profile(r.profile)) {
            // where the profile comes from: a built-in file or the user's path
            pr["profile_file"] = fp->source;
            pr["profile_builtin"] = file_profile(r.profile) == nullptr;
            pr["profile_base"] = fp->base.empty() ? nlohmann::json(nullptr) : nlohmann::json(fp->base);
        }
        const Bounds& b = r.options.bounds;
        pr["bounds"] = {{"tasks", b.tasks},       {"threads", b.threads},   {"pidfds", b.pidfds},
                        {"depth", b.depth},       {"exit_codes", b.exit_codes}, {"exec", b.exec},
                        {"kill", b.kill},         {"blocking", b.blocking}, {"ptrace", b.ptrace},
                        {"autokill", b.autokill}, {"parent", b.parent},     {"subreaper", b.subreaper},
                        {"sigaction", b.sigaction}, {"symmetry", r.options.symmetry}};
        pr["stats"] = {{"states", r.stats.states},       {"transitions", r.stats.transitions},
                       {"depth", r.stats.depth},         {"exhausted", r.stats.exhausted},
                       {"stop_reason", r.stats.stop_reason}, {"seconds", r.stats.seconds},
                       {"key_bytes", r.stats.key_bytes}, {"link_bytes", r.stats.link_bytes}};
        if (r.options.por || !r.por_note.empty()) pr["por"] = {{"reduced", r.stats.reduced}, {"note", r.por_note.empty() ? "on" : r.por_note}};
        for (const auto& [name, rb, st] : r.runs)
            pr["runs"].push_back({{"name", name}, {"bounds", rb.describe()}, {"states", st.states},
                                  {"transitions", st.transitions}, {"depth", st.depth}, {"exhausted", st.exhausted},
                                  {"stop_reason", st.stop_reason}, {"seconds", st.seconds},
                                  {"key_bytes", st.key_bytes}, {"link_bytes", st.link_bytes}});
        if (!r.model_errors.empty()) pr["model_errors"] = r.model_errors;
        {
            nlohmann::json cov;
            cov["actions"] = nlohmann::json::array();
            for (const ActionCount& a : r.coverage.actions)
                cov["actions"].push_back(
                    {{"action", a.action}, {"enabled", a.enabled}, {"changed", a.changed}, {"errors", a.errors}});
            cov["facts_held"] = nlohmann::json::array();
            cov["facts_never_held"] = nlohmann::json::array();
            for (int f = 0; f < kFacts; ++f)
                cov[(r.coverage.facts & (1u << unsigned(f))) ? "facts_held" : "facts_never_held"].push_back(
                    fact_name(Fact(f)));
            cov["vacuous"] = nlohmann::json::array();
            for (const Vacuity& v : r.coverage.vacuous) cov["vacuous"].push_back({{"property", v.property}, {"why", v.why}});
            pr["coverage"] = cov;
        }
        for (const auto& v : r.verdicts) {
            const props::Property* p = props::find(v.property);
            nlohmann::json jv = {{"property", v.property},
                                 {"kind", p ? props::to_string(p->kind) : "?"},
                                 {"verdict", to_string(v.kind)},
                                 {"reason", v.reason}};
            if (p) jv["origin"] = p->origin();   // where its text is: properties/catalog/*.rcp or a user's file
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
