# A hypothetical "v6" of the series, for docs/tutorial-review-a-patch.md:
# mainline, but CLONE_AUTOREAP | CLONE_PARENT is accepted again (as in RFC v1
# and RFC v3), without their exit_signal 0 override, so such a child takes the
# caller's leader's exit_signal like any CLONE_PARENT child.
name = v6
description = "hypothetical v6: mainline with CLONE_AUTOREAP|CLONE_PARENT accepted again"
base = mainline

# copy_process (kernel/fork.c): drop the "CLONE_AUTOREAP with CLONE_PARENT is
# EINVAL" check that v4 added.
autoreap_rejects_parent = false
