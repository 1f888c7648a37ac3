from typing import Any

from daybook.cases.models import Case
from daybook.insights.tasks import check_escalation


def log_changed(sender: type, *, case: Case, **kwargs: Any) -> None:
    if case.service_id is not None:  # only a case held by a service has someone to alert
        check_escalation.enqueue(case.pk)
