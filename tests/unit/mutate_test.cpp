// Mutation analysis (checker/engine/mutate.hpp): the mutant catalog, a kill
// by the expected property, the engine surviving a mutant that breaks a
// refimpl contract, and the audit flagging a weak statement. Small bounds:
// each case runs in well under a second.
#include <set>

#include <doctest/doctest.h>

#include "checker/engine/kernel_model.hpp"
#include "checker/engine/mutate.hpp"
#include "checker/scenario/parser.hpp"

using namespace reapcheck;

namespace {

engine::Bounds small() {
    engine::Bounds b;
    b.tasks = 4;   // init, main, an autoreap child and its child
    b.pidfds = 0;
    b.exec = b.kill = b.blocking = b.autokill = b.parent = b.subreaper = b.sigaction = false;
    b.depth = 3;
    return b;
}

}  // namespace

TEST_CASE("mutants: at least 25, stable distinct ids, each with its function and sentence") {
    const auto& ms = refimpl::mutants();
    CHECK(ms.size() >= 25);
    std::set<std::string_view> ids;
    std::set<int> faults;
    for (const auto& m : ms) {
        INFO(m.id);
        CHECK(ids.insert(m.id).second);
        CHECK(faults.insert(int(m.fault)).second);
        CHECK(m.fault != refimpl::Fault::None);
        CHECK_FALSE(m.function.empty());
        CHECK_FALSE(m.what.empty());
        CHECK(refimpl::find_mutant(m.id) == &m);
    }
    CHECK(refimpl::find_mutant("no.such_mutant") == nullptr);
    // never a profile a user can name
    for (const auto& p : refimpl::all_profiles()) CHECK(p.fault == refimpl::Fault::None);
}

TEST_CASE("mutate: copy_signal.autoreap_inherited is killed by autoreap.not_inherited") {
    const refimpl::Profile& p = *refimpl::find_profile("mainline");
    engine::MutateOptions o;
    o.suite = {{"small", small()}};
    const engine::CheckResult base = engine::baseline(p, o);
    const engine::MutantRun r = engine::run_mutant(p, *refimpl::find_mutant("copy_signal.autoreap_inherited"), base, o);
    REQUIRE(r.status == engine::MutantRun::Status::Killed);
    bool by = false;
    for (const auto& k : r.kills) by |= k.property == "autoreap.not_inherited";
    CHECK(by);
    CHECK_FALSE(r.kills.front().trace.empty());
    // JSON round trip (the forked children report through it)
    const engine::MutantRun again = engine::mutant_run_from_json(engine::to_json(r));
    CHECK(again.status == r.status);
    CHECK(again.kills.size() == r.kills.size());
    // not applicable where the rule does not exist
    const engine::MutantRun na =
        engine::run_mutant(*refimpl::find_profile("linux-6.18"), *refimpl::find_mutant("copy_signal.autoreap_inherited"),
                           base, o);
    CHECK(na.status == engine::MutantRun::Status::NotApplicable);
}

TEST_CASE("mutate: the correct model survives its own comparison") {
    // A mutant that cannot act in these bounds (no exec) is not killed.
    const refimpl::Profile& p = *refimpl::find_profile("mainline");
    engine::MutateOptions o;
    o.suite = {{"small", small()}};
    const engine::CheckResult base = engine::baseline(p, o);
    const engine::MutantRun r = engine::run_mutant(p, *refimpl::find_mutant("de_thread.exit_signal"), base, o);
    CHECK(r.status == engine::MutantRun::Status::Survived);
    CHECK(r.kills.empty());
}

TEST_CASE("engine: a mutant that breaks a refimpl contract stops one exploration, not the review") {
    const refimpl::Profile q =
        refimpl::mutated(*refimpl::find_profile("mainline"), *refimpl::find_mutant("exit_notify.delayed_leader"));
    engine::Bounds threads = small();
    threads.tasks = 3;
    threads.threads = 2;
    threads.depth = 4;
    // The mutated step throws ModelError with the action and the state.
    engine::CheckOptions o;
    o.bounds = threads;
    engine::CheckResult r;
    CHECK_NOTHROW(r = engine::check(q, o));
    REQUIRE(r.model_errors.size() == 1);
    CHECK(r.model_errors[0].find("contract failed") != std::string::npos);
    CHECK(r.model_errors[0].find("action: ") != std::string::npos);
    CHECK(r.model_errors[0].find("exit_notify") != std::string::npos);
    CHECK(r.stats.stop_reason.find("model error") != std::string::npos);
    // In a suite the next configuration still runs (and completes: no threads there).
    const engine::CheckResult s = engine::check_suite(q, {{"threads", threads}, {"plain", small()}}, engine::CheckOptions{});
    REQUIRE(s.runs.size() == 2);
    CHECK(s.model_errors.size() == 1);
    CHECK(std::get<2>(s.runs[1]).stop_reason.find("model error") == std::string::npos);
}

TEST_CASE("audit: a statement no mutant changes is flagged weak; a rejecting clone3 kills its mutant") {
    const scn::Scenario sc = scn::parse_text(
        "main: sigpending -> none\n"
        "main: clone3 flags=AUTOREAP exit_signal=SIGCHLD -> EINVAL\n",
        "<audit test>");
    std::vector<const refimpl::Mutant*> ms;
    for (const auto& m : refimpl::mutants()) ms.push_back(&m);
    const engine::AuditFile f = engine::audit_scenario(sc, "mainline", ms);
    REQUIRE(f.correct_ok);
    REQUIRE(f.lines.size() == 2);
    CHECK(f.lines[0].kills.empty());
    CHECK(engine::format_audit({f}, ms).find("WEAK") != std::string::npos);
    const auto& k = f.lines[1].kills;
    CHECK(std::find(k.begin(), k.end(), "copy_process.autoreap_exit_signal") != k.end());
    CHECK(std::find(f.survivors.begin(), f.survivors.end(), "copy_process.autoreap_exit_signal") == f.survivors.end());
}

namespace {

/// The privilege configuration of the default suite, shallower: a task may
/// drop CAP_SYS_ADMIN (capset) and clone with CLONE_PIDFD_AUTOKILL.
engine::Bounds privilege(int depth) {
    engine::Bounds b = small();
    b.tasks = 3;
    b.pidfds = 1;
    b.autokill = true;
    b.capset = true;
    b.depth = depth;
    return b;
}

}  // namespace

TEST_CASE("mutate: copy_process.autokill_perm is killed by autokill.requires_privilege once capset is explored") {
    const refimpl::Profile& p = *refimpl::find_profile("mainline");
    const refimpl::Mutant& m = *refimpl::find_mutant("copy_process.autokill_perm");
    engine::MutateOptions o;
    o.suite = {{"no-capset", [] {
                    engine::Bounds b = privilege(3);
                    b.capset = false;
                    return b;
                }()}};
    // without capset every task keeps CAP_SYS_ADMIN: the mutant is invisible
    CHECK(engine::run_mutant(p, m, engine::baseline(p, o), o).status == engine::MutantRun::Status::Survived);
    o.suite = {{"privilege", privilege(3)}};
    const engine::MutantRun r = engine::run_mutant(p, m, engine::baseline(p, o), o);
    REQUIRE(r.status == engine::MutantRun::Status::Killed);
    CHECK(r.kills.front().property == "autokill.requires_privilege");
    CHECK(r.kills.front().trace.find("capset drop") != std::string::npos);
    // v4 has no privilege check: the mutant does not apply there
    CHECK(engine::run_mutant(*refimpl::find_profile("v4"), m, engine::baseline(p, o), o).status ==
          engine::MutantRun::Status::NotApplicable);
}

TEST_CASE("mutate: the first, depth-capped pass kills without exhausting the configurations before the killing one") {
    const refimpl::Profile& p = *refimpl::find_profile("mainline");
    const refimpl::Mutant& m = *refimpl::find_mutant("copy_process.autokill_perm");
    engine::Bounds big = small();   // exhaustive, and the mutant cannot act in it (no pidfds)
    big.tasks = 3;
    big.depth = 0;
    big.sigaction = true;
    engine::MutateOptions o;
    o.suite = {{"big", big}, {"privilege", privilege(3)}};
    const engine::CheckResult base = engine::baseline(p, o);
    o.shallow_depth = 0;
    const engine::MutantRun full = engine::run_mutant(p, m, base, o);
    o.shallow_depth = 2;
    const engine::MutantRun quick = engine::run_mutant(p, m, base, o);
    REQUIRE(full.status == engine::MutantRun::Status::Killed);
    REQUIRE(quick.status == engine::MutantRun::Status::Killed);
    CHECK(quick.kills.front().property == full.kills.front().property);
    CHECK(full.states > std::get<2>(base.runs.front()).states);   // exhausted "big" first
    CHECK(quick.states < std::get<2>(base.runs.front()).states);
}

TEST_CASE("mutate: a declared equivalent mutant is reported as such and does not count against the score") {
    const refimpl::Profile& p = *refimpl::find_profile("mainline");
    const refimpl::Mutant& m = *refimpl::find_mutant("copy_process.nnp_not_set");
    REQUIRE_FALSE(m.equivalent.empty());
    engine::MutateOptions o;
    o.suite = {{"small", small()}};
    const engine::MutantRun e = engine::run_mutant(p, m, engine::baseline(p, o), o);
    REQUIRE(e.status == engine::MutantRun::Status::Equivalent);
    CHECK(engine::mutant_run_from_json(engine::to_json(e)).status == engine::MutantRun::Status::Equivalent);
    engine::MutantRun k;
    k.mutant = "copy_signal.autoreap_inherited";
    k.profile = "mainline";
    k.status = engine::MutantRun::Status::Killed;
    const nlohmann::json j = engine::mutation_json({k, e});
    REQUIRE(j["scores"].size() == 1);
    CHECK(j["scores"][0]["applicable"] == 2);
    CHECK(j["scores"][0]["equivalent"] == 1);
    CHECK(j["scores"][0]["score"] == 1.0);
    CHECK(engine::format_mutation({k, e}, false).find("why: no call of the model reads no_new_privs") !=
          std::string::npos);
}
