from typing import Any

from django.dispatch import receiver
from django_tasks import task

from daybook.cases.models import Case
from daybook.incidents.signals import log_changed
from daybook.insights.services import escalation_check


@task()
def check_escalation(case_id: int) -> None:
    """Look for signs of escalation in a log that has just changed. In the background, so that
    recording an entry never waits for it."""
    case = Case.objects.filter(pk=case_id, erased_at__isnull=True).first()
    if case is not None and case.service_id is not None:  # someone to alert
        escalation_check(case)


@receiver(log_changed, dispatch_uid="insights.log_changed")
def check_when_log_changes(sender: type, *, case: Case, **kwargs: Any) -> None:
    if case.service_id is not None:  # only a case held by a service has someone to alert
        check_escalation.enqueue(case.pk)
