#include "checker/engine/diff.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <cctype>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "checker/engine/canon.hpp"
#include "checker/engine/pack.hpp"
#include "checker/engine/per_thread.hpp"
#include "checker/explicit/explorer.hpp"
#include "checker/engine/trace.hpp"
#include "checker/scenario/parser.hpp"
#include "checker/scenario/printer.hpp"
#include "checker/scenario/refimpl_executor.hpp"
#include "checker/scenario/runner.hpp"

namespace reapcheck::engine {

using namespace refimpl;
using scn::CloneFlag;
using scn::Sys;

const char* to_string(PairDiff::Verdict v) {
    switch (v) {
    case PairDiff::Verdict::Different: return "different";
    case PairDiff::Verdict::Same: return "no difference";
    case PairDiff::Verdict::Unknown: return "unknown";
    }
    return "?";
}

std::string DiffOptions::describe() const {
    std::string ex;
    for (const auto& x : exclude) ex += (ex.empty() ? " exclude=" : ",") + ("'" + x + "'");
    return bounds.describe() +
           fmt::format(" probes={} nnp={} capset={} symmetry={}", probes, nnp, capset, symmetry ? "on" : "off") + ex;
}

DiffOptions default_diff_options() {
    DiffOptions o;
    Bounds& b = o.bounds;
    // Four tasks: v5 -> mainline needs an autoreap process that clones
    // (init, main, the autoreap child, its CLONE_PARENT child). Depth 3 keeps
    // each consecutive pair well under a second; depth 4 takes ~6 s and
    // ~600 MB per pair (measured; README).
    b.tasks = 4;
    b.threads = 1;
    b.pidfds = 1;
    b.depth = 3;
    b.exit_codes = {3};
    b.exec = true;
    b.kill = true;
    b.blocking = true;
    b.ptrace = false;
    b.autokill = true;
    b.parent = true;
    b.subreaper = true;
    b.sigaction = true;
    return o;
}

namespace {

[[noreturn]] void engine_bug(const std::string& what) { throw std::runtime_error("engine bug: diff: " + what); }

// ---------------------------------------------------------------------------
// Observations

/// What a statement's result shows, with tasks and pidfds as indices of the
/// (jointly compacted) product state, so equal means "the same name".
struct Obs {
    enum class Kind : uint8_t { None, Ok, Errno, Blocks, Child, Reaped, NoChild, Pidfd, Poll, ExitInfo, NoExit,
                                Signal, Task, Number };
    Kind kind = Kind::None;
    int64_t value = 0;
    Id task = kNone;
    int fd = -1;
    int16_t status = 0;
    bool operator==(const Obs&) const = default;
};

bool observes(const Action& a) {
    return !a.kernel && a.call.sys != Sys::Exit && a.call.sys != Sys::ExitGroup;
}

/// Mirrors RefimplExecutor::run_call's mapping of a SysResult to a Result.
Obs observe(const Action& a, const SysResult& r) {
    Obs o;
    if (!observes(a)) return o;
    if (r.blocks) {
        o.kind = Obs::Kind::Blocks;
        return o;
    }
    if (r.ret < 0) {
        o.kind = Obs::Kind::Errno;
        o.value = -r.ret;
        return o;
    }
    switch (a.call.sys) {
    case Sys::Clone3: case Sys::Clone: case Sys::Fork:
        o.kind = Obs::Kind::Child;
        o.task = r.task;
        o.fd = r.fd;
        break;
    case Sys::Wait4: case Sys::Waitid: case Sys::Resume:
        if (r.task == kNone) {
            o.kind = Obs::Kind::NoChild;   // wait4 prints 0, waitid none
        } else {
            o.kind = Obs::Kind::Reaped;
            o.task = r.task;
            o.status = r.status;
        }
        break;
    case Sys::PidfdOpen:
        o.kind = Obs::Kind::Pidfd;
        o.fd = r.fd;
        break;
    case Sys::Poll:
        o.kind = Obs::Kind::Poll;
        o.value = r.ret;
        break;
    case Sys::PidfdInfo:
        o.kind = r.has_status ? Obs::Kind::ExitInfo : Obs::Kind::NoExit;
        if (r.has_status) o.status = r.status;
        break;
    case Sys::Sigpending:
        o.kind = Obs::Kind::Signal;
        o.value = r.ret;
        break;
    case Sys::Getppid:
        if (r.task == kNone) {
            o.kind = Obs::Kind::Number;
            o.value = r.ret;
        } else {
            o.kind = Obs::Kind::Task;
            o.task = r.task;
        }
        break;
    default: o.kind = Obs::Kind::Ok; break;
    }
    return o;
}

std::string status_text(int16_t st) {
    if ((st & 0x7f) == 0) return fmt::format("exited({})", (st >> 8) & 0xff);
    const char* n = signal_name(st & 0x7f);
    return fmt::format("killed({})", n ? n : std::to_string(st & 0x7f));
}

/// The abstract result class of an observation (for the summary).
std::string result_class(const Obs& o) {
    switch (o.kind) {
    case Obs::Kind::None: return "";
    case Obs::Kind::Ok: return "ok";
    case Obs::Kind::Errno: return errno_name(int(o.value));
    case Obs::Kind::Blocks: return "blocks";
    case Obs::Kind::Child: return o.fd >= 0 ? "child, pidfd" : "child";
    case Obs::Kind::Reaped: return "reaps " + status_text(o.status);
    case Obs::Kind::NoChild: return "0 (nothing to reap yet)";
    case Obs::Kind::Pidfd: return "pidfd";
    case Obs::Kind::Poll:
        return o.value == 0 ? "0" : (o.value & kPOLLHUP) ? "POLLIN|POLLHUP" : "POLLIN";
    case Obs::Kind::ExitInfo: return status_text(o.status);
    case Obs::Kind::NoExit: return "noexit";
    case Obs::Kind::Signal: return o.value ? "SIGCHLD" : "none";
    case Obs::Kind::Task: return o.task == kInit ? "init" : "a task other than init";
    case Obs::Kind::Number: return std::to_string(o.value);
    }
    return "?";
}

/// The call class: the call as printed, targets generalised.
std::string call_class(const Action& a) {
    scn::Call c = a.call;
    switch (c.sys) {
    case Sys::Kill: case Sys::Wait4: case Sys::PidfdOpen: case Sys::PtraceAttach: case Sys::PtraceDetach:
        if (!c.any) c.target = "TASK";
        break;
    case Sys::Waitid:
        if (c.idtype == scn::IdType::Pid) c.target = "TASK";
        if (c.idtype == scn::IdType::Pidfd) c.target = "FD";
        break;
    case Sys::PidfdSendSignal: case Sys::Close: case Sys::Poll: case Sys::PidfdInfo: c.target = "FD"; break;
    default: break;
    }
    return scn::print_call(c);
}

// ---------------------------------------------------------------------------
// The alphabet: check's, plus probes, capset and NNP (see diff.hpp)

void diff_actions(const State& s, const Profile& p, const DiffOptions& o, std::vector<Action>& out) {
    enabled_actions(s, p, o.bounds, out);
    const Bounds& b = o.bounds;
    const int live = live_tasks(s);
    auto add = [&](Id actor, scn::Call c, int fd = -1) {
        Action a;
        a.call = std::move(c);
        a.r.actor = actor;
        a.r.fd = fd;
        out.push_back(std::move(a));
    };
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        const Task& task = s.tasks[t];
        // the same conditions as enabled_actions' user calls
        if (task.step != Step::None || task.wait.active || cannot_act(s, t)) continue;
        const int open = task.files == kNone ? 0 : int(s.fdtables[task.files].fds.size());
        if (o.nnp && live < b.tasks) {
            scn::Call c;
            c.sys = Sys::Clone3;
            c.flags = scn::FlagSet::of({CloneFlag::NNP});
            c.exit_signal = kSIGCHLD;
            add(t, c);
            if (b.autokill && b.pidfds > 0 && open < b.pidfds && !b.capset) {   // else check's alphabet has it
                c.flags = scn::FlagSet::of({CloneFlag::PIDFD, CloneFlag::AUTOREAP, CloneFlag::PIDFD_AUTOKILL, CloneFlag::NNP});
                c.exit_signal = 0;
                add(t, c);
            }
        }
        if (o.capset && !b.capset && task.cap_sys_admin) {
            scn::Call c;
            c.sys = Sys::CapsetDrop;
            add(t, c);
        }
        if (o.probes) {
            scn::Call c;
            c.sys = Sys::Sigpending;
            c.peek = true;
            add(t, c);
            c = scn::Call{};
            c.sys = Sys::Getppid;
            add(t, c);
            if (task.files != kNone)
                for (const Fd& fd : s.fdtables[task.files].fds) {
                    scn::Call q;
                    q.sys = Sys::Poll;
                    add(t, q, fd.nr);
                    q.sys = Sys::PidfdInfo;
                    q.info_exit = true;
                    add(t, q, fd.nr);
                }
        }
    }
    if (!o.exclude.empty())
        std::erase_if(out, [&](const Action& a) {
            if (a.kernel) return false;
            const std::string c = call_class(a);
            for (const auto& x : o.exclude)
                if (c.rfind(x, 0) == 0) return true;
            return false;
        });
}

bool same_action(const Action& x, const Action& y) {
    return x.kernel == y.kernel && x.r.actor == y.r.actor && x.r.target == y.r.target && x.r.fd == y.r.fd &&
           x.call == y.call;
}

// ---------------------------------------------------------------------------
// The product model (for the explicit engine)

struct PairState {
    State a, b;
    bool diverged = false;   ///< reached by a call whose results differ: a leaf
    bool operator==(const PairState&) const = default;
};

enum class Side : uint8_t { Both, OnlyA, OnlyB };

struct PAction {
    Side side = Side::Both;
    Action act;
};

struct PStep {
    PairState post;
    Obs oa, ob;
    bool differs = false;
};

/// A product state's key: the store's packed words (pack.hpp) of both
/// worlds, after a word for the count and one for `diverged`. Each world's
/// words start with their own count, so the pair splits again (unpack).
struct PairCanon {
    PairState state;
    std::vector<uint64_t> words;
    std::vector<Id> task_map;   ///< input index -> index in both canonical states (not diverged)
};

void set_words(PairCanon& c, const std::string& key_a, const std::string& key_b) {
    c.words.assign(2 + (key_a.size() + key_b.size()) / 8, 0);
    c.words[0] = c.words.size();
    c.words[1] = c.state.diverged ? 1 : 0;
    std::memcpy(&c.words[2], key_a.data(), key_a.size());
    std::memcpy(&c.words[2 + key_a.size() / 8], key_b.data(), key_b.size());
}

PairCanon canon_pair(const PairState& s, bool symmetry) {
    PairCanon c;
    c.state.diverged = s.diverged;
    if (s.diverged) {
        // a leaf: never expanded, so each world may be compacted on its own
        Canon ca = canonicalize(s.a, false), cb = canonicalize(s.b, false);
        set_words(c, ca.key, cb.key);
        c.state.a = std::move(ca.state);
        c.state.b = std::move(cb.state);
        return c;
    }
    if (s.a.tasks.size() != s.b.tasks.size())
        engine_bug("the worlds of an undiverged product state have different task counts");
    // One order for both worlds: A's live tasks (in A's canonical order with
    // symmetry, else creation order), then tasks released in A only.
    std::vector<Id> order;
    Canon ca;
    if (symmetry) {
        ca = canonicalize(s.a, true);
        for (Id t = 0; t < Id(ca.task_map.size()); ++t)
            if (ca.task_map[t] != kNone) {
                if (order.size() <= std::size_t(ca.task_map[t])) order.resize(ca.task_map[t] + 1, kNone);
                order[ca.task_map[t]] = t;
            }
    } else {
        for (Id t = 0; t < Id(s.a.tasks.size()); ++t)
            if (s.a.tasks[t].exit_state != ExitState::Released) order.push_back(t);
    }
    const std::size_t live_a = order.size();
    for (Id t = 0; t < Id(s.a.tasks.size()); ++t)
        if (s.a.tasks[t].exit_state == ExitState::Released && s.b.tasks[t].exit_state != ExitState::Released)
            order.push_back(t);
    if (!symmetry || order.size() != live_a) ca = compact_in_order(s.a, order);
    Canon cb = compact_in_order(s.b, order);
    set_words(c, ca.key, cb.key);
    c.state.a = std::move(ca.state);
    c.state.b = std::move(cb.state);
    c.task_map = std::move(cb.task_map);
    return c;
}

struct ProductModel {
    using State = PairState;
    using Action = PAction;
    using Step = PStep;
    const Profile& pa;
    const Profile& pb;
    const DiffOptions& o;
    mutable std::atomic<uint64_t> one_sided_calls{0};

    State initial() const { return {initial_state(), initial_state(), false}; }

    void actions(const State& s, std::vector<Action>& out) const {
        thread_local std::vector<engine::Action> la, lb;   // scratch of the calling worker
        out.clear();
        if (s.diverged) return;
        diff_actions(s.a, pa, o, la);
        // the alphabet does not depend on the profile, so equal states (the
        // common case) give equal lists
        const bool same = s.a == s.b;
        if (!same) diff_actions(s.b, pb, o, lb);
        if (same || (la.size() == lb.size() && std::equal(la.begin(), la.end(), lb.begin(), same_action))) {
            for (auto& x : la) out.push_back({Side::Both, x});
            return;
        }
        std::vector<bool> used(lb.size(), false);
        for (auto& x : la) {
            std::size_t j = 0;
            while (j < lb.size() && (used[j] || !same_action(x, lb[j]))) ++j;
            if (j < lb.size()) {
                used[j] = true;
                out.push_back({Side::Both, x});
            } else if (x.kernel) {
                out.push_back({Side::OnlyA, x});
            } else {
                ++one_sided_calls;
            }
        }
        for (std::size_t j = 0; j < lb.size(); ++j) {
            if (used[j]) continue;
            if (lb[j].kernel) out.push_back({Side::OnlyB, lb[j]});
            else ++one_sided_calls;
        }
    }

    Step step(const State& s, const Action& x) const {
        PStep st;
        switch (x.side) {
        case Side::Both: {
            Transition ta = apply(s.a, pa, x.act), tb = apply(s.b, pb, x.act);
            st.post.a = std::move(ta.post);
            st.post.b = std::move(tb.post);
            st.oa = observe(x.act, ta.result);
            st.ob = observe(x.act, tb.result);
            st.differs = observes(x.act) && !(st.oa == st.ob);
            break;
        }
        case Side::OnlyA:
            st.post.a = apply(s.a, pa, x.act).post;
            st.post.b = s.b;
            break;
        case Side::OnlyB:
            st.post.a = s.a;
            st.post.b = apply(s.b, pb, x.act).post;
            break;
        }
        st.post.diverged = st.differs;
        return st;
    }
    bool unchanged(const State& s, const Step& t) const { return t.post == s; }
    // The explicit engine's form (PairCanon::words); with unpack the
    // frontier is ids only, decoded when expanded.
    void canonical(const State& s, State& canon, std::vector<uint64_t>& words) const {
        PairCanon c = canon_pair(s, o.symmetry);
        canon = std::move(c.state);
        words = std::move(c.words);
    }
    State unpack(const std::vector<uint64_t>& words) const {
        const auto na = std::ptrdiff_t(words.at(2));
        State p;
        p.diverged = words[1] != 0;
        p.a = unpack_state(std::vector<uint64_t>(words.begin() + 2, words.begin() + 2 + na));
        p.b = unpack_state(std::vector<uint64_t>(words.begin() + 2 + na, words.end()));
        return p;
    }
};

struct DiffVisitor {
    const xplicit::Explorer<ProductModel>* bfs = nullptr;
    bool first_only = false;
    /// What one worker thread saw; merged when the search ends.
    struct Seen {
        uint64_t one_sided_steps = 0;
        std::set<Behaviour> a, b;
        std::map<std::tuple<std::string, std::string, std::string>, int> differing;
    };
    PerThread<Seen> seen;
    /// The first differing edge in BFS order, as from << 32 | action: ids
    /// are in BFS order whatever the thread count, so the least is the one a
    /// single thread meets first.
    std::atomic<uint64_t> first{UINT64_MAX};

    // The store and the frontier are the engine's (packed, ids); it keeps
    // --max-memory itself.
    void on_state(uint32_t, const PairState&) {}
    void on_level(uint32_t, uint32_t, uint32_t) {}
    void on_edge(uint32_t from, uint32_t ai, const PairState&, const PAction& x, const PStep& st, bool) {
        Seen& my = seen.local();
        if (x.side != Side::Both) {
            ++my.one_sided_steps;
            return;
        }
        if (!observes(x.act)) return;
        const std::string cc = call_class(x.act);
        std::string ra = result_class(st.oa), rb = result_class(st.ob);
        my.a.insert({cc, ra});
        my.b.insert({cc, rb});
        if (!st.differs) return;
        if (ra == rb) {   // the same class, another task or descriptor
            ra += " (one task/fd)";
            rb += " (another task/fd)";
        }
        const int steps = int(bfs->depth_of(from)) + 1;
        auto [it, fresh] = my.differing.try_emplace({cc, ra, rb}, steps);
        if (!fresh) it->second = std::min(it->second, steps);
        const uint64_t place = uint64_t(from) << 32 | ai;
        uint64_t cur = first.load(std::memory_order_relaxed);
        while (place < cur && !first.compare_exchange_weak(cur, place, std::memory_order_relaxed)) {
        }
    }
    bool done() const { return first_only && first.load(std::memory_order_relaxed) != UINT64_MAX; }
    /// The threads' observations together.
    Seen merged() const {
        Seen m;
        seen.for_each([&](const Seen& s) {
            m.one_sided_steps += s.one_sided_steps;
            m.a.insert(s.a.begin(), s.a.end());
            m.b.insert(s.b.begin(), s.b.end());
            for (const auto& [k, steps] : s.differing) {
                auto [it, fresh] = m.differing.try_emplace(k, steps);
                if (!fresh) it->second = std::min(it->second, steps);
            }
        });
        return m;
    }
};

// ---------------------------------------------------------------------------
// The two traces

struct Traces {
    std::string a, b;
    int steps_a = 0, steps_b = 0;
    std::string statement, result_a, result_b;
};

bool returns(const scn::Call& c) {
    return c.sys != Sys::Exit && c.sys != Sys::ExitGroup && !scn::is_kernel_step(c.sys);
}

/// Replays `text` under `p` from scratch; the statements' results as run.
std::vector<scn::Statement> replay_or_bug(const Profile& p, const std::string& text, const char* which) {
    const scn::Scenario sc = scn::parse_text(text, "<diff trace>");
    scn::RefimplExecutor ex(p, true);
    const scn::RunReport rep = scn::run_scenario(sc, ex);
    if (rep.mismatched || rep.skipped || rep.observed)
        engine_bug(fmt::format("the trace under {} ({}) does not replay:\n{}", p.name, which, text));
    return sc.statements;
}

Traces make_traces(const Profile& pa, const Profile& pb, const ProductModel& m, const std::vector<uint32_t>& path,
                   const std::string& header) {
    scn::RefimplExecutor exa(pa, true), exb(pb, true);
    scn::Scenario sa, sb;
    sa.file = sb.file = "<diff trace>";
    sa.profile = pa.name;
    sb.profile = pb.name;
    sa.explicit_steps = sb.explicit_steps = true;
    int tasks_named = 0, pidfds_named = 0;
    std::vector<PAction> acts;
    Traces tr;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const PairState concrete{exa.state(), exb.state(), false};
        const PairCanon cc = canon_pair(concrete, m.o.symmetry);
        m.actions(cc.state, acts);
        if (path[i] >= acts.size()) engine_bug("trace step " + std::to_string(i + 1) + " is not enabled");
        PAction x = acts[path[i]];
        const PStep expect = m.step(cc.state, x);
        const std::vector<uint64_t> expect_key = canon_pair(expect.post, m.o.symmetry).words;
        std::vector<Id> inv(cc.state.a.tasks.size(), kNone);
        for (Id t = 0; t < Id(cc.task_map.size()); ++t)
            if (cc.task_map[t] != kNone) inv[cc.task_map[t]] = t;
        x.act.r.actor = inv[x.act.r.actor];
        if (x.act.r.target != kNone) x.act.r.target = inv[x.act.r.target];
        scn::Fresh fresh;
        fresh.task = trace_task_name(tasks_named);
        const bool clone = x.act.call.sys == Sys::Clone3 || x.act.call.sys == Sys::Clone ||
                           x.act.call.sys == Sys::Fork;
        fresh.fd = clone ? std::string(1, char(std::tolower(fresh.task[0]))) + fresh.task.substr(1)
                         : "p" + std::to_string(pidfds_named + 1);
        bool child = false, pidfd = false;
        auto run = [&](scn::RefimplExecutor& ex, scn::Scenario& sc, scn::Result* out) {
            scn::Statement st = trace_statement(ex, x.act, int(sc.statements.size() + 1));
            const scn::Result r = ex.run(st, fresh);
            child |= r.kind == scn::Result::Kind::Child;
            pidfd |= r.kind == scn::Result::Kind::Pidfd;
            if (returns(st.call)) st.expected = r;
            if (out) *out = r;
            sc.statements.push_back(st);
        };
        scn::Result ra, rb;
        if (x.side != Side::OnlyB) run(exa, sa, &ra);
        if (x.side != Side::OnlyA) run(exb, sb, &rb);
        if (x.side == Side::Both) {
            scn::Statement qa = sa.statements.back(), qb = sb.statements.back();
            qa.expected.reset();
            qb.expected.reset();
            if (!(qa == qb))
                engine_bug("the worlds name step " + std::to_string(i + 1) + " differently: " +
                           scn::print_statement(qa) + " / " + scn::print_statement(qb));
            const bool last = i + 1 == path.size();
            if (returns(qa.call) && (ra == rb) == last)
                engine_bug("step " + std::to_string(i + 1) + " (" + scn::print_statement(qa) +
                           (last ? ") was explored as differing but does not differ"
                                 : ") differs before the end of the trace"));
            if (last) {
                tr.statement = scn::print_statement(qa);
                tr.result_a = scn::print_result(ra);
                tr.result_b = scn::print_result(rb);
            }
        } else if (i + 1 == path.size()) {
            engine_bug("the trace ends in a kernel step");
        }
        if (child) ++tasks_named;
        if (pidfd) ++pidfds_named;
        const PairState got{exa.state(), exb.state(), expect.post.diverged};
        if (canon_pair(got, m.o.symmetry).words != expect_key)
            engine_bug("trace step " + std::to_string(i + 1) + " leads to another product state than the explored one");
    }
    for (scn::Scenario* sc : {&sa, &sb})
        for (std::size_t i = 0, j = 0; i <= header.size(); ++i)
            if (i == header.size() || header[i] == '\n') {
                if (i > j) sc->header.push_back(header.substr(j, i - j));
                j = i + 1;
            }
    sa.header.push_back(fmt::format("# under {}; the last call gives {} under {} (see the {} trace)", pa.name,
                                    tr.result_b, pb.name, pb.name));
    sb.header.push_back(fmt::format("# under {}; the last call gives {} under {} (see the {} trace)", pb.name,
                                    tr.result_a, pa.name, pa.name));
    tr.a = scn::print(sa);
    tr.b = scn::print(sb);
    tr.steps_a = int(sa.statements.size());
    tr.steps_b = int(sb.statements.size());

    // Replay both printed texts from scratch, each under its own profile, and
    // re-check the claim: the same calls, the same results up to the last
    // call, which differs.
    const auto ra = replay_or_bug(pa, tr.a, "A"), rb = replay_or_bug(pb, tr.b, "B");
    std::vector<const scn::Statement*> ca, cb;
    for (const auto& s : ra) if (s.actor != "kernel") ca.push_back(&s);
    for (const auto& s : rb) if (s.actor != "kernel") cb.push_back(&s);
    if (ca.size() != cb.size() || ca.empty()) engine_bug("the two traces have different calls");
    for (std::size_t i = 0; i < ca.size(); ++i) {
        if (!(ca[i]->actor == cb[i]->actor && ca[i]->call == cb[i]->call))
            engine_bug("the two traces have different calls");
        const bool last = i + 1 == ca.size();
        if (ca[i]->expected != cb[i]->expected && !last) engine_bug("the traces differ before their last call");
        if (last && ca[i]->expected == cb[i]->expected) engine_bug("the traces' last calls do not differ");
    }
    if (ra.back().actor == "kernel" || rb.back().actor == "kernel") engine_bug("a trace ends in a kernel step");
    return tr;
}

std::vector<Behaviour> minus(const std::set<Behaviour>& x, const std::set<Behaviour>& y) {
    std::vector<Behaviour> v;
    std::set_difference(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(v));
    return v;
}

}  // namespace

std::string PairDiff::bound() const {
    const std::string covered =
        stats.exhausted ? "exhausted" : fmt::format("every scenario of up to {} step{}", steps_covered, steps_covered == 1 ? "" : "s");
    return fmt::format("{}; product {} states, {} transitions, {:.1f} s; {}", covered, stats.states,
                       stats.transitions, stats.seconds, options.describe());
}

PairDiff diff(const Profile& a, const Profile& b, const DiffOptions& opts) {
    PairDiff d;
    d.a = a.name;
    d.b = b.name;
    d.options = opts;
    const ProductModel model{a, b, opts};
    Limits lim = opts.limits;
    lim.max_depth = opts.bounds.depth > 0 ? uint32_t(opts.bounds.depth) : 0;
    xplicit::Options xo;
    xo.limits = lim;
    // With --first the search stops at the first difference, and how far the
    // other threads got would show in the behaviour sets: one thread then.
    xo.threads = opts.first_only ? 1 : std::max(1, opts.threads);
    xo.progress = opts.progress;
    xo.progress_label = "diff " + a.name + " " + b.name;
    xplicit::Explorer<ProductModel> bfs(model, xo);
    DiffVisitor vis;
    vis.bfs = &bfs;
    vis.first_only = opts.first_only;
    d.stats = bfs.run(vis);
    Stats& st = d.stats;
    if (st.stop_reason == "every property settled") st.stop_reason = "stopped at the first difference";
    // The engine: a depth-bound stop reports the bound; any other stop, the level
    // before the one it was expanding (every edge from levels < that one was
    // compared).
    const bool depth_stop = st.stop_reason.rfind("depth bound", 0) == 0;
    d.steps_covered = depth_stop              ? int(st.depth)
                      : st.transitions == 0 ? 0
                                            : int(st.depth) + 1;
    const DiffVisitor::Seen seen = vis.merged();
    d.one_sided_calls = model.one_sided_calls;
    d.one_sided_steps = seen.one_sided_steps;
    d.b_adds = minus(seen.b, seen.a);
    d.b_removes = minus(seen.a, seen.b);
    for (auto& [k, steps] : seen.differing)
        d.differing.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), steps});
    std::stable_sort(d.differing.begin(), d.differing.end(),
                     [](const Difference& x, const Difference& y) { return x.steps < y.steps; });
    if (const uint64_t first = vis.first.load(); first != UINT64_MAX) {
        d.verdict = PairDiff::Verdict::Different;
        std::vector<uint32_t> path = bfs.path(uint32_t(first >> 32));
        path.push_back(uint32_t(first));
        d.steps = int(path.size());
        const std::string header = fmt::format(
            "# reapcheck diff {} {}: a shortest scenario whose observable results differ\n# bound: {}", a.name,
            b.name, opts.describe());
        const Traces tr = make_traces(a, b, model, path, header);
        d.statement = tr.statement;
        d.result_a = tr.result_a;
        d.result_b = tr.result_b;
        d.trace_a = tr.a;
        d.trace_b = tr.b;
        d.trace_a_steps = tr.steps_a;
        d.trace_b_steps = tr.steps_b;
    } else if (st.exhausted || depth_stop) {
        d.verdict = PairDiff::Verdict::Same;
    } else {
        d.verdict = PairDiff::Verdict::Unknown;
    }
    return d;
}

std::vector<PairDiff> diff_consecutive(const DiffOptions& opts) {
    std::vector<PairDiff> v;
    const auto& ps = all_profiles();
    for (std::size_t i = 0; i + 1 < ps.size(); ++i) {
        if (opts.limits.interrupt && *opts.limits.interrupt) break;
        v.push_back(diff(ps[i], ps[i + 1], opts));
    }
    return v;
}

std::vector<PairDiff> diff_consecutive(const Bounds& b, Limits limits) {
    DiffOptions o = default_diff_options();
    o.bounds = b;
    o.limits = limits;
    return diff_consecutive(o);
}

}  // namespace reapcheck::engine
