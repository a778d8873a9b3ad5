// Semantic profiles (docs/kernel-rules.md §13): one kernel behaviour each. A profile is
// data, a struct of switches and constants, never a copy of the code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reapcheck::refimpl {

inline constexpr uint64_t kBit34 = 1ULL << 34, kBit35 = 1ULL << 35, kBit36 = 1ULL << 36;

/// Deliberate disagreements with the kernel: the semantic mutants of
/// refimpl/mutants.hpp (one sentence each there), used by `reapcheck mutate`
/// and `audit` to measure the catalog and the tests, and by the conformance
/// and cross-checking tests to show that they catch a wrong model. Never set
/// in a profile that users can name. Each is one guarded branch in refimpl;
/// Fault::None costs one comparison.
enum class Fault : uint8_t {
    None,
    PollNoHup,   ///< pidfd_poll never reports POLLHUP
    ReparentKeepsExitSignal,   ///< reparent_leader leaves exit_signal alone
    // kernel/fork.c
    AutoreapExitSignal, AutoreapThread, AutoreapParent, ParentWhileAutoreap, AutoreapInherited,
    AutoreapNeedsPidfd, LegacyHighBits, ParentExitSignalFromArgs, AutokillWithoutAutoreap, AutokillNoPermCheck,
    NnpNotSet, NnpThread,
    // kernel/signal.c
    AutoreapSendsSignal, AutoreapWhileTraced, NocldwaitSilent, IgnKeepsZombie, NoExecIdFixup, NotifyNoWakeup,
    // kernel/exit.c
    NoRenotify, ReparentClearsAutoreap, NoSubreaper, FarthestSubreaper, ExitingSubreaper, NoSiblingThread,
    DelayedLeaderNotifies, ThreadZombie, DelayedLeaderSilent, WcloneIgnored, WnowaitReaps, HandoffSilent,
    ExitGroupNoZap,
    // kernel/ptrace.c, fs/pidfs.c, fs/exec.c
    DetachIgnoresAutoreap, NoExitInfo, PollinDelayedLeader, AutokillNoKill, AutokillAnyClose, OpenDeadPid,
    ExecKeepsExitSignal, ExecClearsAutoreap, ExecKeepsNocldwait,
};

struct Profile {
    std::string name;
    std::string description;   ///< one line, for `reapcheck profiles` (not a switch)
    std::string source;        ///< the file it came from: "profiles/v5.profile" or a user's path (not a switch)
    std::string base;          ///< the profile its file derives from (`base = ...`), "" for none (not a switch)
    // Bit values of the series' flags; the profile's own, or for a flag the
    // profile does not define, the bit a caller would pass (rejected by
    // clone3_args_valid through `allowed_new`).
    uint64_t autoreap_bit = kBit34;
    uint64_t nnp_bit = kBit35;
    uint64_t autokill_bit = kBit36;
    uint64_t allowed_new = 0;                    ///< bits of 34..36 clone3_args_valid accepts
    bool has_autoreap = false;                   ///< signal.autoreap exists; do_notify_parent hunk
    bool autoreap_requires_pidfd = false;        ///< rfc-v1
    bool autoreap_rejects_parent = false;        ///< v4, v5, mainline
    bool autoreap_parent_zero_exit_signal = false;  ///< rfc-v1, rfc-v3: CLONE_PARENT child gets 0
    bool parent_rejected_while_autoreap = false; ///< mainline: CLONE_PARENT && current->signal->autoreap
    bool has_autokill = false;                   ///< CLONE_PIDFD_AUTOKILL exists
    bool autokill_needs_nnp_or_cap = false;      ///< v5, mainline: EPERM path
    bool autokill_sets_nnp = false;              ///< v4
    bool autokill_by_pointer = false;            ///< rfc-v3: signal.autokill_pidfd
    bool has_nnp = false;                        ///< CLONE_NNP exists (v5, mainline)
    Fault fault = Fault::None;
};

/// Same switches (everything but name, description and source).
bool same_switches(const Profile& a, const Profile& b);

/// Where the six built-in profiles come from: profiles/*.profile, embedded in
/// the binary at build time (CMakeLists.txt) and parsed by all_profiles().
struct BuiltinProfileText {
    const char* path;   ///< "profiles/mainline.profile"
    const char* text;
};
/// The embedded files, in patch order (generated source).
const std::vector<BuiltinProfileText>& builtin_profile_texts();

/// The six built-in profiles, in patch order: linux-6.18, rfc-v1, rfc-v3, v4,
/// v5, mainline, parsed from the embedded profiles/*.profile files.
const std::vector<Profile>& all_profiles();
/// A built-in profile, or one added by add_profile (a user's profile file);
/// nullptr when unknown.
const Profile* find_profile(std::string_view name);
/// "linux-6.18, rfc-v1, ..." (the built-in ones) for error messages.
std::string profile_names();
/// Makes a profile loaded from a file findable by name (find_profile), so the
/// commands that pass profile names around (replay, conform, serve, mutate)
/// take it like a built-in one. Returns the stored profile, whose address is
/// stable; the same name again with the same switches returns the first one.
/// Throws std::invalid_argument when the name is a built-in profile's or an
/// added one's with other switches. Safe to call from several threads.
const Profile& add_profile(Profile p);
/// The built-in profiles, then the added ones, in the order added.
std::vector<const Profile*> known_profiles();
/// Forgets every added profile (the unit tests, which share one process):
/// the pointers add_profile returned dangle afterwards.
void forget_added_profiles();

}  // namespace reapcheck::refimpl
