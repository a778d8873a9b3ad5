// The world at every step of a trace: a .scn trace (or scenario) replayed
// through refimpl, with the refimpl::State and the scenario's names captured
// after each statement. Reports that draw or export a trace (ITF, DOT, HTML,
// C) read these snapshots instead of parsing the trace text.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "checker/scenario/ast.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::scn {
class RefimplExecutor;
}

namespace reapcheck::engine {

/// One point of a replayed trace: the world after `statement` (index 0: the
/// initial world, with an empty statement).
struct WorldStep {
    scn::Statement statement;         ///< the statement that led here (kind Call or Expect)
    std::string text;                 ///< it, as printed ("" for the initial world)
    std::string observed;             ///< printed observed result ("" when the call returns nothing)
    bool mismatch = false;            ///< observed differs from the statement's expected result
    bool skipped = false;             ///< not run (a name it uses was never created)
    refimpl::State state;
    std::map<refimpl::Id, std::string> task_names;   ///< task index -> scenario name
    std::map<int, std::string> fd_names;             ///< descriptor number -> pidfd name
    /// Name of a task for display: its scenario name, else "#<index>".
    [[nodiscard]] std::string name(refimpl::Id t) const;
};

/// The executor's world and names now, as a step with no statement (the
/// explorer, reapcheck serve, builds its steps one by one).
WorldStep world_step(const scn::RefimplExecutor& ex);

struct WorldTrace {
    std::string file;
    std::string profile;
    bool explicit_steps = false;
    std::vector<std::string> header;  ///< the trace's leading comments
    std::vector<WorldStep> steps;     ///< steps[0] is the initial world; one more per statement
};

/// Replays `sc` under `profile` (empty: the file's `profile` line, else
/// mainline). Expect lines are steps too (the world does not change).
/// Throws scn::ParseError for a statement that cannot be run and
/// std::invalid_argument for an unknown profile.
WorldTrace replay_world(const scn::Scenario& sc, const std::string& profile = "");

/// Parses and replays a trace text (e.g. Verdict::trace).
WorldTrace replay_world_text(const std::string& text, const std::string& file = "<trace>");

/// Readable one-word state of a task: RUNNING, EXITING, ZOMBIE, TRACE, DEAD, RELEASED.
std::string task_state_word(const refimpl::State& s, refimpl::Id t);

// What pictures of a step show (DOT and SVG alike).

/// A task is drawn unless it was already RELEASED at the previous step (a
/// task released by this step is drawn once more, as a tombstone).
bool drawn(const WorldStep& cur, const WorldStep* prev, refimpl::Id t);
/// Where a task hangs in the tree: a leader under its real parent's group
/// leader, a thread under its own group leader; kNone for init.
refimpl::Id tree_parent(const refimpl::State& s, refimpl::Id t);
/// Short flags of a task: "autoreap", "subreaper", "SIGCHLD pending", the
/// SIGCHLD disposition when not SIG_DFL, "waiting", "nnp", "thread",
/// "exit_signal N" when not SIGCHLD, pending kernel step.
std::vector<std::string> task_flags(const refimpl::State& s, refimpl::Id t);
/// The pidfds in a task's table: "a→C" (fd name → target task).
std::vector<std::string> task_pidfds(const WorldStep& w, refimpl::Id t);
/// What changed in a step, in words, one line per task ("A: RUNNING ->
/// ZOMBIE, +SIGCHLD pending"); a new task is "A: new, child of init".
std::vector<std::string> describe_changes(const WorldStep& cur, const WorldStep* prev);
/// Whether anything drawn about task t differs from the previous step
/// (a new task counts as changed).
bool task_changed(const WorldStep& cur, const WorldStep* prev, refimpl::Id t);
/// The fill colour of a task box in the pictures (DOT and SVG) by its state
/// word ("RUNNING", "ZOMBIE", ...).
const char* state_fill(const std::string& state);

}  // namespace reapcheck::engine
