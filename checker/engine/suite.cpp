#include "checker/engine/suite.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace reapcheck::engine {

std::vector<NamedBounds> default_suite() {
    auto base = [] {
        Bounds b;
        b.tasks = 3;
        b.pidfds = 0;
        b.autokill = false;
        b.exec = false;
        b.kill = false;
        b.sigaction = false;
        b.subreaper = false;
        b.parent = false;
        b.blocking = false;
        return b;
    };
    std::vector<NamedBounds> s;
    Bounds b = base();   // dispositions, subreapers, CLONE_PARENT
    b.sigaction = b.subreaper = b.parent = true;
    s.push_back({"signals", b});
    b = base();          // dispositions with blocked waiters
    b.sigaction = b.blocking = true;
    // rfc-v1 creates autoreap processes only with CLONE_PIDFD: without this
    // switch its autoreap rules were explored in `pidfd` alone. Set in
    // waiters, ptrace, subreaper4 and threads4; in signals, threads and exec-kill the
    // pidfd gave rfc-v1 3.5, 7 and 5 times the states of mainline (measured,
    // docs/mutation.md).
    b.autoreap_pidfd = true;
    s.push_back({"waiters", b});
    b = base();          // pidfds, exit info, AUTOKILL
    b.pidfds = 1;
    b.autokill = true;
    b.parent = true;
    s.push_back({"pidfd", b});
    b = base();          // ptrace
    b.ptrace = b.blocking = true;
    b.autoreap_pidfd = true;
    s.push_back({"ptrace", b});
    b = base();          // threads, group exit, SIGKILL
    b.threads = 2;
    b.kill = b.blocking = true;
    s.push_back({"threads", b});
    b = base();          // execve and SIGKILL
    b.exec = b.kill = b.blocking = true;
    s.push_back({"exec-kill", b});
    b = base();          // four tasks: grandchildren and subreapers, to depth 10
    b.tasks = 4;
    b.depth = 10;        // mainline: 127,634 states; the whole space is millions
    b.subreaper = true;
    b.autoreap_pidfd = true;
    // Depth-bounded by design, so it cannot settle liveness (which needs the
    // whole graph): the exhaustive configurations do, subreapers included
    // (signals).
    s.push_back({"subreaper4", b, false});
    // Four tasks with threads and ptrace, to depth 7: a thread's child
    // orphaned while the leader lives (find_new_reaper hands it to the
    // sibling thread), and a tracer thread of the real parent letting go of a
    // zombie autoreap tracee (__ptrace_detach's autoreap hunk: with a
    // single-threaded tracer the reparenting that follows re-announces the
    // zombie, docs/mutation.md). mainline: 82,389 states.
    b = base();
    b.tasks = 4;
    b.threads = 2;
    b.ptrace = true;
    b.depth = 7;
    b.autoreap_pidfd = true;
    s.push_back({"threads4", b, false});
    // The privilege check of CLONE_PIDFD_AUTOKILL (v5, mainline): a task that
    // dropped CAP_SYS_ADMIN (capset) clones with and without CLONE_NNP.
    b = base();
    b.pidfds = 1;
    b.autokill = true;
    b.capset = true;
    // Depth-bounded: the capability multiplies the pidfd space (2,144,368
    // states exhausted in mainline, measured); the check needs two steps.
    b.depth = 4;
    s.push_back({"privilege", b, false});
    // Every feature at once (threads, pidfds, AUTOKILL, ptrace, exec, kill,
    // blocking waits, CLONE_PARENT, subreapers, sigaction): the interactions
    // the focused configurations cannot see, as deep as a review's budget
    // allows (846,444 states in mainline at depth 6; the whole space is
    // beyond one machine's review). Liveness is left to the exhaustive ones.
    b = Bounds{};
    b.tasks = 3;
    b.threads = 2;
    b.pidfds = 1;
    b.ptrace = true;
    b.depth = 6;
    s.push_back({"everything", b, false});
    return s;
}

namespace {
std::string run_line(const std::string& name, const Stats& st) {
    return fmt::format("{} ({} states{})", name, st.states,
                       st.exhausted ? ", exhausted" : ", " + st.stop_reason);
}
}  // namespace

CheckResult check_suite(const refimpl::Profile& p, const std::vector<NamedBounds>& suite, const CheckOptions& base,
                        const CheckRunner& runner) {
    CheckResult merged;
    merged.profile = p.name;
    merged.options = base;
    if (!suite.empty()) merged.options.bounds = suite.front().bounds;
    std::vector<std::string> order;
    std::map<std::string, Verdict> by_id;
    std::map<std::string, std::vector<std::string>> holds_in, missed_in;
    std::vector<std::string> reduced_in;   // configurations explored with reduction on
    std::vector<std::pair<std::string, std::string>> off_in;   // why not: the configurations
    for (const NamedBounds& nb : suite) {
        CheckOptions o = base;
        o.bounds = nb.bounds;
        o.liveness = nb.liveness;
        if (o.progress) o.progress_label = p.name + " " + nb.name;
        CheckResult r = runner ? runner(p, o) : check(p, o);
        for (const std::string& e : r.model_errors) merged.model_errors.push_back(nb.name + ": " + e);
        merged.runs.emplace_back(nb.name, r.options.bounds, r.stats);
        merged.stats.states += r.stats.states;
        merged.stats.transitions += r.stats.transitions;
        merged.stats.reduced += r.stats.reduced;
        const bool on = r.por_note.rfind("on", 0) == 0;
        if (!r.por_note.empty() && !on) {
            auto it = std::find_if(off_in.begin(), off_in.end(), [&](const auto& x) { return x.first == r.por_note; });
            if (it == off_in.end()) off_in.push_back({r.por_note, nb.name});
            else it->second += ", " + nb.name;
        }
        if (on) reduced_in.push_back(nb.name);
        merged.stats.seconds += r.stats.seconds;
        merged.stats.depth = std::max(merged.stats.depth, r.stats.depth);
        merged.stats.key_bytes += r.stats.key_bytes;
        merged.stats.link_bytes += r.stats.link_bytes;
        merged.coverage.merge(r.coverage);
        for (Verdict& v : r.verdicts) {
            auto it = by_id.find(v.property);
            if (v.kind == Verdict::Kind::Violated || v.kind == Verdict::Kind::Covered)
                v.reason = "in configuration " + nb.name + ": " + v.reason;
            if (v.kind == Verdict::Kind::Holds) holds_in[v.property].push_back(run_line(nb.name, r.stats));
            if (v.kind == Verdict::Kind::NotCovered) missed_in[v.property].push_back(run_line(nb.name, r.stats));
            if (it == by_id.end()) {
                order.push_back(v.property);
                by_id.emplace(v.property, std::move(v));
                continue;
            }
            Verdict& cur = it->second;
            auto rank = [](Verdict::Kind k) {
                switch (k) {
                case Verdict::Kind::Violated: return 5;
                case Verdict::Kind::Covered: return 4;
                case Verdict::Kind::Unknown: return 3;
                case Verdict::Kind::NotCovered: return 2;
                case Verdict::Kind::Holds: return 1;
                case Verdict::Kind::NotApplicable: return 0;
                }
                return 0;
            };
            const bool better = rank(v.kind) > rank(cur.kind) ||
                                (v.kind == cur.kind && !v.trace.empty() && v.trace_steps < cur.trace_steps);
            if (better) cur = std::move(v);
        }
        if (!base.stop_when_found.empty() && r.stats.stop_reason == "every property settled") break;
    }
    // Exhausted means every configuration was: a depth-bounded one settles
    // its safety verdicts within the bound, but did not see its whole space.
    merged.stats.exhausted = true;
    std::string bounded;
    for (const auto& run : merged.runs) {
        const Stats& st = std::get<2>(run);
        merged.stats.exhausted &= st.exhausted;
        // The first limit or signal that cut a configuration short, for the
        // summary line (each configuration's own is in its row).
        if (merged.stats.stop_reason.empty() && !st.exhausted && st.stop_reason.rfind("depth bound", 0))
            merged.stats.stop_reason = st.stop_reason;
        if (!st.exhausted && !st.stop_reason.rfind("depth bound", 0))
            bounded += (bounded.empty() ? "" : ", ") + std::get<0>(run) + " (" + st.stop_reason + ")";
    }
    if (merged.stats.stop_reason.empty() && !bounded.empty()) merged.stats.stop_reason = "depth-bounded: " + bounded;
    std::string no_liveness;   // configurations that did not check `eventually` properties
    for (const NamedBounds& nb : suite)
        if (!nb.liveness) no_liveness += (no_liveness.empty() ? "" : ", ") + nb.name;
    for (const auto& id : order) {
        Verdict v = by_id[id];
        auto join = [](const std::vector<std::string>& xs) {
            std::string s;
            for (const auto& x : xs) s += (s.empty() ? "" : "; ") + x;
            return s;
        };
        if (v.kind == Verdict::Kind::Holds) v.reason = "held in every configuration: " + join(holds_in[id]);
        if (v.kind == Verdict::Kind::NotCovered) v.reason = "not hit in any configuration: " + join(missed_in[id]);
        if (v.kind == Verdict::Kind::Unknown && !holds_in[id].empty())
            v.reason += "; held in the other configurations: " + join(holds_in[id]);
        const props::Property* pr = props::find(id);
        if (pr && pr->kind == props::Kind::Eventually && !no_liveness.empty() && v.kind != Verdict::Kind::NotApplicable) {
            if (v.kind == Verdict::Kind::Holds) v.reason = "held in every configuration that checked it: " + join(holds_in[id]);
            v.reason += "; not checked in " + no_liveness + " (depth-bounded by design: liveness needs the whole graph)";
        }
        merged.verdicts.push_back(std::move(v));
    }
    compute_vacuity(merged.coverage, holding_ids(merged.verdicts));
    // One line: "on in a, b; off: <why> (c, d); off: <why> (e)".
    for (const auto& [why, names] : off_in)
        merged.por_note += (merged.por_note.empty() ? "" : "; ") + why + " (" + names + ")";
    if (!reduced_in.empty()) {
        std::string on;
        for (const std::string& n : reduced_in) on += (on.empty() ? "" : ", ") + n;
        merged.por_note = merged.por_note.empty() ? "on" : "on in " + on + "; " + merged.por_note;
    }
    return merged;
}

}  // namespace reapcheck::engine
