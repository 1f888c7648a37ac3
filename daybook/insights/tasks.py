from django_tasks import task

from daybook.cases.models import Case
from daybook.insights.services import escalation_check


@task()
def check_escalation(case_id: int) -> None:
    """Look for signs of escalation in a log that has just changed. In the background, so that
    recording an entry never waits for it."""
    case = Case.objects.filter(pk=case_id, erased_at__isnull=True).first()
    if case is not None and case.service_id is not None:  # someone to alert
        escalation_check(case)
