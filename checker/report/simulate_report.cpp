#include "checker/report/simulate_report.hpp"

#include <fmt/format.h>

#include "checker/report/report.hpp"

namespace reapcheck::engine {

using props::Kind;

std::string format_simulate(const SimulateResult& r, bool traces) {
    const CheckResult& c = r.check;
    std::string o = fmt::format(
        "simulate {}: {} walks of up to {} steps, {} steps in {:.2f} s ({:.0f} steps/s; {:.0f} steps per CPU second, "
        "{}); shrinking and replay {:.2f} s{}\n",
        c.profile, r.walks, c.options.bounds.depth, r.steps, r.seconds, r.seconds > 0 ? double(r.steps) / r.seconds : 0.0,
        r.cpu_seconds > 0 ? double(r.steps) / r.cpu_seconds : 0.0,
        r.ranks > 1 ? fmt::format("{} MPI ranks", r.ranks)
                    : fmt::format("{} thread{}", c.options.threads, c.options.threads == 1 ? "" : "s"),
        r.shrink_seconds,
        r.stop_reason.empty() ? "" : ", stopped: " + r.stop_reason);
    std::string alphabet = c.options.bounds.describe();
    if (const auto at = alphabet.find(" depth="); at != std::string::npos)
        alphabet.erase(at, alphabet.find(' ', at + 1) - at);
    o += "alphabet: " + alphabet + "\n";
    for (const std::string& e : c.model_errors) o += "  MODEL ERROR " + e + "\n";
    std::size_t unchecked = 0;
    for (const Verdict& v : c.verdicts) {
        const SimFinding* f = nullptr;
        for (const SimFinding& x : r.findings)
            if (x.property == v.property) f = &x;
        std::string what;
        if (v.kind == Verdict::Kind::Violated || v.kind == Verdict::Kind::Covered)
            what = fmt::format("trace of {} steps (walk {} step {}{})", v.trace_steps, f->walk, f->step,
                               v.kind == Verdict::Kind::Covered ? fmt::format(", hit by {} walks", f->walks_hit) : "");
        else if (v.kind == Verdict::Kind::NotApplicable) what = v.reason;
        else if (!f) {
            what = "not checkable by random walks";
            ++unchecked;
        } else
            what = v.reason.substr(0, v.reason.find(';'));
        o += fmt::format("  {:<36} {:<12} {}\n", v.property, to_string(v.kind), what);
    }
    if (unchecked)
        o += fmt::format("note: {} eventually propert{} not checked: liveness needs the whole state graph, which a "
                         "walk does not see (use check)\n",
                         unchecked, unchecked == 1 ? "y is" : "ies are");
    if (traces)
        for (const Verdict& v : c.verdicts)
            if (!v.trace.empty() && v.kind == Verdict::Kind::Violated) {
                o += fmt::format("\n{} {} under {}: {}\n", v.property, to_string(v.kind), c.profile, v.reason);
                for (std::size_t i = 0; i < v.trace.size();) {
                    std::size_t j = v.trace.find('\n', i);
                    if (j == std::string::npos) j = v.trace.size();
                    o += "    " + v.trace.substr(i, j - i) + "\n";
                    i = j + 1;
                }
            }
    return o;
}

nlohmann::json simulate_json(const SimulateResult& r, const SimulateOptions& o) {
    nlohmann::json j = to_json({r.check});
    j["simulation"] = {{"seed", o.seed},
                       {"walks_requested", o.walks},
                       {"walks", r.walks},
                       {"steps_per_walk", o.steps},
                       {"steps", r.steps},
                       {"bias", to_string(o.bias)},
                       {"threads", o.threads},
                       {"ranks", r.ranks},
                       {"seconds", r.seconds},
                       {"steps_per_second", r.seconds > 0 ? double(r.steps) / r.seconds : 0.0},
                       {"cpu_seconds", r.cpu_seconds},
                       {"steps_per_cpu_second", r.cpu_seconds > 0 ? double(r.steps) / r.cpu_seconds : 0.0},
                       {"shrink_seconds", r.shrink_seconds},
                       {"stop_reason", r.stop_reason}};
    for (auto& res : j["results"])
        for (auto& jv : res["verdicts"])
            for (const SimFinding& f : r.findings)
                if (f.property == jv["property"]) {
                    jv["checked_by_walks"] = true;
                    if (props::find(f.property)->kind == Kind::Sometimes) jv["walks_hit"] = f.walks_hit;
                    if (f.found) jv["found"] = {{"walk", f.walk}, {"step", f.step}, {"raw_steps", f.raw_steps}};
                }
    return j;
}

}  // namespace reapcheck::engine
