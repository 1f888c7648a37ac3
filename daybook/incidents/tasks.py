from typing import Any

from django.dispatch import receiver
from django_tasks import task

from daybook.cases.models import Case
from daybook.incidents import checks
from daybook.incidents.signals import log_changed


@task()
def check_log(case_id: int) -> None:
    """Check the whole log once it has changed: in the background, so that recording an entry
    never waits for it, and the log page only reads what the check found."""
    checks.check_if_changed(case_id)


@receiver(log_changed, dispatch_uid="incidents.log_changed")
def check_when_log_changes(sender: type, *, case: Case, **kwargs: Any) -> None:
    check_log.enqueue(case.pk)
