// Boolean and equality terms folded on constants, shared by the two
// translators of the property language (to_z3.cpp over the N-slot model,
// unbounded.cpp over the parameterized one): a conjunct after a false one is
// not translated, so a guard `call.kind == clone and ...` keeps the rest from
// being read for other calls.
#pragma once

#include <cstdint>
#include <vector>

#include <z3++.h>

namespace reapcheck::symbolic::fold {

/// The conjunction of term(k) for k in ops; stops at a false one.
template <class Term>
z3::expr all(z3::context& c, const std::vector<int32_t>& ops, Term&& term) {
    z3::expr_vector out(c);
    for (int32_t k : ops) {
        const z3::expr e = term(k);
        if (e.is_false()) return e;
        if (!e.is_true()) out.push_back(e);
    }
    if (out.empty()) return c.bool_val(true);
    return out.size() == 1 ? out[0] : z3::mk_and(out);
}

/// The disjunction of term(k) for k in ops; stops at a true one.
template <class Term>
z3::expr any(z3::context& c, const std::vector<int32_t>& ops, Term&& term) {
    z3::expr_vector out(c);
    for (int32_t k : ops) {
        const z3::expr e = term(k);
        if (e.is_true()) return e;
        if (!e.is_false()) out.push_back(e);
    }
    if (out.empty()) return c.bool_val(false);
    return out.size() == 1 ? out[0] : z3::mk_or(out);
}

inline z3::expr negate(z3::context& c, const z3::expr& e) {
    if (e.is_true()) return c.bool_val(false);
    if (e.is_false()) return c.bool_val(true);
    return !e;
}

inline z3::expr equal(z3::context& c, const z3::expr& a, const z3::expr& b) {
    if (a.is_numeral() && b.is_numeral()) return c.bool_val(a.get_numeral_int64() == b.get_numeral_int64());
    if ((a.is_true() || a.is_false()) && (b.is_true() || b.is_false())) return c.bool_val(a.is_true() == b.is_true());
    return a == b;
}

}  // namespace reapcheck::symbolic::fold
