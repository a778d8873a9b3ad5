// The catalog of semantic mutants: plausible bugs a patch author could write
// in the rules refimpl models, each one a Fault (profile.hpp) switched on by
// one guarded branch in the refimpl file of the kernel function it corrupts.
// `reapcheck mutate` measures which of them the property catalog notices,
// `reapcheck audit` which of them a scenario's statements notice
// (docs/mutation.md). A mutant is never a profile: it is a Profile copy with
// `fault` set, made only by these two commands and the tests.
#pragma once

#include <string_view>
#include <vector>

#include "refimpl/profile.hpp"

namespace reapcheck::refimpl {

struct Mutant {
    Fault fault;
    std::string_view id;         ///< stable dotted id: <kernel function>.<what goes wrong>
    std::string_view function;   ///< the kernel function it corrupts (file:function)
    std::string_view what;       ///< one sentence: what is wrong
    /// Profiles where the mutated rule exists (nullptr: every profile). In
    /// the others the mutant is the correct model and is not counted.
    bool (*applies)(const Profile&) = nullptr;
    /// Why the mutant cannot be observed in a profile where it applies, when
    /// it is an equivalent mutant there (empty: it is not).
    std::string_view equivalent;
};

/// Every mutant, in a fixed order (ids are stable).
const std::vector<Mutant>& mutants();
/// nullptr when unknown.
const Mutant* find_mutant(std::string_view id);
/// `p` with the mutant switched on (name kept: traces replay under it).
Profile mutated(const Profile& p, const Mutant& m);

}  // namespace reapcheck::refimpl
