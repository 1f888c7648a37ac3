import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from daybook.accounts.models import User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case
from daybook.cases.sealing import seal_for
from daybook.risk.models import Screening
from daybook.risk.screening import decided_level, default_review, level_for


@transaction.atomic
def screening_record(
    *,
    case: Case,
    author: User,
    answers: dict[str, Any],
    judgement: str = "",
    judgement_reason: str = "",
    review_due: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Screening:
    """Record a screening. Raises ValueError if judgement would lower the level."""
    yes_count = sum(1 for item in answers.values() if item["answer"] == "yes")
    computed = level_for(yes_count)
    level = decided_level(computed, judgement or None)
    Screening.objects.filter(case=case, reviewed=False).update(reviewed=True)
    screening = Screening(
        case=case,
        created_by=author,
        yes_count=yes_count,
        computed_level=computed,
        level=level,
        review_due=review_due or default_review(level, timezone.localdate()),
    )
    screening.sealed = seal_for(
        case, {"answers": answers, "judgement_reason": judgement_reason}, screening.associated()
    )
    screening.save()
    audit_record(
        action=Action.RISK_SCREENED,
        actor=author,
        subject=screening,
        request=request,
        organisation_id=case.service_id,
        extra={"level": level, "case": case.pk},
    )
    return screening
