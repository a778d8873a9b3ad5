// Reading /proc for the conformance controller: task state, parent, tracer,
// exit_signal, thread list. Plain reads only; never opens a pidfd (that would
// change pidfs exit-info behaviour).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace reapcheck::conform::proc {

/// The whole file, or nullopt when it cannot be opened (task gone).
std::optional<std::string> read(const std::string& path);

/// Fields of /proc/<tid>/stat that conformance uses.
struct Stat {
    char state = '?';
    pid_t ppid = 0;                  // field 4
    unsigned long long starttime = 0;  // field 22
    int exit_signal = 0;             // field 38
};
std::optional<Stat> stat(pid_t tid);

/// A numeric field of /proc/<tid>/status ("PPid", "TracerPid", "NoNewPrivs"),
/// or nullopt. Hex fields ("ShdPnd", "SigPnd") with hex = true.
std::optional<unsigned long long> status_field(pid_t tid, const std::string& key, bool hex = false);

/// Thread ids under /proc/<tgid>/task.
std::vector<pid_t> threads(pid_t tgid);

/// Number of processes visible in /proc (for leak tests).
int count_processes();

}  // namespace reapcheck::conform::proc
