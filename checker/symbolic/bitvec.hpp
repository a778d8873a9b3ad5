// Integer terms as bit-vectors, for bmc's bit-blasting encoding
// (README.md, "The Z3 model": bmc's encodings). bmc's unrolling starts from the
// concrete initial world and its only variables are the bit-vector action
// variables, so every Int subterm of a query is a combination of numerals by
// if-then-else and addition: its range is known without the solver. BvEncoder
// rewrites each such subterm into a two's-complement bit-vector just wide
// enough for its range (comparisons signed), which makes the query QF_BV, for
// Z3's SAT core, and equivalent to the Int one: no value of the range
// overflows its width. The model's terms are not written twice; this is a
// rewrite of the terms model/symbolic.cpp and to_z3.cpp build.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include <z3++.h>

namespace reapcheck::symbolic {

class BvEncoder {
public:
    explicit BvEncoder(z3::context& c) : c_(c), keep_(c) {}

    /// `f` (a Bool term) with every Int subterm replaced by its bit-vector
    /// counterpart; nullopt when an Int subterm has no bounded range (a free
    /// Int variable, a quantifier) or an operation without a counterpart
    /// (division, modulus, conversion to Real), `why()` then says which.
    /// Translations are cached across calls (terms shared by later queries
    /// are translated once).
    [[nodiscard]] std::optional<z3::expr> operator()(const z3::expr& f);
    [[nodiscard]] const std::string& why() const { return why_; }
    /// The widest bit-vector used so far (bits).
    [[nodiscard]] unsigned widest() const { return widest_; }

private:
    struct Entry {
        z3::expr e;          ///< the translation (Bool and bit-vector terms unchanged in sort)
        bool is_int = false;
        int64_t lo = 0, hi = 0;   ///< an Int term's range
        unsigned width = 0;       ///< an Int term's width, e's size
    };
    bool translate(const z3::expr& t);
    [[nodiscard]] z3::expr widen(const Entry& x, unsigned width) const;

    z3::context& c_;
    std::unordered_map<unsigned, Entry> done_;   ///< by AST id of the source term
    z3::expr_vector keep_;                       ///< the source terms, kept alive so their ids stay theirs
    std::string why_;
    unsigned widest_ = 0;
};

}  // namespace reapcheck::symbolic
