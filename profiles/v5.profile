# v5 of the series (2026-02-26): CLONE_NNP added; AUTOKILL needs NNP or
# CAP_SYS_ADMIN (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = v5
description = "v5 (2026-02-26): adds CLONE_NNP at bit 36; AUTOKILL needs NNP or CAP_SYS_ADMIN"

autoreap_bit = 34
# v5 defines CLONE_NNP = 1ULL << 36.
nnp_bit = 36
autokill_bit = 35
# v5 adds CLONE_NNP to clone3_args_valid's accepted flags.
allowed_new = 34, 35, 36

has_autoreap = true
autoreap_requires_pidfd = false
autoreap_rejects_parent = true
autoreap_parent_zero_exit_signal = false
parent_rejected_while_autoreap = false

has_autokill = true
# v5's copy_process: AUTOKILL without CLONE_NNP and without CAP_SYS_ADMIN is EPERM ...
autokill_needs_nnp_or_cap = true
# ... and AUTOKILL no longer forces no_new_privs (CLONE_NNP does that now).
autokill_sets_nnp = false
autokill_by_pointer = false

# v5 adds CLONE_NNP: with CLONE_THREAD it is EINVAL, else the child gets no_new_privs.
has_nnp = true
