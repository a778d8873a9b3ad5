// Command-line options shared by check and review: bounds, argument domains,
// limits; parsed and range-checked by CLI11, so a bad value is one line and
// exit code 2.
#pragma once

#include <algorithm>
#include <thread>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "checker/cli/command.hpp"
#include "checker/engine/check.hpp"
#include "properties/lang/lang.hpp"

namespace reapcheck::cli {

/// The --exit-codes list ("0,3"): each 0..255, at least one.
inline std::vector<int> parse_exit_codes(const std::string& text) {
    std::vector<int> out;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');) {
        try {
            std::size_t used = 0;
            const int v = std::stoi(item, &used);
            if (used != item.size() || v < 0 || v > 255) throw std::invalid_argument(item);
            out.push_back(v);
        } catch (const std::exception&) {
            throw UsageError("--exit-codes: '" + item + "' is not an exit code (0..255)");
        }
    }
    if (out.empty()) throw UsageError("--exit-codes: give at least one exit code");
    return out;
}

struct BoundsOptions {
    engine::Bounds b;
    std::string exit_codes = "3";
    bool no_symmetry = false;
    double max_time = 0;
    uint64_t max_memory_mb = 0;
    uint64_t max_states = 0;
    std::vector<std::string> properties;
    std::vector<std::string> property_files;   ///< --properties (check, review, serve)
    std::string catalog_text;                  ///< --catalog-text DIR (check, review, serve)
    mutable bool property_files_loaded = false;
    int jobs = default_jobs();
    bool no_progress = false;
    bool por = false;   ///< --por (check, review)
    bool no_por = false;   ///< --no-por (check, review)
    bool por_default = false;   ///< the command has --por: reduce where exact unless --no-por

    static int default_jobs() {
        const unsigned n = std::thread::hardware_concurrency();
        return n == 0 ? 1 : int(std::min(n, 64u));
    }

    std::vector<CLI::Option*> bound_opts;   ///< the options that shape the state space

    /// Whether the user gave any bound or domain option.
    [[nodiscard]] bool given() const {
        for (const CLI::Option* o : bound_opts)
            if (o->count() > 0) return true;
        return false;
    }

    /// `exploration`: also --depth, symmetry, limits and --property (serve
    /// takes only the bounds and domains: it explores one step at a time).
    void add(CLI::App& sub, bool exploration = true) {
        const std::size_t first = sub.get_options().size();
        sub.add_option("--tasks", b.tasks, "Tasks alive at once, init and main included")
            ->check(CLI::Range(2, 8))->capture_default_str();
        sub.add_option("--threads", b.threads, "Threads per process (1: no CLONE_THREAD)")
            ->check(CLI::Range(1, 4))->capture_default_str();
        sub.add_option("--pidfds", b.pidfds, "Open pidfds per descriptor table")
            ->check(CLI::Range(0, 4))->capture_default_str();
        if (exploration)
            sub.add_option("--depth", b.depth, "Depth bound (0: until exhausted)")
                ->check(CLI::Range(0, 1000))->capture_default_str();
        sub.add_option("--exit-codes", exit_codes, "Exit codes to try, comma-separated (0..255)")->capture_default_str();
        sub.add_flag("--ptrace,!--no-ptrace", b.ptrace, "ptrace_attach / ptrace_detach in the alphabet");
        sub.add_flag("--exec,!--no-exec", b.exec, "execve in the alphabet");
        sub.add_flag("--kill,!--no-kill", b.kill, "kill SIGKILL in the alphabet");
        sub.add_flag("--blocking,!--no-blocking", b.blocking, "blocking waits and resume in the alphabet");
        sub.add_flag("--autokill,!--no-autokill", b.autokill, "CLONE_PIDFD_AUTOKILL in the clone domain");
        sub.add_flag("--parent,!--no-parent", b.parent, "CLONE_PARENT in the clone domain");
        sub.add_flag("--subreaper,!--no-subreaper", b.subreaper, "prctl PR_SET_CHILD_SUBREAPER in the alphabet");
        sub.add_flag("--sigaction,!--no-sigaction", b.sigaction, "sigaction SIGCHLD in the alphabet");
        for (std::size_t i = first; i < sub.get_options().size(); ++i) bound_opts.push_back(sub.get_options()[i]);
        if (!exploration) return;
        sub.add_flag("--no-symmetry", no_symmetry, "Turn symmetry reduction (pid renaming) off");
        sub.add_option("--max-time", max_time, "Stop after this many seconds (0: none)")->check(CLI::Range(0.0, 1e7));
        sub.add_option("--max-memory", max_memory_mb, "Stop when the state store reaches this many MiB (0: none)")
            ->check(kNonNegative);
        sub.add_option("--max-states", max_states, "Stop after this many distinct states (0: none)")
            ->check(kNonNegative);
        sub.add_option("--property", properties, "Check only these property ids (repeatable)");
        sub.add_option("--jobs,-j", jobs, "Worker threads of the exploration (default: the processors; "
                                          "results do not depend on it)")
            ->check(CLI::Range(1, 64))->capture_default_str();
        sub.add_flag("--no-progress", no_progress, "No progress lines on stderr (printed every 5 s of a long run)");
    }

    /// --properties FILE (repeatable): user properties in the property
    /// language (docs/property-language.md), checked next to the catalog.
    void add_property_files(CLI::App& sub) {
        sub.add_option("--properties", property_files,
                       "Also check the properties of this file (property language; repeatable)");
        sub.add_option("--catalog-text", catalog_text,
                       "Read the built-in catalog from DIR/*.rcp instead of the copy embedded at build time "
                       "(to try an edited properties/catalog without rebuilding)");
    }

    /// --por (check, review): partial-order reduction (checker/engine/por.hpp).
    void add_por(CLI::App& sub) {
        por_default = true;
        sub.add_flag("--por", por,
                     "Partial-order reduction at any depth bound (docs/por.md; by default it is on where it is "
                     "exact: runs without --depth)");
        sub.add_flag("--no-por", no_por, "No partial-order reduction");
    }

    /// Loads the --properties files once (a bad file: one line, exit 2).
    void load_property_files() const {
        if (property_files_loaded) return;
        property_files_loaded = true;
        if (!catalog_text.empty()) props::lang::use_catalog_text(catalog_text);
        for (const auto& f : property_files) props::lang::load_file(f);
    }

    [[nodiscard]] engine::CheckOptions options() const {
        load_property_files();
        engine::CheckOptions o;
        o.bounds = b;
        o.bounds.exit_codes = parse_exit_codes(exit_codes);
        for (const auto& id : properties)
            if (!props::find(id)) throw UsageError("--property: unknown property id '" + id + "' (see 'reapcheck properties')");
        o.properties = properties;
        o.symmetry = !no_symmetry;
        o.limits.max_seconds = max_time;
        o.limits.max_memory_mb = max_memory_mb;
        o.limits.max_states = max_states;
        o.threads = jobs;
        o.progress = !no_progress;
        o.por = por && !no_por;
        o.por_auto = por_default && !no_por;   // check and review only (not mutate, diff, graph)
        return o;
    }
};

/// SIGINT / SIGTERM set a flag the engine polls; verdicts settled so far are
/// still printed and written.
inline volatile bool& interrupted() {
    static volatile bool flag = false;
    return flag;
}
inline void install_interrupt_handler(engine::Limits& l) {
    l.interrupt = &interrupted();
    auto h = [](int) { interrupted() = true; };
    std::signal(SIGINT, h);
    std::signal(SIGTERM, h);
}

/// Fails at once (exit 2) when `path` cannot be written, so that a report
/// asked for is not lost after a long exploration.
inline void check_writable(const std::string& option, const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw UsageError(option + ": '" + path + "' is a directory");
    fs::path dir = fs::path(path).parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::is_directory(dir, ec) || ::access(dir.c_str(), W_OK) != 0 ||
        (fs::exists(path, ec) && ::access(path.c_str(), W_OK) != 0))
        throw UsageError(option + ": cannot write '" + path + "'");
}

/// Creates the trace directory before the exploration, for the same reason.
inline void prepare_trace_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || ::access(dir.c_str(), W_OK) != 0)
        throw UsageError("--trace-dir: cannot create or write the directory '" + dir + "'" +
                         (ec ? " (" + ec.message() + ")" : ""));
}

inline void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    if (!out) throw UsageError(path + ": cannot write the file");
    out << text;
}

/// Every trace of the results as DIR/<profile>.<property>.scn.
inline void write_traces(const std::string& dir, const std::vector<engine::CheckResult>& rs) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw UsageError(dir + ": cannot create the directory (" + ec.message() + ")");
    for (const auto& r : rs)
        for (const auto& v : r.verdicts)
            if (!v.trace.empty()) write_file(dir + "/" + r.profile + "." + v.property + ".scn", v.trace);
}

}  // namespace reapcheck::cli
