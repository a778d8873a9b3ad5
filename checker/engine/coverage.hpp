// What an exploration exercised: per action class, how often it was enabled,
// how often it changed the state and how often it returned an error; which
// facts of the model ever held (an autoreap task existed, a task was traced,
// a reparenting happened, ...); and from those, which properties were
// vacuous in the run: a property is about some facts (the `about` clause of
// its text, docs/property-language.md), and when one of them never held, its
// `holds` says nothing.
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

/// Facts of the model a property can be about: the `about` clause of the
/// property language (properties/catalog.hpp, docs/property-language.md).
using Fact = props::About;
inline constexpr int kFacts = props::kAbouts;
using props::describe;
/// "autoreap_task", "traced", ... (the names the language uses).
inline const char* fact_name(Fact f) { return props::about_name(f); }

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
    /// The summed counters as numbers (a checkpoint, checker/engine/checkpoint.hpp;
    /// call while no thread counts) and adding such numbers back (a resume).
    std::vector<uint64_t> raw() const;
    void add_raw(const std::vector<uint64_t>& r);

private:
    static constexpr int kClasses = 64;
    struct Block {
        std::array<uint64_t, kClasses> enabled{}, changed{}, errors{};
        uint32_t facts = 0;
    };
    Block sum() const;
    const refimpl::Profile& p_;
    PerThread<Block> blocks_;
    Block base_;   ///< counts of a resumed run's checkpoint
};

/// Fills `c.vacuous` from its facts for the properties in `holding`.
void compute_vacuity(Coverage& c, const std::vector<std::string>& holding);

}  // namespace reapcheck::engine
