// Action coverage and vacuity (checker/engine/coverage.hpp): the counts add
// up to the explored transitions, do not depend on the thread count, and a
// property about a feature the bounds leave out is reported vacuous.
#include <doctest/doctest.h>

#include <algorithm>

#include "checker/engine/check.hpp"
#include "checker/engine/suite.hpp"
#include "properties/lang/lang.hpp"
#include "refimpl/profile.hpp"

using namespace reapcheck;
using namespace reapcheck::engine;

namespace {

CheckResult run(const Bounds& b, int threads = 1) {
    CheckOptions o;
    o.bounds = b;
    o.threads = threads;
    o.liveness = false;
    return check(*refimpl::find_profile("mainline"), o);
}

bool vacuous(const CheckResult& r, const std::string& id) {
    return std::any_of(r.coverage.vacuous.begin(), r.coverage.vacuous.end(),
                       [&](const Vacuity& v) { return v.property == id; });
}

uint64_t enabled_sum(const Coverage& c) {
    uint64_t n = 0;
    for (const ActionCount& a : c.actions) n += a.enabled;
    return n;
}

}  // namespace

TEST_CASE("coverage: a user property's about clause gives it vacuity") {
    // What a property is about is a clause of its text (docs/property-language.md),
    // so a user property gets vacuity like the catalog's; without the clause, none.
    props::lang::clear_loaded();
    const auto texts = props::lang::parse_text(
        "step user.traced_notify { claim \"c\" source \"s\" about traced, notify\n"
        "  holds forall e in notifies: e.traced => not e.selfreap }\n"
        "step user.no_about { claim \"c\" source \"s\"\n"
        "  holds forall e in notifies: e.traced => not e.selfreap }\n",
        "u.rcp");
    for (const auto& t : texts) props::add_user(t->entry());
    Bounds b;
    b.tasks = 3;
    b.depth = 4;
    b.ptrace = false;
    CheckOptions o;
    o.bounds = b;
    o.liveness = false;
    o.properties = {"user.traced_notify", "user.no_about"};
    const CheckResult off = check(*refimpl::find_profile("mainline"), o);
    CHECK(vacuous(off, "user.traced_notify"));
    CHECK_FALSE(vacuous(off, "user.no_about"));
    for (const Vacuity& v : off.coverage.vacuous)
        if (v.property == "user.traced_notify") CHECK(v.why == "the run never had a traced task");
    o.bounds.ptrace = true;
    const CheckResult on = check(*refimpl::find_profile("mainline"), o);
    CHECK_FALSE(vacuous(on, "user.traced_notify"));
    props::clear_user();
}

TEST_CASE("coverage: action counts add up to the transitions, whatever the thread count") {
    Bounds b;
    b.tasks = 3;
    b.depth = 4;
    const CheckResult one = run(b, 1), two = run(b, 2);
    CHECK(enabled_sum(one.coverage) == one.stats.transitions);
    CHECK(one.coverage.facts == two.coverage.facts);
    REQUIRE(one.coverage.actions.size() == two.coverage.actions.size());
    for (std::size_t i = 0; i < one.coverage.actions.size(); ++i) {
        const ActionCount &x = one.coverage.actions[i], &y = two.coverage.actions[i];
        CHECK(x.action == y.action);
        CHECK(x.enabled == y.enabled);
        CHECK(x.changed == y.changed);
        CHECK(x.errors == y.errors);
        CHECK(x.changed <= x.enabled);
        CHECK(x.errors <= x.enabled);
    }
    // exit always changes the state; a clone3 asking for AUTOREAP is there and sometimes fails.
    auto find = [&](const std::string& name) {
        return std::find_if(one.coverage.actions.begin(), one.coverage.actions.end(),
                            [&](const ActionCount& a) { return a.action == name; });
    };
    REQUIRE(find("exit") != one.coverage.actions.end());
    CHECK(find("exit")->changed == find("exit")->enabled);
    REQUIRE(find("clone3 AUTOREAP") != one.coverage.actions.end());
    CHECK(find("clone3 AUTOREAP")->errors > 0);
}

TEST_CASE("coverage: a property about a feature the bounds leave out is vacuous, and only then") {
    Bounds b;
    b.tasks = 3;
    b.depth = 4;
    b.ptrace = false;
    const CheckResult off = run(b);
    CHECK(vacuous(off, "ptrace.traced_not_selfreaped"));
    CHECK(vacuous(off, "thread.exit_group_kills"));   // threads = 1
    CHECK_FALSE(vacuous(off, "autoreap.never_zombie"));
    b.ptrace = true;
    b.threads = 2;
    const CheckResult on = run(b);
    CHECK_FALSE(vacuous(on, "ptrace.traced_not_selfreaped"));
    CHECK_FALSE(vacuous(on, "thread.exit_group_kills"));
    // A violated property is never called vacuous.
    for (const Verdict& v : on.verdicts)
        if (v.kind == Verdict::Kind::Violated) CHECK_FALSE(vacuous(on, v.property));
}

TEST_CASE("coverage: a suite sums its runs' counts and is vacuous only where every run was") {
    NamedBounds plain{"plain", {}, true};
    plain.bounds.tasks = 3;
    plain.bounds.depth = 3;
    NamedBounds traced = plain;
    traced.name = "traced";
    traced.bounds.ptrace = true;
    CheckOptions o;
    o.liveness = false;
    const auto& p = *refimpl::find_profile("mainline");
    const CheckResult merged = check_suite(p, {plain, traced}, o);
    CHECK(enabled_sum(merged.coverage) == merged.stats.transitions);
    CHECK_FALSE(vacuous(merged, "ptrace.traced_not_selfreaped"));
    CHECK(vacuous(merged, "thread.exit_group_kills"));
}

TEST_CASE("coverage: rfc-v3 keeps AUTOKILL in the signal_struct, and that is an AUTOKILL pidfd too") {
    CheckOptions o;
    o.bounds.tasks = 3;
    o.bounds.depth = 3;
    o.liveness = false;
    o.properties = {"autokill.last_reference"};
    const CheckResult r = check(*refimpl::find_profile("rfc-v3"), o);
    CHECK(((r.coverage.facts >> unsigned(Fact::AutokillPidfd)) & 1u) == 1u);
    CHECK_FALSE(vacuous(r, "autokill.last_reference"));
}
