# v4 of the series (2026-02-23): AUTOREAP | PARENT refused, AUTOKILL an
# f_flag that forces no_new_privs (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = v4
description = "v4 (2026-02-23): AUTOREAP|PARENT is EINVAL; AUTOKILL sets no_new_privs"

autoreap_bit = 34
# Still no CLONE_NNP: its name gives bit 36, refused.
nnp_bit = 36
autokill_bit = 35
allowed_new = 34, 35

has_autoreap = true
autoreap_requires_pidfd = false
# v4's copy_process: CLONE_AUTOREAP with CLONE_PARENT is EINVAL ...
autoreap_rejects_parent = true
# ... so the exit_signal 0 override of v1/v3 is gone.
autoreap_parent_zero_exit_signal = false
parent_rejected_while_autoreap = false

has_autokill = true
autokill_needs_nnp_or_cap = false
# v4: an AUTOKILL child gets no_new_privs set in copy_process.
autokill_sets_nnp = true
# v4 marks the file with the PIDFD_AUTOKILL f_flag instead of a pointer.
autokill_by_pointer = false

has_nnp = false
