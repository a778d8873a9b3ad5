# v4 of the series (2026-02-23): AUTOREAP | PARENT refused, AUTOKILL an
# f_flag that forces no_new_privs (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = v4
description = "v4 (2026-02-23): AUTOREAP|PARENT is EINVAL; AUTOKILL sets no_new_privs"

autoreap_bit = 34                        # unchanged since RFC v1
nnp_bit = 36                             # CLONE_NNP not defined in v4: its name gives bit 36, refused
autokill_bit = 35                        # unchanged since RFC v3
allowed_new = 34, 35                     # unchanged since RFC v3

has_autoreap = true                      # unchanged since RFC v1
autoreap_requires_pidfd = false          # dropped in RFC v3
autoreap_rejects_parent = true           # v4 copy_process: CLONE_AUTOREAP with CLONE_PARENT is EINVAL
autoreap_parent_zero_exit_signal = false # v4: gone with the CLONE_PARENT check above
parent_rejected_while_autoreap = false   # comes with the mainline merge

has_autokill = true                      # unchanged since RFC v3
autokill_needs_nnp_or_cap = false        # no privilege check yet (v5 adds it)
autokill_sets_nnp = true                 # v4 copy_process: an AUTOKILL child gets no_new_privs
autokill_by_pointer = false              # v4 marks the file with the PIDFD_AUTOKILL f_flag instead

has_nnp = false                          # CLONE_NNP comes in v5
