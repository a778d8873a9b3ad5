// Reports of diff: text for people (also the review's "profile diffs"
// section) and JSON (docs/json-schema.md).
#include <fmt/format.h>

#include "checker/report/diff_report.hpp"

namespace reapcheck::engine {

std::string format_diff(const PairDiff& d, bool traces) {
    std::string o = fmt::format("diff {} -> {}: ", d.a, d.b);
    switch (d.verdict) {
    case PairDiff::Verdict::Different:
        o += fmt::format("DIFFERENT after {} step{}\n", d.steps, d.steps == 1 ? "" : "s");
        o += fmt::format("  first differing call: {}\n    under {}: {}\n    under {}: {}\n", d.statement, d.a,
                         d.result_a, d.b, d.result_b);
        break;
    case PairDiff::Verdict::Same:
        o += fmt::format("no difference found within the bound ({})\n",
                         d.stats.exhausted ? "the product was exhausted"
                                           : fmt::format("every scenario of up to {} step{}", d.steps_covered, d.steps_covered == 1 ? "" : "s"));
        break;
    case PairDiff::Verdict::Unknown:
        o += fmt::format("unknown: stopped ({}) before the bound was covered; no difference in what was explored\n",
                         d.stats.stop_reason);
        break;
    }
    o += "  explored: " + d.bound() +
         (d.stats.exhausted || d.stats.stop_reason.empty() ? "" : " (" + d.stats.stop_reason + ")") + "\n";
    if (d.one_sided_calls || d.one_sided_steps)
        o += fmt::format("  calls enabled in one world only (not taken): {}; kernel steps taken by one world alone: {}\n",
                         d.one_sided_calls, d.one_sided_steps);
    const bool partial = !d.stats.exhausted && d.stats.stop_reason.rfind("depth bound", 0) != 0;
    const std::string scope = d.verdict == PairDiff::Verdict::Different && d.options.first_only
                                  ? "in what was explored up to the first difference"
                              : partial ? "in what was explored before stopping"
                                        : "within the bound";
    auto list = [&](const char* title, const std::vector<Behaviour>& v) {
        if (v.empty()) {
            o += fmt::format("  {} ({}): nothing\n", title, scope);
            return;
        }
        o += fmt::format("  {} ({}):\n", title, scope);
        for (const auto& x : v) o += fmt::format("    {} -> {}\n", x.call, x.result);
    };
    list(fmt::format("{} adds (seen under {}, never under {})", d.b, d.b, d.a).c_str(), d.b_adds);
    list(fmt::format("{} removes (seen under {}, never under {})", d.b, d.a, d.b).c_str(), d.b_removes);
    if (!d.differing.empty()) {
        o += fmt::format("  calls answered differently after the same scenario ({} vs {}; shortest scenario):\n", d.a,
                         d.b);
        for (const auto& x : d.differing)
            o += fmt::format("    {}: {} vs {} ({} step{})\n", x.call, x.result_a, x.result_b, x.steps,
                             x.steps == 1 ? "" : "s");
    }
    if (traces && d.verdict == PairDiff::Verdict::Different) {
        // A profile loaded from a file replays with that file (docs/profiles.md).
        const auto arg = [](const std::string& name) {
            for (const auto& b : refimpl::all_profiles())
                if (b.name == name) return name;
            const refimpl::Profile* p = refimpl::find_profile(name);
            return p && !p->source.empty() ? p->source : name;
        };
        o += fmt::format("\n# --- under {} (reapcheck replay --profile {} FILE) ---\n", d.a, arg(d.a)) + d.trace_a;
        o += fmt::format("\n# --- the same calls under {} (reapcheck replay --profile {} FILE) ---\n", d.b, arg(d.b)) +
             d.trace_b;
    }
    return o;
}

std::string format_diffs(const std::vector<PairDiff>& ds, bool traces) {
    std::string o = "profile diffs (consecutive profiles; observable results of the same scenario):\n";
    for (const auto& d : ds) o += format_diff(d, traces) + "\n";
    return o;
}

nlohmann::json to_json(const PairDiff& d) {
    const Bounds& b = d.options.bounds;
    nlohmann::json j;
    j["a"] = d.a;
    j["b"] = d.b;
    j["verdict"] = to_string(d.verdict);
    j["bound"] = d.bound();
    j["bounds"] = {{"tasks", b.tasks},       {"threads", b.threads},   {"pidfds", b.pidfds},
                   {"depth", b.depth},       {"exit_codes", b.exit_codes}, {"exec", b.exec},
                   {"kill", b.kill},         {"blocking", b.blocking}, {"ptrace", b.ptrace},
                   {"autokill", b.autokill}, {"parent", b.parent},     {"subreaper", b.subreaper},
                   {"sigaction", b.sigaction}, {"symmetry", d.options.symmetry},    {"probes", d.options.probes},
                   {"nnp", d.options.nnp},   {"capset", d.options.capset}, {"first_only", d.options.first_only},
                   {"exclude", d.options.exclude}};
    j["stats"] = {{"states", d.stats.states},
                  {"transitions", d.stats.transitions},
                  {"depth", d.stats.depth},
                  {"steps_covered", d.steps_covered},
                  {"exhausted", d.stats.exhausted},
                  {"stop_reason", d.stats.stop_reason},
                  {"seconds", d.stats.seconds},
                  {"key_bytes", d.stats.key_bytes}, {"link_bytes", d.stats.link_bytes},
                  {"one_sided_calls", d.one_sided_calls},
                  {"one_sided_steps", d.one_sided_steps}};
    if (d.verdict == PairDiff::Verdict::Different)
        j["first"] = {{"steps", d.steps},           {"statement", d.statement},   {"result_a", d.result_a},
                      {"result_b", d.result_b},     {"trace_a", d.trace_a},       {"trace_b", d.trace_b},
                      {"trace_a_steps", d.trace_a_steps}, {"trace_b_steps", d.trace_b_steps}};
    else
        j["first"] = nullptr;
    auto behaviours = [](const std::vector<Behaviour>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& x : v) a.push_back({{"call", x.call}, {"result", x.result}});
        return a;
    };
    j["b_adds"] = behaviours(d.b_adds);
    j["b_removes"] = behaviours(d.b_removes);
    j["differing"] = nlohmann::json::array();
    for (const auto& x : d.differing)
        j["differing"].push_back(
            {{"call", x.call}, {"result_a", x.result_a}, {"result_b", x.result_b}, {"steps", x.steps}});
    return j;
}

nlohmann::json to_json(const std::vector<PairDiff>& ds) {
    nlohmann::json j;
    j["tool"] = "reapcheck";
    j["schema"] = 1;
    j["diffs"] = nlohmann::json::array();
    for (const auto& d : ds) j["diffs"].push_back(to_json(d));
    return j;
}

}  // namespace reapcheck::engine
