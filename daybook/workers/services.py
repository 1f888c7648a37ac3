"""Heartbeats of the task workers, and taking back the tasks a dead worker left running.

A worker records itself when it starts and every few seconds after (`worker_heartbeat_record`).
A task is RUNNING from the moment a worker claims it until that worker marks it done; if the
worker is killed in between, the task would stay RUNNING for ever. Any other worker, when it
starts and at every heartbeat, looks for such tasks (`abandoned_tasks_take_back`): a task whose
worker is dead runs once more (back to READY), or, if it has already been run twice, is marked
FAILED. `signals.task_abandoned` tells the app that owns the job, in the same transaction.

A worker is dead when a worker on the same machine sees that its process is gone, or (from
another machine) when it has not been seen for `stale_after`. Heartbeats are not audited:
they say nothing about anyone's data.
"""

import datetime as dt
import logging
import os
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from daybook.workers import processes
from daybook.workers.models import WorkerHeartbeat
from daybook.workers.signals import task_abandoned

logger = logging.getLogger(__name__)

# A task is run at most this many times: once, and once more after its worker died.
MOST_ATTEMPTS = 2
STOPPED_MESSAGE = "The worker running this task stopped before the task finished."


class WorkerStopped(Exception):
    """What a task that was running on a worker that died failed with."""


@dataclass(frozen=True)
class TakenBack:
    task_id: str
    task_path: str
    retrying: bool


def worker_heartbeat_record(*, worker_id: str, now: dt.datetime | None = None) -> None:
    """Say that this process, worker `worker_id`, is alive. A worker's first heartbeat (or one
    after another worker gave it up for dead and removed it) records who and where it is."""
    now = now or timezone.now()
    if WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen_at=now):
        return
    pid = os.getpid()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen_at": now},
        create_defaults={
            "host": processes.host(),
            "pid": pid,
            "machine": processes.machine(),
            "process_started": processes.started(pid) or "",
            "started_at": now,
            "last_seen_at": now,
        },
    )


def worker_heartbeat_remove(*, worker_id: str) -> None:
    """A worker that stops cleanly removes its heartbeat: it left nothing running."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def is_dead(
    heartbeat: WorkerHeartbeat, *, now: dt.datetime, stale_after: dt.timedelta, machine: str
) -> bool:
    """On this machine the operating system says; from elsewhere, silence for `stale_after`."""
    if machine and heartbeat.machine == machine and heartbeat.process_started:
        return not processes.is_running(heartbeat.pid, heartbeat.process_started)
    return heartbeat.last_seen_at < now - stale_after


def abandoned_tasks_take_back(
    *, stale_after: dt.timedelta, now: dt.datetime | None = None
) -> list[TakenBack]:
    """Retry, or mark failed, every task left RUNNING by a worker that is dead; then forget
    the dead workers. Each task is taken back in a transaction of its own, with whatever its
    owner's receiver of `task_abandoned` changes; one that fails is logged by its error's kind
    and left for the next check."""
    now = now or timezone.now()
    running = list(DBTaskResult.objects.running().values_list("id", "worker_ids", "started_at"))
    if not running:
        _forget_dead_workers(now=now, stale_after=stale_after)
        return []
    claimed_by = {str(ids[-1]) for _id, ids, _started in running if ids}
    heartbeats = {
        beat.worker_id: beat for beat in WorkerHeartbeat.objects.filter(worker_id__in=claimed_by)
    }
    machine = processes.machine()
    taken: list[TakenBack] = []
    for task_id, worker_ids, started_at in running:
        heartbeat = heartbeats.get(str(worker_ids[-1])) if worker_ids else None
        if heartbeat is None:
            # A worker that never recorded a heartbeat (or was removed as dead already): only
            # a task that has been running longer than a heartbeat may be silent is taken.
            abandoned = started_at is None or started_at < now - stale_after
        else:
            abandoned = is_dead(heartbeat, now=now, stale_after=stale_after, machine=machine)
        if not abandoned:
            continue
        try:
            done = _take_back(task_id=str(task_id), worker_ids=worker_ids, now=now)
        except Exception as error:  # the next check tries again
            logger.error("A dead worker's task was not taken back (%s)", type(error).__name__)
            continue
        if done is not None:
            taken.append(done)
    _forget_dead_workers(now=now, stale_after=stale_after)
    return taken


@transaction.atomic
def _take_back(*, task_id: str, worker_ids: list[str], now: dt.datetime) -> TakenBack | None:
    """Take one task back if it is still the same run of it (another worker may have taken it
    back first, or the worker finished it after all)."""
    task = (
        DBTaskResult.objects.select_for_update(skip_locked=True)
        .filter(id=task_id, status=TaskResultStatus.RUNNING)
        .first()
    )
    if task is None or task.worker_ids != worker_ids:
        return None
    retrying = len(task.worker_ids) < MOST_ATTEMPTS
    if retrying:
        task.status = TaskResultStatus.READY
        task.save(update_fields=["status"])
    else:
        task.status = TaskResultStatus.FAILED
        task.finished_at = now
        task.return_value = None
        task.exception_class_path = f"{WorkerStopped.__module__}.{WorkerStopped.__qualname__}"
        task.traceback = STOPPED_MESSAGE
        task.save(
            update_fields=[
                "status",
                "finished_at",
                "return_value",
                "exception_class_path",
                "traceback",
            ]
        )
    arguments = task.args_kwargs or {}
    task_abandoned.send(
        DBTaskResult,
        task_path=task.task_path,
        args=list(arguments.get("args", [])),
        kwargs=dict(arguments.get("kwargs", {})),
        retrying=retrying,
    )
    logger.warning(
        "Task %s of a dead worker %s", task.id, "queued again" if retrying else "marked failed"
    )
    return TakenBack(task_id=str(task.id), task_path=task.task_path, retrying=retrying)


def _forget_dead_workers(*, now: dt.datetime, stale_after: dt.timedelta) -> None:
    """Heartbeats of dead workers name no running task any more: remove them, so the list of
    workers is the list of live ones."""
    machine = processes.machine()
    still_named = {
        str(ids[-1])
        for ids in DBTaskResult.objects.running().values_list("worker_ids", flat=True)
        if ids
    }
    dead = [
        beat.pk
        for beat in WorkerHeartbeat.objects.exclude(worker_id__in=still_named)
        if is_dead(beat, now=now, stale_after=stale_after, machine=machine)
    ]
    if dead:
        WorkerHeartbeat.objects.filter(pk__in=dead).delete()


def workers_seen_since(moment: dt.datetime) -> bool:
    """Whether any worker has said it was alive since `moment`."""
    return WorkerHeartbeat.objects.filter(last_seen_at__gte=moment).exists()
