"""When a closed case is due for its retention review, and every write a review makes.

A case held by a service is due once it has been closed for the service's retention years
(6 unless the service chose otherwise), or, after a manager kept it for longer, on the date
they chose. A log a person keeps for themselves (no service) is never due: it is kept until
they delete it.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from daybook.accounts.models import Organisation, User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case, CaseStatus
from daybook.erasure.models import ErasureRequest
from daybook.erasure.services import erasure_request
from daybook.retention.models import RetentionPeriodChange, RetentionReview

DEFAULT_RETENTION_YEARS = 6
# A service may keep closed cases for between one and 25 years; a review may keep a case
# up to 25 years ahead. Beyond that a date is far more likely a typing slip than a decision.
LONGEST_YEARS = 25


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def due_on(case: Case) -> dt.date | None:
    """The day a closed case held by a service is due for review; None for an open case or a
    self-held log. A decision to keep it moves the day to the one the manager chose."""
    service = case.service
    if service is None or case.status != CaseStatus.CLOSED or case.closed_at is None:
        return None
    due = add_years(_local_day(case.closed_at), service.retention_years)
    kept = (
        RetentionReview.objects.filter(case=case, decision=RetentionReview.Decision.KEEP)
        .order_by("-keep_until")
        .values_list("keep_until", flat=True)
        .first()
    )
    return max(due, kept) if kept else due


def cases_due(service: Organisation, today: dt.date) -> QuerySet[Case]:
    """The service's closed cases due for review by `today` and not already waiting for one,
    kept until a later day, or on their way to erasure."""
    closed_by = add_years(today, -service.retention_years)
    ends = timezone.make_aware(dt.datetime.combine(closed_by + dt.timedelta(days=1), dt.time()))
    waiting = RetentionReview.objects.filter(case=OuterRef("pk"), decision="")
    kept_longer = RetentionReview.objects.filter(
        case=OuterRef("pk"), decision=RetentionReview.Decision.KEEP, keep_until__gt=today
    )
    erasing = ErasureRequest.objects.filter(
        case=OuterRef("pk"), cancelled_at__isnull=True, carried_out_at__isnull=True
    )
    return (
        Case.objects.filter(
            service=service,
            status=CaseStatus.CLOSED,
            closed_at__lt=ends,
            erased_at__isnull=True,
        )
        .exclude(Exists(waiting))
        .exclude(Exists(kept_longer))
        .exclude(Exists(erasing))
        .order_by("closed_at", "pk")
    )


@transaction.atomic
def reviews_open_for_due_cases(*, today: dt.date | None = None) -> list[RetentionReview]:
    """Open a review for every case that has become due, in every service. Run daily; a case
    already waiting is not listed again. Audited per case, by id only."""
    today = today or timezone.localdate()
    # A case reopened while it waited is no longer due: its review is dropped, and the case is
    # due again its retention years after it next closes.
    RetentionReview.objects.filter(decision="").exclude(case__status=CaseStatus.CLOSED).delete()
    opened: list[RetentionReview] = []
    for service in Organisation.objects.filter(kind=Organisation.Kind.SUPPORT_SERVICE):
        for case in cases_due(service, today).select_related("service"):
            review = RetentionReview.objects.create(
                case=case, service=service, due_on=due_on(case) or today
            )
            audit_record(
                action=Action.RETENTION_DUE,
                subject=case,
                organisation_id=service.pk,
                extra={"case": case.pk, "review": review.pk},
            )
            opened.append(review)
    return opened


def _decide(review: RetentionReview, actor: User, decision: str) -> None:
    if not review.waiting:
        raise ValueError("This case's retention review has already been decided.")
    review.decision, review.decided_by, review.decided_at = decision, actor, timezone.now()


@transaction.atomic
def retention_keep(
    *,
    review: RetentionReview,
    actor: User,
    reason: str,
    keep_until: dt.date,
    request: HttpRequest | None = None,
) -> RetentionReview:
    """Keep a due case for longer, for one of the listed reasons, until a later day: it is due
    for review again then."""
    review = RetentionReview.objects.select_for_update().get(pk=review.pk)
    if reason not in RetentionReview.KeepReason.values:
        raise ValueError("Choose why the case is kept.")
    today = timezone.localdate()
    if not today < keep_until <= add_years(today, LONGEST_YEARS):
        raise ValueError(f"Choose a date after today and within {LONGEST_YEARS} years.")
    _decide(review, actor, RetentionReview.Decision.KEEP)
    review.keep_reason, review.keep_until = reason, keep_until
    review.save(update_fields=["decision", "decided_by", "decided_at", "keep_reason", "keep_until"])
    audit_record(
        action=Action.RETENTION_EXTENDED,
        actor=actor,
        subject=review.case,
        request=request,
        organisation_id=review.service_id,
        extra={"review": review.pk, "reason": reason, "until": keep_until.isoformat()},
    )
    return review


@transaction.atomic
def retention_erase(
    *, review: RetentionReview, actor: User, request: HttpRequest | None = None
) -> ErasureRequest:
    """Ask for a due case to be erased because its retention period has ended. The erasure
    itself (its undo window, any second approval) is the erasure app's."""
    review = (
        RetentionReview.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=review.pk)
    )
    _decide(review, actor, RetentionReview.Decision.ERASE)
    review.save(update_fields=["decision", "decided_by", "decided_at"])
    return erasure_request(
        case=review.case, actor=actor, reason=ErasureRequest.Reason.RETENTION, request=request
    )


@transaction.atomic
def retention_years_set(*, organisation: Organisation, actor: User, years: int) -> Organisation:
    """Set how many years the service keeps a case after it closes. The change is kept in
    the service's history of its retention rule."""
    if not 1 <= years <= LONGEST_YEARS:
        raise ValueError(f"Choose a number of years from 1 to {LONGEST_YEARS}.")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.retention_years != years:
        RetentionPeriodChange.objects.create(
            organisation=organisation,
            years_before=organisation.retention_years,
            years_after=years,
            changed_by=actor,
        )
        audit_record(
            action=Action.RETENTION_YEARS_CHANGED,
            actor=actor,
            subject=organisation,
            organisation_id=organisation.pk,
            extra={"from": organisation.retention_years, "to": years},
        )
        organisation.retention_years = years
        organisation.save(update_fields=["retention_years"])
    return organisation
