// The Z3 model (model/) and its engines (checker/symbolic/): agreement with
// refimpl, a deliberate disagreement caught, bmc against the explicit engine.
#include <algorithm>
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "checker/engine/check.hpp"
#include "checker/scenario/parser.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"
#include "checker/symbolic/bridge.hpp"
#include "checker/symbolic/engine.hpp"
#include "checker/symbolic/to_z3.hpp"
#include "model/symbolic.hpp"
#include "properties/catalog.hpp"
#include "properties/lang/lang.hpp"

using namespace reapcheck;

namespace {

const refimpl::Profile& mainline() { return *refimpl::find_profile("mainline"); }

/// A small alphabet: clone, exit, WNOHANG waits, sigpending, kernel steps.
model::Features small(int slots, bool pidfds) {
    model::Features f;
    f.slots = slots;
    f.ptrace = f.parent = f.blocking = f.subreaper = f.sigaction = false;
    f.pidfds = pidfds;
    return f;
}

/// The catalog's `always` and `step` properties under m: how many have a
/// symbolic form, and each one without, with the reason.
struct Forms {
    int with = 0;
    std::map<std::string, std::string> without;
    [[nodiscard]] std::set<std::string> ids_without() const {
        std::set<std::string> out;
        for (const auto& [id, why] : without) out.insert(id);
        return out;
    }
};
Forms forms_of(const model::SymModel& m) {
    const symbolic::Translator tr(m);
    Forms out;
    for (const auto& p : props::catalog()) {
        if (p.kind != props::Kind::Always && p.kind != props::Kind::Step) continue;
        INFO(p.id);
        const auto* prog = symbolic::program_of(p);
        REQUIRE(prog != nullptr);
        std::string why = tr.why_not(*prog, p.kind == props::Kind::Always);
        if (why.empty()) ++out.with;
        else out.without.emplace(p.id, std::move(why));
    }
    return out;
}

}  // namespace

TEST_CASE("every catalog safety property's symbolic form comes from its text; the others say which construct") {
    // Which catalog properties have a form at 4 slots (mainline), pinned:
    // those the hand-written forms of model/properties.cpp had before the
    // forms came from the text, plus pidfd.pollhup_iff_released (which had
    // none written) and lifecycle.reportable_waiter_woken (finding K1's
    // refinement, docs/findings-conform.md) and clone.legacy_low_bits (the
    // model's clone has no legacy flag; the form does not depend on it, so
    // it is not vacuous) and aux.tracers (a hypothesis of prove with
    // threads). Every other one names the construct and its place.
    const std::set<std::string> without = {
        "autoreap.rejects_thread",   "lifecycle.no_untraced_zombie_thread", "signal.exec_id_fixup",
        "wait.wnowait_keeps_zombie", "thread.exit_group_kills",             "exec.autoreap_kept",
        "exec.resets",               "autokill.last_reference",             "autokill.requires_autoreap",
        "nnp.rejects_thread",        "autokill.requires_privilege"};
    z3::context ctx;
    model::Features f;
    const model::SymModel m(ctx, mainline(), f);
    const Forms fs = forms_of(m);
    CHECK(fs.ids_without() == without);
    for (const auto& [id, why] : fs.without) {
        INFO(id);
        CHECK(why.find("properties/catalog/") != std::string::npos);
    }
    CHECK(fs.with == 34);
}

TEST_CASE("a construct without a symbolic form is named with its place") {
    z3::context ctx;
    const model::SymModel m(ctx, mainline(), model::Features{});
    const symbolic::Translator tr(m);
    const auto props = props::lang::parse_text(
        "always u.a {\n claim \"x\"\n source \"y\"\n holds forall t in tasks:\n  t.live_threads <= 1\n}\n"
        "step u.b {\n claim \"x\"\n source \"y\"\n holds forall e in reaps: e.nowait => e.status == 0\n}\n"
        "always u.c {\n claim \"x\"\n source \"y\"\n holds forall t in tasks: t.exit_state == zombie => t.parent != none\n}\n",
        "u.rcp");
    REQUIRE(props.size() == 3);
    CHECK(tr.why_not(*props[0]->eval->program(), true) == "'live_threads' (u.rcp:5)");
    // e.nowait is false in the model (no WNOWAIT): the implication holds
    // without reading the status, so the whole form is vacuous
    CHECK(tr.why_not(*props[1]->eval->program(), false) == "'nowait (WNOWAIT)' (u.rcp:10), which the model does not have");
    CHECK(tr.why_not(*props[2]->eval->program(), true).empty());
}

TEST_CASE("the initial world is the abstraction of refimpl's initial state") {
    model::Abstraction a;
    model::Features f;
    f.slots = 4;
    REQUIRE_FALSE(model::abstract(refimpl::initial_state(), f, {}, a));
    CHECK(a.world == model::initial_world(4));
}

TEST_CASE("crosscheck: refimpl and the model agree at small bounds") {
    symbolic::CrossOptions o;
    o.features = small(4, true);
    o.features.tasks = 3;
    o.features.ptrace = true;
    o.depth = 3;
    o.successor_samples = 10;
    o.progress = false;
    const auto r = symbolic::crosscheck(mainline(), o);
    for (const auto& d : r.disagreements) MESSAGE(d);
    CHECK(r.disagreements.empty());
    CHECK(r.checked > 100);
    CHECK(r.sampled == 10);
}

TEST_CASE("crosscheck reports a deliberate difference between refimpl and the model") {
    refimpl::Profile faulty = mainline();
    faulty.fault = refimpl::Fault::ReparentKeepsExitSignal;   // refimpl only: the model keeps the kernel's rule
    symbolic::CrossOptions o;
    o.features = small(4, false);
    o.features.tasks = 3;
    o.depth = 3;
    o.successor_samples = 0;
    o.progress = false;
    const auto r = symbolic::crosscheck(faulty, o);
    REQUIRE_FALSE(r.disagreements.empty());
    CHECK(r.disagreements.front().find("exit_notify") != std::string::npos);
    // and the same bounds agree without the fault
    CHECK(symbolic::crosscheck(mainline(), o).disagreements.empty());
}

TEST_CASE("bmc finds the violation the explicit engine finds, at the same depth, and both traces replay") {
    const std::string id = "autoreap.exit_info_on_pollin";
    symbolic::Options so;
    so.features = small(3, true);
    so.properties = {id};
    so.depth = 3;
    so.progress = false;
    const auto rep = symbolic::bmc(mainline(), so);
    REQUIRE(rep.results.size() == 1);
    const auto& r = rep.results[0];
    REQUIRE(r.kind == symbolic::Result::Kind::Violated);
    CHECK(r.k == 3);

    engine::CheckOptions co;
    co.bounds = symbolic::bounds_of(so.features, 0);
    co.properties = {id};
    const auto cr = engine::check(mainline(), co);
    const engine::Verdict* v = nullptr;
    for (const auto& x : cr.verdicts)
        if (x.property == id) v = &x;
    REQUIRE(v != nullptr);
    REQUIRE(v->kind == engine::Verdict::Kind::Violated);
    CHECK(v->trace_steps == r.k);

    for (const std::string& text : {r.trace, v->trace}) {
        const scn::Scenario sc = scn::parse_text(text, "<trace>");
        scn::RefimplExecutor ex(mainline(), true);
        const scn::RunReport rr = scn::run_scenario(sc, ex);
        CHECK_FALSE(rr.mismatched);
        CHECK_FALSE(props::find(id)->holds(mainline(), ex.state()));
    }
}

TEST_CASE("bmc reports a bounded verdict for a property that holds") {
    symbolic::Options so;
    so.features = small(3, false);
    so.properties = {"lifecycle.init_alive"};
    so.depth = 3;
    so.progress = false;
    const auto rep = symbolic::bmc(mainline(), so);
    REQUIRE(rep.results.size() == 1);
    CHECK(rep.results[0].kind == symbolic::Result::Kind::Bounded);
    CHECK(rep.results[0].k == 3);
    CHECK(symbolic::exit_code(rep) == 0);
}

TEST_CASE("prove: k-induction proves init_alive with its hypotheses, over every state of 3 slots") {
    symbolic::Options so;
    so.features = small(3, false);
    so.properties = {"lifecycle.init_alive"};
    so.depth = 1;
    so.max_k = 1;
    so.progress = false;
    const auto rep = symbolic::prove(mainline(), so);
    bool found = false;
    for (const auto& r : rep.results) {
        INFO(r.property << ": " << r.reason);
        CHECK(r.kind == symbolic::Result::Kind::Proved);
        found = found || r.property == "lifecycle.init_alive";
    }
    CHECK(found);
}

TEST_CASE("step properties: bmc finds rfc-v3's accepted AUTOREAP|PARENT in one step; prove proves it in v4") {
    symbolic::Options so;
    so.features = small(3, false);
    so.features.parent = true;
    so.properties = {"autoreap.rejects_parent"};
    so.depth = 2;
    so.progress = false;
    const auto v3 = symbolic::bmc(*refimpl::find_profile("rfc-v3"), so);
    REQUIRE(v3.results.size() == 1);
    CHECK(v3.results[0].kind == symbolic::Result::Kind::Violated);
    CHECK(v3.results[0].k == 1);
    CHECK(v3.results[0].trace.find("clone3 flags=AUTOREAP|PARENT") != std::string::npos);
    so.depth = 1;
    so.max_k = 1;
    const auto v4 = symbolic::prove(*refimpl::find_profile("v4"), so);
    for (const auto& r : v4.results)
        if (r.property == "autoreap.rejects_parent") CHECK(r.kind == symbolic::Result::Kind::Proved);
}

TEST_CASE("crosscheck compares the model's kernel events with refimpl's") {
    // refimpl only: a child of an SA_NOCLDWAIT parent reaps itself without
    // sending SIGCHLD. The post-state differs in the pending signal, the
    // events in the notification's signal; both are reported (the deep path
    // of an SA_NOCLDWAIT parent reaches it at depth 1).
    refimpl::Profile faulty = mainline();
    faulty.fault = refimpl::Fault::NocldwaitSilent;
    symbolic::CrossOptions o;
    o.features = small(4, true);
    o.features.sigaction = true;
    o.features.tasks = 3;
    o.depth = 1;
    o.successor_samples = 0;
    o.progress = false;
    const auto r = symbolic::crosscheck(faulty, o);
    bool events = false;
    for (const auto& d : r.disagreements) events = events || d.find("the events of") != std::string::npos;
    CHECK(events);
}

TEST_CASE("crosscheck reaches every update case and refimpl function with its deep paths, and not without") {
    symbolic::CrossOptions o;
    o.features.slots = 5;
    o.features.tasks = 4;
    o.depth = 1;
    o.successor_samples = 2;
    o.progress = false;
    const auto r = symbolic::crosscheck(mainline(), o);
    for (const auto& d : r.disagreements) MESSAGE(d);
    for (const auto& c : r.cases_unreached) MESSAGE("unreached: " << c);
    CHECK(r.disagreements.empty());
    CHECK(r.complete());
    CHECK(r.paths_skipped.empty());
    CHECK(r.cases_reached.size() > 50);
    o.deep_paths = false;
    const auto shallow = symbolic::crosscheck(mainline(), o);
    CHECK_FALSE(shallow.complete());
    CHECK(std::find(shallow.cases_unreached.begin(), shallow.cases_unreached.end(),
                    "find_new_reaper: an ancestor subreaper") != shallow.cases_unreached.end());
}

TEST_CASE("prove settles the event-stated step properties at 3 slots") {
    symbolic::Options so;
    so.features = small(3, false);
    so.features.sigaction = true;
    so.features.subreaper = true;
    so.properties = {"autoreap.selfreap_on_exit", "autoreap.no_exit_signal", "lifecycle.reaped_once",
                     "lifecycle.orphan_reaper", "ptrace.traced_not_selfreaped"};
    so.depth = 1;
    so.max_k = 1;
    so.progress = false;
    const auto rep = symbolic::prove(mainline(), so);
    for (const auto& r : rep.results) {
        INFO(r.property << ": " << r.reason);
        CHECK(r.kind == symbolic::Result::Kind::Proved);
    }
}

TEST_CASE("with two threads per process the thread properties have symbolic forms") {
    // The same pinned list as above minus the properties about threads,
    // whose constructs (threads(...), is_leader, thread_group_empty,
    // delay_group_leader, CLONE_THREAD calls, exit_group) the model now has.
    const std::set<std::string> without = {"signal.exec_id_fixup",       "wait.wnowait_keeps_zombie",
                                           "exec.autoreap_kept",         "exec.resets",
                                           "autokill.last_reference",    "autokill.requires_autoreap",
                                           "autokill.requires_privilege"};
    z3::context ctx;
    model::Features f;
    f.threads = 2;
    const model::SymModel m(ctx, mainline(), f);
    const Forms fs = forms_of(m);
    CHECK(fs.ids_without() == without);
    CHECK(fs.with == 38);
    // and the model refuses a bound it does not have
    f.threads = 3;
    CHECK_THROWS_AS(model::SymModel(ctx, mainline(), f), model::ModelError);
}

TEST_CASE("crosscheck with threads: refimpl and the model agree, and a thread rule changed in refimpl is caught") {
    symbolic::CrossOptions o;
    o.features = small(4, false);
    o.features.tasks = 3;
    o.features.threads = 2;
    o.depth = 3;
    o.successor_samples = 2;
    o.progress = false;
    const auto r = symbolic::crosscheck(mainline(), o);
    for (const auto& d : r.disagreements) MESSAGE(d);
    CHECK(r.disagreements.empty());
    CHECK(r.sampled == 2);
    // an untraced sub-thread that stays a zombie instead of releasing itself
    refimpl::Profile faulty = mainline();
    faulty.fault = refimpl::Fault::ThreadZombie;
    const auto bad = symbolic::crosscheck(faulty, o);
    REQUIRE_FALSE(bad.disagreements.empty());
    CHECK(bad.disagreements.front().find("exit_notify") != std::string::npos);
}

TEST_CASE("crosscheck with kill: SIGKILL's group exit agrees with refimpl, with and without threads") {
    symbolic::CrossOptions o;
    o.features = small(4, false);
    o.features.tasks = 3;
    o.features.kill = true;
    o.features.blocking = true;
    o.depth = 3;
    o.successor_samples = 1;
    o.progress = false;
    auto r = symbolic::crosscheck(mainline(), o);
    for (const auto& d : r.disagreements) MESSAGE(d);
    CHECK(r.disagreements.empty());
    CHECK(std::count(r.refimpl_reached.begin(), r.refimpl_reached.end(), "sys_kill") == 1);
    CHECK(std::count(r.refimpl_reached.begin(), r.refimpl_reached.end(), "do_exit (a killed thread)") == 1);
    o.features.threads = 2;
    o.depth = 2;
    r = symbolic::crosscheck(mainline(), o);
    for (const auto& d : r.disagreements) MESSAGE(d);
    CHECK(r.disagreements.empty());
}

TEST_CASE("with exec the exec properties have symbolic forms, and an exec rule changed in refimpl is caught") {
    z3::context ctx;
    model::Features f;
    f.exec = true;
    const model::SymModel m(ctx, mainline(), f);
    const Forms fs = forms_of(m);
    for (const char* id : {"signal.exec_id_fixup", "exec.autoreap_kept", "exec.resets"}) CHECK(!fs.without.count(id));
    CHECK(fs.with == 37);   // the 34 of the model without execve and the three about it
    symbolic::CrossOptions o;
    o.features = small(4, false);
    o.features.tasks = 3;
    o.features.exec = true;
    o.depth = 2;
    o.successor_samples = 1;
    o.progress = false;
    const auto r = symbolic::crosscheck(mainline(), o);
    for (const auto& d : r.disagreements) MESSAGE(d);
    CHECK(r.disagreements.empty());
    CHECK(std::count(r.refimpl_reached.begin(), r.refimpl_reached.end(), "sys_execve") == 1);
    // execve that keeps exit_signal 0 (a refimpl mutant) disagrees with the model
    refimpl::Profile faulty = mainline();
    faulty.fault = refimpl::Fault::ExecKeepsExitSignal;
    const auto bad = symbolic::crosscheck(faulty, o);
    REQUIRE_FALSE(bad.disagreements.empty());
    CHECK(bad.disagreements.front().find("execve") != std::string::npos);
}

TEST_CASE("with autokill, capset and wnowait the AUTOKILL and WNOWAIT properties have symbolic forms") {
    // The thread list above minus the properties about CLONE_PIDFD_AUTOKILL
    // (its flag, the autokills events, the caller's cap_sys_admin) and
    // WNOWAIT (e.nowait): only execve's remain without a form.
    const std::set<std::string> without = {"signal.exec_id_fixup", "exec.autoreap_kept", "exec.resets"};
    z3::context ctx;
    model::Features f;
    f.threads = 2;
    f.autokill = f.capset = f.wnowait = true;
    const model::SymModel m(ctx, mainline(), f);
    const Forms fs = forms_of(m);
    CHECK(fs.ids_without() == without);
    CHECK(fs.with == 42);
    // without the switches the new fields are constants: no more state variables than before
    model::Features plain;
    plain.threads = 2;
    const model::SymModel m0(ctx, mainline(), plain);
    CHECK(m.state_fields().size() == m0.state_fields().size() + 2);
    CHECK(m0.state_fields().size() == 25);
}

TEST_CASE("crosscheck with autokill: the last close kills as in refimpl, and a close that kills nobody is caught") {
    symbolic::CrossOptions o;
    o.features = small(4, true);
    o.features.tasks = 3;
    o.features.autokill = o.features.capset = o.features.wnowait = true;
    o.depth = 1;   // the deep paths that fit 3 tasks close the AUTOKILL pidfd
    o.successor_samples = 1;
    o.progress = false;
    auto has = [](const std::vector<std::string>& v, const char* x) { return std::count(v.begin(), v.end(), x) == 1; };
    // the AUTOKILL file as an f_flag (mainline) and as signal->autokill_pidfd (rfc-v3)
    for (const char* name : {"mainline", "rfc-v3"}) {
        INFO(name);
        const auto r = symbolic::crosscheck(*refimpl::find_profile(name), o);
        for (const auto& d : r.disagreements) MESSAGE(d);
        CHECK(r.disagreements.empty());
        CHECK(has(r.refimpl_reached, "sys_capset_drop"));
        CHECK(has(r.refimpl_reached, "sys_wait (waitid P_ALL WNOWAIT)"));
        CHECK(has(r.refimpl_reached, "pidfs_file_release (AUTOKILL)"));
    }
    o.successor_samples = 0;
    refimpl::Profile faulty = mainline();
    faulty.fault = refimpl::Fault::AutokillNoKill;   // refimpl only: the model kills at the last close
    const auto bad = symbolic::crosscheck(faulty, o);
    REQUIRE_FALSE(bad.disagreements.empty());
    // the first transition that drops the last reference (an exit's exit_files, or a close)
    CHECK(bad.disagreements.front().find("only the model: autokill slot") != std::string::npos);
}

TEST_CASE("prove settles the AUTOKILL and WNOWAIT step properties at 3 slots") {
    symbolic::Options so;
    so.features = small(3, true);
    so.features.autokill = so.features.capset = so.features.wnowait = true;
    so.properties = {"autokill.last_reference", "autokill.requires_autoreap", "autokill.requires_privilege",
                     "wait.wnowait_keeps_zombie"};
    so.depth = 1;
    so.max_k = 1;
    so.progress = false;
    const auto rep = symbolic::prove(mainline(), so);
    int proved = 0;
    for (const auto& r : rep.results) {
        if (std::find(so.properties.begin(), so.properties.end(), r.property) == so.properties.end()) continue;
        INFO(r.property << ": " << r.reason);
        CHECK(r.kind == symbolic::Result::Kind::Proved);
        ++proved;
    }
    CHECK(proved == 4);
}
