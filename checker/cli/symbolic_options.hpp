// Options shared by bmc, prove and crosscheck: the profile, the model's
// slots and alphabet switches, limits and the JSON file.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

#include "checker/cli/bounds_options.hpp"
#include "checker/cli/profile_option.hpp"
#include "checker/symbolic/engine.hpp"
#include "model/world.hpp"

namespace reapcheck::cli {

struct SymbolicCli {
    std::string profile = "mainline";
    model::Features f;
    std::string exit_codes = "3";
    std::string json;
    double max_time = 0;
    bool quiet = false;

    void add(CLI::App& sub, int default_slots) {
        f.slots = default_slots;
        sub.add_option("--profile", profile, "Semantic profile: a built-in name or a profile file" + std::string(profile == "all" ? " (or all)" : ""))->capture_default_str();
        sub.add_option("--tasks", f.slots, "Task slots of the model (init and main included)")
            ->check(CLI::Range(2, 8))->capture_default_str();
        sub.add_option("--threads", f.threads,
                       "Threads per process (2: CLONE_THREAD, exit_group and the delayed group leader in the model)")
            ->check(CLI::Range(1, 2))->capture_default_str();
        sub.add_option("--exit-codes", exit_codes, "Exit codes to try, comma-separated (0..255)")->capture_default_str();
        sub.add_flag("--ptrace,!--no-ptrace", f.ptrace, "ptrace_attach / ptrace_detach in the alphabet")->capture_default_str();
        sub.add_flag("--parent,!--no-parent", f.parent, "CLONE_PARENT in the clone domain")->capture_default_str();
        sub.add_flag("--pidfds,!--no-pidfds", f.pidfds, "CLONE_PIDFD, pidfd_open, close, waitid P_PIDFD")->capture_default_str();
        sub.add_flag("--blocking,!--no-blocking", f.blocking, "blocking wait4 and resume")->capture_default_str();
        sub.add_flag("--subreaper,!--no-subreaper", f.subreaper, "prctl PR_SET_CHILD_SUBREAPER")->capture_default_str();
        sub.add_flag("--sigaction,!--no-sigaction", f.sigaction, "sigaction SIGCHLD")->capture_default_str();
        sub.add_flag("--kill,!--no-kill", f.kill, "kill(2) with SIGKILL of another process")->capture_default_str();
        sub.add_flag("--exec,!--no-exec", f.exec,
                     "execve: de_thread, the exit_signal reset, exec ids and the exec-id check of do_notify_parent")
            ->capture_default_str();
        sub.add_flag("--autokill,!--no-autokill", f.autokill,
                     "CLONE_PIDFD_AUTOKILL clones and the kill at the last close of their pidfd")->capture_default_str();
        sub.add_flag("--capset,!--no-capset", f.capset,
                     "capset dropping CAP_SYS_ADMIN (with --autokill: clone3 PIDFD|AUTOREAP|PIDFD_AUTOKILL|NNP)")
            ->capture_default_str();
        sub.add_flag("--wnowait,!--no-wnowait", f.wnowait, "waitid P_ALL WEXITED|WNOHANG|WNOWAIT|__WALL")
            ->capture_default_str();
        sub.add_option("--max-time", max_time, "Stop after this many seconds (0: none)")->check(CLI::Range(0.0, 1e7));
        sub.add_option("--json", json, "Write the results as JSON to this file");
        sub.add_flag("--quiet", quiet, "No progress lines on stderr");
    }

    [[nodiscard]] const refimpl::Profile& resolve() {
        const refimpl::Profile& p = resolve_profile(profile);
        f.exit_codes = parse_exit_codes(exit_codes);
        return p;
    }
};

/// SIGINT / SIGTERM raise the flag the Z3 engines poll (and interrupt Z3 on).
inline const volatile bool* symbolic_interrupt_flag() {
    engine::Limits l;
    install_interrupt_handler(l);
    return l.interrupt;
}

}  // namespace reapcheck::cli
