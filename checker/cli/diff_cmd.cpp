// reapcheck diff A B [bounds]: the shortest scenario whose observable results
// differ between two profiles, and the behaviours B adds or removes relative
// to A within the bound. A difference is a report, not a failure: exit 0
// whether or not one is found; 3 when a limit stopped the search before the
// bound was covered without finding one.
#include <cstdio>
#include <filesystem>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/engine/diff.hpp"
#include "checker/report/diff_report.hpp"

namespace reapcheck::cli {
namespace {

struct DiffCli {
    BoundsOptions b;
    std::vector<std::string> profiles;
    bool consecutive = false;
    std::string json;
    std::string out;
    bool traces = true;
    engine::DiffOptions d = engine::default_diff_options();
};

void write_pair(const std::string& dir, const engine::PairDiff& d) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw UsageError(dir + ": cannot create the directory (" + ec.message() + ")");
    write_file(dir + "/A.scn", d.trace_a);
    write_file(dir + "/B.scn", d.trace_b);
}

int run_diff(DiffCli& o) {
    if (!o.b.properties.empty()) throw UsageError("--property: diff compares results, not properties");
    if (o.consecutive != o.profiles.empty())
        throw UsageError(o.consecutive ? "diff: give either two profiles or --consecutive, not both"
                                       : "diff: give two profiles A B (or --consecutive)");
    if (!o.consecutive && o.profiles.size() != 2)
        throw UsageError("diff: expected two profiles A B, got " + std::to_string(o.profiles.size()));
    for (const auto& x : o.d.exclude) {
        bool known = false;   // the class starts with a call name of the scenario language
        for (int i = 0; i <= int(scn::Sys::Resume); ++i) {
            const std::string n = scn::to_string(scn::Sys(i));
            known |= x.rfind(n, 0) == 0 && (x.size() == n.size() || x[n.size()] == ' ');
        }
        if (!known) throw UsageError("--exclude: '" + x + "' does not start with a call name (e.g. 'wait4', 'clone3 flags=AUTOREAP')");
    }
    const engine::CheckOptions co = o.b.options();   // parses --exit-codes, limits
    engine::DiffOptions opts = o.d;
    opts.bounds = co.bounds;
    opts.limits = co.limits;
    opts.symmetry = co.symmetry;
    opts.threads = co.threads;
    opts.progress = co.progress;
    install_interrupt_handler(opts.limits);
    std::vector<engine::PairDiff> ds;
    if (o.consecutive) {
        ds = engine::diff_consecutive(opts);
    } else {
        const refimpl::Profile& a = resolve_profile(o.profiles[0], "diff");
        const refimpl::Profile& b = resolve_profile(o.profiles[1], "diff");
        ds.push_back(engine::diff(a, b, opts));
    }
    for (const auto& d : ds) std::fputs((engine::format_diff(d, o.traces) + (ds.size() > 1 ? "\n" : "")).c_str(), stdout);
    if (!o.json.empty()) write_file(o.json, engine::to_json(ds).dump(2) + "\n");
    if (!o.out.empty())
        for (const auto& d : ds)
            if (d.verdict == engine::PairDiff::Verdict::Different)
                write_pair(o.consecutive ? o.out + "/" + d.a + "_" + d.b : o.out, d);
    bool unknown = false;
    for (const auto& d : ds) unknown |= d.verdict == engine::PairDiff::Verdict::Unknown;
    if (o.consecutive && ds.size() + 1 < refimpl::all_profiles().size()) unknown = true;   // interrupted
    return unknown ? kExitUnknown : kExitOk;
}

Register reg_diff{{"diff", [](CLI::App& app) {
    auto* sub = app.add_subcommand(
        "diff", "Shortest scenario whose observable results differ between profiles A and B, and what B adds or removes");
    auto o = std::make_shared<DiffCli>();
    o->b.b = o->d.bounds;   // diff's defaults, shown by --help
    sub->add_option("profiles", o->profiles, "Profiles A B: built-in names or profile files (docs/profiles.md)");
    sub->add_flag("--consecutive", o->consecutive,
                  "Diff every consecutive pair: linux-6.18 -> rfc-v1 -> rfc-v3 -> v4 -> v5 -> mainline");
    sub->add_option("--json", o->json, "Write the result as JSON to this file (docs/json-schema.md)");
    sub->add_option("--out", o->out, "Write the two traces as DIR/A.scn and DIR/B.scn (--consecutive: DIR/A_B/)");
    sub->add_flag("!--no-traces", o->traces, "Do not print the traces");
    sub->add_flag("--first", o->d.first_only, "Stop at the first difference (the summary then covers only that far)");
    sub->add_flag("--probes,!--no-probes", o->d.probes,
                  "Read-only probes in the alphabet: poll, pidfd_info EXIT, getppid, sigpending peek");
    sub->add_flag("--nnp,!--no-nnp", o->d.nnp, "clone3 with CLONE_NNP in the clone domain");
    sub->add_flag("--capset,!--no-capset", o->d.capset, "capset drop (CAP_SYS_ADMIN) in the alphabet");
    sub->add_option("--exclude", o->d.exclude,
                    "Leave out calls whose class starts with this text, e.g. 'wait4' or 'clone3 flags=AUTOREAP' (repeatable)");
    o->b.add(*sub);
    return std::function<int()>([o] { return run_diff(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
