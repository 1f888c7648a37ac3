"""An import whose worker died part-way: run it again, or tell the person it stopped.

The import's entries were written in one database transaction that the dead worker never
committed, so none of them is in the log. What it stored outside the database (its exhibits'
sealed files, its progress figure) is removed here; the uploaded export itself is kept, for
the retry or for the person to choose again."""

from django.core.files.storage import default_storage
from django.db import transaction

from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.imports import services
from daybook.imports.models import ImportJob

STOPPED = (
    "This import stopped before it finished. Nothing from it was added to the log. "
    "Please try again."
)
# The failure recorded in the audit event: a kind, as an exception's class name would be.
WORKER_STOPPED = "WorkerStopped"


@transaction.atomic
def import_abandoned(*, job_id: int, retrying: bool) -> None:
    """Put the job back to wait for its retry, or mark it failed with a message for the
    person; either way remove what the dead run stored. Audited as a failed attempt."""
    job = (
        ImportJob.objects.select_for_update(of=("self",))
        .select_related("case", "created_by")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return  # finished, cancelled or erased since: nothing was left half-done
    was_running = job.status == ImportJob.Status.RUNNING
    if was_running:
        services._remove_orphans(job)
        _delete(services._progress_name(job))
    if not retrying:
        # A cancel asked for has nothing left to cancel.
        _delete(services._cancel_name(job))
        services._finish(
            job, ImportJob.Status.FAILED, STOPPED, Action.IMPORT_FAILED, failure=WORKER_STOPPED
        )
    elif was_running:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        audit_record(
            action=Action.IMPORT_FAILED,
            actor=job.created_by,
            subject=job,
            extra={
                "case": job.case_id,
                "added": 0,
                "already_there": 0,
                "failure": WORKER_STOPPED,
                "retrying": True,
            },
        )


def _delete(name: str) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
