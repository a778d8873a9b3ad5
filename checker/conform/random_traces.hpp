// Random conformance traces: seeded, reproducible statement sequences drawn
// from a fixed action alphabet, run in lockstep on the kernel and refimpl; a
// mismatch is shrunk (delta debugging over statements) to a minimal .scn.
//
// Alphabet (an actor is a live, unblocked task, as refimpl sees it):
//   clone3 flags in {none, AUTOREAP, PARENT, PIDFD, AUTOREAP|PIDFD,
//          THREAD|SIGHAND|VM (init too)} x exit_signal in {0, SIGCHLD};  fork
//   exit {0,1}; exit_group {0,1}    (any actor: leaders before their threads)
//   wait4 NAME|-1 WNOHANG [__WALL]; waitid P_PIDFD FD WEXITED|WNOHANG
//   sigaction SIGCHLD SIG_DFL|SIG_IGN|SIG_DFL+SA_NOCLDWAIT
//   prctl PR_SET_CHILD_SUBREAPER 0|1; pidfd_open NAME [PIDFD_THREAD]; poll FD;
//   pidfd_info FD EXIT; close FD; sigpending; getppid;
//   kill NAME SIG (any task, any kind of signal: random_traces.cpp draw_signal),
//   pidfd_send_signal FD SIG (thread and process pidfds: pidfd_open makes both)
// Issue 19's rule 1 (SIGKILL through a thread pidfd to an exiting thread)
// needs three draws in a row; each gets a push once the one before it has
// happened (random_traces.cpp: draw), and RandomReport counts the statements
// that were that case.
// Nothing is left out to dodge a gap of the model: a statement refimpl
// refuses (scn::ModelGap: a ptrace or job-control stop, an exit of the
// namespace init, ...) is not run on the kernel, is counted by reason in
// RandomReport::refused, and another one is drawn.
// Creation is enabled while fewer than `tasks` tasks are alive. `extended` adds
// execve, pdeath signals, blocking waits and resume, waitid P_ALL/P_PID with
// WNOWAIT, ptrace (of threads too), pidfd_send_signal on thread and process
// pidfds with every kind of signal, pdeath signals of every kind, handlers,
// legacy clone and more flag sets, PIDFD_THREAD/NONBLOCK, capset, and
// `expect` lines on facts
// /proc shows (compared by observed value). A woken blocked waiter is resumed
// first: the kernel's waiter has already finished (see Lockstep::in_window).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "checker/conform/lockstep.hpp"

namespace reapcheck::conform {

struct RandomConfig {
    uint64_t seed = 1;
    int traces = 100;
    int tasks = 5;          ///< live tasks at most, init and main included
    int length = 12;        ///< statements per trace
    std::string out_dir = ".";
    std::string profile = "linux-6.18";
    refimpl::Fault fault = refimpl::Fault::None;   ///< test-only
    bool write_files = true;
    bool echo = false;      ///< log every statement before it runs (debugging)
    int max_mismatches = 0; ///< stop after this many shrunk mismatches (0: never)
    bool extended = false;  ///< add the extended alphabet (random_traces.cpp: draw_extended)
    /// Set asynchronously (SIGINT/SIGTERM) to stop after the current statement.
    const volatile bool* stop = nullptr;
};

/// One statement of a trace with the names it binds.
struct TraceStep {
    scn::Statement st;
    scn::Fresh fresh;
};

/// The key under which RandomReport::refused counts statements refimpl
/// refuses without naming a gap.
extern const char* const kNotRunnable;

struct RandomReport {
    size_t traces = 0, statements = 0, mismatches = 0, skipped = 0;
    /// Statements that were issue 19's rule 1: SIGKILL through a PIDFD_THREAD
    /// pidfd to an exiting thread of a live process (a delayed leader).
    size_t thread_pidfd_kills_of_exiting = 0;
    /// Drawn statements refimpl refused, by reason (scn::ModelGap::reason, one
    /// sentence per declared gap, or kNotRunnable); none of them ran on the
    /// kernel, and a fresh statement was drawn instead.
    std::map<std::string, size_t> refused;
    std::vector<std::string> files;          ///< shrunk scenarios written
    std::vector<std::string> shrunk;         ///< their text
    double seconds = 0;
    bool interrupted = false;                ///< `stop` was set: the counts are what ran
    /// The harness failed (a puppet died or hung, no namespace): where and
    /// what, one line; the run stopped there.
    std::string error;
};

/// Runs `cfg.traces` traces; progress and mismatches go to `log`.
RandomReport run_random(const RandomConfig& cfg, std::ostream& log);

/// Replays a trace in lockstep; returns the index of the first mismatch, or -1.
/// A trace refimpl cannot run gives -2.
long first_mismatch(const std::vector<TraceStep>& trace, const RandomConfig& cfg,
                    Lockstep::Step* at = nullptr);

/// Delta debugging: a smallest sub-trace (1-minimal) whose last statement still
/// mismatches. `trace` mismatches at its last statement.
std::vector<TraceStep> shrink(std::vector<TraceStep> trace, const RandomConfig& cfg);

/// The trace as a scenario file: the kernel's results as expectations, the
/// mismatch in header comments.
std::string trace_to_scn(const std::vector<TraceStep>& trace, const RandomConfig& cfg,
                         const std::vector<std::string>& header);

}  // namespace reapcheck::conform
