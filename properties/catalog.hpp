// The property catalog: one table. Each property has a stable dotted id, a
// kind, the claim in words, its source, and a predicate over refimpl states
// or transitions, all written in the property language
// (docs/property-language.md, properties/catalog/*.rcp). Properties as worded are kept even when violated; a refined
// property next to one says what does hold, and why (its `refines` and
// `note`). Nothing is ever weakened to pass.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "refimpl/events.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::props {

namespace lang { struct Program; }

enum class Kind : uint8_t {
    Always,      ///< the state predicate holds in every reachable state
    Step,        ///< the transition predicate holds on every explored transition
    Sometimes,   ///< a cover: some reachable state / transition satisfies it (must be hit)
    Eventually,  ///< from every reachable state a state satisfying it is reachable
};
const char* to_string(Kind k);

/// The call a transition made, independent of the scenario language.
struct CallView {
    enum class Kind : uint8_t { Clone, Wait, Exit, KernelStep, Exec, Other } kind = Kind::Other;
    refimpl::Id actor = refimpl::kNone;
    uint64_t clone_flags = 0;       ///< resolved bits (Clone)
    int64_t exit_signal = 0;        ///< Clone
    bool legacy = false;            ///< legacy clone(2)
    uint32_t wait_options = 0;      ///< Wait (for a resumed wait: the blocked wait's, from the pre-state)
    bool group = false;             ///< Exit: exit_group
};

struct StepView {
    const refimpl::Profile& profile;
    const refimpl::State& pre;
    const refimpl::State& post;
    const CallView& call;
    const refimpl::SysResult& result;
    const refimpl::EventSink& events;
};

/// The facts of the model a property can be about (its `about` clause,
/// docs/property-language.md): without one of them its premise cannot hold,
/// so a run that never had it checked nothing (checker/engine/coverage.hpp
/// reports the property vacuous). A bit each.
enum class About : uint8_t {
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
inline constexpr int kAbouts = int(About::Count_);
/// The name the language uses: "autoreap_task", "traced", ...
const char* about_name(About a);
/// In words, for "the run never had ...": "an autoreap task", ...
const char* describe(About a);

/// A predicate: a property read from a file of the property language
/// (properties/lang/, docs/property-language.md). The built-in catalog is
/// such files too (properties/catalog/*.rcp, embedded in the binary).
class Evaluator {
public:
    virtual ~Evaluator() = default;
    [[nodiscard]] virtual bool reads_state() const = 0;   ///< a state predicate (else a transition one)
    [[nodiscard]] virtual bool state(const refimpl::Profile& p, const refimpl::State& s) const = 0;
    [[nodiscard]] virtual bool step(const StepView& v) const = 0;
    [[nodiscard]] virtual bool applies(const refimpl::Profile& p) const = 0;
    /// file:line:column of the definition.
    [[nodiscard]] virtual std::string origin() const = 0;
    /// The parsed predicate (properties/lang/ast.hpp), which the Z3 model
    /// translates (checker/symbolic/to_z3.cpp); nullptr: none.
    [[nodiscard]] virtual const lang::Program* program() const { return nullptr; }
};

struct Property {
    std::string_view id;
    Kind kind;
    std::string_view claim;     ///< in words, as close to the source as a predicate allows
    std::string_view source;    ///< commit message sentence, selftest, kernel function
    std::string_view refines;   ///< id of the as-worded property this one refines
    std::string_view note;      ///< why the refinement, what the counterexample shows
    const Evaluator* text = nullptr;   ///< the predicate (never null in a registered property)
    /// The `about` clause, in the order written (vacuity names the first
    /// fact that never held). Without the clause (`has_about` false) the
    /// property is never reported vacuous; `about every_state`: empty.
    std::span<const About> about;
    bool has_about = false;

    [[nodiscard]] bool has_state() const { return text->reads_state(); }
    [[nodiscard]] bool has_step() const { return !text->reads_state(); }
    [[nodiscard]] bool holds(const refimpl::Profile& p, const refimpl::State& s) const { return text->state(p, s); }
    [[nodiscard]] bool holds(const StepView& v) const { return text->step(v); }
    [[nodiscard]] bool applies_to(const refimpl::Profile& p) const { return text->applies(p); }
    /// Where it is defined: file:line:column ("properties/catalog/2-lifecycle.rcp:6:6").
    [[nodiscard]] std::string origin() const { return text->origin(); }
};

/// The whole built-in catalog, in a fixed order: the properties of the files
/// properties/catalog/*.rcp (in name order), embedded in the binary at build
/// time and parsed on first use (properties/lang/), unless
/// lang::use_catalog_text replaced them.
const std::vector<Property>& catalog();
/// The catalog followed by the user properties added so far, in load order
/// (properties/registry.cpp). Add before an exploration starts, not during.
const std::vector<Property>& all();
/// Adds a property read from a file; its views and `text` must outlive the
/// registry (the language's loader keeps them). The id must be new.
void add_user(const Property& p);
/// Forgets every user property (tests).
void clear_user();
/// Makes `props` the built-in catalog (lang::use_catalog_text: a directory
/// of .rcp files given with --catalog-text); forgets the user properties.
/// Their views must outlive the registry.
void replace_catalog(std::vector<Property> props);
/// nullptr when unknown; user properties included.
const Property* find(std::string_view id);

/// One embedded catalog file (generated source, scripts/embed_texts.cmake).
struct BuiltinCatalogText {
    const char* path;   ///< "properties/catalog/2-lifecycle.rcp"
    const char* text;
};
const std::vector<BuiltinCatalogText>& builtin_catalog_texts();
/// The invariant of `prove --unbounded` (properties/unbounded/invariants.rcp),
/// embedded the same way; parsed by checker/symbolic/unbounded.cpp.
const std::vector<BuiltinCatalogText>& builtin_unbounded_texts();

}  // namespace reapcheck::props
