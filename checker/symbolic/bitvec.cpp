#include "checker/symbolic/bitvec.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace reapcheck::symbolic {

namespace {

/// Ranges beyond this are refused (the model's values are a few dozen).
constexpr int64_t kLimit = int64_t(1) << 40;

unsigned ast_id(const z3::expr& t) { return Z3_get_ast_id(t.ctx(), t); }

/// The smallest two's-complement width holding every value of [lo, hi].
unsigned bits(int64_t lo, int64_t hi) {
    unsigned w = 1;
    while (lo < -(int64_t(1) << (w - 1)) || hi > (int64_t(1) << (w - 1)) - 1) ++w;
    return w;
}

bool in_limit(int64_t x) { return x >= -kLimit && x <= kLimit; }

}  // namespace

z3::expr BvEncoder::widen(const Entry& x, unsigned width) const {
    return x.width == width ? x.e : z3::sext(x.e, width - x.width);
}

std::optional<z3::expr> BvEncoder::operator()(const z3::expr& f) {
    if (!translate(f)) return std::nullopt;
    return done_.at(ast_id(f)).e;
}

bool BvEncoder::translate(const z3::expr& root) {
    // Post-order over the term DAG without recursion: an unrolling nests one
    // step's terms in the next, deeper than a call stack should go.
    std::vector<std::pair<z3::expr, bool>> stack;   // term, its arguments already pushed
    stack.emplace_back(root, false);
    while (!stack.empty()) {
        const z3::expr t = stack.back().first;
        if (done_.count(ast_id(t))) {
            stack.pop_back();
            continue;
        }
        if (!t.is_app()) {
            why_ = "a quantifier or bound variable: " + t.to_string().substr(0, 80);
            return false;
        }
        if (!stack.back().second) {
            stack.back().second = true;
            for (unsigned i = 0; i < t.num_args(); ++i)
                if (!done_.count(ast_id(t.arg(i)))) stack.emplace_back(t.arg(i), false);
            continue;
        }
        stack.pop_back();
        std::vector<const Entry*> a;
        bool int_arg = false, changed = false;
        for (unsigned i = 0; i < t.num_args(); ++i) {
            a.push_back(&done_.at(ast_id(t.arg(i))));
            int_arg = int_arg || a.back()->is_int;
            changed = changed || !z3::eq(a.back()->e, t.arg(i));
        }
        const Z3_decl_kind k = t.decl().decl_kind();
        Entry out{t};
        if (t.is_real() || (!t.is_int() && !t.is_bool() && !t.is_bv())) {
            why_ = "a term of sort " + t.get_sort().to_string();
            return false;
        }
        if (!t.is_int() && !int_arg) {
            // Bool and bit-vector operations: the same operation on the translated arguments.
            if (changed) {
                z3::expr_vector args(c_);
                for (const Entry* x : a) args.push_back(x->e);
                out.e = t.decl()(args);
            }
        } else if (t.is_int()) {
            out.is_int = true;
            int64_t lo = 0, hi = 0;
            auto fold = [&](auto op) {   // n-ary +, -, *: interval arithmetic left to right
                lo = a[0]->lo;
                hi = a[0]->hi;
                for (std::size_t i = 1; i < a.size(); ++i) {
                    int64_t c[4] = {op(lo, a[i]->lo), op(lo, a[i]->hi), op(hi, a[i]->lo), op(hi, a[i]->hi)};
                    lo = *std::min_element(c, c + 4);
                    hi = *std::max_element(c, c + 4);
                    if (!in_limit(lo) || !in_limit(hi)) return false;
                }
                return true;
            };
            bool ok = true;
            switch (k) {
            case Z3_OP_ANUM: {
                int64_t v = 0;
                ok = Z3_get_numeral_int64(c_, t, &v) && in_limit(v);
                lo = hi = v;
                break;
            }
            case Z3_OP_ADD: ok = fold([](int64_t x, int64_t y) { return x + y; }); break;
            case Z3_OP_SUB: ok = fold([](int64_t x, int64_t y) { return x - y; }); break;
            case Z3_OP_MUL:
                // both factors are within kLimit = 2^40; a product beyond 2^62 is refused before it overflows
                ok = std::all_of(a.begin(), a.end(), [](const Entry* x) {
                    return x->lo >= -(int64_t(1) << 20) && x->hi <= (int64_t(1) << 20);
                }) && fold([](int64_t x, int64_t y) { return x * y; });
                break;
            case Z3_OP_UMINUS:
                lo = -a[0]->hi;
                hi = -a[0]->lo;
                break;
            case Z3_OP_ITE:
                lo = std::min(a[1]->lo, a[2]->lo);
                hi = std::max(a[1]->hi, a[2]->hi);
                break;
            default:
                why_ = t.num_args() == 0 ? "a free Int variable '" + t.decl().name().str() + "'"
                                         : "the Int operation '" + t.decl().name().str() + "'";
                return false;
            }
            if (!ok) {
                why_ = "an Int term beyond +-2^40: " + t.to_string().substr(0, 80);
                return false;
            }
            out.lo = lo;
            out.hi = hi;
            out.width = bits(lo, hi);
            for (std::size_t i = k == Z3_OP_ITE ? 1 : 0; i < a.size(); ++i) out.width = std::max(out.width, a[i]->width);
            // Two's complement arithmetic modulo 2^width is exact on values
            // that fit the width, whatever the intermediate sums.
            switch (k) {
            case Z3_OP_ANUM: out.e = c_.bv_val(lo, out.width); break;
            case Z3_OP_UMINUS: out.e = -widen(*a[0], out.width); break;
            case Z3_OP_ITE: out.e = z3::ite(a[0]->e, widen(*a[1], out.width), widen(*a[2], out.width)); break;
            default:
                out.e = widen(*a[0], out.width);
                for (std::size_t i = 1; i < a.size(); ++i) {
                    const z3::expr y = widen(*a[i], out.width);
                    out.e = k == Z3_OP_ADD ? out.e + y : k == Z3_OP_SUB ? out.e - y : out.e * y;
                }
            }
            widest_ = std::max(widest_, out.width);
        } else {
            // A Bool over Int arguments: a comparison, signed, at the wider argument's width.
            unsigned w = 0;
            for (const Entry* x : a) w = std::max(w, x->width);
            z3::expr_vector args(c_);
            for (const Entry* x : a) args.push_back(widen(*x, w));
            switch (k) {
            case Z3_OP_EQ: out.e = args[0] == args[1]; break;
            case Z3_OP_DISTINCT: out.e = z3::distinct(args); break;
            case Z3_OP_LE: out.e = z3::sle(args[0], args[1]); break;
            case Z3_OP_LT: out.e = z3::slt(args[0], args[1]); break;
            case Z3_OP_GE: out.e = z3::sge(args[0], args[1]); break;
            case Z3_OP_GT: out.e = z3::sgt(args[0], args[1]); break;
            default:
                why_ = "the operation '" + t.decl().name().str() + "' over Int terms";
                return false;
            }
        }
        keep_.push_back(t);
        done_.emplace(ast_id(t), std::move(out));
    }
    return true;
}

}  // namespace reapcheck::symbolic
