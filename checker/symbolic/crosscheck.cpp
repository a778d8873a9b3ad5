// crosscheck: refimpl and the model must agree. Every transition of an
// explicit exploration (within the symbolic alphabet) must satisfy the
// symbolic relation, results included; in every explored state the model
// must enable exactly the actions the explicit alphabet offers; and for a
// sample of states the model's whole successor set, enumerated from Z3 by
// blocking models, must equal refimpl's.
#include <chrono>
#include <cstdio>
#include <deque>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

#include "checker/engine/canon.hpp"
#include "checker/engine/trace.hpp"
#include "checker/symbolic/bridge.hpp"
#include "checker/symbolic/engine.hpp"
#include "model/symbolic.hpp"
#include "properties/catalog.hpp"

namespace reapcheck::symbolic {

using Clock = std::chrono::steady_clock;
using model::SymModel;
using model::SymWorld;

namespace {

/// Assigns a concrete world to the state variables of `vars` in `zm`.
void assign(z3::context& ctx, z3::model& zm, const SymModel& m, const SymWorld& vars, const model::World& w) {
    const SymWorld c = m.constant(w);
    auto put = [&](const z3::expr& v, const z3::expr& val) {
        z3::func_decl d = v.decl();
        z3::expr x = val;
        zm.add_const_interp(d, x);
    };
    put(vars.next_nr, c.next_nr);
    put(vars.next_seq, c.next_seq);
    for (std::size_t k = 0; k < vars.slot.size(); ++k) {
        const model::SymSlot &v = vars.slot[k], &x = c.slot[k];
        for (auto f : {&model::SymSlot::st, &model::SymSlot::nr, &model::SymSlot::rp, &model::SymSlot::par,
                       &model::SymSlot::ptraced, &model::SymSlot::sib, &model::SymSlot::pseq, &model::SymSlot::esig,
                       &model::SymSlot::code, &model::SymSlot::autoreap, &model::SymSlot::is_sub,
                       &model::SymSlot::has_sub, &model::SymSlot::ign, &model::SymSlot::nocldwait,
                       &model::SymSlot::pending, &model::SymSlot::fd, &model::SymSlot::attr, &model::SymSlot::info,
                       &model::SymSlot::info_code, &model::SymSlot::wact, &model::SymSlot::woken,
                       &model::SymSlot::wall})
            put(v.*f, x.*f);
    }
    (void)ctx;
}

struct ActTerms {
    z3::expr enabled, relation, ret, blocks, status;
    model::SymWorld post;
};

}  // namespace

CrossReport crosscheck(const refimpl::Profile& p, const CrossOptions& o) {
    const auto t0 = Clock::now();
    CrossReport rep;
    rep.profile = p.name;
    rep.features = o.features;
    rep.depth = o.depth;
    try {
        z3::context ctx;
        const SymModel m(ctx, p, o.features);
        const auto& acts = m.acts();
        const SymWorld pre = m.vars("pre"), post = m.vars("post");
        const z3::expr r_ret = ctx.int_const("ret"), r_status = ctx.int_const("status");
        const z3::expr r_blocks = ctx.bool_const("blocks");
        std::vector<ActTerms> terms;
        for (const auto& a : acts) {
            const model::SymStep st = m.step(pre, a);
            terms.push_back(ActTerms{st.enabled,
                                     st.enabled && m.equal(post, st.post) && r_ret == st.ret &&
                                         r_blocks == st.blocks && r_status == st.status,
                                     st.ret, st.blocks, st.status, st.post});
        }
        std::vector<std::pair<const props::Property*, z3::expr>> forms, step_forms;
        const z3::expr r_act = ctx.int_const("act_taken");
        for (const auto& sp : model::symbolic_properties())
            if (const props::Property* prop = props::find(sp.id); prop) {
                if (sp.form && prop->state) forms.emplace_back(prop, sp.form(m, pre));
                if (sp.step && prop->step)
                    step_forms.emplace_back(prop, sp.step(m, model::SymTransition{pre, post, r_act, r_ret}));
            }
        const engine::Bounds b = bounds_of(o.features, o.depth);
        const bool stop_flag = false;
        auto stopped = [&] {
            return (o.interrupt && *o.interrupt) ||
                   (o.max_seconds > 0 && std::chrono::duration<double>(Clock::now() - t0).count() > o.max_seconds) ||
                   stop_flag;
        };
        std::deque<std::pair<refimpl::State, int>> queue;
        std::unordered_set<std::string> seen;
        const refimpl::State init = refimpl::initial_state();
        seen.insert(engine::canonicalize(init, false).key);
        queue.emplace_back(init, 0);
        std::vector<engine::Action> explicit_acts;
        const uint64_t sample_every = 7;
        auto report = [&](const std::string& what) {
            if (rep.disagreements.size() < 20) rep.disagreements.push_back(what);
        };
        while (!queue.empty()) {
            if (stopped()) {
                rep.interrupted = true;
                break;
            }
            auto [s, depth] = std::move(queue.front());
            queue.pop_front();
            ++rep.states;
            model::Abstraction abs;
            if (model::abstract(s, o.features.slots, abs)) {
                ++rep.outside;
                continue;
            }
            engine::enabled_actions(s, p, b, explicit_acts);
            z3::model zm(ctx);
            assign(ctx, zm, m, pre, abs.world);
            // Each symbolic property form agrees with the catalog's predicate.
            for (const auto& [prop, form] : forms) {
                const bool concrete = prop->state(p, s);
                if (zm.eval(form, true).is_true() != concrete)
                    report(fmt::format("{}: the catalog predicate says {} and the symbolic form {} in state\n{}",
                                       prop->id, concrete, !concrete, model::describe(abs.world)));
            }
            // The model enables exactly the explicit alphabet's actions.
            std::vector<bool> explicit_enabled(acts.size(), false);
            std::vector<std::pair<int, model::World>> explicit_succ;
            for (const engine::Action& a : explicit_acts) {
                const auto id = to_act(a, abs.slot_of, acts);
                if (!id) {
                    report(fmt::format("the explicit action {} has no model counterpart in state:\n{}",
                                       a.call.sys == scn::Sys::Clone3 ? "clone3" : "(see state)",
                                       model::describe(abs.world)));
                    continue;
                }
                explicit_enabled[std::size_t(*id)] = true;
                const engine::Transition tr = engine::apply(s, p, a);
                ++rep.transitions;
                std::vector<int> hint = abs.slot_of;
                hint.resize(tr.post.tasks.size(), model::kNoSlot);
                if (tr.post.tasks.size() > s.tasks.size()) {
                    int k = 0;
                    while (k < o.features.slots && abs.world.slot[std::size_t(k)].st != model::kFree) ++k;
                    hint.back() = k;
                }
                model::Abstraction after;
                if (model::abstract(tr.post, o.features.slots, hint, after)) {
                    ++rep.outside;
                    continue;
                }
                explicit_succ.emplace_back(*id, after.world);
                z3::model zt(ctx);
                assign(ctx, zt, m, pre, abs.world);
                assign(ctx, zt, m, post, after.world);
                {
                    z3::expr v = ctx.int_val(int64_t(tr.result.ret));
                    z3::func_decl d = r_ret.decl();
                    zt.add_const_interp(d, v);
                    z3::expr bl = ctx.bool_val(tr.result.blocks);
                    z3::func_decl db = r_blocks.decl();
                    zt.add_const_interp(db, bl);
                    z3::expr stv = ctx.int_val(int(tr.result.status));
                    z3::func_decl ds = r_status.decl();
                    zt.add_const_interp(ds, stv);
                }
                {
                    z3::expr v = ctx.int_val(*id);
                    z3::func_decl d = r_act.decl();
                    zt.add_const_interp(d, v);
                }
                ++rep.checked;
                // Each symbolic step form agrees with the catalog's step predicate.
                const props::CallView cv = engine::call_view(p, a);
                const props::StepView view{p, s, tr.post, cv, tr.result, tr.events};
                for (const auto& [prop, form] : step_forms) {
                    const bool concrete = prop->step(view);
                    if (zt.eval(form, true).is_true() != concrete)
                        report(fmt::format("{}: the catalog predicate says {} and the symbolic form {} on {} in state\n{}",
                                           prop->id, concrete, !concrete, acts[std::size_t(*id)].describe(),
                                           model::describe(abs.world)));
                }
                const ActTerms& at = terms[std::size_t(*id)];
                if (!zt.eval(at.relation, true).is_true()) {
                    const model::World sym_post = m.value(zt, at.post);
                    report(fmt::format(
                        "{} in state\n{}refimpl: ret={} blocks={} status={} ->\n{}model: enabled={} ret={} blocks={} "
                        "status={} ->\n{}",
                        acts[std::size_t(*id)].describe(), model::describe(abs.world), tr.result.ret,
                        tr.result.blocks, tr.result.status, model::describe(after.world),
                        zt.eval(at.enabled, true).is_true(), zt.eval(at.ret, true).to_string(),
                        zt.eval(at.blocks, true).is_true(), zt.eval(at.status, true).to_string(),
                        model::describe(sym_post)));
                }
                if (o.depth == 0 || depth + 1 < o.depth + 1) {
                    if (depth < o.depth && seen.insert(engine::canonicalize(tr.post, false).key).second)
                        queue.emplace_back(tr.post, depth + 1);
                }
            }
            for (std::size_t i = 0; i < acts.size(); ++i)
                if (!explicit_enabled[i] && zm.eval(terms[i].enabled, true).is_true())
                    report(fmt::format("the model enables {} where the explicit alphabet does not, in state:\n{}",
                                       acts[i].describe(), model::describe(abs.world)));
            // The whole successor set, from Z3, for a sample of states.
            if (int(rep.sampled) < o.successor_samples && rep.states % sample_every == 1) {
                ++rep.sampled;
                z3::solver sol(ctx);
                z3::params sp(ctx);
                sp.set("ctrl_c", false);   // keep the command's SIGINT handler
                sol.set(sp);
                const z3::expr act = ctx.int_const("act");
                sol.add(m.equal(pre, m.constant(abs.world)));
                sol.add(m.transition(pre, post, act));
                std::set<std::pair<int, std::string>> from_z3, from_refimpl;
                for (const auto& [id, w] : explicit_succ) from_refimpl.emplace(id, model::describe(w));
                int guard = 0;
                while (sol.check() == z3::sat && ++guard < 10000) {
                    const z3::model zs = sol.get_model();
                    const int id = zs.eval(act, true).get_numeral_int();
                    from_z3.emplace(id, model::describe(m.value(zs, post)));
                    sol.add(act != id || !m.equal(post, m.constant(m.value(zs, post))));
                }
                if (from_z3 != from_refimpl) {
                    std::string diff;
                    for (const auto& x : from_z3)
                        if (!from_refimpl.count(x))
                            diff += fmt::format("  only the model: {} ->\n{}", acts[std::size_t(x.first)].describe(), x.second);
                    for (const auto& x : from_refimpl)
                        if (!from_z3.count(x))
                            diff += fmt::format("  only refimpl: {} ->\n{}", acts[std::size_t(x.first)].describe(), x.second);
                    report(fmt::format("successor sets differ in state\n{}{}", model::describe(abs.world), diff));
                }
            }
            if (o.progress && rep.states % 2000 == 0)
                std::fprintf(stderr, "crosscheck %s: %llu states, %llu transitions\n", p.name.c_str(),
                             (unsigned long long)rep.states, (unsigned long long)rep.transitions);
        }
    } catch (const z3::exception& e) {
        throw model::ModelError(std::string("Z3: ") + e.msg());
    }
    rep.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return rep;
}

std::string format(const CrossReport& r) {
    std::string out = fmt::format(
        "crosscheck profile {}: {}, depth {}\n  {} states, {} transitions checked against the symbolic relation, "
        "{} states' successor sets enumerated from Z3, {} states or transitions outside the model skipped, {:.2f} s\n",
        r.profile, r.features.describe(), r.depth, r.states, r.checked, r.sampled, r.outside, r.seconds);
    if (r.interrupted) out += "  stopped early (interrupt or --max-time): the exploration is incomplete\n";
    if (r.disagreements.empty()) {
        out += "  refimpl and the model agree\n";
    } else {
        out += fmt::format("  {} DISAGREEMENTS (first {} shown):\n", r.disagreements.size(), r.disagreements.size());
        for (const auto& d : r.disagreements) out += "\n" + d + "\n";
    }
    return out;
}

nlohmann::json to_json(const CrossReport& r) {
    return {{"engine", "crosscheck"},        {"profile", r.profile},     {"bounds", r.features.describe()},
            {"depth", r.depth},              {"states", r.states},       {"transitions", r.checked},
            {"sampled_states", r.sampled},   {"outside", r.outside},     {"seconds", r.seconds},
            {"interrupted", r.interrupted},  {"agree", r.disagreements.empty()},
            {"disagreements", r.disagreements}};
}

}  // namespace reapcheck::symbolic
