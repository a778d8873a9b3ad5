// Report outputs shared by check and review: ITF traces, DOT pictures of
// every trace, one HTML page, C programs of every trace.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "checker/cli/bounds_options.hpp"
#include "checker/report/dot.hpp"
#include "checker/report/export_c.hpp"
#include "checker/report/html.hpp"
#include "checker/report/itf.hpp"
#include "checker/report/report.hpp"
#include "checker/scenario/parser.hpp"

namespace reapcheck::cli {

struct ReportOptions {
    std::string itf_dir, dot_dir, html, c_dir;

    void add(CLI::App& sub) {
        sub.add_option("--itf", itf_dir, "Write every trace in the Informal Trace Format as DIR/<profile>.<property>.itf.json");
        sub.add_option("--dot", dot_dir, "Write the process tree at every step of every trace as DIR/<profile>.<property>.dot (one cluster per step)");
        sub.add_option("--html", html, "Write one self-contained HTML report (matrix, bounds, claims, every violation drawn step by step)");
        sub.add_option("--c-dir", c_dir, "Write every trace as a kselftest-style C program DIR/<profile>.<property>.c");
    }

    static void make_dir(const std::string& dir) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) throw UsageError(dir + ": cannot create the directory (" + ec.message() + ")");
    }

    /// Before a long exploration: the directories exist and the HTML file's
    /// directory too, so a typo costs one error line, not a lost run.
    void prepare() const {
        for (const std::string* d : {&itf_dir, &dot_dir, &c_dir})
            if (!d->empty()) make_dir(*d);
        if (!html.empty()) {
            const auto parent = std::filesystem::path(html).parent_path();
            if (!parent.empty() && !std::filesystem::is_directory(parent))
                throw UsageError(html + ": cannot write the file (no directory " + parent.string() + ")");
        }
    }

    void write(const std::vector<engine::CheckResult>& rs, const std::string& title) const {
        prepare();
        for (const auto& r : rs)
            for (const auto& v : r.verdicts) {
                if (v.trace.empty()) continue;
                const std::string base = r.profile + "." + v.property;
                if (!itf_dir.empty() || !dot_dir.empty()) {
                    const engine::WorldTrace wt = engine::replay_world_text(v.trace, base + ".scn");
                    if (!itf_dir.empty())
                        write_file(itf_dir + "/" + engine::itf_file_name(r.profile, v.property),
                                   engine::to_itf(wt, base + ".scn", v.reason).dump(2) + "\n");
                    if (!dot_dir.empty())
                        write_file(dot_dir + "/" + base + ".dot",
                                   engine::trace_dot(wt, v.property + " " + engine::to_string(v.kind)));
                }
                if (!c_dir.empty())
                    write_file(c_dir + "/" + base + ".c",
                               engine::export_c(scn::parse_text(v.trace, base + ".scn"), r.profile,
                                                engine::c_identifier(base)));
            }
        if (!html.empty()) write_file(html, engine::html_report(rs, title));
    }
};

}  // namespace reapcheck::cli
