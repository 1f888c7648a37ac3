"""django_tasks_db's worker, with a heartbeat and the taking back of dead workers' tasks."""

import datetime as dt
import logging
import os
import threading
from types import FrameType
from typing import Any

from django.db import close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Worker

from daybook.workers.services import (
    abandoned_tasks_take_back,
    worker_heartbeat_record,
    worker_heartbeat_remove,
)

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
# Silence for this long makes a worker on another machine count as dead. Generous beside the
# heartbeat: a worker busy in a long database transaction still beats (from its own thread
# and connection), but on SQLite the lock that transaction holds can hold the beat back too.
STALE_SECONDS = 60.0


class HeartbeatWorker(Worker):
    """Records itself before its first task, then every `heartbeat_seconds` from a thread of
    its own (so a long task does not silence it), taking back dead workers' tasks each time.
    A worker that stops cleanly removes its heartbeat."""

    def __init__(
        self,
        *,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        stale_after: dt.timedelta = dt.timedelta(seconds=STALE_SECONDS),
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_after = stale_after
        self._stopping = threading.Event()

    def run(self) -> None:
        self._beat_once()
        beat = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        beat.start()
        try:
            super().run()
        finally:
            self._stopping.set()
            beat.join(timeout=self.heartbeat_seconds + 1)
            try:
                worker_heartbeat_remove(worker_id=self.worker_id)
            except Exception as error:  # it goes stale, and is removed by the next check
                logger.warning("Heartbeat not removed (%s)", type(error).__name__)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """The first signal lets the task in hand finish (django_tasks_db's own way). A second
        one stops the process at once, as a kill would: django_tasks_db would mark the task
        failed while the job it was doing stayed half-way, but left running it is taken back
        like any dead worker's (retried, its stored files removed)."""
        if not self.running and self.running_task:
            logger.warning("Stopped in the middle of a task: it will be taken back")
            os._exit(1)
        super().shutdown(signum, frame)

    def check(self) -> None:
        """Take back the tasks dead workers left running."""
        for taken in abandoned_tasks_take_back(stale_after=self.stale_after):
            logger.info(
                "Took back task id=%s (%s)", taken.task_id, "retry" if taken.retrying else "failed"
            )

    def _beat_once(self) -> None:
        try:
            worker_heartbeat_record(worker_id=self.worker_id)
            self.check()
        except Exception as error:
            # A database locked by another worker's long import (SQLite), or lost for a
            # moment: the next beat tries again, and the worker carries on meanwhile.
            logger.warning("Heartbeat not recorded (%s)", type(error).__name__)

    def _beat(self) -> None:
        try:
            while not self._stopping.wait(self.heartbeat_seconds):
                close_old_connections()
                self._beat_once()
        finally:
            # This thread's own connections only: the task's are the main thread's.
            connections.close_all()
