from typing import Any

from django.dispatch import receiver
from django_tasks import task

from daybook.subject_access.abandoned import subject_access_abandoned
from daybook.subject_access.leaving import account_deletions_carry_out_due
from daybook.subject_access.models import SubjectAccessRequest
from daybook.subject_access.services import subject_access_build, subject_access_requested
from daybook.workers.signals import task_abandoned


@task()
def build_copy(copy_id: int) -> None:
    copy = SubjectAccessRequest.objects.select_related("person", "case", "requested_by").get(
        pk=copy_id
    )
    subject_access_build(copy)


@receiver(subject_access_requested, dispatch_uid="subject_access.build_when_requested")
def build_when_requested(sender: type, *, copy: SubjectAccessRequest, **kwargs: Any) -> None:
    build_copy.enqueue(copy.pk)


@task()
def accounts_close() -> int:
    """Close the accounts whose undo window has passed and whose logs are erased: enqueued
    once a day after the erasures, or run at once with `manage.py close_accounts`."""
    return account_deletions_carry_out_due()


@receiver(task_abandoned, dispatch_uid="subject_access.take_back_when_abandoned")
def take_back_when_abandoned(
    sender: type, *, task_path: str, args: list[Any], retrying: bool, **kwargs: Any
) -> None:
    """A copy whose worker died: queued again, or failed with a message for the person."""
    if task_path == build_copy.module_path:
        subject_access_abandoned(copy_id=args[0], retrying=retrying)
