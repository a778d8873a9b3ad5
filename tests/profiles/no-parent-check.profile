# A hypothetical variant for tests/cli/profiles_cli.sh: mainline without the
# check the merge added to copy_process (CLONE_PARENT refused while the
# caller's signal->autoreap is set). Everything else is mainline's.
name = no-parent-check
description = "mainline without the CLONE_PARENT-while-autoreap check"
base = mainline
parent_rejected_while_autoreap = false
