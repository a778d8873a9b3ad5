#include "checker/engine/mutate.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "checker/scenario/parser.hpp"
#include "checker/scenario/printer.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"

namespace reapcheck::engine {

using namespace refimpl;

const char* to_string(MutantRun::Status s) {
    switch (s) {
    case MutantRun::Status::Killed: return "killed";
    case MutantRun::Status::Survived: return "SURVIVES";
    case MutantRun::Status::ModelError: return "model error";
    case MutantRun::Status::Unknown: return "unknown";
    case MutantRun::Status::NotApplicable: return "n/a";
    case MutantRun::Status::Equivalent: return "equivalent";
    }
    return "?";
}

CheckResult baseline(const Profile& p, const MutateOptions& o) { return check_suite(p, o.suite, o.base); }

namespace {
bool complete(const Stats& st) { return st.exhausted || st.stop_reason.rfind("depth bound", 0) == 0; }
}  // namespace

MutantRun run_mutant(const Profile& p, const Mutant& m, const CheckResult& base, const MutateOptions& o) {
    MutantRun r;
    r.mutant = std::string(m.id);
    r.profile = p.name;
    if (m.applies && !m.applies(p)) return r;
    const Profile q = mutated(p, m);
    std::map<std::string, Verdict::Kind> correct;
    CheckOptions opts = o.base;
    for (const Verdict& v : base.verdicts) {
        correct[v.property] = v.kind;
        const props::Property* pr = props::find(v.property);
        if (!pr) continue;
        const bool safety = pr->kind == props::Kind::Always || pr->kind == props::Kind::Step;
        if ((safety && v.kind == Verdict::Kind::Holds) ||
            (pr->kind == props::Kind::Sometimes && v.kind == Verdict::Kind::NotCovered))
            opts.stop_when_found.push_back(v.property);
    }
    // A verdict that settles differently: a violation where the correct
    // model holds, a cover hit that the correct model never hits. Both are
    // monotone (more depth only finds more), so a depth-capped run may
    // report them; `complete` adds the changes only a finished review shows.
    auto collect = [&](const CheckResult& mr, bool complete_run) {
        for (const Verdict& v : mr.verdicts) {
            auto it = correct.find(v.property);
            if (it == correct.end()) continue;
            const Verdict::Kind b = it->second;
            bool kill = false;
            if (v.kind == Verdict::Kind::Violated && b != Verdict::Kind::Violated) kill = true;
            if (v.kind == Verdict::Kind::Covered && b == Verdict::Kind::NotCovered) kill = true;
            if (complete_run && v.kind != b && v.kind != Verdict::Kind::Unknown && b != Verdict::Kind::Unknown)
                kill = true;
            if (kill)
                r.kills.push_back({v.property, engine::to_string(b), engine::to_string(v.kind), v.reason, v.trace});
        }
    };
    auto run = [&](const std::vector<NamedBounds>& suite, CheckResult& mr) {
        try {
            mr = check_suite(q, suite, opts);
        } catch (const std::exception& e) {   // an engine bug under the mutant (a trace that does not replay)
            r.status = MutantRun::Status::Unknown;
            r.model_errors.push_back(std::string("engine: ") + e.what());
            return false;
        }
        r.seconds += mr.stats.seconds;
        r.states += mr.stats.states;
        return true;
    };
    // Pass 1: every configuration of the suite to depth shallow_depth at
    // most. Most mutants break a property within a few steps in one of them
    // (BFS finds the shortest counterexample first), and this finds it
    // without exhausting the configurations that come before it.
    CheckResult mr;
    if (o.shallow_depth > 0) {
        std::vector<NamedBounds> shallow = o.suite;
        bool capped = false;
        for (NamedBounds& nb : shallow) {
            if (nb.bounds.depth == 0 || nb.bounds.depth > o.shallow_depth) {
                nb.bounds.depth = o.shallow_depth;
                capped = true;
            }
            nb.liveness = false;
        }
        if (capped) {
            if (!run(shallow, mr)) return r;
            collect(mr, false);
            if (!r.kills.empty()) {
                r.status = MutantRun::Status::Killed;
                return r;
            }
            // A broken refimpl contract already tells this mutant from the
            // correct model (the review would print MODEL ERROR and exit 3).
            if (!mr.model_errors.empty()) {
                r.model_errors = mr.model_errors;
                r.status = MutantRun::Status::ModelError;
                return r;
            }
        }
    }
    // Pass 2: the review itself.
    if (!run(o.suite, mr)) return r;
    r.model_errors = mr.model_errors;
    bool early = false, all_complete = true;
    for (const auto& rn : mr.runs) {
        const Stats& st = std::get<2>(rn);
        early |= st.stop_reason == "every property settled";
        all_complete &= complete(st);
    }
    collect(mr, !early && all_complete);
    if (!r.kills.empty()) r.status = MutantRun::Status::Killed;
    else if (!r.model_errors.empty()) r.status = MutantRun::Status::ModelError;
    else if (!all_complete && !early) r.status = MutantRun::Status::Unknown;
    else if (!m.equivalent.empty()) r.status = MutantRun::Status::Equivalent;
    else r.status = MutantRun::Status::Survived;
    return r;
}

void diff_survivor(const Profile& p, const Mutant& m, const MutateOptions& o, MutantRun& r) {
    const Profile q = mutated(p, m);
    // Two alphabets: diff's default one (four tasks, depth 3, pidfds, exec,
    // kill, subreapers, sigaction, probes), then threads and ptrace.
    std::vector<DiffOptions> tries;
    DiffOptions d = default_diff_options();
    d.first_only = true;
    d.limits.max_seconds = o.diff_seconds;
    d.limits.interrupt = o.base.limits.interrupt;
    tries.push_back(d);
    d.bounds.tasks = 3;
    d.bounds.threads = 2;
    d.bounds.ptrace = true;
    d.bounds.depth = 4;
    d.bounds.autokill = false;
    tries.push_back(d);
    r.diffed = true;
    for (const DiffOptions& t : tries) {
        PairDiff pd;
        try {
            pd = diff(p, q, t);
        } catch (const std::exception& e) {
            r.diff_verdict = "unknown";
            r.diff_bound = std::string("the mutant broke a refimpl contract in the diff: ") + e.what();
            continue;
        }
        r.diff_verdict = engine::to_string(pd.verdict);
        r.diff_bound = pd.bound();
        if (pd.verdict == PairDiff::Verdict::Different) {
            // a declared equivalent mutant that behaves differently is not one
            if (r.status == MutantRun::Status::Equivalent) r.status = MutantRun::Status::Survived;
            r.diff_statement = pd.statement;
            r.diff_correct = pd.result_a;
            r.diff_mutant = pd.result_b;
            r.diff_trace_correct = pd.trace_a;
            r.diff_trace_mutant = pd.trace_b;
            r.diff_steps = pd.steps;
            return;
        }
    }
}

nlohmann::json to_json(const MutantRun& r) {
    nlohmann::json j = {{"mutant", r.mutant}, {"profile", r.profile}, {"status", to_string(r.status)},
                        {"seconds", r.seconds}, {"states", r.states}};
    j["kills"] = nlohmann::json::array();
    for (const auto& k : r.kills)
        j["kills"].push_back({{"property", k.property}, {"correct", k.correct}, {"mutant", k.mutant},
                              {"reason", k.configuration}, {"trace", k.trace}});
    j["model_errors"] = r.model_errors;
    if (r.diffed)
        j["diff"] = {{"verdict", r.diff_verdict}, {"bound", r.diff_bound}, {"statement", r.diff_statement},
                     {"correct", r.diff_correct}, {"mutant", r.diff_mutant}, {"steps", r.diff_steps},
                     {"trace_correct", r.diff_trace_correct}, {"trace_mutant", r.diff_trace_mutant}};
    return j;
}

MutantRun mutant_run_from_json(const nlohmann::json& j) {
    MutantRun r;
    r.mutant = j.at("mutant");
    r.profile = j.at("profile");
    const std::string st = j.at("status");
    for (auto s : {MutantRun::Status::Killed, MutantRun::Status::Survived, MutantRun::Status::ModelError,
                   MutantRun::Status::Unknown, MutantRun::Status::NotApplicable, MutantRun::Status::Equivalent})
        if (st == to_string(s)) r.status = s;
    r.seconds = j.at("seconds");
    r.states = j.at("states");
    for (const auto& k : j.at("kills"))
        r.kills.push_back({k.at("property"), k.at("correct"), k.at("mutant"), k.at("reason"), k.at("trace")});
    r.model_errors = j.at("model_errors").get<std::vector<std::string>>();
    if (j.contains("diff")) {
        const auto& d = j["diff"];
        r.diffed = true;
        r.diff_verdict = d.at("verdict");
        r.diff_bound = d.at("bound");
        r.diff_statement = d.at("statement");
        r.diff_correct = d.at("correct");
        r.diff_mutant = d.at("mutant");
        r.diff_steps = d.at("steps");
        r.diff_trace_correct = d.at("trace_correct");
        r.diff_trace_mutant = d.at("trace_mutant");
    }
    return r;
}

namespace {

std::string indent(const std::string& text, const char* pad = "      ") {
    std::string o;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = text.find('\n', i);
        if (j == std::string::npos) j = text.size();
        o += pad + text.substr(i, j - i) + "\n";
        i = j + 1;
    }
    return o;
}

struct Score {
    int applicable = 0, killed = 0, survived = 0, model_error = 0, unknown = 0, equivalent = 0;
    /// Killed, or stopped by a broken refimpl contract (the review reports
    /// MODEL ERROR: the mutant does not pass unnoticed).
    [[nodiscard]] int detected() const { return killed + model_error; }
    [[nodiscard]] int non_equivalent() const { return applicable - equivalent; }
    [[nodiscard]] double score() const { return non_equivalent() ? double(detected()) / non_equivalent() : 0.0; }
};

std::vector<std::pair<std::string, Score>> scores(const std::vector<MutantRun>& rs) {
    std::vector<std::pair<std::string, Score>> out;
    for (const auto& p : all_profiles()) {
        Score s;
        bool any = false;
        for (const auto& r : rs) {
            if (r.profile != p.name) continue;
            any = true;
            if (r.status == MutantRun::Status::NotApplicable) continue;
            ++s.applicable;
            s.killed += r.status == MutantRun::Status::Killed;
            s.survived += r.status == MutantRun::Status::Survived;
            s.model_error += r.status == MutantRun::Status::ModelError;
            s.unknown += r.status == MutantRun::Status::Unknown;
            s.equivalent += r.status == MutantRun::Status::Equivalent;
        }
        if (any) out.emplace_back(p.name, s);
    }
    return out;
}

}  // namespace

std::string format_mutation(const std::vector<MutantRun>& rs, bool traces) {
    std::string o;
    std::string cur;
    for (const auto& r : rs) {
        if (r.mutant != cur) {
            cur = r.mutant;
            const Mutant* m = find_mutant(cur);
            o += fmt::format("\nmutant {} ({})\n  {}\n", cur, m ? m->function : "?", m ? m->what : "");
        }
        o += fmt::format("  {:<11} {}", r.profile, to_string(r.status));
        if (r.status == MutantRun::Status::Killed) {
            std::string by;
            for (const auto& k : r.kills) by += (by.empty() ? "" : ", ") + k.property + " (" + k.correct + " -> " + k.mutant + ")";
            o += " by " + by;
        }
        if (r.status != MutantRun::Status::NotApplicable)
            o += fmt::format("  [{} states, {:.1f} s]", r.states, r.seconds);
        o += "\n";
        for (const auto& e : r.model_errors) o += indent("model error: " + e);
        if (r.status == MutantRun::Status::Equivalent) {
            const Mutant* m = find_mutant(r.mutant);
            if (m) o += indent("why: " + std::string(m->equivalent));
        }
        if (traces && r.status == MutantRun::Status::Killed && !r.kills.empty()) {
            o += "      " + r.kills.front().configuration + "\n";
            if (!r.kills.front().trace.empty()) o += indent(r.kills.front().trace, "        ");
        }
        if (r.diffed) {
            if (r.diff_verdict == to_string(PairDiff::Verdict::Different)) {
                o += fmt::format("      diff: after {} steps, {} gives {} on the correct model and {} under the mutant\n",
                                 r.diff_steps, r.diff_statement, r.diff_correct, r.diff_mutant);
                if (traces) o += indent(r.diff_trace_mutant, "        ");
            } else {
                o += fmt::format("      diff: no observable difference ({}): {}\n", r.diff_verdict, r.diff_bound);
            }
        }
    }
    o += "\nmutation score (killed or model error / applicable and not equivalent)\n";
    Score total;
    for (const auto& [name, s] : scores(rs)) {
        o += fmt::format("  {:<11} {:>3} / {:<3} {:5.1f}%  killed {}, model error {}, equivalent {}, survived {}, "
                         "unknown {} ({} applicable)\n",
                         name, s.detected(), s.non_equivalent(), 100.0 * s.score(), s.killed, s.model_error,
                         s.equivalent, s.survived, s.unknown, s.applicable);
        total.applicable += s.applicable;
        total.killed += s.killed;
        total.model_error += s.model_error;
        total.equivalent += s.equivalent;
    }
    o += fmt::format("  {:<11} {:>3} / {:<3} {:5.1f}%\n", "all", total.detected(), total.non_equivalent(),
                     100.0 * total.score());
    return o;
}

nlohmann::json mutation_json(const std::vector<MutantRun>& rs) {
    nlohmann::json j;
    j["tool"] = "reapcheck";
    j["schema"] = 1;
    std::string cur;
    for (const auto& r : rs) {
        if (r.mutant != cur) {
            cur = r.mutant;
            const Mutant* m = find_mutant(cur);
            j["mutants"].push_back({{"id", cur},
                                    {"function", m ? std::string(m->function) : ""},
                                    {"what", m ? std::string(m->what) : ""},
                                    {"runs", nlohmann::json::array()}});
        }
        j["mutants"].back()["runs"].push_back(to_json(r));
    }
    for (const auto& [name, s] : scores(rs))
        j["scores"].push_back({{"profile", name},
                               {"applicable", s.applicable},
                               {"killed", s.killed},
                               {"survived", s.survived},
                               {"model_error", s.model_error},
                               {"unknown", s.unknown},
                               {"equivalent", s.equivalent},
                               {"score", s.score()}});
    return j;
}

// ---- audit --------------------------------------------------------------------

namespace {

bool checked(const scn::Statement& st) { return st.kind == scn::Statement::Kind::Expect || st.expected; }

/// Lines (statement indices) at which `sc` fails under `p`: mismatches, and
/// the statement that cannot run or breaks a refimpl contract (the run stops
/// there; `contract` says which).
std::vector<std::size_t> failing(const scn::Scenario& sc, const Profile& p, std::string& problem, bool& contract) {
    std::vector<std::size_t> out;
    scn::RefimplExecutor ex(p, sc.explicit_steps);
    std::size_t done = 0;
    try {
        scn::run_scenario(sc, ex, [&](const scn::Statement&, const scn::LineReport& l) {
            if (l.kind == scn::LineReport::Kind::Mismatch) {
                out.push_back(done);
                if (problem.empty())
                    problem = fmt::format("{}: {}: expected {}, observed {}", l.loc.str(), l.statement, l.expected,
                                          l.observed);
            }
            ++done;
        });
    } catch (const scn::ParseError& e) {   // the statement cannot run (actor gone, blocked, ...)
        out.push_back(done);
        if (problem.empty()) problem = e.what();
    } catch (const ContractError& e) {
        // The mutated kernel reaches a state refimpl's contracts exclude at
        // this statement: the statement exposes it (counted as a kill).
        contract = true;
        out.push_back(done);
        if (problem.empty()) problem = std::string("refimpl contract: ") + e.what();
    }
    return out;
}

}  // namespace

AuditFile audit_scenario(const scn::Scenario& sc, const std::string& profile, const std::vector<const Mutant*>& ms) {
    AuditFile f;
    f.file = sc.file;
    f.profile = profile;
    const Profile* p = find_profile(profile);
    if (!p) throw std::invalid_argument("unknown profile " + profile);
    bool contract = false;
    if (!failing(sc, *p, f.correct_problem, contract).empty() || contract) f.correct_ok = false;
    std::vector<AuditLine> lines(sc.statements.size());
    for (std::size_t i = 0; i < sc.statements.size(); ++i) {
        lines[i].loc = sc.statements[i].loc;
        lines[i].statement = scn::print_statement(sc.statements[i]);
        lines[i].expect = sc.statements[i].kind == scn::Statement::Kind::Expect;
    }
    for (const Mutant* m : ms) {
        if (m->applies && !m->applies(*p)) continue;
        f.applicable.emplace_back(m->id);
        if (!f.correct_ok) continue;
        std::string problem;
        bool broke = false;
        const auto fails = failing(sc, mutated(*p, *m), problem, broke);
        for (std::size_t i : fails) {
            if (i >= lines.size()) continue;
            lines[i].kills.emplace_back(m->id);
            if (i == fails.front()) lines[i].first_kills.emplace_back(m->id);
        }
        if (fails.empty()) f.survivors.emplace_back(m->id);
    }
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (checked(sc.statements[i]) || !lines[i].kills.empty()) f.lines.push_back(std::move(lines[i]));
    return f;
}

namespace {
std::string join(const std::vector<std::string>& xs) {
    std::string s;
    for (const auto& x : xs) s += (s.empty() ? "" : ", ") + x;
    return s;
}
}  // namespace

std::string format_audit(const std::vector<AuditFile>& fs, const std::vector<const Mutant*>& ms) {
    std::string o;
    std::map<std::string, int> killed_in, applicable_in;
    int weak = 0, lines = 0;
    for (const AuditFile& f : fs) {
        o += fmt::format("{} (profile {}): {} mutants apply\n", f.file, f.profile, f.applicable.size());
        if (!f.correct_ok) {
            o += "  FAILS on the correct model: " + f.correct_problem + "\n";
            continue;
        }
        for (const auto& id : f.applicable) ++applicable_in[id];
        for (const AuditLine& l : f.lines) {
            ++lines;
            if (l.kills.empty()) ++weak;
            o += fmt::format("  {:<4} {:<60} {}\n", std::to_string(l.loc.line),
                             l.statement.size() > 60 ? l.statement.substr(0, 57) + "..." : l.statement,
                             l.kills.empty() ? std::string("WEAK: kills no mutant")
                                             : fmt::format("kills {}", l.kills.size()));
            if (!l.kills.empty()) o += "       " + join(l.kills) + "\n";
        }
        std::set<std::string> dead;
        for (const AuditLine& l : f.lines)
            for (const auto& k : l.kills) dead.insert(k);
        for (const auto& k : dead) ++killed_in[k];
        o += fmt::format("  file kills {} of {} mutants\n\n", dead.size(), f.applicable.size());
    }
    std::vector<std::string> surv, na;
    int applicable = 0;
    for (const Mutant* m : ms) {
        const std::string id(m->id);
        if (!applicable_in.count(id)) {
            na.push_back(id);
            continue;
        }
        ++applicable;
        if (!killed_in.count(id)) surv.push_back(id);
    }
    o += fmt::format("audit: {} files, {} checked lines, {} kill no mutant; {} of {} mutants killed by the set\n",
                     fs.size(), lines, weak, applicable - int(surv.size()), applicable);
    o += "survivors of the set: " + (surv.empty() ? std::string("none") : join(surv)) + "\n";
    if (!na.empty()) o += "not applicable to any file's profile: " + join(na) + "\n";
    return o;
}

nlohmann::json audit_json(const std::vector<AuditFile>& fs, const std::vector<const Mutant*>& ms) {
    nlohmann::json j;
    j["tool"] = "reapcheck";
    j["schema"] = 1;
    std::set<std::string> killed, applicable;
    for (const AuditFile& f : fs) {
        nlohmann::json jf = {{"file", f.file}, {"profile", f.profile}, {"correct_ok", f.correct_ok},
                             {"applicable", f.applicable}, {"survivors", f.survivors}};
        if (!f.correct_ok) jf["correct_problem"] = f.correct_problem;
        jf["lines"] = nlohmann::json::array();
        for (const AuditLine& l : f.lines) {
            jf["lines"].push_back({{"line", l.loc.line}, {"statement", l.statement}, {"expect", l.expect},
                                   {"kills", l.kills}, {"first_kills", l.first_kills}, {"weak", l.kills.empty()}});
            for (const auto& k : l.kills) killed.insert(k);
        }
        if (f.correct_ok)
            for (const auto& a : f.applicable) applicable.insert(a);
        j["files"].push_back(jf);
    }
    std::vector<std::string> surv;
    for (const Mutant* m : ms)
        if (applicable.count(std::string(m->id)) && !killed.count(std::string(m->id))) surv.emplace_back(m->id);
    j["survivors"] = surv;
    j["killed"] = killed.size();
    j["applicable"] = applicable.size();
    return j;
}

}  // namespace reapcheck::engine
