// The explorer's session (reapcheck serve): a path of scenario statements
// replayed through refimpl under one profile, and what the page shows at one
// point of it -- the process tree (svg.cpp), the enabled actions of the
// alphabet (alphabet.hpp) with their results, the same actions under a second
// profile (the `diff` question asked at one state), and the catalog's
// properties (properties/catalog.hpp). The path prints as a .scn trace that
// `reapcheck replay` accepts (the scenario printer, trace.hpp's naming).
//
// A session holds no socket and no global state: the HTTP layer (api.hpp)
// builds one per request from the request's trace, so the page keeps the
// history (back, forward) and any number of tabs can explore at once.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/engine/alphabet.hpp"
#include "checker/report/world_trace.hpp"
#include "checker/scenario/refimpl_executor.hpp"

namespace reapcheck::serve {

/// Bad input from the page or a client (an unknown profile, an action that is
/// not enabled, a malformed trace): one line, answered with a 4xx status.
struct BadRequest : std::runtime_error {
    explicit BadRequest(const std::string& what, int status_code = 400)
        : std::runtime_error(what), status(status_code) {}
    int status;
};

/// The profile of a name, or BadRequest naming the known ones.
const refimpl::Profile& profile_or_bad(const std::string& name, const char* field);

class Session {
public:
    /// Replays `trace` under `profile` (with `compare`, when not null, as the
    /// second profile). A statement that cannot run (a name never created, a
    /// blocked actor, a kernel step that is not pending) ends the path before
    /// it, with a warning; results that differ from the trace's are marked.
    Session(const engine::Bounds& bounds, const refimpl::Profile& profile, const refimpl::Profile* compare,
            const scn::Scenario& trace);

    /// Statements in the path (its positions are 0..length()).
    [[nodiscard]] std::size_t length() const { return steps_.size(); }

    /// The enabled actions of the alphabet at position `at` (0: the initial
    /// world), in enabled_actions' order: the index a step names.
    [[nodiscard]] std::vector<engine::Action> actions(std::size_t at) const;

    /// The path after taking action `index` at position `at`: the path up to
    /// `at`, then the action's statement with its result, then the rest of
    /// the old path when it went on with the same statement (forward history
    /// is kept), else nothing. BadRequest when `at` is past the end or the
    /// action is not enabled there.
    [[nodiscard]] scn::Scenario step(std::size_t at, std::size_t index) const;

    /// The statements 0..upto-1 as a .scn trace with the results observed
    /// under this session's profile (replays with `reapcheck replay`).
    [[nodiscard]] std::string scn(std::size_t upto) const;
    [[nodiscard]] scn::Scenario scenario(std::size_t upto) const;

    /// Everything the page shows at position `at` (docs/serve.md).
    [[nodiscard]] nlohmann::json view(std::size_t at) const;

    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }

private:
    struct Entry {
        scn::Statement st;            ///< with the observed result as its expected one
        std::string expected;         ///< the trace's expected result when it differed ("" otherwise)
        std::string observed;         ///< printed observed result ("" when the call returns nothing)
        bool mismatch = false;
        int action = -1;              ///< index among the enabled actions before it, or -1
    };
    [[nodiscard]] nlohmann::json actions_json(std::size_t at, std::vector<nlohmann::json>& props) const;

    engine::Bounds bounds_;
    const refimpl::Profile& profile_;
    const refimpl::Profile* compare_;
    bool explicit_steps_;
    std::vector<std::string> header_;
    std::vector<Entry> steps_;
    std::vector<scn::RefimplExecutor> execs_;   ///< the world at each position (length()+1)
    std::vector<engine::WorldStep> worlds_;     ///< the same, as the pictures read it
    std::vector<std::string> warnings_;
};

/// The fresh names a trace gives to what an action creates, given the names
/// `ex` has bound: the first free task name of trace_task_name (A, B, ...),
/// its lower case for a clone's pidfd, p1, p2, ... for pidfd_open.
scn::Fresh fresh_for(const scn::RefimplExecutor& ex, const engine::Action& a);

}  // namespace reapcheck::serve
