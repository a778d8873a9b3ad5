// bmc's bit-vector encoding (checker/symbolic/bitvec.hpp): the rewrite of
// Int terms into bit-vectors is equivalent, refuses what it cannot bound,
// and bmc gives the same verdicts and trace lengths with both encodings.
#include <doctest/doctest.h>

#include "checker/symbolic/bitvec.hpp"
#include "checker/symbolic/engine.hpp"
#include "refimpl/profile.hpp"

using namespace reapcheck;

namespace {

/// F and its rewrite differ for no value of F's bit-vector and Bool variables.
bool equivalent(z3::context& c, const z3::expr& f, const z3::expr& g) {
    z3::solver s(c);
    s.add(f != g);
    return s.check() == z3::unsat;
}

}  // namespace

TEST_CASE("the bit-vector rewrite of Int terms over bit-vector and Bool variables is equivalent") {
    z3::context c;
    const z3::expr a = c.bv_const("a", 12), b = c.bool_const("b");
    // if-then-else chains of numerals (negative ones too), sums, differences,
    // a product, negation, and every comparison, as the model's terms use them
    const z3::expr x = z3::ite(a == 3, c.int_val(100), z3::ite(a == 5, c.int_val(-7), c.int_val(0)));
    const z3::expr y = z3::ite(b, c.int_val(1000), c.int_val(2)) + x - z3::ite(a == 9, c.int_val(-1), c.int_val(1));
    const z3::expr terms[] = {y > 50, y >= 1093, x < -6, x <= -8, x == -7, -x == 7, x * 3 + y == 300 + 1000 + 1,
                              x != y || y == 1002, z3::implies(b, y - x == 1000 - 1)};
    symbolic::BvEncoder enc(c);
    for (const z3::expr& f : terms) {
        INFO(f.to_string());
        const auto g = enc(f);
        REQUIRE(g.has_value());
        CHECK(equivalent(c, f, *g));
        CHECK(g->is_bool());
    }
    // -7 .. 1000 + 100 + 1 fits 12 bits; x * 3 + y at most 300 + 1101
    CHECK(enc.widest() >= 12);
    CHECK(enc.widest() <= 13);
    // a term without a bounded range is refused, with its name
    const z3::expr free = c.int_const("n");
    CHECK_FALSE(enc(free + x > 0).has_value());
    CHECK(enc.why().find("'n'") != std::string::npos);
}

TEST_CASE("bmc: the bit-vector and the Int encodings give the same verdicts and trace lengths") {
    for (const char* name : {"mainline", "linux-6.18"}) {
        INFO(name);
        symbolic::Options so;
        so.features.slots = 3;
        so.depth = 3;
        so.progress = false;
        so.encoding = symbolic::Encoding::Int;
        const auto ints = symbolic::bmc(*refimpl::find_profile(name), so);
        so.encoding = symbolic::Encoding::Bv;
        const auto bvs = symbolic::bmc(*refimpl::find_profile(name), so);
        CHECK(ints.encoding == "int");
        CHECK(bvs.encoding == "bv");
        CHECK(bvs.encoding_note.empty());
        REQUIRE(ints.results.size() == bvs.results.size());
        int violated = 0;
        for (std::size_t i = 0; i < ints.results.size(); ++i) {
            const auto& x = ints.results[i];
            const auto& y = bvs.results[i];
            INFO(x.property << ": " << x.reason << " / " << y.reason);
            CHECK(x.property == y.property);
            CHECK(x.kind == y.kind);
            CHECK(x.k == y.k);
            if (y.kind == symbolic::Result::Kind::Violated) {
                ++violated;
                CHECK_FALSE(y.trace.empty());
            }
        }
        // mainline: never_zombie's 3-slot violation (the comparison is not vacuous)
        if (std::string(name) == "mainline") CHECK(violated >= 1);
    }
}
