"""A copy of everything held whose worker died part-way: build it again, or tell the person.

The copy's row changes only at its start and at its end (with its stored file, in one
transaction), so a dead worker leaves it RUNNING and, at most, a stored file no row names:
that file is removed here."""

from django.db import transaction
from django.utils import timezone

from daybook.audit.models import Action
from daybook.subject_access import services
from daybook.subject_access.models import SubjectAccessRequest
from daybook.workers.leftovers import remove_unrecorded

STOPPED = "This copy stopped before it was ready. Nothing was kept. Please ask for it again."
WORKER_STOPPED = "WorkerStopped"


@transaction.atomic
def subject_access_abandoned(*, copy_id: int, retrying: bool) -> None:
    """Queue the copy again, or mark it failed with a message for the person; either way
    remove any file the dead run stored. Audited as a failed attempt."""
    copy = (
        SubjectAccessRequest.objects.select_for_update(of=("self",))
        .select_related("case", "person", "requested_by")
        .filter(pk=copy_id)
        .first()
    )
    waiting = (SubjectAccessRequest.Status.QUEUED, SubjectAccessRequest.Status.RUNNING)
    if copy is None or copy.status not in waiting:
        return
    was_running = copy.status == SubjectAccessRequest.Status.RUNNING
    if was_running:
        remove_unrecorded(_folder(copy), copy.uid, copy.storage_name)
    if not retrying:
        SubjectAccessRequest.objects.filter(pk=copy.pk).update(
            status=SubjectAccessRequest.Status.FAILED, error=STOPPED, finished_at=timezone.now()
        )
        copy.status = SubjectAccessRequest.Status.FAILED
        services._audit(copy, Action.SUBJECT_ACCESS_FAILED, failure=WORKER_STOPPED)
    elif was_running:
        SubjectAccessRequest.objects.filter(pk=copy.pk).update(
            status=SubjectAccessRequest.Status.QUEUED
        )
        copy.status = SubjectAccessRequest.Status.QUEUED
        services._audit(copy, Action.SUBJECT_ACCESS_FAILED, failure=WORKER_STOPPED, retrying=True)


def _folder(copy: SubjectAccessRequest) -> str:
    return f"{copy.case.uid}/subject-access" if copy.case is not None else "subject_access"
