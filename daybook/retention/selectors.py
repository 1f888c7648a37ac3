"""Reading retention reviews: the ones waiting for a service's manager, with each case's last
decision read in the same query."""

from django.db.models import OuterRef, QuerySet, Subquery

from daybook.cases.models import CaseStatus
from daybook.retention.models import RetentionReview


def reviews_waiting(service_id: int) -> QuerySet[RetentionReview]:
    """The service's reviews still to be decided, of cases that are still closed and not erased
    (a case reopened meanwhile is not due), soonest due first."""
    return RetentionReview.objects.filter(
        service=service_id,
        decision="",
        case__status=CaseStatus.CLOSED,
        case__erased_at__isnull=True,
    ).order_by("due_on", "pk")


def with_last_review(reviews: QuerySet[RetentionReview]) -> QuerySet[RetentionReview]:
    """Each review with its case's previous decision (`last_decision`, `last_decided_at`,
    `last_keep_reason`, `last_keep_until`; empty for a case due for the first time)."""
    last = RetentionReview.objects.filter(case=OuterRef("case"), decision__gt="").order_by(
        "-decided_at", "-pk"
    )
    return reviews.select_related("case").annotate(
        last_decision=Subquery(last.values("decision")[:1]),
        last_decided_at=Subquery(last.values("decided_at")[:1]),
        last_keep_reason=Subquery(last.values("keep_reason")[:1]),
        last_keep_until=Subquery(last.values("keep_until")[:1]),
    )
