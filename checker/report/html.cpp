#include "checker/report/html.hpp"

#include <cctype>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "checker/report/report.hpp"
#include "checker/report/svg.hpp"
#include "checker/report/world_trace.hpp"
#include "checker/scenario/ast.hpp"

namespace reapcheck::engine {

namespace {

const char* kStyle = R"(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5em 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 3px 7px; font-size: 0.85em; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
td.v { text-align: center; white-space: nowrap; }
.v-holds { background: #c9ecc9; } .v-violated { background: #f4a6a6; font-weight: bold; }
.v-unknown { background: #ffe08a; } .v-na { background: #eeeeee; color: #777; }
.v-covered { background: #bfdcf5; } .v-notcovered { background: #f7c08a; font-weight: bold; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1px solid #bbb; font-size: 0.85em; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.6em; overflow-x: auto; }
ol.steps { padding-left: 1.5em; } ol.steps > li { margin-bottom: 1.2em; }
.stmt { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; background: #eef3fb;
        padding: 3px 6px; display: inline-block; margin-bottom: 4px; }
.kernel { background: #f3eefb; } .mismatch { color: #b00000; font-weight: bold; }
.claim { margin: 0.3em 0; } .source { color: #555; font-size: 0.9em; }
svg.tree { display: block; margin: 4px 0; }
.changes { font-size: 0.85em; color: #8a4a00; margin: 2px 0 0 0; }
)";

std::string e(const std::string& s) { return xml_escape(s); }

const char* verdict_class(Verdict::Kind k) {
    switch (k) {
    case Verdict::Kind::Holds: return "v-holds";
    case Verdict::Kind::Violated: return "v-violated";
    case Verdict::Kind::Unknown: return "v-unknown";
    case Verdict::Kind::NotApplicable: return "v-na";
    case Verdict::Kind::Covered: return "v-covered";
    case Verdict::Kind::NotCovered: return "v-notcovered";
    }
    return "";
}

/// An HTML id from profile and property ("v-mainline-autoreap.never_zombie").
std::string anchor(const std::string& profile, const std::string& property) {
    std::string o = "v-" + profile + "-" + property;
    for (char& c : o)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    return o;
}

std::string stats_cell(const Stats& st) {
    return fmt::format("<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td>", st.states, st.transitions,
                       st.depth, st.exhausted ? "exhausted" : e(st.stop_reason), st.seconds);
}

std::string trace_section(const CheckResult& r, const Verdict& v) {
    const props::Property* p = props::find(v.property);
    const std::string id = anchor(r.profile, v.property);
    std::string o = fmt::format("<section class=\"trace\" id=\"{}\">\n<h3>{} {} under {} ({} steps)</h3>\n", id,
                                e(v.property), to_string(v.kind), e(r.profile), v.trace_steps);
    if (p)
        o += fmt::format("<p class=\"claim\"><b>Claim:</b> {}</p>\n<p class=\"source\">Source: {}</p>\n",
                         e(std::string(p->claim)), e(std::string(p->source)));
    o += fmt::format("<p>{}</p>\n", e(v.reason));
    o += "<details><summary>the trace as a .scn file (replay with <code>reapcheck replay</code>)</summary>\n<pre>" +
         e(v.trace) + "</pre></details>\n";
    WorldTrace wt;
    try {
        wt = replay_world_text(v.trace, r.profile + "." + v.property + ".scn");
    } catch (const scn::ParseError& err) {
        throw std::runtime_error(std::string("engine bug: a reported trace does not parse: ") + err.what());
    }
    o += "<ol class=\"steps\" start=\"0\">\n";
    for (std::size_t i = 0; i < wt.steps.size(); ++i) {
        const WorldStep& w = wt.steps[i];
        o += "<li>";
        if (i == 0) {
            o += "<div class=\"stmt\">initial world</div>";
        } else {
            const bool kernel = w.statement.kind == scn::Statement::Kind::Call && w.statement.actor == "kernel";
            o += fmt::format("<div class=\"stmt{}\">{}", kernel ? " kernel" : "", e(w.text));
            if (!w.observed.empty() && !w.statement.expected) o += " &rarr; " + e(w.observed);
            o += "</div>";
            if (w.mismatch) o += fmt::format(" <span class=\"mismatch\">observed {}</span>", e(w.observed));
        }
        o += "\n" + process_tree_svg(w, i ? &wt.steps[i - 1] : nullptr, fmt::format("{}-s{}", id, i));
        const auto changes = describe_changes(w, i ? &wt.steps[i - 1] : nullptr);
        if (!changes.empty()) {
            o += "<ul class=\"changes\">";
            for (const auto& c : changes) o += "<li>" + e(c) + "</li>";
            o += "</ul>";
        } else if (i) {
            o += "<p class=\"changes\">nothing changed</p>";
        }
        o += "</li>\n";
    }
    return o + "</ol>\n</section>\n";
}

}  // namespace

std::string html_report(const std::vector<CheckResult>& rs, const std::string& title) {
    std::string o = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + e(title) +
                     "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
    o += "<h1>" + e(title) + "</h1>\n<p>";
    for (const auto& r : rs) {
        o += fmt::format("<code>{}</code> ", e(r.profile));
        // a profile file: its path and the profile it derives from
        if (const refimpl::Profile* fp = file_profile(r.profile))
            o += fmt::format("(file <code class=\"profile-file\">{}</code>{}) ", e(fp->source),
                             fp->base.empty() ? std::string() : ", based on <code>" + e(fp->base) + "</code>");
    }
    o += " &mdash; every violation below was replayed through refimpl before it was reported, and is a shortest "
         "counterexample unless its reason says partial-order reduction explored the graph.</p>\n";
    o += "<p class=\"legend\"><span class=\"v-holds\">holds</span><span class=\"v-violated\">VIOLATED</span>"
         "<span class=\"v-unknown\">unknown</span><span class=\"v-na\">n/a</span>"
         "<span class=\"v-covered\">covered</span><span class=\"v-notcovered\">NOT COVERED</span></p>\n";

    // The matrix, in catalog order.
    std::map<std::pair<std::string, std::string>, const Verdict*> at;
    for (const auto& r : rs)
        for (const auto& v : r.verdicts) at[{r.profile, v.property}] = &v;
    std::vector<const props::Property*> shown;
    for (const auto& p : props::all())
        for (const auto& r : rs)
            if (at.count({r.profile, std::string(p.id)})) {
                shown.push_back(&p);
                break;
            }
    o += "<h2 id=\"matrix-heading\">Verdicts</h2>\n<table id=\"matrix\" class=\"matrix\">\n<tr><th>property</th><th>kind</th>";
    for (const auto& r : rs) o += "<th>" + e(r.profile) + "</th>";
    o += "</tr>\n";
    for (const props::Property* p : shown) {
        const std::string id(p->id);
        o += fmt::format("<tr><td><a href=\"#p-{0}\">{0}</a></td><td>{1}</td>", e(id), props::to_string(p->kind));
        for (const auto& r : rs) {
            auto it = at.find({r.profile, id});
            if (it == at.end()) {
                o += "<td class=\"v\">&ndash;</td>";
                continue;
            }
            const Verdict& v = *it->second;
            const std::string text = to_string(v.kind);
            if (v.kind == Verdict::Kind::Violated)
                o += fmt::format("<td class=\"v {}\" title=\"{}\"><a href=\"#{}\">{}</a></td>", verdict_class(v.kind),
                                 e(v.reason), anchor(r.profile, id), e(text));
            else
                o += fmt::format("<td class=\"v {}\" title=\"{}\">{}</td>", verdict_class(v.kind), e(v.reason),
                                 e(text));
        }
        o += "</tr>\n";
    }
    o += "</table>\n";

    // Bounds: every configuration with its state count.
    o += "<h2>Bounds covered</h2>\n<table id=\"bounds\">\n<tr><th>profile</th><th>configuration</th><th>bounds</th>"
         "<th>states</th><th>transitions</th><th>depth</th><th>exhausted</th><th>seconds</th></tr>\n";
    for (const auto& r : rs) {
        if (r.runs.empty()) {
            o += fmt::format("<tr><td>{}</td><td>command line</td><td><code>{}</code></td>{}</tr>\n", e(profile_label(r.profile)),
                             e(r.options.bounds.describe() + (r.options.symmetry ? " symmetry=on" : " symmetry=off")),
                             stats_cell(r.stats));
            continue;
        }
        for (const auto& [name, b, st] : r.runs)
            o += fmt::format("<tr><td>{}</td><td>{}</td><td><code>{}</code></td>{}</tr>\n", e(profile_label(r.profile)), e(name),
                             e(b.describe()), stats_cell(st));
    }
    o += "</table>\n";

    // Properties: claim and citation.
    o += "<h2>Properties</h2>\n<table id=\"properties\">\n<tr><th>id</th><th>kind</th><th>claim</th><th>source</th></tr>\n";
    for (const props::Property* p : shown) {
        std::string claim = e(std::string(p->claim));
        if (!p->refines.empty()) claim += "<br><i>refines " + e(std::string(p->refines)) + ":</i> " + e(std::string(p->note));
        o += fmt::format("<tr id=\"p-{0}\"><td><code>{0}</code></td><td>{1}</td><td>{2}</td><td>{3}</td></tr>\n",
                         e(std::string(p->id)), props::to_string(p->kind), claim,
                         e(std::string(p->source)) + "<br><i>defined at " + e(p->origin()) + "</i>");
    }
    o += "</table>\n";

    // Violations, step by step.
    o += "<h2 id=\"violations\">Violations, step by step</h2>\n";
    o += "<p>Each step shows the statement and the process tree after it: boxes are tasks (name, pid, state, "
         "flags, pidfds), solid arrows go from parent to child, dotted ones from a group leader to its threads, "
         "dashed blue ones from tracer to tracee; boxes outlined in orange changed in that step. Statements by "
         "<code>kernel</code> are steps the kernel takes on its own (exit_notify, release_task).</p>\n";
    int n = 0;
    for (const auto& r : rs)
        for (const auto& v : r.verdicts)
            if (v.kind == Verdict::Kind::Violated && !v.trace.empty()) {
                o += trace_section(r, v);
                ++n;
            }
    if (n == 0) o += "<p>No property was violated.</p>\n";

    // What was not settled or not hit.
    std::string open;
    for (const auto& r : rs)
        for (const auto& v : r.verdicts)
            if (v.kind == Verdict::Kind::Unknown || v.kind == Verdict::Kind::NotCovered)
                open += fmt::format("<li><code>{}</code> {} under {}: {}</li>\n", e(v.property), to_string(v.kind),
                                    e(r.profile), e(v.reason));
    if (!open.empty()) o += "<h2>Not settled, not covered</h2>\n<ul>\n" + open + "</ul>\n";

    // Coverage: vacuous holds first, then each profile's action table.
    std::string vac;
    for (const auto& r : rs)
        for (const Vacuity& v : r.coverage.vacuous)
            vac += fmt::format("<li><code>{}</code> holds under {} vacuously: {}</li>\n", e(v.property), e(r.profile),
                               e(v.why));
    o += "<h2 id=\"coverage\">Coverage</h2>\n";
    o += vac.empty() ? "<p>No holding property was vacuous: every fact a property is about held somewhere.</p>\n"
                     : "<ul id=\"vacuous\">\n" + vac + "</ul>\n";
    for (const auto& r : rs) {
        if (r.coverage.empty()) continue;
        o += fmt::format("<details><summary>{}: {} action classes</summary>\n<table class=\"coverage\">\n"
                         "<tr><th>action</th><th>enabled</th><th>changed the state</th><th>returned an error</th></tr>\n",
                         e(r.profile), r.coverage.actions.size());
        for (const ActionCount& a : r.coverage.actions)
            o += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n", e(a.action),
                             a.enabled, a.changed, a.errors);
        o += "</table>\n</details>\n";
    }
    return o + "</body>\n</html>\n";
}

}  // namespace reapcheck::engine
