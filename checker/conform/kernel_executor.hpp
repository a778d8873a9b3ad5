// KernelExecutor: runs scenario statements on the running kernel.
//
// The constructor creates a fresh pid namespace whose pid 1 is the scenario's
// `init`, and `main`, a child of init. Every named task is a puppet (a real
// process or thread, see puppet.hpp) driven over its own socket; each call
// statement becomes the real syscall in that puppet, and the reply is mapped
// back to scenario names. After every statement the executor waits (bounded,
// reading /proc only) until no task is between running and settled, so the
// kernel's exit work is done: the `steps auto` world.
//
// Harness failures (a puppet that dies or hangs, no root) throw ConformError;
// statements that cannot run at all throw scn::ParseError, as in every
// executor. The destructor SIGKILLs the namespace init and reaps it, which
// takes every puppet with it.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/types.h>

#include "checker/scenario/executor.hpp"

namespace reapcheck::conform {

/// The harness failed: not the kernel's answer, not the scenario's fault.
struct ConformError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Time limits, in milliseconds.
struct Timeouts {
    int grace = 100;      ///< a call not done by then `blocks`
    int reply = 3000;     ///< a non-blocking call must answer by then
    int exec = 10000;     ///< an execve'd puppet must say hello by then
    int settle = 1000;    ///< exit work must be done by then
};

class KernelExecutor : public scn::Executor {
public:
    /// `profile` maps named clone flags to bits (refimpl::Profile). Throws
    /// ConformError when not root or when the namespace cannot be made.
    explicit KernelExecutor(std::string profile, Timeouts t = {});
    ~KernelExecutor() override;
    KernelExecutor(const KernelExecutor&) = delete;
    KernelExecutor& operator=(const KernelExecutor&) = delete;

    scn::Result run(const scn::Statement& st, const scn::Fresh& fresh) override;
    scn::ExpectOutcome check(const scn::Statement& st) override;

    /// Statements this executor cannot perform and does not compare: kernel
    /// steps (the kernel takes them by itself). run() returns `ok` for them.
    [[nodiscard]] static bool skips(const scn::Statement& st);

    /// Global pids of every task created so far (for leak tests).
    [[nodiscard]] std::vector<pid_t> global_pids() const;
    [[nodiscard]] pid_t init_global_pid() const { return init_gpid_; }
    /// The global tid of a task name, or -1.
    [[nodiscard]] pid_t global_tid(const std::string& name) const;

    /// `linux-6.18` below 7.1, `mainline` from 7.1 on (uname -r).
    [[nodiscard]] static std::string auto_profile();
    /// Throws ConformError with a clear message when not running as root.
    static void require_root();

private:
    enum class Life { Alive, Zombie, Gone };
    struct Task {
        std::string name;
        pid_t ns_tid = 0, ns_tgid = 0;
        pid_t g_tid = 0, g_tgid = 0;
        unsigned long long starttime = 0;   // /proc stat field 22: detects pid reuse
        int ch = -1;                        // controller end of the channel
        Life life = Life::Alive;
        bool blocked = false;
        scn::Call pending;                  // the blocked call
    };
    struct Received {
        enum class Kind { Reply, Hello, Blocked, Died } kind = Kind::Reply;
        char buf[64] = {};
        int fd = -1;
    };

    Task& actor_of(const scn::Statement& st);
    Task& task(const std::string& name, const scn::Loc& loc);
    int fd_number(const std::string& name, const scn::Loc& loc) const;
    void bind_fd(const std::string& name, int number);
    std::string name_of_ns(pid_t ns_pid) const;
    std::string name_of_global(pid_t gpid) const;
    uint64_t flag_bits(const scn::FlagSet& f) const;
    Task& add_task(std::string name, int ch, pid_t ns_tid_hint);
    Received receive(Task& t, bool may_block, int wait_ms);
    scn::Result decode(Task& t, const scn::Call& call, const Received& r, const scn::Fresh& fresh);
    void settle();
    void refresh(Task& t);
    std::optional<char> proc_state(const Task& t) const;
    void kill_namespace();

    std::string profile_;
    Timeouts to_;
    pid_t init_gpid_ = -1;
    int auto_task_ = 0, auto_fd_ = 0;
    std::deque<Task> tasks_;   // stable references
    std::map<std::string, size_t> by_name_;
    bool released_ = false;    ///< a task went outside settle (execve's de_thread): the next settle fences
    std::map<std::string, int> fds_;
};

}  // namespace reapcheck::conform
