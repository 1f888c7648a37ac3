"""Told to other apps when a case's log has changed (sent once the change has committed)."""

from django.dispatch import Signal

# Sent with `case` (a Case). An import sends it once, after its last entry.
log_changed = Signal()
