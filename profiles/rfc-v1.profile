# RFC v1 of the series (2026-02-16): CLONE_AUTOREAP only (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = rfc-v1
description = "RFC v1 (2026-02-16): CLONE_AUTOREAP at bit 34, only with CLONE_PIDFD"

autoreap_bit = 34                        # RFC v1 defines CLONE_AUTOREAP = 1ULL << 34
nnp_bit = 35                             # CLONE_NNP comes in v5; the bit a caller would pass
autokill_bit = 36                        # CLONE_PIDFD_AUTOKILL comes in RFC v3; the bit a caller would pass
allowed_new = 34                         # RFC v1 adds CLONE_AUTOREAP to clone3_args_valid

has_autoreap = true                      # RFC v1 adds signal->autoreap and the do_notify_parent / __ptrace_detach hunk
autoreap_requires_pidfd = true           # RFC v1 copy_process: CLONE_AUTOREAP without CLONE_PIDFD is EINVAL
autoreap_rejects_parent = false          # RFC v1 accepts CLONE_AUTOREAP | CLONE_PARENT
autoreap_parent_zero_exit_signal = true  # RFC v1 copy_process: such a child gets exit_signal 0
parent_rejected_while_autoreap = false   # comes with the mainline merge

has_autokill = false                     # CLONE_PIDFD_AUTOKILL comes in RFC v3
autokill_needs_nnp_or_cap = false        # no CLONE_PIDFD_AUTOKILL yet
autokill_sets_nnp = false                # no CLONE_PIDFD_AUTOKILL yet
autokill_by_pointer = false              # no CLONE_PIDFD_AUTOKILL yet

has_nnp = false                          # CLONE_NNP comes in v5
