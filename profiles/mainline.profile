# Linux 7.1 as merged (07c3ef58, "Merge tag 'vfs-7.1-rc1.pidfs'"; commits
# 12ae2c81, 24baca56, c8134b5f): v5 plus one check, with NNP and AUTOKILL
# swapped (docs/kernel-rules.md §13). The default profile.
# Format: docs/profiles.md. Every switch is given; none has a default.
name = mainline
description = "Linux 7.1 (07c3ef58): v5 plus CLONE_PARENT refused while the caller autoreaps; NNP 35, AUTOKILL 36"

autoreap_bit = 34
# mainline swaps v5's numbering: CLONE_NNP = 1ULL << 35 ...
nnp_bit = 35
# ... and CLONE_PIDFD_AUTOKILL = 1ULL << 36.
autokill_bit = 36
allowed_new = 34, 35, 36

has_autoreap = true
autoreap_requires_pidfd = false
autoreap_rejects_parent = true
autoreap_parent_zero_exit_signal = false
# The merge adds to copy_process: CLONE_PARENT while current->signal->autoreap
# is EINVAL (after the AUTOREAP block, before the NNP check).
parent_rejected_while_autoreap = true

has_autokill = true
autokill_needs_nnp_or_cap = true
autokill_sets_nnp = false
autokill_by_pointer = false

has_nnp = true
