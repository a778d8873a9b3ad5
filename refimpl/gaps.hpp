// The model's declared gaps: kernel behaviour refimpl does not have (ptrace
// stops, job-control stops, an execve that sleeps until a tracer reaps). Where a transition would need it, refimpl takes
// its documented approximation (the signal is dropped) and reports the gap to
// the sink installed by the caller, so that a scenario runner or a
// conformance run can refuse the statement instead of comparing a result the
// model does not claim. With no sink installed nothing is recorded.
#pragma once

#include <vector>

namespace reapcheck::refimpl {

/// One stable sentence per gap, naming the kernel function the model leaves out.
/// Arrays, not `const char*` constants: an inline array has one address in
/// the whole program, so a gap can be compared and counted by its pointer (a
/// constexpr pointer to a literal may be folded to each translation unit's
/// own copy of the literal, as the sanitizer build does).
namespace gap {
inline constexpr char kPtraceStop[] =
    "ptrace stop: a traced thread takes a non-SIGKILL signal in ptrace_signal (kernel/signal.c get_signal)";
inline constexpr char kJobStop[] =
    "job-control stop: a stop signal stops the group (kernel/signal.c do_signal_stop)";
inline constexpr char kSeizedTrap[] =
    "ptrace trap: SIGCONT makes every PTRACE_SEIZEd thread trap (kernel/signal.c prepare_signal -> ptrace_trap_notify)";
inline constexpr char kExecTracedThread[] =
    "execve waits for a traced thread: de_thread sleeps until the tracer reaps it (fs/exec.c de_thread, "
    "kernel/exit.c __exit_signal notify_count)";
inline constexpr char kClonePtraceStop[] =
    "CLONE_PTRACE from a PTRACE_SEIZEd caller: the child starts in a trap stop (include/linux/ptrace.h "
    "ptrace_init_task, JOBCTL_TRAP_STOP)";
}  // namespace gap

using GapSink = std::vector<const char*>;

/// The sink of the calling thread (nullptr = not recording).
GapSink*& gap_sink();

inline void report_gap(const char* why) {
    if (GapSink* s = gap_sink()) s->push_back(why);
}

/// Installs a sink for the lifetime of the object.
class RecordGaps {
public:
    explicit RecordGaps(GapSink& s) : prev_(gap_sink()) { gap_sink() = &s; }
    ~RecordGaps() { gap_sink() = prev_; }
    RecordGaps(const RecordGaps&) = delete;
    RecordGaps& operator=(const RecordGaps&) = delete;
private:
    GapSink* prev_;
};

}  // namespace reapcheck::refimpl
