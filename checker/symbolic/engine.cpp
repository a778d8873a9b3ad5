#include "checker/symbolic/engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <cstdio>
#include <ctime>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "checker/engine/trace.hpp"
#include "checker/symbolic/bitvec.hpp"
#include "checker/symbolic/bridge.hpp"
#include "checker/symbolic/to_z3.hpp"
#include "model/symbolic.hpp"
#include "properties/catalog.hpp"
#include "properties/lang/eval.hpp"

namespace reapcheck::symbolic {

using model::SymModel;
using model::SymWorld;
using Clock = std::chrono::steady_clock;

const char* to_string(Result::Kind k) {
    switch (k) {
    case Result::Kind::Proved: return "proved";
    case Result::Kind::Violated: return "violated";
    case Result::Kind::Bounded: return "holds-bounded";
    case Result::Kind::Unknown: return "unknown";
    case Result::Kind::NotApplicable: return "n/a";
    }
    return "?";
}

const char* to_string(Encoding e) { return e == Encoding::Bv ? "bv" : "int"; }

std::vector<std::string> default_properties() {
    std::vector<std::string> out;
    for (const auto& p : props::all())
        if (p.kind == props::Kind::Always || p.kind == props::Kind::Step) out.emplace_back(p.id);
    return out;
}

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Interrupts Z3 when the user's flag is raised or the run's time is up.
class Watchdog {
public:
    Watchdog(z3::context& ctx, const Options& o) : ctx_(ctx), o_(o), t0_(Clock::now()) {
        thread_ = std::thread([this] {
            while (!done_) {
                if (stop()) ctx_.interrupt();
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
    }
    ~Watchdog() {
        done_ = true;
        thread_.join();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    [[nodiscard]] bool stop() const {
        return (o_.interrupt && *o_.interrupt) || (o_.max_seconds > 0 && since(t0_) > o_.max_seconds);
    }

private:
    z3::context& ctx_;
    const Options& o_;
    Clock::time_point t0_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

/// A selected property: its catalog entry and its text, whose translation
/// (to_z3.cpp) is its symbolic form. `prog` is null when it has none (the
/// result then says why); `slots` marks a part of the encoding's own
/// invariant (model.lemmas.<part>, to_z3.hpp: slots_lemmas), which has no
/// text.
struct Target {
    const props::Property* prop = nullptr;
    const props::lang::Program* prog = nullptr;
    bool state = true;   ///< an `always` property (else `step`)
    bool slots = false;
    std::string lemma;   ///< slots: the part's id
    Result result;
    /// violated: the worlds of the path Z3 found (prove's narrowed search
    /// hands them to the full model's Run::confirm)
    std::vector<model::World> witness;
    [[nodiscard]] bool has_form() const { return prog != nullptr || slots; }
    [[nodiscard]] bool hypothesis() const {
        return slots || result.property.rfind("aux.", 0) == 0 || result.property == "lifecycle.init_alive";
    }
};

/// An action variable of bmc and prove: a bit-vector, so that the solver
/// decides which action a step takes on the bits of one variable instead of
/// through hundreds of arithmetic equalities. Every use compares it with
/// action numbers (`act == i`, which z3++ writes in the variable's sort).
z3::expr action_var(z3::context& c, const std::string& name) {
    return c.bv_const(name.c_str(), 12);
}

/// The transition relation over template variables, built once per run
/// (SymModel::compact_transition) and instantiated for each step of every
/// unrolling by substitution.
struct Relation {
    z3::expr_vector vars;   ///< the template's pre-state, then its action variable
    z3::expr enabled;       ///< the action is enabled in the pre-state
    /// post-state, return value, events (flattened), as the arguments of one
    /// application of a tuple symbol, so that one substitution instantiates
    /// them all with one traversal of their shared subterms
    z3::expr next;

    explicit Relation(const SymModel& m) : vars(m.ctx()), enabled(m.ctx()), next(m.ctx()) {
        const SymWorld pre = m.vars("T.pre");
        const z3::expr act = action_var(m.ctx(), "T.act");
        const model::SymNext nx = m.compact_next(pre, act);
        m.flatten(pre, vars);
        vars.push_back(act);
        enabled = nx.enabled;
        z3::expr_vector parts(m.ctx());
        m.flatten(nx.post, parts);
        parts.push_back(nx.ret);
        m.flatten(nx.ev, parts);
        z3::sort_vector domain(m.ctx());
        for (unsigned i = 0; i < parts.size(); ++i) domain.push_back(parts[int(i)].get_sort());
        const z3::func_decl tuple = m.ctx().function("T.next", domain, m.ctx().bool_sort());
        next = tuple(parts);
    }
};

/// The unrolled path s0 -a0-> s1 -a1-> ... in one incremental solver. Only
/// s0 and the actions are variables: each later state, return value and
/// event record is the template's successor terms with s_i and a_i
/// substituted (so the solver's rewriter folds what the concrete initial
/// world of bmc determines), and transition i asserts only that a_i is
/// enabled in s_i. With `first` given, s0 is that world (numerals) instead
/// of variables: every later term is then a function of the actions alone.
struct Path {
    const SymModel& m;
    const Relation& relation;
    std::string prefix;
    std::optional<SymWorld> first;
    std::vector<SymWorld> s;
    std::vector<z3::expr> act, ret;
    std::vector<model::SymEvents> ev;

    Path(const SymModel& model, const Relation& r, std::string pre, std::optional<SymWorld> s0 = std::nullopt)
        : m(model), relation(r), prefix(std::move(pre)), first(std::move(s0)) {}
    const SymWorld& state(std::size_t i) {
        if (s.empty()) s.push_back(first ? *first : m.vars(prefix + "0"));
        while (s.size() <= i) extend();
        return s[i];
    }
    /// s_{n+1}, ret_n, ev_n from s_n and a_n (n = the last state so far).
    void extend() {
        const std::size_t n = s.size() - 1;
        z3::expr_vector to(m.ctx());
        m.flatten(s[n], to);
        to.push_back(action(n));
        z3::expr_vector from = relation.vars;
        z3::expr next = relation.next;
        const z3::expr app = next.substitute(from, to);
        z3::expr_vector out(m.ctx());
        for (unsigned i = 0; i < app.num_args(); ++i) out.push_back(app.arg(i));
        unsigned at = 0;
        SymWorld post = m.unflatten_world(out, at);
        ret.push_back(out[at++]);
        ev.push_back(m.unflatten_events(out, at));
        s.push_back(std::move(post));
    }
    const z3::expr& action(std::size_t i) {
        while (act.size() <= i) act.push_back(action_var(m.ctx(), prefix + "act" + std::to_string(act.size())));
        return act[i];
    }
    const z3::expr& result(std::size_t i) {
        (void)state(i + 1);
        return ret[i];
    }
    /// The events of transition i (state i to i + 1).
    const model::SymEvents& events(std::size_t i) {
        (void)state(i + 1);
        return ev[i];
    }
    /// Transition i: a_i is enabled in s_i (s_{i+1} is defined by it).
    z3::expr trans(std::size_t i) {
        (void)state(i + 1);
        z3::expr_vector to(m.ctx());
        m.flatten(s[i], to);
        to.push_back(action(i));
        z3::expr_vector from = relation.vars;
        z3::expr en = relation.enabled;
        return en.substitute(from, to);
    }
    /// A step property's form over transition i (state i to i + 1).
    z3::expr step_form(const Translator& tr, const props::lang::Program& prog, std::size_t i) {
        (void)state(i + 1);
        (void)events(i);
        (void)action(i);
        (void)result(i);
        return tr.step(prog, SymTransition{s[i], s[i + 1], act[i], ret[i], ev[i]});
    }
};

std::string describe_path(const SymModel& m, const z3::model& zm, Path& path, std::size_t len) {
    std::string out;
    for (std::size_t i = 0; i <= len; ++i) {
        out += fmt::format("state {}:\n{}", i, model::describe(m.value(zm, path.state(i))));
        if (i < len) {
            const int a = zm.eval(path.action(i), true).get_numeral_int();
            out += fmt::format("  -> {}\n", m.acts()[std::size_t(a)].describe());
        }
    }
    return out;
}

/// Z3's resource counter ("rlimit count", the units --query-rlimit bounds):
/// the context's running total, so a query's use is the difference.
std::uint64_t rlimit_count(z3::solver& s) {
    try {
        const z3::stats st = s.statistics();
        for (unsigned i = 0; i < st.size(); ++i)
            if (st.key(i) == "rlimit count")
                return st.is_uint(i) ? std::uint64_t(st.uint_value(i)) : std::uint64_t(st.double_value(i));
    } catch (const z3::exception&) {
        // a canceled context: no figure
    }
    return 0;
}

/// CPU time of the calling thread (Z3 solves in it): unlike the wall
/// clock, not inflated by other processes on the machine.
double thread_cpu() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

std::string z3_reason(z3::solver& s) {
    const std::string r = s.reason_unknown();
    // Z3 says "canceled" both when --query-timeout and when --query-rlimit ran out.
    if (r == "canceled") return "Z3 returned unknown (canceled: the query's time or resource limit ran out)";
    return r.empty() ? "Z3 returned unknown" : "Z3 returned unknown (" + r + ")";
}

/// The conjuncts of a form, nested conjunctions flattened, in order (the
/// form itself when it is not a conjunction).
std::vector<z3::expr> conjuncts(const z3::expr& form) {
    std::vector<z3::expr> out;
    std::vector<z3::expr> todo{form};
    while (!todo.empty()) {
        const z3::expr e = todo.back();
        todo.pop_back();
        if (e.is_app() && e.decl().decl_kind() == Z3_OP_AND) {
            for (unsigned a = e.num_args(); a-- > 0;) todo.push_back(e.arg(a));
        } else {
            out.push_back(e);
        }
    }
    return out;
}

class Run {
public:
    Run(const refimpl::Profile& p, const Options& o, const char* engine)
        : p_(p), o_(o), m_(ctx_, p, o.features), tr_(m_), dog_(ctx_, o) {
        rep_.engine = engine;
        rep_.profile = p.name;
        rep_.features = o.features;
        std::vector<std::string> ids = o.properties.empty() ? default_properties() : o.properties;
        for (const auto& id : ids) {
            Target t;
            t.result.property = id;
            if (std::any_of(targets_.begin(), targets_.end(),
                            [&](const Target& x) { return x.result.property == id; }))
                continue;
            // model.lemmas is its parts (one target each); model.lemmas.<part>
            // one of them, or a group (model.lemmas.leader: every
            // model.lemmas.leader.<slot>)
            if (id == kSlotsInvariant || id.rfind(std::string(kSlotsInvariant) + ".", 0) == 0) {
                const std::vector<std::string> parts = slots_lemma_ids(m_);
                auto selects = [&](const std::string& part) {
                    return id == kSlotsInvariant || part == id || part.rfind(id + ".", 0) == 0;
                };
                if (std::none_of(parts.begin(), parts.end(), selects))
                    throw model::ModelError("unknown property id '" + id + "' (the parts of " +
                                            std::string(kSlotsInvariant) + " with these switches: " +
                                            fmt::format("{}", fmt::join(parts, ", ")) + ")");
                for (const std::string& part : parts) {
                    if (!selects(part)) continue;
                    if (std::any_of(targets_.begin(), targets_.end(),
                                    [&](const Target& x) { return x.result.property == part; }))
                        continue;
                    Target l;
                    l.slots = true;
                    l.lemma = part;
                    l.result.property = part;
                    targets_.push_back(std::move(l));
                }
                continue;
            }
            t.prop = props::find(id);
            if (!t.prop) throw model::ModelError("unknown property id '" + id + "'");
            if (t.prop->kind != props::Kind::Always && t.prop->kind != props::Kind::Step)
                throw model::ModelError("'" + id + "' is a " + props::to_string(t.prop->kind) +
                                        " property; bmc and prove settle `always` and `step` properties");
            t.state = t.prop->kind == props::Kind::Always;
            if (!t.prop->applies_to(p)) {
                t.result.kind = Result::Kind::NotApplicable;
                t.result.reason = "the profile lacks the feature";
            } else if (const props::lang::Program* prog = program_of(*t.prop); !prog) {
                t.result.kind = Result::Kind::Unknown;
                t.result.reason = "no symbolic form: no text of the property";
            } else if (std::string why = tr_.why_not(*prog, t.state); !why.empty()) {
                t.result.kind = Result::Kind::Unknown;
                t.result.reason = "no symbolic form: " + why;
            } else {
                t.prog = prog;
            }
            targets_.push_back(std::move(t));
        }
        params_.set("timeout", unsigned(o.query_seconds * 1000));
        if (o.query_rlimit != 0) params_.set("rlimit", o.query_rlimit);
        // Z3 would install its own SIGINT handler during check() (which only
        // cancels that query); the command's handler stops the whole run.
        params_.set("ctrl_c", false);
    }

    bool open(const Target& t) const {
        return t.result.kind == Result::Kind::Unknown && t.has_form() && t.result.reason.empty();
    }

    /// The target fails at depth d: in state d, or (step properties) on the
    /// transition into state d.
    z3::expr bad_at(const Target& t, Path& path, std::size_t d) {
        if (t.state) return !good_at(t, path, d);
        if (d == 0) return ctx_.bool_val(false);
        return !good_at(t, path, d);
    }
    /// The target's form in state d (an `always` one) or on the transition
    /// into state d (a `step` one, d > 0).
    z3::expr good_at(const Target& t, Path& path, std::size_t d) {
        if (t.slots) return slots_lemma(m_, path.state(d), t.lemma);
        if (t.state) return tr_.state(*t.prog, path.state(d));
        return path.step_form(tr_, *t.prog, d - 1);
    }

    /// The property's text, evaluated explicitly on the end of a re-run:
    /// false when it fails.
    bool holds_at_end(const Target& t, const std::vector<engine::Action>& actions, const refimpl::State& end,
                      const refimpl::State& before) {
        if (t.slots) return true;   // about slots: no refimpl reading (crosscheck checks every abstraction)
        if (t.state) return props::lang::run_state(*t.prog, p_, end);
        if (actions.empty()) return true;
        const engine::Transition tr = engine::apply(before, p_, actions.back());
        const props::CallView cv = engine::call_view(p_, actions.back());
        return props::lang::run_step(*t.prog, props::StepView{p_, before, tr.post, cv, tr.result, tr.events});
    }

    void progress(const std::string& line) const {
        if (o_.progress) std::fprintf(stderr, "%s: %s\n", rep_.engine.c_str(), line.c_str());
    }

    /// A violation at the end of a satisfiable BMC path: decode, re-run on
    /// refimpl, print the trace. False when refimpl disagrees (model bug).
    void violated(Target& t, const z3::model& zm, Path& path, std::size_t len) {
        std::vector<int> ids;
        std::vector<model::World> worlds;
        for (std::size_t i = 0; i <= len; ++i) worlds.push_back(m_.value(zm, path.state(i)));
        for (std::size_t i = 0; i < len; ++i) ids.push_back(zm.eval(path.action(i), true).get_numeral_int());
        std::vector<engine::Action> actions;
        refimpl::State end, before;
        if (auto why = rerun(p_, o_.features, ids, worlds, actions, end, before)) {
            t.result.kind = Result::Kind::Unknown;
            t.result.reason = "the model and refimpl disagree on the Z3 counterexample (a model bug): " + *why;
            rep_.disagreement = true;
            return;
        }
        if (holds_at_end(t, actions, end, before)) {
            t.result.kind = Result::Kind::Unknown;
            t.result.reason = "the Z3 counterexample re-runs on refimpl but the catalog predicate holds at its end "
                              "(the symbolic form and the text's evaluation disagree):\n" + describe_path(m_, zm, path, len);
            rep_.disagreement = true;
            return;
        }
        const std::string header = fmt::format(
            "# {} violated in profile {} (found by {}, {} steps, {} slots; replayed through refimpl)\n# {}",
            t.result.property, p_.name, rep_.engine, len, o_.features.slots,
            t.prop ? std::string(t.prop->claim) : std::string("the slot encoding's invariant"));
        const props::lang::Program* prog = t.prog;
        const refimpl::Profile& prof = p_;
        int steps = 0;
        t.result.trace = engine::make_concrete_trace(
            p_, header, actions,
            [&](const engine::ReplayEnd& e) {
                if (!prog) return false;
                if (t.state) return !props::lang::run_state(*prog, prof, e.state);
                return e.step != nullptr && !props::lang::run_step(*prog, *e.step);
            },
            steps);
        t.result.kind = Result::Kind::Violated;
        t.result.k = steps;
        t.result.reason = fmt::format("counterexample of {} steps, replayed through refimpl", steps);
        t.witness = std::move(worlds);
    }

    /// Whether the path through `worlds` (found by another Run, of a model
    /// with fewer switches: `fields` are its variables) is a path of this
    /// model that violates `t` at its end. The other fields are constants of
    /// the smaller model that this one may track (an exit sets the
    /// group-exit fields when kill or AUTOKILL can also kill a group), so
    /// they are not compared. One query per step, from the full state the
    /// last one reached (constants, so Z3 folds the step to a few terms):
    /// an action enabled there whose successor has the next world's
    /// `fields` (and, at the end, violates `t`). Then one query over the
    /// whole path with every action fixed gives the model that violated()
    /// turns into this model's own trace, replayed through refimpl like any
    /// other. (One query over the whole path with only the actions free
    /// took minutes at 4 slots with every switch.)
    bool confirm(Target& t, const std::vector<model::World>& worlds, const std::vector<z3::expr model::SymSlot::*>& fields) {
        if (worlds.size() < 2 || stopped()) return false;
        const std::size_t len = worlds.size() - 1;
        model::World at = model::initial_world(o_.features.slots);
        std::vector<int> ids;
        for (std::size_t i = 0; i < len; ++i) {
            Path step(m_, relation(), fmt::format("w{}.", i), m_.constant(at));
            z3::solver s = solver();
            s.set(params_);
            s.add(step.trans(0));
            const SymWorld want = m_.constant(worlds[i + 1]);
            const SymWorld& got = step.state(1);
            s.add(got.next_nr == want.next_nr);
            s.add(got.next_seq == want.next_seq);
            for (std::size_t k = 0; k < want.slot.size(); ++k)
                for (const auto f : fields) s.add(got.slot[k].*f == want.slot[k].*f);
            if (i + 1 == len) s.add(bad_at(t, step, 1));
            const z3::check_result r = check(s);
            charge(t);
            if (r != z3::sat) return false;
            const z3::model zm = s.get_model();
            ids.push_back(zm.eval(step.action(0), true).get_numeral_int());
            at = m_.value(zm, step.state(1));
        }
        Path path(m_, relation(), "w", m_.constant(model::initial_world(o_.features.slots)));
        z3::solver s = solver();
        s.set(params_);
        for (std::size_t i = 0; i < len; ++i) {
            s.add(path.action(i) == ids[i]);   // in the action variable's sort (action_var)
            s.add(path.trans(i));
        }
        s.add(bad_at(t, path, len));
        const z3::check_result r = check(s);
        charge(t);
        if (r != z3::sat) return false;
        violated(t, s.get_model(), path, len);
        return t.result.kind == Result::Kind::Violated;
    }

    /// Whether the bit-vector encoding takes every term of this search: the
    /// first transition and each open target's form at depth 1 (each depth's
    /// terms are the same template instantiated further). Else why not.
    std::string bv_refusal(Path& path, BvEncoder& enc) {
        std::vector<z3::expr> terms{path.trans(0)};
        for (const Target& t : targets_)
            if (open(t)) terms.push_back(good_at(t, path, 1));
        for (const z3::expr& x : terms)
            if (!enc(x)) return enc.why();
        return "";
    }

    /// One query for every live target at once: is some target violated at
    /// depth d? Each model settles the targets it violates, and the question
    /// is asked again of the others, until none is left or the answer is
    /// unsat (every one holds: marked in `held_`) or unknown (the caller's
    /// per-target queries take over, each with its own limits). The joint
    /// query answers for n targets, so its time and resource limits are n
    /// times a query's; its time, CPU seconds and resource units are shared
    /// equally among them (charge_share).
    void all_at_once(z3::solver& s, Path& path, const std::vector<Target*>& live, const std::vector<z3::expr>& bad,
                     const std::vector<z3::expr>& lit, int d) {
        for (int round = 0; !stopped(); ++round) {
            z3::expr_vector some(ctx_);
            std::vector<std::size_t> idx;
            for (std::size_t i = 0; i < live.size(); ++i)
                if (open(*live[i])) {
                    some.push_back(lit[i]);
                    idx.push_back(i);
                }
            if (idx.empty()) return;
            const z3::expr any = ctx_.bool_const(fmt::format("q{}.any{}", d, round).c_str());
            s.add(z3::implies(any, z3::mk_or(some)));
            z3::expr_vector assume(ctx_);
            assume.push_back(any);
            const double n = double(idx.size());
            z3::params joint(ctx_);
            joint.set("timeout", unsigned(std::min(o_.query_seconds * 1000 * n, 4e9)));
            if (o_.query_rlimit != 0) joint.set("rlimit", unsigned(std::min(double(o_.query_rlimit) * n, 4e9)));
            s.set(joint);
            const z3::check_result r = check(s, assume);
            s.set(params_);
            for (std::size_t i : idx) charge_share(*live[i], n);
            if (r == z3::unknown) return;
            if (r == z3::unsat) {
                for (std::size_t i : idx) held_.push_back(live[i]);
                return;
            }
            const z3::model zm = s.get_model();
            bool settled = false;
            for (std::size_t i : idx)
                if (zm.eval(bad[i], true).is_true()) {
                    violated(*live[i], zm, path, std::size_t(d));
                    settled = true;
                }
            if (!settled) return;   // (cannot happen: `any` makes some target's violation true)
        }
    }

    /// BMC to `depth`: each open target is checked at every depth.
    void run_bmc(int depth, bool final_bounded) {
        covered_ = -1;
        // The bit-vector encoding (bitvec.hpp) needs numerals for s0: the
        // initial world itself, which `initial` would otherwise equate s0 to.
        bool bv = o_.encoding == Encoding::Bv;
        std::optional<BvEncoder> enc;
        if (bv) {
            enc.emplace(ctx_);
            Path probe(m_, relation(), "b", m_.constant(model::initial_world(o_.features.slots)));
            const std::string why = bv_refusal(probe, *enc);
            if (!why.empty()) {
                bv = false;
                rep_.encoding_note = "bit-vectors refused (" + why + "): Int terms";
                progress("encoding: " + rep_.encoding_note);
            }
        }
        rep_.encoding = to_string(bv ? Encoding::Bv : Encoding::Int);
        if (bv) progress("encoding: bit-vectors, Z3's SAT core (QF_BV)");
        Path path(m_, relation(), "b",
                  bv ? std::optional<SymWorld>(m_.constant(model::initial_world(o_.features.slots))) : std::nullopt);
        // Bit-vector queries go to Z3's incremental SAT core (the QF_BV
        // solver bit-blasts them), Int ones to its default solver.
        z3::solver s = bv ? z3::solver(ctx_, "QF_BV") : solver();
        s.set(params_);
        auto add = [&](const z3::expr& x) {
            if (!bv) return s.add(x);
            const std::optional<z3::expr> y = (*enc)(x);
            if (!y) throw model::ModelError("bmc: the bit-vector encoding refused a term it took at depth 1: " + enc->why());
            s.add(*y);
        };
        add(m_.initial(path.state(0)));
        for (int d = 0; d <= depth; ++d) {
            const auto t0 = Clock::now();
            // One query per open target, in one solver scope: each target's
            // violation is guarded by a fresh literal and checked under that
            // literal as an assumption, so what the solver learns refuting
            // one target serves the next, and a target that times out leaves
            // the others going (to deeper depths too). A model that also
            // violates later targets settles them without their own query.
            // With bit-vectors there is no scope: a literal never assumed
            // again constrains nothing, so its implication may stay, and the
            // SAT core keeps what it learned without a pop; and the joint
            // query (all_at_once) comes first.
            (void)path.state(std::size_t(d));
            held_.clear();
            std::vector<Target*> live;
            std::vector<z3::expr> bad, lit;
            for (Target& t : targets_)
                if (open(t) && !(!t.state && d == 0)) {
                    live.push_back(&t);
                    bad.push_back(bad_at(t, path, std::size_t(d)));
                    lit.push_back(ctx_.bool_const(fmt::format("q{}.{}", d, live.size()).c_str()));
                }
            if (!bv) s.push();
            for (std::size_t i = 0; i < live.size(); ++i) add(z3::implies(lit[i], bad[i]));
            // With bit-vectors, one joint query first (all_at_once); the
            // per-target queries below then ask only what it left open.
            if (bv) all_at_once(s, path, live, bad, lit, d);
            for (std::size_t i = 0; i < live.size() && !stopped(); ++i) {
                if (!open(*live[i])) continue;   // settled by an earlier model
                if (std::find(held_.begin(), held_.end(), live[i]) != held_.end()) continue;
                z3::expr_vector assume(ctx_);
                assume.push_back(lit[i]);
                const z3::check_result r = check(s, assume);
                charge(*live[i]);
                if (r == z3::sat) {
                    const z3::model zm = s.get_model();
                    for (std::size_t j = i; j < live.size(); ++j)
                        if (open(*live[j]) && zm.eval(bad[j], true).is_true()) violated(*live[j], zm, path, std::size_t(d));
                } else if (r == z3::unknown) {
                    unknown(*live[i], s, fmt::format("at depth {}", d));
                }
            }
            if (!bv) s.pop();
            if (stopped()) break;
            // Every target still open holds on every path of up to d steps,
            // so it holds in state d (and on transition d-1) of every path the
            // deeper queries consider: asserting it there excludes no path
            // and prunes the search (the query for a first violation at a
            // later depth may assume the earlier states good).
            for (Target& t : targets_)
                if (open(t) && (t.state || d > 0)) add(good_at(t, path, std::size_t(d)));
            covered_ = d;
            progress(fmt::format("depth {} done in {:.2f} s ({:.2f} s of CPU since the start)", d, since(t0),
                                 double(std::clock()) / CLOCKS_PER_SEC));
            if (d < depth) add(path.trans(std::size_t(d)));
        }
        if (bv) progress(fmt::format("encoding: the widest bit-vector has {} bits", enc->widest()));
        if (final_bounded)
            for (Target& t : targets_)
                if (open(t) && covered_ >= 0) {
                    t.result.kind = Result::Kind::Bounded;
                    t.result.k = covered_;
                    t.result.reason = fmt::format("no violation within {} steps from the initial world ({} slots)",
                                                  covered_, o_.features.slots);
                }
    }

    const Relation& relation() {
        if (!relation_) {
            const auto t0 = Clock::now();
            relation_ = std::make_unique<Relation>(m_);
            progress(fmt::format("transition relation built in {:.2f} s", since(t0)));
        }
        return *relation_;
    }

    /// Integer arithmetic and the bit-vector action variables: Z3's default
    /// (incremental) solver; the QF_LIA one does not take bit-vectors.
    z3::solver solver() { return z3::solver(ctx_); }

    z3::check_result check(z3::solver& s) {
        const Meter meter(*this, s);
        try {
            return s.check();
        } catch (const z3::exception& e) {
            last_error_ = e.msg();
            return z3::unknown;
        }
    }
    z3::check_result check(z3::solver& s, const z3::expr_vector& assumptions) {
        const Meter meter(*this, s);
        try {
            return s.check(assumptions);
        } catch (const z3::exception& e) {
            last_error_ = e.msg();
            return z3::unknown;
        }
    }
    /// What one check used: Z3's resource units, the thread's CPU time and
    /// the wall time (last_rlimit_, last_cpu_, last_seconds_; charge() books
    /// them to a target).
    struct Meter {
        Run& run;
        z3::solver& s;
        std::uint64_t r0;
        double c0;
        Clock::time_point w0;
        Meter(Run& r, z3::solver& solver)
            : run(r), s(solver), r0(rlimit_count(solver)), c0(thread_cpu()), w0(Clock::now()) {}
        ~Meter() {
            const std::uint64_t r1 = rlimit_count(s);
            run.last_rlimit_ = r1 >= r0 ? r1 - r0 : 0;
            run.last_cpu_ = thread_cpu() - c0;
            run.last_seconds_ = since(w0);
        }
        Meter(const Meter&) = delete;
        Meter& operator=(const Meter&) = delete;
    };
    void charge(Target& t) const {
        t.result.seconds += last_seconds_;
        t.result.rlimit += last_rlimit_;
        t.result.cpu_seconds += last_cpu_;
        t.result.max_query_rlimit = std::max(t.result.max_query_rlimit, last_rlimit_);
    }
    /// A joint query's work, booked to each of the n targets it answered
    /// for as its n-th share (its largest query too: the joint query's
    /// limits are n times a query's).
    void charge_share(Target& t, double n) const {
        const auto units = std::uint64_t(double(last_rlimit_) / n);
        t.result.seconds += last_seconds_ / n;
        t.result.rlimit += units;
        t.result.cpu_seconds += last_cpu_ / n;
        t.result.max_query_rlimit = std::max(t.result.max_query_rlimit, units);
    }

    void unknown(Target& t, z3::solver& s, const std::string& where) {
        if (stopped()) return;   // reported as interrupted at the end
        t.result.kind = Result::Kind::Unknown;
        t.result.reason = (last_error_.empty() ? z3_reason(s) : "Z3: " + last_error_) + " " + where;
        last_error_.clear();
    }

    bool stopped() {
        if (dog_.stop()) rep_.interrupted = true;
        return rep_.interrupted;
    }

    /// k-induction of one target with hypothesis `hyp` (its own form, and
    /// the auxiliary invariants once they are proved), for k = from_k ..
    /// to_k (0: max_k). The smaller k's path is still built and assumed,
    /// only its step query is not asked again.
    void induct(Target& t, const std::vector<const Target*>& hyp, int from_k = 1, int to_k = 0) {
        if (to_k <= 0) to_k = o_.max_k;
        Path path(m_, relation(), "i");
        z3::solver s = solver();
        s.set(params_);
        s.add(m_.domain(path.state(0)));
        std::string cti;
        for (int k = 1; k <= to_k && !stopped(); ++k) {
            const std::size_t i = std::size_t(k - 1);
            // Hypotheses: the property on the earlier states (transitions),
            // the proved invariants on every state before the last.
            if (t.state || i > 0) s.add(good_at(t, path, i));
            for (const Target* h : hyp) s.add(good_at(*h, path, i));
            s.add(m_.domain(path.state(i + 1)));
            s.add(path.trans(i));
            if (k < from_k) continue;
            // The step query in pieces, one per conjunct of the target's
            // form in the last state (a `forall t in tasks` is one per slot):
            // the negated form is the disjunction of the negated conjuncts,
            // so the query is unsat exactly when every piece's is, and each
            // piece assumes all that the whole query did. The pieces' sum of
            // work is about the whole query's (aux.parents at 4 slots with
            // every switch: 106.7 M units in 11 pieces against 100.7 M in
            // one), but the largest piece is a third of it (36.2 M), so
            // --query-timeout and --query-rlimit bound smaller queries.
            const std::vector<z3::expr> pieces = conjuncts(good_at(t, path, i + 1));
            z3::check_result r = z3::unsat;
            std::size_t at = 0;
            for (; at < pieces.size(); ++at) {
                s.push();
                s.add(!pieces[at]);
                r = check(s);
                charge(t);
                if (r != z3::unsat) break;
                s.pop();
            }
            if (r == z3::unsat) {
                t.result.kind = Result::Kind::Proved;
                t.result.k = k;
                t.result.reason =
                    t.state ? fmt::format("{}-inductive{} over every state of {} slots; base case {} steps", k,
                                              hyp.empty() ? "" : fmt::format(" relative to {} proved hypotheses "
                                                                             "(aux.*, model.lemmas.*)", hyp.size()),
                                              o_.features.slots, covered_)
                                : fmt::format("holds on every transition from every state of {} slots{} (k={})",
                                              o_.features.slots,
                                              hyp.empty() ? "" : fmt::format(" that satisfies {} proved hypotheses "
                                                                             "(aux.*, model.lemmas.*)", hyp.size()), k);
                progress(fmt::format("{}: proved with k={}", t.result.property, k));
                return;
            }
            if (r == z3::unknown) {
                unknown(t, s, pieces.size() == 1 ? fmt::format("in the induction step with k={}", k)
                                                 : fmt::format("in the induction step with k={} (conjunct {} of {})", k,
                                                               at + 1, pieces.size()));
                s.pop();
                return;
            }
            cti = describe_path(m_, s.get_model(), path, i + 1);
            s.pop();
            progress(fmt::format("{}: not {}-inductive", t.result.property, k));
        }
        if (stopped()) return;
        t.result.kind = Result::Kind::Unknown;
        t.result.k = to_k;
        t.result.reason = fmt::format(
            "not k-inductive for k<={} and no violation within {} steps; the counterexample to induction "
            "(states not necessarily reachable) is in `cti`",
            to_k, covered_);
        t.result.cti = cti;
    }

    Report finish(Clock::time_point t0) {
        for (Target& t : targets_) {
            if (open(t)) {
                t.result.kind = Result::Kind::Unknown;
                t.result.reason = rep_.interrupted ? "interrupted before it was settled" : "not settled";
            }
            rep_.results.push_back(t.result);
        }
        rep_.seconds = since(t0);
        return rep_;
    }

    const refimpl::Profile& p_;
    const Options& o_;
    z3::context ctx_;
    z3::params params_{ctx_};
    SymModel m_;
    Translator tr_;
    Watchdog dog_;
    Report rep_;
    std::vector<Target> targets_;
    int covered_ = -1;
    std::string last_error_;
    std::uint64_t last_rlimit_ = 0;
    double last_cpu_ = 0, last_seconds_ = 0;
    std::unique_ptr<Relation> relation_;
    std::vector<const Target*> held_;   ///< run_bmc: the live targets the depth's joint query showed to hold
};

/// The hypotheses of prove: the `always` targets Target::hypothesis() names
/// that the base case left open, proved by simultaneous induction over
/// their conjunction H = h_1 and ... and h_n. Each h_i's step query assumes
/// all of H (h_i included) on the states 0..k-1 of a path of the domain and
/// asks for not h_i in state k; if every one is unsat, H in states 0..k-1
/// implies H in state k, so H is k-inductive, and with the base case (no
/// violation of any h_i within max_k - 1 steps of the initial world, which
/// run_bmc settled) H holds in every reachable state: each h_i is proved.
/// (A part proved with a smaller k_i than another's k is proved with that k
/// too: its query applies to the last k_i states of any longer path.) The
/// argument needs every part of H proved: one that fails (not inductive,
/// a timeout, or a resource limit) takes the others' proofs with it, since
/// they assumed it. So, as Houdini does, the failed parts are dropped from
/// H and the rest proved again without them, until every part left is
/// proved relative to exactly the parts left (or none is left); a part the
/// solver cannot settle then costs only what needed it, not every
/// hypothesis. Returns the proved set; a stop (interrupt, --max-time) in
/// the middle leaves the parts that were proved relative to unsettled ones
/// open (finish() reports them interrupted), and returns none.
std::vector<const Target*> prove_hypotheses(Run& run) {
    std::vector<Target*> cand;
    for (Target& t : run.targets_)
        if (t.hypothesis() && t.has_form() && t.state && run.open(t)) cand.push_back(&t);
    for (int round = 1; !cand.empty(); ++round) {
        const std::vector<const Target*> hyp(cand.begin(), cand.end());
        for (Target* t : cand)
            if (run.open(*t)) run.induct(*t, hyp);
        std::vector<Target*> kept;
        std::string dropped;
        for (Target* t : cand) {
            if (t->result.kind == Result::Kind::Proved) {
                kept.push_back(t);
            } else if (!run.stopped()) {
                dropped += (dropped.empty() ? "" : ", ") + t->result.property;
            }
        }
        if (run.stopped()) {
            for (Target* t : kept) {
                t->result.kind = Result::Kind::Unknown;
                t->result.reason.clear();
            }
            return {};
        }
        if (kept.size() == cand.size()) break;
        run.progress(fmt::format("hypotheses, round {}: {} not proved; the other {} again without {}", round,
                                 dropped, kept.size(), cand.size() - kept.size() == 1 ? "it" : "them"));
        for (Target* t : kept) {
            t->result.kind = Result::Kind::Unknown;
            t->result.reason.clear();
            t->result.k = 0;
        }
        cand = std::move(kept);
    }
    if (cand.empty()) run.progress("no induction hypothesis is proved: induction without them");
    return {cand.begin(), cand.end()};
}

/// The watchdog stops a run (Ctrl-C, SIGTERM, --max-time) by interrupting
/// Z3, and any Z3 call then throws "canceled", not only the solver's check
/// (which Run::check turns into unknown): building or simplifying terms too.
/// A run that was stopped reports what it settled; any other Z3 exception
/// is a model error.
Report z3_failure(std::optional<Run>& run, Clock::time_point t0, const z3::exception& e) {
    if (run && run->stopped()) return run->finish(t0);
    throw model::ModelError(std::string("Z3: ") + e.msg());
}

}  // namespace

Report bmc(const refimpl::Profile& p, const Options& o) {
    const auto t0 = Clock::now();
    std::optional<Run> holder;
    try {
        Run& run = holder.emplace(p, o, "bmc");
        run.run_bmc(o.depth, true);
        return run.finish(t0);
    } catch (const z3::exception& e) {
        return z3_failure(holder, t0, e);
    }
}

/// prove's search for violations of the properties that are not
/// 1-inductive, first in the model without the switches that only add
/// actions and fields (execve, kill, CLONE_PIDFD_AUTOKILL, capset, WNOWAIT):
/// its unrolling is much smaller (bmc of lifecycle.waiter_woken with two
/// threads: its 5-step violation at 4 slots in 36 s without them; with them
/// depth 5 alone took 51 s at 3 slots, where it is not violated). Every
/// path it finds is checked to be a path of the full model (Run::confirm:
/// the fields the smaller model tracks fixed in every state), and reported
/// with the full model's own trace, replayed through refimpl; what it does
/// not find, the full search looks for after it. The narrowed run's Z3 work
/// is booked to the properties it searched for.
void narrowed_search(const refimpl::Profile& p, const Options& o, Run& run,
                     std::vector<std::pair<Target*, Result>>& pending, Clock::time_point t0) {
    const model::Features& f = o.features;
    if (!(f.exec || f.kill || f.autokill || f.capset || f.wnowait)) return;
    Options n = o;
    // bit-vectors, as bmc's default: the search's deeper queries are several
    // times cheaper in Z3's SAT core (it falls back to Int terms by itself)
    n.encoding = Encoding::Bv;
    n.features.exec = n.features.kill = n.features.autokill = n.features.capset = n.features.wnowait = false;
    n.properties.clear();
    for (const auto& [t, saved] : pending) n.properties.push_back(t->result.property);
    if (o.max_seconds > 0) {
        n.max_seconds = o.max_seconds - since(t0);
        if (n.max_seconds <= 0) return;
    }
    run.progress(fmt::format("searching for violations of the {} properties that are not 1-inductive up to depth {}, "
                             "first without execve, kill, AUTOKILL, capset and WNOWAIT: {}",
                             pending.size(), o.depth, fmt::join(n.properties, ", ")));
    Run narrow(p, n, "prove");
    narrow.run_bmc(o.depth, false);
    for (auto& [t, saved] : pending) {
        for (Target& u : narrow.targets_) {
            if (u.result.property != t->result.property) continue;
            t->result.seconds += u.result.seconds;
            t->result.cpu_seconds += u.result.cpu_seconds;
            t->result.rlimit += u.result.rlimit;
            t->result.max_query_rlimit = std::max(t->result.max_query_rlimit, u.result.max_query_rlimit);
            if (u.result.kind == Result::Kind::Violated && run.confirm(*t, u.witness, narrow.m_.state_fields()))
                run.progress(fmt::format("{}: violated in {} steps (a path of the full model)", t->result.property,
                                         t->result.k));
        }
    }
}

Report prove(const refimpl::Profile& p, const Options& given) {
    const auto t0 = Clock::now();
    Options o = given;
    // The induction hypotheses are proved along: the aux.* invariants and
    // init_alive of the catalog, and the slot encoding's own invariant.
    if (o.properties.empty()) o.properties = default_properties();
    for (const auto& q : props::catalog()) {
        const std::string id(q.id);
        if ((id.rfind("aux.", 0) == 0 || id == "lifecycle.init_alive") &&
            std::find(o.properties.begin(), o.properties.end(), id) == o.properties.end())
            o.properties.push_back(id);
    }
    // (every part of model.lemmas; the constructor skips a part named twice)
    o.properties.emplace_back(kSlotsInvariant);
    std::optional<Run> holder;
    try {
        Run& run = holder.emplace(p, o, "prove");
        // Base case: no violation within the search depth (at least max_k - 1).
        run.run_bmc(o.max_k - 1, false);
        // The induction hypotheses first (aux.*, init_alive and the parts of
        // model.lemmas), then the others relative to the proved ones.
        const std::vector<const Target*> hyp = prove_hypotheses(run);
        // Each of the others with k = 1 first. What is not 1-inductive may
        // be violated: search from the initial world up to --depth for
        // those alone before the larger k, whose step queries are the
        // costliest of a run (a violated property is never k-inductive,
        // so they would be asked in vain: lifecycle.waiter_woken at 4
        // slots with every switch, 188 M Z3 units for k = 2).
        for (Target& t : run.targets_)
            if (run.open(t)) run.induct(t, hyp, 1, 1);
        std::vector<std::pair<Target*, Result>> pending;
        for (Target& t : run.targets_)
            if (t.result.kind == Result::Kind::Unknown && !t.result.cti.empty()) {
                pending.emplace_back(&t, t.result);
                t.result.reason.clear();
                t.result.cti.clear();
            }
        if (!pending.empty() && o.depth > o.max_k - 1 && !run.stopped()) {
            narrowed_search(p, o, run, pending, t0);
            const auto left = std::count_if(pending.begin(), pending.end(),
                                            [](const auto& x) { return x.first->result.kind != Result::Kind::Violated; });
            if (left > 0 && !run.stopped()) {
                run.progress(fmt::format("searching for violations of the {} properties that are not 1-inductive up "
                                         "to depth {}",
                                         left, o.depth));
                run.run_bmc(o.depth, false);
            }
        }
        const int searched = std::max(run.covered_, 0);
        for (auto& [t, saved] : pending) {
            if (t->result.kind == Result::Kind::Violated) continue;
            // Not violated within `searched` steps: the larger k, and what
            // the search spent stays booked to the property.
            const std::string why = t->result.reason;
            Result r = saved;
            r.seconds = t->result.seconds;
            r.cpu_seconds = t->result.cpu_seconds;
            r.rlimit = t->result.rlimit;
            r.max_query_rlimit = t->result.max_query_rlimit;
            t->result = r;
            if (o.max_k > 1 && !run.stopped()) {
                t->result.reason.clear();
                t->result.cti.clear();
                run.induct(*t, hyp, 2, o.max_k);
                if (t->result.kind != Result::Kind::Unknown || t->result.cti.empty()) continue;   // proved, or Z3's unknown
            }
            if (run.stopped()) continue;
            t->result.reason = fmt::format(
                "not k-inductive for k<={}, and no violation within {} steps of the initial world{}; the "
                "counterexample to induction (states not necessarily reachable) is printed",
                o.max_k, searched, why.empty() ? "" : " (" + why.substr(0, why.find('\n')) + ")");
        }
        return run.finish(t0);
    } catch (const z3::exception& e) {
        return z3_failure(holder, t0, e);
    }
}

std::string format(const Report& r) {
    std::string out = fmt::format("{} profile {}: {}\n", r.engine, r.profile, r.features.describe());
    std::size_t w = 0;
    for (const auto& x : r.results) w = std::max(w, x.property.size());
    // wall seconds, then CPU seconds and Z3 resource units (M: millions) of
    // the property's queries, which do not depend on the machine's load
    for (const auto& x : r.results)
        out += fmt::format("  {:<{}}  {:<13} {:>7.2f} s {:>7.2f} cpu {:>8.1f}M  {}\n", x.property, w,
                           to_string(x.kind), x.seconds, x.cpu_seconds, double(x.rlimit) / 1e6,
                           x.reason.substr(0, x.reason.find('\n')));
    if (r.interrupted) out += "  stopped early (interrupt or --max-time): unsettled properties are unknown\n";
    out += fmt::format("  {:.2f} s\n", r.seconds);
    for (const auto& x : r.results) {
        if (!x.trace.empty()) out += fmt::format("\n--- {} ---\n{}", x.property, x.trace);
        if (!x.cti.empty()) out += fmt::format("\n--- {}: counterexample to induction (k={}) ---\n{}", x.property, x.k, x.cti);
        if (x.reason.find('\n') != std::string::npos) out += fmt::format("\n--- {} ---\n{}\n", x.property, x.reason);
    }
    return out;
}

nlohmann::json to_json(const Report& r) {
    nlohmann::json j;
    j["engine"] = r.engine;
    j["profile"] = r.profile;
    j["bounds"] = {{"slots", r.features.slots}, {"tasks", r.features.task_bound()}, {"threads", r.features.threads},
                   {"exit_codes", r.features.exit_codes}, {"ptrace", r.features.ptrace},
                   {"parent", r.features.parent}, {"pidfds", r.features.pidfds ? 1 : 0},
                   {"blocking", r.features.blocking}, {"subreaper", r.features.subreaper},
                   {"sigaction", r.features.sigaction}, {"kill", r.features.kill}, {"exec", r.features.exec},
                   {"autokill", r.features.autokill}, {"capset", r.features.capset},
                   {"wnowait", r.features.wnowait}, {"description", r.features.describe()}};
    j["seconds"] = r.seconds;
    j["interrupted"] = r.interrupted;
    if (!r.encoding.empty()) j["encoding"] = r.encoding;
    if (!r.encoding_note.empty()) j["encoding_note"] = r.encoding_note;
    j["results"] = nlohmann::json::array();
    for (const auto& x : r.results) {
        nlohmann::json e = {{"property", x.property}, {"verdict", to_string(x.kind)}, {"k", x.k},
                            {"reason", x.reason}, {"seconds", x.seconds}, {"cpu_seconds", x.cpu_seconds},
                            {"rlimit", x.rlimit}, {"max_query_rlimit", x.max_query_rlimit}};
        if (!x.trace.empty()) e["trace"] = x.trace;
        if (!x.cti.empty()) e["cti"] = x.cti;
        j["results"].push_back(e);
    }
    return j;
}

int exit_code(const Report& r) {
    if (r.disagreement) return 4;
    bool unknown = r.interrupted;
    for (const auto& x : r.results) {
        if (x.kind == Result::Kind::Violated) return 1;
        if (x.kind == Result::Kind::Unknown) unknown = true;
    }
    return unknown ? 3 : 0;
}

}  // namespace reapcheck::symbolic
