# RFC v3 of the series (2026-02-17; RFC v2 taken as equal): no PIDFD
# requirement, CLONE_PIDFD_AUTOKILL added (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = rfc-v3
description = "RFC v3 (2026-02-17): AUTOREAP without the PIDFD requirement; AUTOKILL at bit 35, by pointer"

autoreap_bit = 34                        # unchanged since RFC v1
nnp_bit = 36                             # CLONE_NNP not defined in RFC v3: its name gives bit 36, refused
autokill_bit = 35                        # RFC v3 defines CLONE_PIDFD_AUTOKILL = 1ULL << 35
allowed_new = 34, 35                     # RFC v3 adds CLONE_PIDFD_AUTOKILL to clone3_args_valid

has_autoreap = true                      # unchanged since RFC v1
autoreap_requires_pidfd = false          # RFC v3 drops the CLONE_PIDFD requirement of RFC v1
autoreap_rejects_parent = false          # CLONE_AUTOREAP | CLONE_PARENT still accepted
autoreap_parent_zero_exit_signal = true  # still exit_signal 0 for such a child
parent_rejected_while_autoreap = false   # comes with the mainline merge

has_autokill = true                      # RFC v3 adds CLONE_PIDFD_AUTOKILL (needs PIDFD and AUTOREAP, not THREAD)
autokill_needs_nnp_or_cap = false        # RFC v3 checks no privilege for AUTOKILL
autokill_sets_nnp = false                # RFC v3 leaves no_new_privs alone
autokill_by_pointer = true               # RFC v3 records the file in signal->autokill_pidfd before fd_install

has_nnp = false                          # CLONE_NNP comes in v5
