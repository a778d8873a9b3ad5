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

/// The six profiles, in patch order: linux-6.18, rfc-v1, rfc-v3, v4, v5, mainline.
const std::vector<Profile>& all_profiles();
/// nullptr when unknown.
const Profile* find_profile(std::string_view name);
/// "linux-6.18, rfc-v1, ..." for error messages.
std::string profile_names();

}  // namespace reapcheck::refimpl
