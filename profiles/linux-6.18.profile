# Linux 6.18 as released, before the CLONE_AUTOREAP series: the kernel this
# machine runs and the conformance profile below 7.1 (docs/kernel-rules.md §13).
# Format: docs/profiles.md. Every switch is given; none has a default.
name = linux-6.18
description = "Linux 6.18 as released: clone3 refuses bits 34..36 (observed on 6.18.44)"

# Flag bits: 6.18 defines none of the three flags. These are the bits a caller
# would pass (the series' first numbering); clone3_args_valid refuses them.
autoreap_bit = 34
nnp_bit = 35
autokill_bit = 36
# clone3_args_valid: CLONE_LEGACY_FLAGS | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP
# only, so every bit of 34..36 is EINVAL (observed T1).
allowed_new = none

# No signal->autoreap, no do_notify_parent / __ptrace_detach hunk.
has_autoreap = false
# The CLONE_AUTOREAP checks of copy_process do not exist yet.
autoreap_requires_pidfd = false
autoreap_rejects_parent = false
autoreap_parent_zero_exit_signal = false
parent_rejected_while_autoreap = false

# No CLONE_PIDFD_AUTOKILL: closing a pidfd never kills.
has_autokill = false
autokill_needs_nnp_or_cap = false
autokill_sets_nnp = false
autokill_by_pointer = false

# No CLONE_NNP.
has_nnp = false
