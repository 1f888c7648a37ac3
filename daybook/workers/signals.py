"""What the workers tell the apps that own background jobs."""

from django.dispatch import Signal

# Sent when a task a dead worker left running is taken back, inside the transaction that
# changes the task's status, with `task_path` (the task's dotted path), `args`, `kwargs` and
# `retrying` (True: the task runs again; False: it is marked failed). A receiver puts its own
# job back to waiting, or marks it failed with a message for the person, and removes any file
# the dead worker stored for it, in that same transaction.
task_abandoned = Signal()
