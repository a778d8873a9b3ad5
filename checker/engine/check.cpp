#include "checker/engine/check.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>

#include <fmt/format.h>

#include "checker/engine/canon.hpp"
#include "checker/engine/check_parts.hpp"
#include "checker/engine/checkpoint.hpp"
#include "checker/engine/graph.hpp"
#include "checker/engine/kernel_model.hpp"
#include "checker/engine/trace.hpp"
#include "checker/explicit/explorer.hpp"
#include "properties/lang/ast.hpp"

namespace reapcheck::engine {

using namespace refimpl;
using props::Kind;
using props::Property;

const char* to_string(Verdict::Kind k) {
    switch (k) {
    case Verdict::Kind::Holds: return "holds";
    case Verdict::Kind::Violated: return "VIOLATED";
    case Verdict::Kind::Unknown: return "unknown";
    case Verdict::Kind::NotApplicable: return "n/a";
    case Verdict::Kind::Covered: return "covered";
    case Verdict::Kind::NotCovered: return "NOT COVERED";
    }
    return "?";
}

bool is_failure(Verdict::Kind k) { return k == Verdict::Kind::Violated || k == Verdict::Kind::NotCovered; }

Verdict not_applicable(const props::Property& p, const Profile& profile) {
    Verdict v;
    v.property = std::string(p.id);
    v.kind = Verdict::Kind::NotApplicable;
    v.reason = "profile " + profile.name + " has no such feature";
    return v;
}

std::vector<std::string> holding_ids(const std::vector<Verdict>& vs) {
    std::vector<std::string> ids;
    for (const Verdict& v : vs)
        if (v.kind == Verdict::Kind::Holds) ids.push_back(v.property);
    return ids;
}

std::vector<const Property*> selected_properties(const Profile& profile, const CheckOptions& opts,
                                                 std::vector<const Property*>& skipped) {
    std::vector<const Property*> out;
    for (const Property& pr : props::all()) {
        if (!opts.properties.empty() &&
            std::find(opts.properties.begin(), opts.properties.end(), pr.id) == opts.properties.end())
            continue;
        if (pr.kind == Kind::Eventually && !opts.liveness) continue;
        if (!pr.applies_to(profile)) {
            skipped.push_back(&pr);
            continue;
        }
        out.push_back(&pr);
    }
    return out;
}

CheckVisitor::CheckVisitor(const Profile& profile, std::vector<const Property*> ps, CoverageCounter& cov,
                           const std::vector<std::string>& stop_when_found)
    : p(profile), props(std::move(ps)), coverage(&cov), found(props.size()), good(props.size()) {
    for (const Property* pr : props) {
        on_states.push_back(pr->has_state());
        on_steps.push_back(pr->has_step());
        stop_when.push_back(std::find(stop_when_found.begin(), stop_when_found.end(), pr->id) !=
                            stop_when_found.end());
        const props::lang::Program* prog = pr->text->program();
        compiled.push_back(prog ? std::make_unique<props::lang::Compiled>(*prog, p) : nullptr);
    }
    for (auto& f : found) f = kNotFound;
    for (std::size_t i = 0; i < props.size(); ++i)
        if (props[i]->kind == Kind::Eventually || on_states[i])
            state_checks.push_back({uint32_t(i), compiled[i].get(), props[i]->kind});
    constexpr std::size_t kCallKinds = std::size_t(props::CallView::Kind::Other) + 1;
    step_lists.resize(kCallKinds * 2 * kKindSets);
    for (std::size_t i = 0; i < props.size(); ++i) {
        const Property& pr = *props[i];
        if (!on_steps[i] || (pr.kind != Kind::Step && pr.kind != Kind::Sometimes)) continue;
        const props::lang::Program* prog = pr.text->program();
        const bool cover = pr.kind == Kind::Sometimes;
        // Off its guard the predicate is guard_value (lang/eval.cpp:run_step):
        // skippable when that value records nothing.
        const bool guarded = prog && prog->guard_kind >= 0 && std::size_t(prog->guard_kind) < kCallKinds &&
                             prog->guard_value != cover;
        for (std::size_t k = 0; k < kCallKinds; ++k) {
            if (guarded && int(k) != prog->guard_kind) continue;
            for (int self_loop = 0; self_loop < 2; ++self_loop)
                for (uint32_t kinds = 0; kinds < kKindSets; ++kinds) {
                    const int known = compiled[i] ? compiled[i]->decided(self_loop != 0, kinds) : -1;
                    if (known >= 0 && (known != 0) != cover) continue;   // records nothing
                    step_lists[step_list(k, self_loop != 0, kinds)].push_back(
                        {uint32_t(i), compiled[i].get(), cover, int8_t(known)});
                }
        }
    }
}

void CheckVisitor::keep_start() {
    start_found.assign(found.size(), 0);
    for (std::size_t i = 0; i < found.size(); ++i) start_found[i] = found[i].load();
    start_coverage = coverage->raw();
}

void CheckVisitor::on_level(uint32_t, uint32_t, uint32_t end) {
    if (keep_level_start) keep_start();   // no worker runs between levels
    for (std::size_t i = 0; i < props.size(); ++i)
        if (props[i]->kind == Kind::Eventually) good[i].resize(end);
}

void CheckVisitor::on_state(uint32_t node, const State& s) {
    coverage->on_state(s);
    const uint64_t here = place(node, false, 0);
    for (const StateCheck& c : state_checks) {
        const bool eventually = c.kind == Kind::Eventually;
        if (!eventually && found[c.i].load(std::memory_order_relaxed) < here) continue;   // settled before here
        const bool v = c.code ? c.code->state(s) : props[c.i]->holds(p, s);
        if (eventually) good[c.i][node] = v;
        else if ((c.kind == Kind::Always && !v) || (c.kind == Kind::Sometimes && v)) record(c.i, here);
    }
}

void CheckVisitor::on_edge(uint32_t from, uint32_t ai, const State& pre, const Action& a, const Transition& t,
                           bool changed) {
    const props::CallView cv = call_view(p, a);
    coverage->on_edge(a, cv, t, changed);
    const props::StepView view{p, pre, t.post, cv, t.result, t.events};
    const uint64_t here = place(from, true, ai);
    for (const StepCheck& c : steps_for(cv.kind, !changed, props::lang::Compiled::event_kinds(t.events))) {
        if (found[c.i].load(std::memory_order_relaxed) < here) continue;   // only the first place is kept
        const bool v = c.known >= 0 ? c.known != 0 : c.code ? c.code->step(view) : props[c.i]->holds(view);
        if (v == c.cover) record(c.i, here);
    }
}

bool CheckVisitor::done() const {
    for (std::size_t i = 0; i < stop_when.size(); ++i)
        if (stop_when[i] && found[i].load(std::memory_order_relaxed) != kNotFound) return true;
    return false;
}

namespace {

std::string not_hit_hint(const Property& pr, const Bounds& b) {
    if (pr.id == "cover.traced_exit" || pr.id == "cover.trace_handoff")
        return b.ptrace ? "" : " (ptrace is off in these bounds: --ptrace)";
    if (pr.id == "cover.delayed_leader") return b.threads > 1 ? "" : " (needs --threads 2)";
    if (pr.id == "cover.autokill") return b.autokill && b.pidfds > 0 ? "" : " (needs --pidfds 1 and autokill)";
    return "";
}

/// Fills a fresh explorer and visitor from the session's last checkpoint.
void resume(ckpt::Session& cp, xplicit::Explorer<KernelModel>& bfs, CheckVisitor& vis) {
    const auto t0 = std::chrono::steady_clock::now();
    const ckpt::Latest l = cp.open();
    const ckpt::FileReader files(l.path, l.manifest.value("files", nlohmann::json::object()));
    xplicit::Boundary b;
    try {
        b = bfs.restore(files);
        ckpt::restore_visitor(vis, bfs.level_begin(b.depth), files);
    } catch (const ckpt::Error&) {
        throw;
    } catch (const std::exception& e) {
        throw ckpt::Error(l.path.string() + ": " + e.what());
    }
    cp.written(b.depth);
    if (!cp.quiet())
        std::fprintf(stderr, "%s\n",
                     fmt::format("resumed from {}: level {}, {} states, read in {:.2f} s", l.path.string(), b.depth,
                                 bfs.size(),
                                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count())
                         .c_str());
}

}  // namespace

CheckResult check(const Profile& profile, const CheckOptions& opts) {
    CheckResult res;
    res.profile = profile.name;
    res.options = opts;
    KernelModel model{profile, opts.bounds, opts.symmetry};
    CoverageCounter coverage(profile);
    std::vector<const Property*> skipped;
    CheckVisitor vis(profile, selected_properties(profile, opts, skipped), coverage, opts.stop_when_found);
    bool need_graph = false;
    // Partial-order reduction: Reducer decides visibility (por.hpp, C2) and
    // refuses liveness (the graph would be reduced).
    std::optional<por::Reducer> reducer;
    if (opts.por || (opts.por_auto && opts.bounds.depth == 0)) {
        reducer.emplace(profile, opts.bounds, vis.props);
        res.por_note = !reducer->active()          ? "off: " + reducer->why_not()
                       : reducer->partly().empty() ? "on"
                                                   : "on, " + reducer->partly();
        if (reducer->active()) model.reducer = &*reducer;
    } else if (opts.por_auto) {
        res.por_note = "off: depth-bounded (a reduced path can be longer; --por forces it)";
    }
    for (const Property* pr : vis.props)
        if (pr->kind == Kind::Eventually) need_graph = true;
    xplicit::Options xo;
    xo.limits = opts.limits;
    if (opts.bounds.depth) xo.limits.max_depth = uint32_t(opts.bounds.depth);
    xo.threads = opts.threads;
    // Liveness needs every transition, but only of a finished graph. A
    // search without a depth bound means to finish: it records its edges as
    // it goes (12 bytes a transition). A depth-bounded one rarely finishes
    // and keeps none; if it does finish, the edges are collected afterwards
    // by expanding every state once more; so are the edges of a search that
    // outgrew the explorer's edge budget (1 GiB) and dropped them.
    xo.record_edges = need_graph && xo.limits.max_depth == 0;
    xo.progress = opts.progress;
    xo.progress_label = opts.progress_label.empty() ? "check " + profile.name : opts.progress_label;
    xplicit::Explorer<KernelModel> bfs(model, xo);
    // Checkpoints at level boundaries, and the resume (checkpoint.hpp).
    std::optional<ckpt::Session> cp;
    if (opts.checkpoint.active()) {
        vis.keep_level_start = true;
        cp.emplace(opts.checkpoint, ckpt::fingerprint(profile, opts, vis.props));
        if (cp->resuming()) resume(*cp, bfs, vis);
    }
    auto at_boundary = [&](const xplicit::Boundary& b, bool final) {
        if (!cp || !cp->due(b.depth, final)) return;
        cp->write(b.depth, [&](ckpt::FileSet& files, nlohmann::json& m) {
            bfs.save(b, files);
            ckpt::save_visitor(vis, bfs.level_begin(b.depth), files);
            m["states"] = bfs.level_begin(b.depth + 1);
            m["transitions"] = b.stats.transitions;
            m["seconds"] = b.stats.seconds;
            m["final"] = final;
        });
    };
    // A broken refimpl contract (ModelError from a transition, ContractError
    // from a property's reader) ends this exploration only.
    try {
        res.stats = bfs.run(vis, at_boundary);
    } catch (const ModelError& e) {
        res.model_errors.push_back(e.what());
    } catch (const ContractError& e) {
        res.model_errors.push_back(e.what());
    }
    if (!res.model_errors.empty()) {
        res.stats = Stats{};
        res.stats.states = bfs.size();
        res.stats.stop_reason = "model error (a refimpl contract broke)";
    }
    const Stats& st = res.stats;
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    bool graph_done = true;
    if (need_graph && st.exhausted && res.model_errors.empty()) {
        if (!bfs.edges_recorded()) graph_done = bfs.collect_edges();
        edges.reserve(bfs.edges().size());
        for (const xplicit::Edge& e : bfs.edges()) edges.emplace_back(e.from, e.to);
    }

    std::vector<Outcome> outcomes(vis.props.size());
    std::optional<ReverseGraph> reverse;   // built once, for the first eventually property
    for (std::size_t i = 0; i < vis.props.size(); ++i) {
        Outcome& o = outcomes[i];
        if (vis.props[i]->kind != Kind::Eventually) {
            const Found f = found_of(vis.found[i].load());
            if (!f.yes) continue;
            o.found = true;
            o.actions = bfs.path(f.node);
            if (f.edge) o.actions.push_back(f.action);
        } else {
            if (!st.exhausted) continue;
            if (!graph_done) {
                o.graph_incomplete = true;
                continue;
            }
            auto good = vis.good[i];
            good.resize(bfs.size());
            std::vector<bool> goodb(good.begin(), good.end());
            if (!reverse) reverse.emplace(bfs.size(), edges);
            const auto reach = reverse->can_reach(goodb);
            uint32_t bad = UINT32_MAX;   // ids are in BFS order: the first is a shallowest
            for (uint32_t n = 0; n < reach.size() && bad == UINT32_MAX; ++n)
                if (!reach[n]) bad = n;
            if (bad == UINT32_MAX) continue;
            o.found = true;
            o.trap = trap_of(bfs.size(), edges, bad);
            o.actions = bfs.path(bad);
        }
        o.steps = int(o.actions.size());
    }
    res.coverage = coverage.result();
    settle(profile, opts, vis.props, skipped, outcomes, res);
    return res;
}

void settle(const Profile& profile, const CheckOptions& opts, const std::vector<const Property*>& props,
            const std::vector<const Property*>& skipped, const std::vector<Outcome>& outcomes, CheckResult& res) {
    const Stats& st = res.stats;
    const std::string bound = fmt::format("{} states, {} transitions, depth {}{}; {}", st.states, st.transitions,
                                          st.depth, st.exhausted ? " (exhausted)" : "",
                                          opts.bounds.describe() + (opts.symmetry ? " symmetry=on" : " symmetry=off") +
                                              (res.por_note.rfind("on", 0) == 0 ? fmt::format(" por=on ({} states reduced)", st.reduced)
                                               : opts.por ? " por=" + res.por_note
                                                          : std::string()));
    auto trace_for = [&](const Property& pr, const Outcome& o, const std::string& what,
                         const std::function<bool(const ReplayEnd&)>& recheck, Verdict& v) {
        TracePath tp;
        tp.actions = o.actions;
        tp.header = fmt::format("# {} {} under profile {}\n# claim: {}\n# source: {}", pr.id, what, profile.name,
                                pr.claim, pr.source);
        v.trace = make_trace(profile, opts.bounds, opts.symmetry, tp, recheck, v.trace_steps);
    };

    for (std::size_t i = 0; i < props.size(); ++i) {
        const Property& pr = *props[i];
        const Outcome& f = outcomes[i];
        Verdict v;
        v.property = std::string(pr.id);
        switch (pr.kind) {
        case Kind::Always:
        case Kind::Step:
            if (f.found) {
                v.kind = Verdict::Kind::Violated;
                // A reduced graph's shortest path need not be the full graph's
                // (docs/por.md, "Shortest traces"): say so rather than claim it.
                v.reason = st.reduced > 0
                               ? fmt::format("counterexample, shortest in the graph partial-order reduction "
                                             "explored (a shorter one may exist: --no-por finds the shortest), "
                                             "found within {}",
                                             bound)
                               : fmt::format("shortest counterexample, found within {}", bound);
                trace_for(pr, f, "is violated", [&](const ReplayEnd& e) {
                    if (pr.kind == Kind::Always) return !pr.holds(profile, e.state);
                    return e.step && !pr.holds(*e.step);
                }, v);
            } else if (st.exhausted || st.stop_reason.rfind("depth bound", 0) == 0) {
                v.kind = Verdict::Kind::Holds;
                v.reason = bound;
            } else {
                v.kind = Verdict::Kind::Unknown;
                v.reason = fmt::format("stopped ({}) after {}", st.stop_reason, bound);
            }
            break;
        case Kind::Sometimes:
            if (f.found) {
                v.kind = Verdict::Kind::Covered;
                v.reason = fmt::format("witness of {} steps", f.steps);
                trace_for(pr, f, "is hit", [&](const ReplayEnd& e) {
                    if (pr.has_state()) return pr.holds(profile, e.state);
                    return e.step && pr.holds(*e.step);
                }, v);
            } else if (st.exhausted || st.stop_reason.rfind("depth bound", 0) == 0) {
                v.kind = Verdict::Kind::NotCovered;
                v.reason = "not hit in " + bound + not_hit_hint(pr, opts.bounds);
            } else {
                v.kind = Verdict::Kind::Unknown;
                v.reason = fmt::format("not hit before stopping ({}) after {}", st.stop_reason, bound);
            }
            break;
        case Kind::Eventually: {
            if (st.exhausted && f.graph_incomplete) {
                v.kind = Verdict::Kind::Unknown;
                v.reason = "liveness needs the whole state graph; interrupted while collecting its edges after " +
                           std::to_string(st.states) + " states (exhausted)";
                break;
            }
            if (!st.exhausted) {
                v.kind = Verdict::Kind::Unknown;
                v.reason = "liveness needs the whole state graph; the exploration stopped: " +
                           (st.stop_reason.empty() ? std::string("?") : st.stop_reason);
                break;
            }
            if (!f.found) {
                v.kind = Verdict::Kind::Holds;
                v.reason = bound;
            } else {
                v.kind = Verdict::Kind::Violated;
                // Why: what the state leads into (strongly connected components).
                const Trap& trap = f.trap;
                std::string why;
                if (trap.terminal_sizes.size() == 1 && trap.terminal_sizes[0] == 1 && trap.reachable == 1)
                    why = "it is a deadlock: every enabled action leaves it as it is";
                else
                    why = fmt::format("from it {} states are reachable ({} strongly connected components), none "
                                      "good; every path ends in {} terminal component{} (largest: {} state{}{})",
                                      trap.reachable, trap.components, trap.terminal_sizes.size(),
                                      trap.terminal_sizes.size() == 1 ? "" : "s", trap.terminal_sizes[0],
                                      trap.terminal_sizes[0] == 1 ? "" : "s",
                                      trap.terminal_sizes[0] == 1 ? ", a deadlock" : ", a cycle it cannot leave");
                v.reason = "shortest trace to a state from which no good state is reachable; " + why + "; " + bound;
                // The graph says no good state is reachable from here; the
                // replay re-checks that the trace ends in a state that is not good.
                trace_for(pr, f, "cannot be reached any more", [&](const ReplayEnd& e) {
                    return !pr.holds(profile, e.state);
                }, v);
            }
            break;
        }
        }
        res.verdicts.push_back(std::move(v));
    }
    compute_vacuity(res.coverage, holding_ids(res.verdicts));
    for (const Property* pr : skipped) res.verdicts.push_back(not_applicable(*pr, profile));
}

}  // namespace reapcheck::engine
