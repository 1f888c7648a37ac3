from typing import Any

from daybook.cases.models import Case
from daybook.insights.services import escalation_check


def check_escalation(sender: type, *, case: Case, **kwargs: Any) -> None:
    if case.erased_at is None and case.service_id is not None:
        escalation_check(case)  # only a case held by a service has someone to alert
