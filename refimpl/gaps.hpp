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
namespace gap {
inline constexpr const char* kPtraceStop =
    "ptrace stop: a traced thread takes a non-SIGKILL signal in ptrace_signal (kernel/signal.c get_signal)";
inline constexpr const char* kJobStop =
    "job-control stop: a stop signal stops the group (kernel/signal.c do_signal_stop)";
inline constexpr const char* kSeizedTrap =
    "ptrace trap: SIGCONT makes every PTRACE_SEIZEd thread trap (kernel/signal.c prepare_signal -> ptrace_trap_notify)";
inline constexpr const char* kExecTracedThread =
    "execve waits for a traced thread: de_thread sleeps until the tracer reaps it (fs/exec.c de_thread, "
    "kernel/exit.c __exit_signal notify_count)";
inline constexpr const char* kClonePtraceStop =
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
