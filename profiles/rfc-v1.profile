# RFC v1 of the series (2026-02-16): CLONE_AUTOREAP only (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = rfc-v1
description = "RFC v1 (2026-02-16): CLONE_AUTOREAP at bit 34, only with CLONE_PIDFD"

# v1 defines CLONE_AUTOREAP = 1ULL << 34; NNP and AUTOKILL do not exist yet,
# so their bits (35, 36) are ones clone3_args_valid still refuses.
autoreap_bit = 34
nnp_bit = 35
autokill_bit = 36
# v1 adds CLONE_AUTOREAP to clone3_args_valid's accepted flags.
allowed_new = 34

# v1 adds signal->autoreap (set in copy_process) and the hunk in
# do_notify_parent / __ptrace_detach: an untraced autoreap child reaps itself.
has_autoreap = true
# v1's copy_process: CLONE_AUTOREAP without CLONE_PIDFD is EINVAL (dropped in RFC v3).
autoreap_requires_pidfd = true
# v1 accepts CLONE_AUTOREAP | CLONE_PARENT (refused from v4 on) ...
autoreap_rejects_parent = false
# ... and gives such a child exit_signal 0 instead of the caller's leader's.
autoreap_parent_zero_exit_signal = true
# The check of a caller that autoreaps comes only with the mainline merge.
parent_rejected_while_autoreap = false

# CLONE_PIDFD_AUTOKILL comes in RFC v3.
has_autokill = false
autokill_needs_nnp_or_cap = false
autokill_sets_nnp = false
autokill_by_pointer = false

# CLONE_NNP comes in v5.
has_nnp = false
