// reapcheck mutate [--mutant ID]... [--profile P]... [bounds] [--json F]
// reapcheck audit FILE.scn... [--mutant ID]... [--json F]
// Mutation analysis of the property catalog and of scenarios
// (checker/engine/mutate.hpp, docs/mutation.md). The mutants are independent:
// each (mutant, profile) pair runs in a forked child, at most --jobs at once;
// a child that dies (a mutant driving refimpl somewhere it crashes) costs
// that pair only.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/command.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/engine/mutate.hpp"
#include "checker/engine/suite.hpp"

namespace reapcheck::cli {
namespace {

using engine::MutantRun;
using refimpl::Mutant;

/// Runs each task in a forked child (at most `jobs` at a time) and returns
/// the JSON each wrote; a child that fails gives {"error": why}.
std::vector<nlohmann::json> run_forked(const std::vector<std::function<nlohmann::json()>>& tasks, int jobs,
                                       const std::function<void(std::size_t, const nlohmann::json&)>& done = {}) {
    namespace fs = std::filesystem;
    std::vector<nlohmann::json> out(tasks.size());
    char tmpl[] = "/tmp/reapcheck-mutate-XXXXXX";
    const char* dir = ::mkdtemp(tmpl);
    if (!dir) throw std::runtime_error("mutate: cannot create a temporary directory");
    auto file_of = [&](std::size_t i) { return std::string(dir) + "/" + std::to_string(i) + ".json"; };
    std::map<pid_t, std::size_t> running;
    std::size_t next = 0;
    std::fflush(stdout);
    std::fflush(stderr);
    while (next < tasks.size() || !running.empty()) {
        while (next < tasks.size() && int(running.size()) < jobs && !interrupted()) {
            const pid_t pid = ::fork();
            if (pid < 0) throw std::runtime_error("mutate: fork failed");
            if (pid == 0) {
                int code = 0;
                nlohmann::json j;
                try {
                    j = tasks[next]();
                } catch (const std::exception& e) {
                    j = {{"error", e.what()}};
                    code = 1;
                }
                std::ofstream(file_of(next)) << j.dump();
                std::fflush(nullptr);
                ::_exit(code);
            }
            running.emplace(pid, next++);
        }
        if (running.empty()) break;
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) {
                if (interrupted())
                    for (const auto& [p, i] : running) ::kill(p, SIGTERM);
                continue;
            }
            break;
        }
        auto it = running.find(pid);
        if (it == running.end()) continue;
        const std::size_t i = it->second;
        running.erase(it);
        std::ifstream in(file_of(i));
        std::stringstream ss;
        ss << in.rdbuf();
        if (WIFSIGNALED(status)) {
            out[i] = {{"error", "the child died of signal " + std::to_string(WTERMSIG(status))}};
        } else {
            try {
                out[i] = nlohmann::json::parse(ss.str());
            } catch (const std::exception&) {
                out[i] = {{"error", "the child wrote no result (exit " + std::to_string(WEXITSTATUS(status)) + ")"}};
            }
        }
        if (done) done(i, out[i]);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return out;
}

std::vector<const Mutant*> select_mutants(const std::vector<std::string>& ids) {
    std::vector<const Mutant*> ms;
    if (ids.empty())
        for (const Mutant& m : refimpl::mutants()) ms.push_back(&m);
    for (const auto& id : ids) {
        const Mutant* m = refimpl::find_mutant(id);
        if (!m) throw UsageError("--mutant: unknown mutant '" + id + "' (see 'reapcheck mutate --list')");
        ms.push_back(m);
    }
    return ms;
}

std::string applies_to(const Mutant& m) {
    std::string s;
    for (const auto& p : refimpl::all_profiles())
        if (!m.applies || m.applies(p)) s += (s.empty() ? "" : ",") + p.name;
    return s;
}

struct MutateCli {
    BoundsOptions b;
    std::vector<std::string> mutants, profiles, scenarios;
    std::string json;
    bool list = false, traces = false, diff = true;
    double diff_time = 60;
};

int run_list(const std::vector<const Mutant*>& ms) {
    for (const Mutant* m : ms)
        std::printf("%-42s %-36s %s\n    applies to: %s\n", std::string(m->id).c_str(),
                    std::string(m->function).c_str(), std::string(m->what).c_str(), applies_to(*m).c_str());
    std::printf("%zu mutants\n", ms.size());
    return kExitOk;
}

/// mutate with scenario files: which statement of which file kills each mutant.
int run_with_scenarios(const MutateCli& o, const std::vector<const Mutant*>& ms) {
    std::vector<engine::AuditFile> fs;
    bool bad = false;
    for (const auto& f : o.scenarios) {
        auto sc = parse_or_report(f);
        if (!sc) {
            bad = true;
            continue;
        }
        const std::string prof = o.profiles.empty() ? sc->profile.value_or("mainline") : resolve_profile_name(o.profiles.front());
        if (!refimpl::find_profile(prof)) throw UsageError("--profile: unknown profile '" + prof + "'");
        fs.push_back(engine::audit_scenario(*sc, prof, ms));
    }
    nlohmann::json j;
    int survivors = 0;
    for (const Mutant* m : ms) {
        std::string by, id(m->id);
        bool applies = false;
        for (const auto& f : fs) {
            if (std::find(f.applicable.begin(), f.applicable.end(), id) != f.applicable.end()) applies = true;
            for (const auto& l : f.lines)
                if (std::find(l.first_kills.begin(), l.first_kills.end(), id) != l.first_kills.end()) {
                    by = f.file + ":" + std::to_string(l.loc.line) + ": " + l.statement;
                    break;
                }
            if (!by.empty()) break;
        }
        const char* status = !applies ? "n/a" : by.empty() ? "SURVIVES" : "killed";
        survivors += applies && by.empty();
        std::printf("%-42s %-9s %s\n", id.c_str(), status, by.c_str());
        j["mutants"].push_back({{"id", id}, {"status", status}, {"killed_by", by}});
    }
    std::printf("%d survivors\n", survivors);
    if (!o.json.empty()) {
        j["tool"] = "reapcheck";
        j["schema"] = 1;
        j["audit"] = engine::audit_json(fs, ms);
        write_file(o.json, j.dump(2) + "\n");
    }
    return bad ? kExitUsage : kExitOk;
}

int run_mutate(const MutateCli& o) {
    const auto ms = select_mutants(o.mutants);
    if (o.list) return run_list(ms);
    if (!o.json.empty()) check_writable("--json", o.json);
    if (!o.scenarios.empty()) return run_with_scenarios(o, ms);
    std::vector<const refimpl::Profile*> ps;
    if (o.profiles.empty())
        for (const auto& p : refimpl::all_profiles()) ps.push_back(&p);
    for (const auto& n : o.profiles) ps.push_back(&resolve_profile(n));
    engine::MutateOptions mo;
    mo.base = o.b.options();
    install_interrupt_handler(mo.base.limits);
    mo.suite = o.b.given() ? std::vector<engine::NamedBounds>{{"command-line", mo.base.bounds}} : engine::default_suite();
    mo.diff_survivors = o.diff;
    mo.diff_seconds = o.diff_time;
    // --jobs (of the bounds options) is the number of child processes here;
    // each child explores on one thread, since the processes already use
    // every processor.
    const int jobs = o.b.jobs;
    mo.base.threads = 1;
    mo.base.progress = false;

    // Phase 1: the correct model's review of each profile some mutant applies to.
    std::vector<const refimpl::Profile*> used;
    for (const auto* p : ps)
        for (const Mutant* m : ms)
            if (!m->applies || m->applies(*p)) {
                used.push_back(p);
                break;
            }
    std::fprintf(stderr, "mutate: reviewing the correct model under %zu profiles (%d jobs) ...\n", used.size(), jobs);
    std::vector<std::function<nlohmann::json()>> tasks;
    for (const auto* p : used)
        tasks.push_back([p, &mo] {
            const engine::CheckResult r = engine::baseline(*p, mo);
            nlohmann::json j;
            for (const auto& v : r.verdicts) j["verdicts"].push_back({v.property, int(v.kind)});
            j["model_errors"] = r.model_errors;
            return j;
        });
    const auto base_json = run_forked(tasks, jobs);
    std::map<std::string, engine::CheckResult> base;
    for (std::size_t i = 0; i < used.size(); ++i) {
        const auto& j = base_json[i];
        if (j.contains("error") || !j["model_errors"].empty())
            throw std::runtime_error("mutate: the correct model's review under " + used[i]->name +
                                     " failed: " + j.dump());
        engine::CheckResult r;
        r.profile = used[i]->name;
        for (const auto& v : j["verdicts"]) {
            engine::Verdict vd;
            vd.property = v[0];
            vd.kind = engine::Verdict::Kind(v[1].get<int>());
            r.verdicts.push_back(vd);
        }
        base[used[i]->name] = std::move(r);
    }
    if (interrupted()) return kExitUnknown;

    // Phase 2: every (mutant, profile) pair.
    std::fprintf(stderr, "mutate: %zu mutants x %zu profiles ...\n", ms.size(), ps.size());
    tasks.clear();
    std::vector<std::pair<const Mutant*, const refimpl::Profile*>> pairs;
    for (const Mutant* m : ms)
        for (const auto* p : ps) {
            pairs.emplace_back(m, p);
            if (m->applies && !m->applies(*p)) continue;
            tasks.push_back([m, p, &mo, &base] {
                MutantRun r = engine::run_mutant(*p, *m, base.at(p->name), mo);
                if ((r.status == MutantRun::Status::Survived || r.status == MutantRun::Status::Equivalent) &&
                    mo.diff_survivors)
                    engine::diff_survivor(*p, *m, mo, r);
                return engine::to_json(r);
            });
        }
    std::size_t finished = 0;
    const auto got = run_forked(tasks, jobs, [&](std::size_t, const nlohmann::json& j) {
        // progress on stderr, one line per finished pair
        std::fprintf(stderr, "mutate: [%zu/%zu] %s %s: %s\n", ++finished, tasks.size(),
                     j.value("mutant", std::string("?")).c_str(), j.value("profile", std::string("?")).c_str(),
                     j.value("status", j.value("error", std::string("?"))).c_str());
    });
    std::vector<MutantRun> rs;
    std::size_t k = 0;
    for (const auto& [m, p] : pairs) {
        if (m->applies && !m->applies(*p)) {
            MutantRun r;
            r.mutant = std::string(m->id);
            r.profile = p->name;
            rs.push_back(r);
            continue;
        }
        const auto& j = got[k++];
        if (j.contains("error") || j.is_null()) {
            MutantRun r;
            r.mutant = std::string(m->id);
            r.profile = p->name;
            r.status = MutantRun::Status::Unknown;
            r.model_errors.push_back(j.is_null() ? std::string("not run (interrupted)") : j["error"].get<std::string>());
            rs.push_back(r);
            continue;
        }
        rs.push_back(engine::mutant_run_from_json(j));
    }
    std::fputs(engine::format_mutation(rs, o.traces || !o.mutants.empty()).c_str(), stdout);
    if (!o.json.empty()) write_file(o.json, engine::mutation_json(rs).dump(2) + "\n");
    if (interrupted()) return kExitUnknown;
    for (const auto& r : rs)
        if (r.status == MutantRun::Status::Unknown) return kExitUnknown;
    return kExitOk;
}

Register reg_mutate{{"mutate", [](CLI::App& app) {
    auto* sub = app.add_subcommand("mutate", "Mutation analysis: which semantic mutants of refimpl the catalog (or scenarios) kill");
    auto o = std::make_shared<MutateCli>();
    sub->add_option("--mutant", o->mutants, "Mutants to run (repeatable; default: all; see --list)");
    sub->add_option("--profile", o->profiles, "Profiles: built-in names or profile files (repeatable; default: all six)");
    sub->add_flag("--list", o->list, "Print the mutants with their ids, functions and profiles");
    sub->add_option("--scenarios", o->scenarios, "Run these scenario files instead of the review: which statement kills each mutant");
    sub->add_option("--json", o->json, "Write the results as JSON to this file");
    sub->add_flag("--traces", o->traces, "Print the killing property's trace and the survivors' diff traces");
    sub->add_flag("!--no-diff", o->diff, "Do not diff survivors against the correct model");
    sub->add_option("--diff-time", o->diff_time, "Time limit of each survivor diff, seconds")->check(CLI::Range(1.0, 1e6));
    o->b.add(*sub);
    return std::function<int()>([o] { return run_mutate(*o); });
}}};

struct AuditCli {
    std::vector<std::string> files, mutants;
    std::string profile, json;
};

int run_audit(const AuditCli& o) {
    const auto ms = select_mutants(o.mutants);
    if (!o.json.empty()) check_writable("--json", o.json);
    const std::string given = o.profile.empty() ? std::string() : resolve_profile_name(o.profile);
    std::vector<engine::AuditFile> fs;
    bool bad = false, failed = false;
    for (const auto& f : o.files) {
        auto sc = parse_or_report(f);
        if (!sc) {
            bad = true;
            continue;
        }
        const std::string prof = given.empty() ? sc->profile.value_or("mainline") : given;
        if (!refimpl::find_profile(prof)) {
            std::fprintf(stderr, "reapcheck: %s: unknown profile '%s'\n", sc->profile_loc.str().c_str(), prof.c_str());
            bad = true;
            continue;
        }
        fs.push_back(engine::audit_scenario(*sc, prof, ms));
        failed |= !fs.back().correct_ok;
    }
    std::fputs(engine::format_audit(fs, ms).c_str(), stdout);
    if (!o.json.empty()) write_file(o.json, engine::audit_json(fs, ms).dump(2) + "\n");
    if (bad) return kExitUsage;
    return failed ? kExitFailed : kExitOk;
}

Register reg_audit{{"audit", [](CLI::App& app) {
    auto* sub = app.add_subcommand("audit", "The strength of scenarios: which mutants each checked statement kills");
    auto o = std::make_shared<AuditCli>();
    sub->add_option("files", o->files, "Scenario files (.scn)")->required();
    sub->add_option("--mutant", o->mutants, "Mutants (repeatable; default: all)");
    sub->add_option("--profile", o->profile, "Profile, a built-in name or a profile file (overrides the files' profile lines)");
    sub->add_option("--json", o->json, "Write the audit as JSON to this file");
    return std::function<int()>([o] { return run_audit(*o); });
}}};

}  // namespace
}  // namespace reapcheck::cli
