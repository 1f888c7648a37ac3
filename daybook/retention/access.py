"""The access function for retention reviews: a service's manager, for their own service only.

Everyone else gets a 404, so nobody outside the service learns which of its cases exist."""

from django.http import Http404

from daybook.accounts.models import Organisation, User
from daybook.accounts.policy import manages_holding_service, manages_organisation
from daybook.cases.models import CaseStatus
from daybook.retention.models import RetentionReview


def service_for_retention(user: User) -> Organisation:
    """The service whose retention the user manages: their own, if they manage one."""
    if user.organisation_id is None or not manages_organisation(user, None):
        raise Http404
    service = Organisation.objects.filter(
        pk=user.organisation_id, kind=Organisation.Kind.SUPPORT_SERVICE
    ).first()
    if service is None:
        raise Http404
    return service


def waiting_review_for(user: User, review_id: int) -> RetentionReview:
    """A review still waiting for a decision, of a case the user's service holds."""
    review = (
        RetentionReview.objects.select_related("case", "service")
        .filter(
            pk=review_id,
            decision="",
            case__status=CaseStatus.CLOSED,
            case__erased_at__isnull=True,
        )
        .first()
    )
    if review is None:
        raise Http404
    if not manages_holding_service(user, review.case):
        raise Http404
    if review.service_id != user.organisation_id:
        raise Http404
    return review
