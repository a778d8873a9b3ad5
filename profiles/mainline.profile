# Linux 7.1 as merged (07c3ef58, "Merge tag 'vfs-7.1-rc1.pidfs'"; commits
# 12ae2c81, 24baca56, c8134b5f): v5 plus one check, with NNP and AUTOKILL
# swapped (docs/kernel-rules.md §13). The default profile.
# Format: docs/profiles.md. Every switch is given; none has a default.
name = mainline
description = "Linux 7.1 (07c3ef58): v5 plus CLONE_PARENT refused while the caller autoreaps; NNP 35, AUTOKILL 36"

autoreap_bit = 34                        # unchanged since RFC v1
nnp_bit = 35                             # the merge swaps v5's bits: CLONE_NNP = 1ULL << 35
autokill_bit = 36                        # and CLONE_PIDFD_AUTOKILL = 1ULL << 36
allowed_new = 34, 35, 36                 # as v5

has_autoreap = true                      # unchanged since RFC v1
autoreap_requires_pidfd = false          # dropped in RFC v3
autoreap_rejects_parent = true           # since v4
autoreap_parent_zero_exit_signal = false # gone since v4
parent_rejected_while_autoreap = true    # the merge adds: CLONE_PARENT while current->signal->autoreap is EINVAL

has_autokill = true                      # unchanged since RFC v3
autokill_needs_nnp_or_cap = true         # since v5
autokill_sets_nnp = false                # not since v5
autokill_by_pointer = false              # f_flag since v4

has_nnp = true                           # since v5
