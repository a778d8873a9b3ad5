// Runs scenario statements through refimpl: names <-> task indices and fd
// numbers, results as scenario results, `expect` lines over the state.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "checker/scenario/executor.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::scn {

/// refimpl refuses a statement because it reaches a declared gap of the
/// model (refimpl/gaps.hpp: ptrace and job-control stops) or one of its
/// limits (the namespace init never exits, ...). `reason()` is one stable
/// sentence per gap, for counting; the state is left as it was before.
class ModelGap : public ParseError {
public:
    ModelGap(const Loc& loc, const std::string& what, const char* reason)
        : ParseError(loc, what + ": model gap: " + reason), reason_(reason) {}
    [[nodiscard]] const char* reason() const { return reason_; }
private:
    const char* reason_;
};

class RefimplExecutor : public Executor {
public:
    /// Throws std::invalid_argument for an unknown profile name.
    RefimplExecutor(std::string profile_name, bool explicit_steps);
    RefimplExecutor(const refimpl::Profile& profile, bool explicit_steps);

    Result run(const Statement& st, const Fresh& fresh) override;
    ExpectOutcome check(const Statement& st) override;

    [[nodiscard]] std::vector<std::string> task_names(bool alive_only) const;
    [[nodiscard]] bool is_blocked(const std::string& task) const;
    [[nodiscard]] std::vector<std::string> fd_names(const std::string& actor) const;
    [[nodiscard]] const refimpl::State& state() const { return state_; }
    [[nodiscard]] const refimpl::Profile& profile() const { return profile_; }
    /// Name of a task index ("" when unnamed).
    [[nodiscard]] std::string name_of(refimpl::Id t) const;
    /// Task index of a name, or kNone.
    [[nodiscard]] refimpl::Id task_of(const std::string& name) const;
    /// Bind a name to a task the caller created directly in state() (engines).
    void bind_task(const std::string& name, refimpl::Id t) { tasks_[name] = t; }
    refimpl::State& mutable_state() { return state_; }
    /// Descriptor number a pidfd name stands for, or -1.
    [[nodiscard]] int fd_of(const std::string& name) const {
        auto it = fds_.find(name);
        return it == fds_.end() ? -1 : it->second;
    }

    /// Every bound name: task names to indices, pidfd names to descriptor numbers.
    [[nodiscard]] const std::map<std::string, refimpl::Id>& task_bindings() const { return tasks_; }
    [[nodiscard]] const std::map<std::string, int>& fd_bindings() const { return fds_; }

private:
    refimpl::Id need_task(const Statement& st, const std::string& name) const;
    int need_fd(const Statement& st, const std::string& name) const;
    Result run_call(const Statement& st, const Fresh& fresh, refimpl::Id actor);
    Result run_unchecked(const Statement& st, const Fresh& fresh);

    refimpl::Profile profile_;
    bool explicit_steps_;
    refimpl::State state_;
    std::map<std::string, refimpl::Id> tasks_;
    std::map<std::string, int> fds_;
};

}  // namespace reapcheck::scn
