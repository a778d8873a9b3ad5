#include "checker/scenario/ast.hpp"

#include <algorithm>

namespace reapcheck::scn {

std::string Loc::str() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string shorten_quotes(const std::string& msg) {
    std::string out;
    std::size_t i = 0;
    while (i < msg.size()) {
        const std::size_t open = msg.find('\'', i);
        const std::size_t close = open == std::string::npos ? open : msg.find('\'', open + 1);
        if (close == std::string::npos) break;
        const std::string inner = msg.substr(open + 1, close - open - 1);
        out += msg.substr(i, open + 1 - i);
        // Quoted tokens have no spaces; prose between two apostrophes does.
        if (inner.size() > 80 && inner.find(' ') == std::string::npos)
            out += inner.substr(0, 60) + "... (" + std::to_string(inner.size()) + " characters)";
        else
            out += inner;
        out += '\'';
        i = close + 1;
    }
    return out + msg.substr(std::min(i, msg.size()));
}

namespace {
constexpr const char* kFlagNames[] = {
    "PIDFD", "AUTOREAP", "PARENT", "THREAD", "SIGHAND", "VM", "FILES", "FS", "NNP",
    "PIDFD_AUTOKILL", "PTRACE", "VFORK", "UNTRACED", "DETACHED", "NEWPID", "NEWUSER",
    "NEWNS", "CLEAR_SIGHAND", "INTO_CGROUP", "PARENT_SETTID",
};
static_assert(std::size(kFlagNames) == std::size_t(CloneFlag::COUNT_));
}  // namespace

const char* to_string(CloneFlag f) { return kFlagNames[unsigned(f)]; }

std::optional<CloneFlag> clone_flag_from_string(const std::string& s) {
    for (unsigned i = 0; i < unsigned(CloneFlag::COUNT_); ++i)
        if (s == kFlagNames[i]) return CloneFlag(i);
    return std::nullopt;
}

const char* to_string(Sys s) {
    switch (s) {
    case Sys::Clone3: return "clone3";
    case Sys::Clone: return "clone";
    case Sys::Fork: return "fork";
    case Sys::Exit: return "exit";
    case Sys::ExitGroup: return "exit_group";
    case Sys::Execve: return "execve";
    case Sys::Kill: return "kill";
    case Sys::PidfdSendSignal: return "pidfd_send_signal";
    case Sys::Wait4: return "wait4";
    case Sys::Waitid: return "waitid";
    case Sys::Sigaction: return "sigaction";
    case Sys::PrctlSubreaper: return "prctl";
    case Sys::PrctlPdeathsig: return "prctl";
    case Sys::PidfdOpen: return "pidfd_open";
    case Sys::Close: return "close";
    case Sys::Poll: return "poll";
    case Sys::PidfdInfo: return "pidfd_info";
    case Sys::Sigpending: return "sigpending";
    case Sys::Getppid: return "getppid";
    case Sys::PtraceAttach: return "ptrace_attach";
    case Sys::PtraceDetach: return "ptrace_detach";
    case Sys::CapsetDrop: return "capset";
    case Sys::Resume: return "resume";
    case Sys::KDoExit: return "do_exit";
    case Sys::KExitNotify: return "exit_notify";
    case Sys::KPidfsExit: return "pidfs_exit";
    case Sys::KUnhash: return "unhash";
    }
    return "?";
}

const char* to_string(ExpectField f) {
    switch (f) {
    case ExpectField::State: return "state";
    case ExpectField::Zombies: return "zombies";
    case ExpectField::Parent: return "parent";
    case ExpectField::Tracer: return "tracer";
    case ExpectField::ExitSignal: return "exit_signal";
    case ExpectField::Threads: return "threads";
    case ExpectField::Autoreap: return "autoreap";
    case ExpectField::Subreaper: return "subreaper";
    case ExpectField::HasSubreaper: return "has_subreaper";
    case ExpectField::Nnp: return "nnp";
    case ExpectField::Pending: return "pending";
    }
    return "?";
}

}  // namespace reapcheck::scn
