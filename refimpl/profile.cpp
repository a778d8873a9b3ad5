#include "refimpl/profile.hpp"

namespace reapcheck::refimpl {

namespace {
std::vector<Profile> make_profiles() {
    std::vector<Profile> v;
    // linux-6.18 as released: bits 34..36 unknown to clone3_args_valid [EMP-6.18 T1].
    Profile p;
    p.name = "linux-6.18";
    v.push_back(p);

    // RFC v1: CLONE_AUTOREAP (1<<34) only; requires CLONE_PIDFD; PARENT accepted
    // with exit_signal forced to 0.
    p = Profile{};
    p.name = "rfc-v1";
    p.allowed_new = kBit34;
    p.has_autoreap = true;
    p.autoreap_requires_pidfd = true;
    p.autoreap_parent_zero_exit_signal = true;
    v.push_back(p);

    // RFC v3 (= v2): no PIDFD requirement; AUTOKILL at 1<<35 identified by the
    // signal.autokill_pidfd pointer. NNP is not defined: a caller passing the
    // name gets bit 36, which is unknown here.
    p = Profile{};
    p.name = "rfc-v3";
    p.autokill_bit = kBit35;
    p.nnp_bit = kBit36;
    p.allowed_new = kBit34 | kBit35;
    p.has_autoreap = true;
    p.autoreap_parent_zero_exit_signal = true;
    p.has_autokill = true;
    p.autokill_by_pointer = true;
    v.push_back(p);

    // v4: AUTOREAP|PARENT rejected; AUTOKILL f_flag forces no_new_privs.
    p = Profile{};
    p.name = "v4";
    p.autokill_bit = kBit35;
    p.nnp_bit = kBit36;
    p.allowed_new = kBit34 | kBit35;
    p.has_autoreap = true;
    p.autoreap_rejects_parent = true;
    p.has_autokill = true;
    p.autokill_sets_nnp = true;
    v.push_back(p);

    // v5: adds CLONE_NNP at 1<<36; AUTOKILL needs NNP or CAP_SYS_ADMIN.
    p = Profile{};
    p.name = "v5";
    p.autokill_bit = kBit35;
    p.nnp_bit = kBit36;
    p.allowed_new = kBit34 | kBit35 | kBit36;
    p.has_autoreap = true;
    p.autoreap_rejects_parent = true;
    p.has_autokill = true;
    p.autokill_needs_nnp_or_cap = true;
    p.has_nnp = true;
    v.push_back(p);

    // mainline 7.1 (07c3ef58): v5 plus CLONE_PARENT rejected while the caller
    // autoreaps; NNP and AUTOKILL bits swapped.
    p = Profile{};
    p.name = "mainline";
    p.autokill_bit = kBit36;
    p.nnp_bit = kBit35;
    p.allowed_new = kBit34 | kBit35 | kBit36;
    p.has_autoreap = true;
    p.autoreap_rejects_parent = true;
    p.parent_rejected_while_autoreap = true;
    p.has_autokill = true;
    p.autokill_needs_nnp_or_cap = true;
    p.has_nnp = true;
    v.push_back(p);
    return v;
}
}  // namespace

const std::vector<Profile>& all_profiles() {
    static const std::vector<Profile> v = make_profiles();
    return v;
}

const Profile* find_profile(std::string_view name) {
    for (const auto& p : all_profiles())
        if (p.name == name) return &p;
    return nullptr;
}

std::string profile_names() {
    std::string s;
    for (const auto& p : all_profiles()) {
        if (!s.empty()) s += ", ";
        s += p.name;
    }
    return s;
}

}  // namespace reapcheck::refimpl
