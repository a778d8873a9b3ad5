// What an exploration exercised: per action class, how often it was enabled,
// how often it changed the state and how often it returned an error; which
// facts of the model ever held (an autoreap task existed, a task was traced,
// a reparenting happened, ...); and from those, which properties were
// vacuous in the run: a property is about some facts (the table in
// coverage.cpp), and when one of them never held, its `holds` says nothing.
//
// In an exhaustive search every enabled action of an expanded state is
// applied once, so "enabled" is also "fired"; the counts are per expanded
// state and action, over the stored (canonical) states.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "checker/engine/alphabet.hpp"
#include "checker/engine/per_thread.hpp"
#include "properties/catalog.hpp"

namespace reapcheck::engine {

/// Facts of the model a property can be about (a bit each).
enum class Fact : uint8_t {
    AutoreapTask,     ///< an unreleased task of an autoreap process
    Zombie,           ///< a task in EXIT_ZOMBIE
    Traced,           ///< a ptraced task
    Threads,          ///< a process with more than one thread
    DelayedLeader,    ///< a zombie group leader whose group is not empty
    Subreaper,        ///< a process with PR_SET_CHILD_SUBREAPER
    Pidfd,            ///< an open pidfd
    AutokillPidfd,    ///< an open pidfd with PIDFD_AUTOKILL (rfc-v3: signal.autokill_pidfd)
    IgnoresSigchld,   ///< SIGCHLD ignored or SA_NOCLDWAIT in some sighand
    BlockedWaiter,    ///< a wait blocked in do_wait
    Notify,           ///< do_notify_parent ran
    Reparent,         ///< forget_original_parent moved a child
    Reap,             ///< wait_task_zombie reported a zombie
    Autokill,         ///< pidfs_file_release killed a process
    CloneAutoreap,    ///< a clone call asked for CLONE_AUTOREAP
    CloneParent,      ///< a clone call asked for CLONE_PARENT
    CloneThread,      ///< a clone call asked for CLONE_THREAD
    CloneAutokill,    ///< a clone call asked for CLONE_PIDFD_AUTOKILL
    CloneNnp,         ///< a clone call asked for CLONE_NNP
    Exec,             ///< execve ran
    ExitGroup,        ///< exit_group ran
    WaitNowait,       ///< a wait with WNOWAIT ran
    WaitWclone,       ///< a wait with __WCLONE ran
    Count_
};
inline constexpr int kFacts = int(Fact::Count_);
/// "an autoreap task", "a traced task", ... (for "never had ...").
const char* describe(Fact f);
const char* fact_name(Fact f);

struct ActionCount {
    std::string action;        ///< "clone3", "clone3 AUTOREAP", "kernel pidfs_exit", ...
    uint64_t enabled = 0;      ///< times it was enabled in an expanded state (= fired)
    uint64_t changed = 0;      ///< times its successor differed from the state
    uint64_t errors = 0;       ///< times it returned an error
};

struct Vacuity {
    std::string property;
    std::string why;           ///< "the run never had an autoreap task"
};

/// The coverage of one run (or, merged, of a suite).
struct Coverage {
    std::vector<ActionCount> actions;   ///< classes in a fixed order; only those ever enabled
    uint32_t facts = 0;                 ///< bit i: Fact i held somewhere
    std::vector<Vacuity> vacuous;       ///< checked properties (verdict holds) about a fact that never held
    bool empty() const { return actions.empty() && facts == 0; }
    /// Adds another run's counts and facts (the vacuity is computed afterwards).
    void merge(const Coverage& o);
};

/// The facts a catalog property is about; nullptr for an id the table does
/// not know (a user property), which is then never reported vacuous.
/// Every non-cover property of the catalog has an entry (a test checks).
const std::vector<Fact>* facts_of(std::string_view property_id);

/// Counts gathered during an exploration, from several threads: each thread
/// has its own block of counters, summed at the end.
class CoverageCounter {
public:
    CoverageCounter(const refimpl::Profile& p);
    void on_state(const refimpl::State& s);
    /// `changed`: the explorer's own finding that the successor differs from the state.
    void on_edge(const Action& a, const props::CallView& cv, const Transition& t, bool changed);
    /// The totals, with the vacuity of `checked` (ids whose verdict holds).
    Coverage result() const;

private:
    static constexpr int kClasses = 64;
    struct Block {
        std::array<uint64_t, kClasses> enabled{}, changed{}, errors{};
        uint32_t facts = 0;
    };
    const refimpl::Profile& p_;
    PerThread<Block> blocks_;
};

/// Fills `c.vacuous` from its facts for the properties in `holding`.
void compute_vacuity(Coverage& c, const std::vector<std::string>& holding);

}  // namespace reapcheck::engine
