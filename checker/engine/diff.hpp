// `diff A B`: the shortest scenario whose observable results differ between
// two profiles, and which observable behaviours B adds or removes relative
// to A, within a bound.
//
// The product. Two refimpl worlds, one per profile, start from the same
// initial state and run the same statements in lockstep: the same call with
// the same arguments by the same actor on the same named objects. A product
// state is the pair of states, both compacted with ONE task order, so a task
// index means the same named task in both worlds. Symmetry reduction (on by
// default) is joint: the order is A's canonical order under pid renaming
// (canon.hpp), followed by the tasks released in A but not in B, and B is
// renamed with that same order. Two product states with equal keys are
// therefore the same pair up to one renaming of both worlds, which preserves
// every comparison diff makes (sound). It is not a canonical form of the
// pair (when A has several minimal orders, B's encoding depends on which
// one was picked), so some equivalent pairs stay apart: less reduction,
// never a wrong merge.
//
// What is observable: exactly what a statement's result shows in the
// scenario language (docs/scenario-language.md) -- the return value or errno
// of a call, `blocks`, the child and pidfd a clone creates, which task a wait
// reaps and its status (or 0 / none), a poll mask, PIDFD_GET_INFO's exit
// information (or noexit, or ESRCH), sigpending's SIGCHLD, getppid's task.
// Tasks and pidfds are compared by the name the scenario gives them, never by
// pid number or descriptor number. Kernel steps (do_exit, exit_notify,
// pidfs_exit, unhash) and exit/exit_group, which do not return, are not
// observations: their effects count only through what a later call reports.
// Model-level facts with no syscall (e.g. no_new_privs, which only `expect`
// can read) are not observations either.
//
// The alphabet: the alphabet of `check` (alphabet.hpp) under the same
// Bounds, plus, for diff only, read-only probes that make hidden state
// observable (poll, pidfd_info EXIT, getppid, sigpending peek), `capset drop`
// and clone3 with CLONE_NNP (without these two, v4 and v5 show no difference:
// measured, none within 5 steps at tasks=3). DiffOptions can turn each off
// and leave out calls by class (`exclude`).
//
// Enabledness. A call is taken when it is enabled in both worlds. A call
// enabled in one world only (possible only after a hidden divergence, e.g. a
// task killed in one world by a pidfd close) is not taken and is counted; it
// is not a difference by itself, since its cause shows in what wait, poll or
// pidfd_info report. A kernel step pending in both worlds (same task, same
// step) is taken by both together; a kernel step pending in one world only
// is taken by that world alone. A reported difference is therefore a pair of
// legal executions with the same calls, each world's kernel steps scheduled
// as its trace shows, in which the last call returns differently; the engine
// does not check whether some other schedule of B's kernel steps could have
// produced A's result.
//
// A product state reached by a differing call is not explored further (the
// worlds no longer run "the same scenario"). BFS order makes the first
// difference found a shortest one (counted in product steps: calls and
// kernel steps; a step taken by one world alone counts once).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/engine/alphabet.hpp"
#include "checker/engine/limits.hpp"
#include "refimpl/profile.hpp"

namespace reapcheck::engine {

struct DiffOptions {
    Bounds bounds;                 ///< bounds.depth is the product's depth bound
    Limits limits;                 ///< max_depth is taken from bounds.depth
    bool probes = true;            ///< poll, pidfd_info EXIT, getppid, sigpending peek
    bool nnp = true;               ///< clone3 NNP and PIDFD|AUTOREAP|PIDFD_AUTOKILL|NNP
    bool capset = true;            ///< capset drop (loses CAP_SYS_ADMIN)
    bool first_only = false;       ///< stop at the first difference (no full summary)
    bool symmetry = true;          ///< joint symmetry reduction of the pair (see above)
    int threads = 1;               ///< worker threads (results do not depend on it; --first uses one)
    bool progress = false;         ///< progress lines on stderr
    /// Calls left out of the alphabet: those whose call class (as printed in
    /// the summary, e.g. "wait4 -1 WNOHANG", "clone3 flags=AUTOREAP") starts
    /// with one of these texts. To ask for a difference that some call does
    /// not show.
    std::vector<std::string> exclude;
    [[nodiscard]] std::string describe() const;   ///< bounds and alphabet switches
};

/// The bounds `reapcheck diff` uses without bound options: they find a
/// distinguishing scenario for every consecutive profile pair, each in a few
/// seconds (figures in README.md).
DiffOptions default_diff_options();

/// An abstract observable behaviour: a call class (the call with its flags,
/// targets generalised to TASK / FD) and a result class ("EINVAL", "child",
/// "reaps exited(3)", "POLLIN|POLLHUP", "SIGCHLD", ...).
struct Behaviour {
    std::string call;
    std::string result;
    auto operator<=>(const Behaviour&) const = default;
};

/// A call class on which the two worlds answered differently somewhere.
struct Difference {
    std::string call;
    std::string result_a, result_b;
    int steps = 0;                 ///< length of the shortest scenario that shows it
};

struct PairDiff {
    enum class Verdict { Different, Same, Unknown };
    std::string a, b;              ///< profile names
    DiffOptions options;
    Verdict verdict = Verdict::Unknown;
    Stats stats;                   ///< of the product exploration
    int steps_covered = 0;         ///< every scenario of up to this many product steps was compared
    uint64_t one_sided_calls = 0;  ///< calls enabled in one world only (not taken), over all expanded states
    uint64_t one_sided_steps = 0;  ///< kernel steps taken by one world alone

    // The first (shortest) distinguishing scenario, when found.
    int steps = 0;                 ///< product steps up to and including the differing call
    std::string statement;         ///< the differing statement, with the scenario's names
    std::string result_a, result_b;///< its results as printed in the scenario language
    std::string trace_a, trace_b;  ///< .scn texts (explicit steps), replayed before reporting
    int trace_a_steps = 0, trace_b_steps = 0;

    std::vector<Behaviour> b_adds;     ///< seen under B, never under A, in the product explored
    std::vector<Behaviour> b_removes;  ///< seen under A, never under B
    std::vector<Difference> differing; ///< distinct (call, A result, B result) classes, shortest first

    /// "N states, M transitions, ... ; bounds" or the reason it is unknown.
    [[nodiscard]] std::string bound() const;
};
const char* to_string(PairDiff::Verdict v);

/// Explores the product of `a` and `b`. Throws std::runtime_error("engine
/// bug: ...") when a distinguishing trace does not replay under its profile.
PairDiff diff(const refimpl::Profile& a, const refimpl::Profile& b, const DiffOptions& opts);

/// diff of each consecutive pair of all_profiles(): linux-6.18 -> rfc-v1 ->
/// rfc-v3 -> v4 -> v5 -> mainline. `limits` apply to each pair.
std::vector<PairDiff> diff_consecutive(const DiffOptions& opts);
std::vector<PairDiff> diff_consecutive(const Bounds& b, Limits limits);


}  // namespace reapcheck::engine
