"""Told to other apps when a case's log has changed (sent once the change has committed)."""

from django.dispatch import Signal

# Sent with `case` (a Case). An import sends it once, after its last entry.
log_changed = Signal()

# Sent with `checkpoint` (a Checkpoint) once the checkpoint is committed: a copy of each one
# kept outside the database shows, after a restore, which issued checkpoints the log is behind.
checkpoint_issued = Signal()
