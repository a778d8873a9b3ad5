# RFC v3 of the series (2026-02-17; RFC v2 taken as equal): no PIDFD
# requirement, CLONE_PIDFD_AUTOKILL added (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = rfc-v3
description = "RFC v3 (2026-02-17): AUTOREAP without the PIDFD requirement; AUTOKILL at bit 35, by pointer"

autoreap_bit = 34
# CLONE_NNP is not defined in v3: a caller passing the name gets bit 36,
# which clone3_args_valid refuses here.
nnp_bit = 36
# v3 defines CLONE_PIDFD_AUTOKILL = 1ULL << 35.
autokill_bit = 35
# v3 adds AUTOKILL to clone3_args_valid's accepted flags.
allowed_new = 34, 35

has_autoreap = true
# v3 drops v1's "CLONE_AUTOREAP needs CLONE_PIDFD" check from copy_process.
autoreap_requires_pidfd = false
# AUTOREAP | PARENT is still accepted, the child's exit_signal forced to 0.
autoreap_rejects_parent = false
autoreap_parent_zero_exit_signal = true
parent_rejected_while_autoreap = false

# v3 adds CLONE_PIDFD_AUTOKILL: needs PIDFD and AUTOREAP, not THREAD; the
# last close of the pidfd SIGKILLs the child (pidfs_file_release).
has_autokill = true
# v3 checks no privilege for AUTOKILL ...
autokill_needs_nnp_or_cap = false
# ... and leaves no_new_privs alone.
autokill_sets_nnp = false
# v3 records the AUTOKILL file in signal->autokill_pidfd, just before fd_install.
autokill_by_pointer = true

has_nnp = false
