// The scenario language (.scn): the abstract syntax shared by the parser, the
// printer, replay through refimpl and conformance on the running kernel.
// docs/scenario-language.md is the user-facing description.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace reapcheck::scn {

/// Where a piece of text came from; column is 1-based.
struct Loc {
    std::string file;
    int line = 0;
    int column = 0;
    [[nodiscard]] std::string str() const;
};

/// `msg` with every quoted text ('...') longer than 80 characters cut to its
/// first 60 and "...": an error quotes the offending text, which may be a
/// megabyte-long line.
std::string shorten_quotes(const std::string& msg);

/// Bad user input: one line, `file:line:column: message`.
class ParseError : public std::runtime_error {
public:
    ParseError(const Loc& loc, const std::string& msg)
        : std::runtime_error(loc.str() + ": " + shorten_quotes(msg)), loc_(loc) {}
    [[nodiscard]] const Loc& loc() const { return loc_; }
private:
    Loc loc_;
};

/// Clone flags by name; mapped to bits per profile (refimpl::Profile::flag_bits).
enum class CloneFlag : uint8_t {
    PIDFD, AUTOREAP, PARENT, THREAD, SIGHAND, VM, FILES, FS, NNP, PIDFD_AUTOKILL,
    PTRACE, VFORK, UNTRACED, DETACHED, NEWPID, NEWUSER, NEWNS, CLEAR_SIGHAND,
    INTO_CGROUP, PARENT_SETTID, COUNT_
};
const char* to_string(CloneFlag f);
std::optional<CloneFlag> clone_flag_from_string(const std::string& s);

/// A flag set as written: named flags (resolved per profile) plus raw bits.
struct FlagSet {
    uint32_t named = 0;   ///< bit i set = CloneFlag(i) given by name
    uint64_t raw = 0;     ///< raw numbers as written, passed unchanged
    [[nodiscard]] bool has(CloneFlag f) const { return named & (1u << unsigned(f)); }
    void add(CloneFlag f) { named |= 1u << unsigned(f); }
    bool operator==(const FlagSet&) const = default;
    /// The named flags `fl`, no raw bits.
    static FlagSet of(std::initializer_list<CloneFlag> fl) {
        FlagSet f;
        for (CloneFlag x : fl) f.add(x);
        return f;
    }
};

enum class Sys : uint8_t {
    Clone3, Clone, Fork, Exit, ExitGroup, Execve, Kill, PidfdSendSignal,
    Wait4, Waitid, Sigaction, PrctlSubreaper, PrctlPdeathsig, PidfdOpen, Close,
    Poll, PidfdInfo, Sigpending, Getppid, PtraceAttach, PtraceDetach, CapsetDrop,
    Resume,
    // kernel steps (actor "kernel")
    KDoExit, KExitNotify, KPidfsExit, KUnhash,
};
const char* to_string(Sys s);
[[nodiscard]] inline bool is_kernel_step(Sys s) { return s >= Sys::KDoExit; }

// wait option bits, kernel values (docs/kernel-rules.md §14)
inline constexpr uint32_t kWNOHANG = 0x1, kWEXITED = 0x4, kWNOWAIT = 0x01000000,
    kWNOTHREAD = 0x20000000, kWALL = 0x40000000, kWCLONE = 0x80000000u;
enum class IdType : uint8_t { All, Pid, Pidfd };
enum class Handler : uint8_t { Dfl, Ign, User };

/// One call with its arguments. Fields unused by a call keep their defaults.
struct Call {
    Sys sys = Sys::Getppid;
    FlagSet flags;                 // clone3, clone
    int64_t exit_signal = 0;       // clone3, clone
    int64_t number = 0;            // exit code, prctl arg, signal number
    std::string target;            // task name (kill, wait4, P_PID, pidfd_open, ptrace, kernel steps) or fd name
    bool any = false;              // wait4 -1
    IdType idtype = IdType::All;   // waitid
    uint32_t options = 0;          // wait options (kernel bits)
    Handler handler = Handler::Dfl;
    bool nocldwait = false;
    bool pidfd_thread = false, pidfd_nonblock = false;   // pidfd_open
    bool info_exit = false;        // pidfd_info EXIT
    bool peek = false;             // sigpending peek
    bool operator==(const Call&) const = default;
};

/// A result, observed or expected.
struct Result {
    enum class Kind : uint8_t {
        Ok, Number, Errno, Child, Pidfd, Reaped, ExitInfo, NoExit, None, Blocks,
        PollMask, Signal, Task,
    };
    Kind kind = Kind::Ok;
    int64_t value = 0;         // Number, Errno (positive errno), PollMask bits, Signal number
    std::string name;          // Child/Reaped/Task: task name; Pidfd: fd name
    std::string name2;         // Child: pidfd name ("" = none)
    bool killed = false;       // Reaped/ExitInfo: killed(SIG) rather than exited(N)
    int64_t code = 0;          // Reaped/ExitInfo: exit code or signal
    bool operator==(const Result&) const = default;
};

enum class ExpectField : uint8_t {
    State, Zombies, Parent, Tracer, ExitSignal, Threads, Autoreap, Subreaper,
    HasSubreaper, Nnp, Pending,
};
const char* to_string(ExpectField f);

/// `expect FIELD [NAME] OP VALUE`. value_name holds a name/state/"none"; value the number.
struct Expect {
    ExpectField field = ExpectField::Zombies;
    std::string subject;       // NAME, "" for zombies
    bool negate = false;       // !=
    std::string value_name;    // State: RUNNING..; Parent/Tracer: name or none; Pending: SIGCHLD/none
    int64_t value = 0;
    bool operator==(const Expect&) const = default;
};

struct Statement {
    Loc loc;
    enum class Kind : uint8_t { Call, Expect } kind = Kind::Call;
    std::string actor;         // task name or "kernel"
    Call call;
    std::optional<Result> expected;
    Loc result_loc;            // where the expected result starts
    Expect expect;
    /// Equality ignores locations: printing and re-parsing must round-trip.
    bool operator==(const Statement& o) const {
        return kind == o.kind && actor == o.actor && call == o.call &&
               expected == o.expected && expect == o.expect;
    }
};

struct Scenario {
    std::string file;
    std::optional<std::string> profile;   // `profile X` line
    Loc profile_loc;
    bool explicit_steps = false;          // `steps explicit`
    std::vector<Statement> statements;
    std::vector<std::string> header;      // leading comment lines, kept by the printer
    bool operator==(const Scenario& o) const {
        return profile == o.profile && explicit_steps == o.explicit_steps &&
               statements == o.statements;
    }
};

}  // namespace reapcheck::scn
