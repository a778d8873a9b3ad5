# Linux 6.18 as released, before the CLONE_AUTOREAP series: the kernel this
# machine runs and the conformance profile below 7.1 (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = linux-6.18
description = "Linux 6.18 as released: clone3 refuses bits 34..36 (observed on 6.18.44)"

autoreap_bit = 34                        # CLONE_AUTOREAP not defined in 6.18; the bit a caller would pass
nnp_bit = 35                             # CLONE_NNP not defined in 6.18; the bit a caller would pass
autokill_bit = 36                        # CLONE_PIDFD_AUTOKILL not defined in 6.18; the bit a caller would pass
allowed_new = none                       # clone3_args_valid: every bit of 34..36 is EINVAL (observed T1)

has_autoreap = false                     # no signal->autoreap, no do_notify_parent / __ptrace_detach hunk
autoreap_requires_pidfd = false          # no CLONE_AUTOREAP checks in copy_process yet
autoreap_rejects_parent = false          # no CLONE_AUTOREAP checks in copy_process yet
autoreap_parent_zero_exit_signal = false # no CLONE_AUTOREAP yet
parent_rejected_while_autoreap = false   # no signal->autoreap yet

has_autokill = false                     # no CLONE_PIDFD_AUTOKILL: closing a pidfd never kills
autokill_needs_nnp_or_cap = false        # no CLONE_PIDFD_AUTOKILL yet
autokill_sets_nnp = false                # no CLONE_PIDFD_AUTOKILL yet
autokill_by_pointer = false              # no CLONE_PIDFD_AUTOKILL yet

has_nnp = false                          # no CLONE_NNP yet
