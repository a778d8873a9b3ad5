# v5 of the series (2026-02-26): CLONE_NNP added; AUTOKILL needs NNP or
# CAP_SYS_ADMIN (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = v5
description = "v5 (2026-02-26): adds CLONE_NNP at bit 36; AUTOKILL needs NNP or CAP_SYS_ADMIN"

autoreap_bit = 34                        # unchanged since RFC v1
nnp_bit = 36                             # v5 defines CLONE_NNP = 1ULL << 36
autokill_bit = 35                        # unchanged since RFC v3
allowed_new = 34, 35, 36                 # v5 adds CLONE_NNP to clone3_args_valid

has_autoreap = true                      # unchanged since RFC v1
autoreap_requires_pidfd = false          # dropped in RFC v3
autoreap_rejects_parent = true           # since v4
autoreap_parent_zero_exit_signal = false # gone since v4
parent_rejected_while_autoreap = false   # comes with the mainline merge

has_autokill = true                      # unchanged since RFC v3
autokill_needs_nnp_or_cap = true         # v5 copy_process: AUTOKILL without CLONE_NNP and CAP_SYS_ADMIN is EPERM
autokill_sets_nnp = false                # v5: AUTOKILL no longer forces no_new_privs (CLONE_NNP does)
autokill_by_pointer = false              # f_flag since v4

has_nnp = true                           # v5 adds CLONE_NNP: EINVAL with CLONE_THREAD, else sets no_new_privs
