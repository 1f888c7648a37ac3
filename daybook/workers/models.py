from django.db import models


class WorkerHeartbeat(models.Model):
    """One running task worker, and when it last said it was alive.

    Where `machine` is known (Linux), a worker on the same machine can ask the operating system
    whether `pid` is still this worker (its start time tells a reused pid apart); elsewhere only
    `last_seen_at` tells."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    # The machine's boot and its process namespace: where two heartbeats share it, a pid of
    # one names a process the other can see.
    machine = models.CharField(max_length=128, blank=True)
    # The process's start time as the operating system counts it, so a pid reused by another
    # process after this worker died is not taken for it.
    process_started = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"Worker {self.worker_id} on {self.host}"
