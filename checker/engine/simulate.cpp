#include "checker/engine/simulate.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include <time.h>

#include <fmt/format.h>

#include "checker/engine/kernel_model.hpp"
#include "checker/engine/trace.hpp"
#include "checker/scenario/dispatch.hpp"

namespace reapcheck::engine {

using namespace refimpl;
using props::Kind;
using props::Property;

const char* to_string(Bias b) { return b == Bias::Rare ? "rare" : "uniform"; }

namespace {

uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/// xoshiro256** (Blackman and Vigna): the walk's generator, seeded by splitmix64.
struct Rng {
    uint64_t s[4];
    explicit Rng(uint64_t seed) {
        for (auto& w : s) w = splitmix64(seed);
    }
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t next() {
        const uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return r;
    }
    /// Uniform in [0, n): the top 53 bits scaled (n is at most a few hundred).
    uint32_t below(std::size_t n) { return uint32_t(double(next() >> 11) * 0x1.0p-53 * double(n)); }
    double unit() { return double(next() >> 11) * 0x1.0p-53; }
};

/// An action's class for the rare bias: the call without its actor, target
/// and descriptor (clone flags and exit signal, wait options, handler, ...).
uint64_t action_class(const Action& a) {
    const scn::Call& c = a.call;
    uint64_t h = uint64_t(c.sys) | uint64_t(a.kernel) << 8 | uint64_t(c.any) << 9 | uint64_t(c.idtype) << 10 |
                 uint64_t(c.handler) << 14 | uint64_t(c.nocldwait) << 17;
    uint64_t x = h;
    x ^= splitmix64(h) ^ c.flags.named;
    x = x * 0x9e3779b97f4a7c15ULL ^ uint64_t(c.exit_signal);
    x = x * 0x9e3779b97f4a7c15ULL ^ uint64_t(c.number);
    x = x * 0x9e3779b97f4a7c15ULL ^ c.options;
    x = x * 0x9e3779b97f4a7c15ULL ^ c.flags.raw;
    return x | 1;   // 0 marks an empty slot
}

/// Fired counts per action class within one walk (open addressing; the
/// alphabet has well under a hundred classes).
struct ClassCounts {
    static constexpr std::size_t kSlots = 512;
    uint64_t key[kSlots];
    uint32_t count[kSlots];
    void clear() {
        std::memset(key, 0, sizeof key);
        std::memset(count, 0, sizeof count);
    }
    uint32_t& at(uint64_t k) {
        std::size_t i = std::size_t(k >> 7) % kSlots;
        while (key[i] != 0 && key[i] != k) i = (i + 1) % kSlots;
        key[i] = k;
        return count[i];
    }
};

bool same_action(const Action& a, const Action& b) {
    return a.kernel == b.kernel && a.r.actor == b.r.actor && a.r.target == b.r.target && a.r.fd == b.r.fd &&
           a.call == b.call;
}

/// One walk's scratch space, reused from walk to walk: two states stepped
/// in turn (copy-assignment into the other reuses its storage, so a step
/// allocates nothing once the tables have grown), the events and actions.
struct Scratch {
    State st[2];
    EventSink events;
    std::vector<Action> acts;
    std::vector<double> weights;
    ClassCounts classes;
};

/// alphabet.cpp's apply() without its copies: steps `post` (a copy of the
/// pre-state) in place, recording refimpl's events into `ev`.
SysResult step_in_place(State& post, const Profile& p, const Action& a, EventSink& ev) {
    ev.clear();
    RecordEvents rec(ev);
    if (a.kernel) {
        kernel_step(post, p, a.r.actor);
        return {};
    }
    return scn::dispatch(post, p, a.call, a.r);
}

/// Runs walk `w` for up to `max_steps` steps; f(step, pre, post, action,
/// result, events) after each, returns false to stop. A refimpl contract
/// broken by a transition throws ModelError (as in the explorer).
template <class F>
uint32_t run_walk(const Profile& p, const SimulateOptions& o, uint64_t w, uint32_t max_steps, Scratch& sc, F&& f) {
    Rng rng(walk_seed(o.seed, w));
    int c = 0;
    sc.st[0] = initial_state();
    if (o.bias == Bias::Rare) sc.classes.clear();
    uint32_t k = 0;
    while (k < max_steps) {
        enabled_actions(sc.st[c], p, o.bounds, sc.acts);
        if (sc.acts.empty()) break;
        std::size_t i;
        if (o.bias == Bias::Rare) {
            sc.weights.resize(sc.acts.size());
            double sum = 0;
            for (std::size_t j = 0; j < sc.acts.size(); ++j) {
                sc.weights[j] = 1.0 / (1.0 + double(sc.classes.at(action_class(sc.acts[j]))));
                sum += sc.weights[j];
            }
            double r = rng.unit() * sum;
            i = 0;
            while (i + 1 < sc.acts.size() && r >= sc.weights[i]) r -= sc.weights[i++];
            ++sc.classes.at(action_class(sc.acts[i]));
        } else {
            i = rng.below(sc.acts.size());
        }
        const Action& a = sc.acts[i];
        const State& pre = sc.st[c];
        State& post = sc.st[c ^ 1];
        post = pre;
        SysResult res;
        try {
            res = step_in_place(post, p, a, sc.events);
        } catch (const ContractError& e) {
            throw ModelError(fmt::format("walk {} step {}: {}\n  action: {}\n  state:\n{}", w, k + 1, e.what(),
                                         describe_action(a), describe(pre)));
        }
        ++k;
        if (!f(k, pre, post, a, res, sc.events)) break;
        c ^= 1;
    }
    return k;
}

/// Whether property `pr` shows (is violated; a cover: is hit) in a state or
/// on a transition, exactly as the explorer's visitor decides (check.cpp).
bool shows_in_state(const Profile& p, const Property& pr, const State& s) {
    if (!pr.has_state() || pr.kind == Kind::Eventually) return false;
    const bool v = pr.holds(p, s);
    return pr.kind == Kind::Always ? !v : pr.kind == Kind::Sometimes && v;
}
bool shows_on_step(const Property& pr, const props::StepView& view) {
    if (!pr.has_step()) return false;
    const bool v = pr.holds(view);
    return pr.kind == Kind::Step ? !v : pr.kind == Kind::Sometimes && v;
}

/// An action of the walk being shrunk, with the tasks it created there
/// (their indices in the walk's world). Task indices are creation order, so
/// dropping a clone renumbers every later task: a replay maps the walk's
/// indices to its own through `created`, and an action whose actor or target
/// was never created (its clone was dropped) is left out.
struct ShrinkStep {
    Action a;
    std::vector<Id> created;
};

struct Replayed {
    std::vector<ShrinkStep> steps;   ///< the steps run, as given (walk indices)
    std::vector<Action> actions;     ///< the same, in the replay's own indices (for the trace)
};

/// Replays `steps` from the initial world, leaving out an action that is not
/// enabled where it comes (a shrinking candidate dropped what enabled it):
/// the steps run up to the first one where `pr` shows, or nullopt. With
/// `annotate`, records in each step the tasks it creates (the walk itself).
std::optional<Replayed> replay_shows(const Profile& p, const Bounds& b, const Property& pr,
                                     std::vector<ShrinkStep>& steps, bool annotate = false) {
    State cur = initial_state(), post;
    Replayed out;
    if (shows_in_state(p, pr, cur)) return out;
    std::vector<Id> map(std::size_t(kMain) + 1);   // walk index -> replay index
    map[kInit] = kInit;
    map[kMain] = kMain;
    auto to_replay = [&](Id t) { return t == kNone ? kNone : std::size_t(t) < map.size() ? map[t] : Id(-2); };
    std::vector<Action> en;
    EventSink ev;
    for (ShrinkStep& st : steps) {
        Action a = st.a;
        a.r.actor = to_replay(a.r.actor);
        a.r.target = to_replay(a.r.target);
        if (a.r.actor < 0 || a.r.target < kNone) continue;   // its task was never created here
        enabled_actions(cur, p, b, en);
        if (std::none_of(en.begin(), en.end(), [&](const Action& e) { return same_action(e, a); })) continue;
        post = cur;
        SysResult res;
        try {
            res = step_in_place(post, p, a, ev);
        } catch (const ContractError&) {   // only under a mutant: this candidate does not count
            return std::nullopt;
        }
        if (annotate) {
            st.created.clear();
            for (auto t = Id(cur.tasks.size()); t < Id(post.tasks.size()); ++t) st.created.push_back(t);
        }
        for (std::size_t k = 0; k < st.created.size(); ++k) {
            const auto made = Id(cur.tasks.size() + k);
            if (made >= Id(post.tasks.size())) break;
            if (std::size_t(st.created[k]) >= map.size()) map.resize(std::size_t(st.created[k]) + 1, Id(-2));
            map[st.created[k]] = made;
        }
        out.steps.push_back(st);
        out.actions.push_back(a);
        const props::CallView cv = call_view(p, a);
        const props::StepView view{p, cur, post, cv, res, ev};
        if (shows_on_step(pr, view) || shows_in_state(p, pr, post)) return out;
        cur = post;
    }
    return std::nullopt;
}

/// Delta debugging (Zeller and Hildebrandt, "Simplifying and isolating
/// failure-inducing input", 2002) over the walk's actions: drop chunks, then
/// single actions, while the replay still shows the same property; each
/// success also cuts the list at the step where the property shows. Returns
/// the actions of the last successful replay (its own task indices).
std::vector<Action> shrink(const Profile& p, const Bounds& b, const Property& pr, const std::vector<Action>& walk,
                           bool minimize) {
    std::vector<ShrinkStep> acts;
    for (const Action& a : walk) acts.push_back({a, {}});
    std::optional<Replayed> best = replay_shows(p, b, pr, acts, true);
    if (!best) throw std::logic_error("engine bug: the walk's own prefix does not show " + std::string(pr.id));
    acts = best->steps;
    auto attempt = [&](std::vector<ShrinkStep>& cand) {
        std::optional<Replayed> r = replay_shows(p, b, pr, cand);
        if (!r) return false;
        best = std::move(r);
        acts = best->steps;
        return true;
    };
    if (!minimize) return best->actions;
    std::size_t n = 2;
    while (acts.size() >= 2) {
        const std::size_t chunk = (acts.size() + n - 1) / n;
        bool reduced = false;
        for (std::size_t start = 0; start < acts.size() && !reduced; start += chunk) {
            std::vector<ShrinkStep> cand(acts.begin(), acts.begin() + std::ptrdiff_t(start));
            cand.insert(cand.end(), acts.begin() + std::ptrdiff_t(std::min(acts.size(), start + chunk)), acts.end());
            reduced = attempt(cand);
        }
        if (reduced) n = std::max<std::size_t>(n - 1, 2);
        else if (n >= acts.size()) break;
        else n = std::min(acts.size(), n * 2);
    }
    // 1-minimal: no single action can go.
    for (std::size_t i = acts.size(); i-- > 0;) {
        std::vector<ShrinkStep> cand = acts;
        cand.erase(cand.begin() + std::ptrdiff_t(i));
        if (attempt(cand)) i = std::min(i, acts.size());
    }
    return best->actions;
}

/// CPU time of the calling thread: steps per CPU second are what a loaded
/// machine (shared cores) still measures fairly.
double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

constexpr uint64_t kNotFound = UINT64_MAX;
uint64_t place(uint64_t walk, uint32_t step) { return walk << 20 | step; }

}  // namespace

uint64_t walk_seed(uint64_t seed, uint64_t walk) {
    uint64_t x = seed;
    const uint64_t a = splitmix64(x);
    x = a ^ (walk * 0xd1b54a32d192ed03ULL);
    return splitmix64(x);
}

std::vector<Action> walk_actions(const Profile& p, const SimulateOptions& o, uint64_t walk, uint32_t max_steps) {
    Scratch sc;
    std::vector<Action> out;
    run_walk(p, o, walk, max_steps, sc, [&](uint32_t, const State&, const State&, const Action& a, const SysResult&,
                                            const EventSink&) {
        out.push_back(a);
        return true;
    });
    return out;
}

namespace {

/// The properties a simulation checks, in the order of the catalog:
/// `checked` (always, step, sometimes: by the walks), `eventually` (not
/// checkable) and `skipped` (not applicable to the profile). Every process
/// of an MPI run computes the same lists (the tallies are indexed by them).
struct SimProperties {
    std::vector<const Property*> checked, eventually, skipped;
    SimProperties(const Profile& profile, const SimulateOptions& o) {
        for (const Property& pr : props::catalog()) {
            if (!o.properties.empty() &&
                std::find(o.properties.begin(), o.properties.end(), pr.id) == o.properties.end())
                continue;
            if (!pr.applies_to(profile)) skipped.push_back(&pr);
            else if (pr.kind == Kind::Eventually) eventually.push_back(&pr);
            else checked.push_back(&pr);
        }
    }
};

/// How many walks first, first + stride, ... fall below `walks`.
uint64_t share_size(uint64_t walks, uint64_t first, uint64_t stride) {
    return walks <= first ? 0 : (walks - first - 1) / stride + 1;
}

}  // namespace

std::size_t checked_property_count(const Profile& p, const SimulateOptions& o) {
    return SimProperties(p, o).checked.size();
}

WalkTally run_walks(const Profile& profile, const SimulateOptions& o) {
    const std::vector<const Property*> checked = SimProperties(profile, o).checked;
    const std::size_t np = checked.size();
    std::vector<std::size_t> state_props, step_props;   // indices into `checked`
    for (std::size_t i = 0; i < np; ++i) {
        if (checked[i]->has_state()) state_props.push_back(i);
        if (checked[i]->has_step()) step_props.push_back(i);
    }
    std::vector<std::atomic<uint64_t>> found(np);
    for (auto& f : found) f = kNotFound;
    std::vector<std::atomic<uint64_t>> hits(np);
    for (auto& h : hits) h = 0;

    const uint64_t stride = std::max<uint64_t>(o.walk_stride, 1);
    const uint64_t share = share_size(o.walks, o.walk_first, stride);
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    std::atomic<uint64_t> next{0}, steps{0};
    double cpu = 0;
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::string stop_reason;
    std::exception_ptr error;
    uint64_t model_error_walk = UINT64_MAX;
    std::string model_error;
    const auto max_steps = uint32_t(o.steps);
    const State init = initial_state();

    auto worker = [&] {
        Scratch sc;
        std::vector<uint8_t> done(np);   // this walk: violated already, or cover hit already
        uint64_t my_steps = 0;
        const double cpu0 = thread_cpu_seconds();
        try {
            while (!stop.load(std::memory_order_relaxed)) {
                std::string why;
                if (o.interrupt && *o.interrupt) why = "interrupted";
                else if (o.seconds > 0 && elapsed() >= o.seconds) why = fmt::format("time limit {:g} s", o.seconds);
                else if (o.stop_when_found && np > 0 &&
                         std::all_of(found.begin(), found.end(), [](const std::atomic<uint64_t>& f) {
                             return f.load(std::memory_order_relaxed) != kNotFound;
                         }))
                    why = "every checked property found";
                if (!why.empty()) {
                    std::lock_guard lock(mu);
                    if (stop_reason.empty()) stop_reason = why;
                    stop = true;
                    break;
                }
                // Every walk taken from the counter is run to its end, so
                // the walks done are always the first `next` of the share.
                const uint64_t j = next.fetch_add(1, std::memory_order_relaxed);
                if (j >= share) break;
                const uint64_t w = o.walk_first + j * stride;
                std::fill(done.begin(), done.end(), uint8_t(0));
                // Properties violated by an earlier walk are not checked in
                // this one: the first violation (least walk) is all that is
                // reported, and it does not depend on the thread count.
                for (std::size_t i = 0; i < np; ++i)
                    if (checked[i]->kind != Kind::Sometimes && found[i].load(std::memory_order_relaxed) < place(w, 0))
                        done[i] = 1;
                auto record = [&](std::size_t i, uint32_t k) {
                    done[i] = 1;
                    if (checked[i]->kind == Kind::Sometimes) hits[i].fetch_add(1, std::memory_order_relaxed);
                    const uint64_t at = place(w, k);
                    uint64_t cur = found[i].load(std::memory_order_relaxed);
                    while (at < cur && !found[i].compare_exchange_weak(cur, at, std::memory_order_relaxed)) {
                    }
                };
                for (std::size_t i : state_props)
                    if (!done[i] && shows_in_state(profile, *checked[i], init)) record(i, 0);
                try {
                    my_steps += run_walk(profile, o, w, max_steps, sc, [&](uint32_t k, const State& pre,
                                                                            const State& post, const Action& a,
                                                                            const SysResult& r, const EventSink& ev) {
                        const props::CallView cv = call_view(profile, a);
                        const props::StepView view{profile, pre, post, cv, r, ev};
                        for (std::size_t i : step_props)
                            if (!done[i] && shows_on_step(*checked[i], view)) record(i, k);
                        for (std::size_t i : state_props)
                            if (!done[i] && shows_in_state(profile, *checked[i], post)) record(i, k);
                        return true;
                    });
                } catch (const ModelError& e) {
                    std::lock_guard lock(mu);
                    if (w < model_error_walk) {
                        model_error_walk = w;
                        model_error = e.what();
                    }
                } catch (const ContractError& e) {   // from a property's reader
                    std::lock_guard lock(mu);
                    if (w < model_error_walk) {
                        model_error_walk = w;
                        model_error = fmt::format("walk {}: {}", w, e.what());
                    }
                }
            }
        } catch (...) {
            std::lock_guard lock(mu);
            if (!error) error = std::current_exception();
            stop = true;
        }
        steps += my_steps;
        std::lock_guard lock(mu);
        cpu += thread_cpu_seconds() - cpu0;
    };
    {
        std::vector<std::thread> ts;
        for (int t = 1; t < o.threads; ++t) ts.emplace_back(worker);
        worker();
        for (auto& t : ts) t.join();
    }
    if (error) std::rethrow_exception(error);
    WalkTally t;
    t.seconds = elapsed();
    t.walks = std::min(next.load(), share);
    t.steps = steps.load();
    t.cpu_seconds = cpu;
    t.stop_reason = t.walks < share ? stop_reason : "";
    t.model_error_walk = model_error_walk;
    t.model_error = model_error;
    for (std::size_t i = 0; i < np; ++i) {
        t.found.push_back(found[i].load());
        t.hits.push_back(hits[i].load());
    }
    return t;
}

void merge_tally(WalkTally& into, const WalkTally& t) {
    if (t.found.size() != into.found.size() || t.hits.size() != into.hits.size())
        throw std::logic_error("engine bug: walk tallies of different property lists");
    for (std::size_t i = 0; i < into.found.size(); ++i) {
        into.found[i] = std::min(into.found[i], t.found[i]);
        into.hits[i] += t.hits[i];
    }
    into.walks += t.walks;
    into.steps += t.steps;
    into.seconds = std::max(into.seconds, t.seconds);
    into.cpu_seconds += t.cpu_seconds;
    if (into.stop_reason.empty()) into.stop_reason = t.stop_reason;
    if (t.model_error_walk < into.model_error_walk) {
        into.model_error_walk = t.model_error_walk;
        into.model_error = t.model_error;
    }
}

SimulateResult finish_simulation(const Profile& profile, const SimulateOptions& o, const WalkTally& t) {
    SimulateResult res;
    CheckResult& cr = res.check;
    cr.profile = profile.name;
    cr.options.bounds = o.bounds;
    cr.options.bounds.depth = o.steps;
    cr.options.symmetry = false;
    cr.options.properties = o.properties;
    cr.options.threads = o.threads;
    const SimProperties sp(profile, o);
    const std::vector<const Property*>& checked = sp.checked;
    const std::size_t np = checked.size();
    if (t.found.size() != np || t.hits.size() != np)
        throw std::logic_error("engine bug: a walk tally of another property list");
    res.seconds = t.seconds;
    res.walks = t.walks;
    res.steps = t.steps;
    res.cpu_seconds = t.cpu_seconds;
    res.stop_reason = t.stop_reason;
    if (!t.model_error.empty()) cr.model_errors.push_back(t.model_error);
    cr.stats.transitions = res.steps;
    cr.stats.depth = uint32_t(o.steps);
    cr.stats.seconds = res.seconds;
    cr.stats.stop_reason = res.stop_reason;

    // Verdicts, shrunk traces (from one thread: they depend only on the walk).
    const auto t1 = std::chrono::steady_clock::now();
    const std::string covered =
        fmt::format("{} random walk{} of up to {} steps ({} steps, seed {}, bias {})", res.walks,
                    res.walks == 1 ? "" : "s", o.steps, res.steps, o.seed, to_string(o.bias));
    for (std::size_t i = 0; i < np; ++i) {
        const Property& pr = *checked[i];
        SimFinding f;
        f.property = std::string(pr.id);
        f.walks_hit = t.hits[i];
        Verdict v;
        v.property = f.property;
        const uint64_t at = t.found[i];
        const bool cover = pr.kind == Kind::Sometimes;
        if (at == kNotFound) {
            v.kind = Verdict::Kind::Unknown;
            v.reason = fmt::format("{} in {}; a simulation does not show that it {}", cover ? "not hit" : "not violated",
                                   covered, cover ? "cannot be hit" : "holds");
        } else {
            f.found = true;
            f.walk = at >> 20;
            f.step = uint32_t(at & 0xfffff);
            std::vector<Action> acts = walk_actions(profile, o, f.walk, f.step);
            f.raw_steps = uint32_t(acts.size());
            acts = shrink(profile, o.bounds, pr, acts, o.shrink);
            v.kind = cover ? Verdict::Kind::Covered : Verdict::Kind::Violated;
            const std::string where =
                fmt::format("walk {} step {} (seed {}, bias {}); {} {} steps", f.walk, f.step, o.seed,
                            to_string(o.bias), o.shrink ? "shrunk from" : "not shrunk:", f.raw_steps);
            v.reason = cover ? fmt::format("hit by {} of {} walks, first in {}", f.walks_hit, res.walks, where)
                             : fmt::format("found in {}; within {}", where, covered);
            const std::string header = fmt::format(
                "# {} {} under profile {}\n# claim: {}\n# source: {}\n# found by reapcheck simulate: {}", pr.id,
                cover ? "is hit" : "is violated", profile.name, pr.claim, pr.source, where);
            v.trace = make_concrete_trace(profile, header, acts, [&](const ReplayEnd& e) {
                if (pr.kind == Kind::Always) return !pr.holds(profile, e.state);
                if (pr.kind == Kind::Step) return e.step && !pr.holds(*e.step);
                if (pr.has_state()) return pr.holds(profile, e.state);
                return e.step && pr.holds(*e.step);
            }, v.trace_steps);
        }
        res.findings.push_back(std::move(f));
        cr.verdicts.push_back(std::move(v));
    }
    for (const Property* pr : sp.eventually) {
        Verdict v;
        v.property = std::string(pr->id);
        v.kind = Verdict::Kind::Unknown;
        v.reason = "not checkable by random walks: an eventually property needs the whole state graph (use check)";
        cr.verdicts.push_back(std::move(v));
    }
    for (const Property* pr : sp.skipped) cr.verdicts.push_back(not_applicable(*pr, profile));
    res.shrink_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    return res;
}

SimulateResult simulate(const Profile& profile, const SimulateOptions& o) {
    return finish_simulation(profile, o, run_walks(profile, o));
}

int simulate_exit_code(const SimulateResult& r) {
    for (const Verdict& v : r.check.verdicts)
        if (v.kind == Verdict::Kind::Violated) return 1;
    return !r.check.model_errors.empty() || r.stop_reason == "interrupted" ? 3 : 0;
}

}  // namespace reapcheck::engine
