"""The access function for what a victim shared with a police force, which also records each
time the police open it (the person sees that on their sharing page)."""

from django.db.models import QuerySet
from django.http import Http404

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.models import User
from daybook.accounts.policy import is_police
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.sharing.models import Share


def share_for(
    request: AuthenticatedHttpRequest, share_id: int, *, record_read: bool = True
) -> Share:
    """A share as the police see it: only their own force's, only while it is active.

    A page that shows it records the read; `record_read=False` is for a download, which the
    report records as a download instead."""
    user = request.user
    share = (
        Share.objects.select_related("case", "police")
        .filter(pk=share_id, revoked_at__isnull=True, case__erased_at__isnull=True)
        .first()
    )
    if share is None or not is_police(user) or share.police_id != user.organisation_id:
        raise Http404
    if record_read and request.method in ("GET", "HEAD"):
        audit_record(
            action=Action.SHARED_LOG_VIEWED,
            actor=user,
            subject=share,
            request=request,
            organisation_id=share.police_id,
            extra={"case": share.case_id},
        )
    return share


def shares_for_police(user: User) -> QuerySet[Share]:
    if not is_police(user):
        return Share.objects.none()
    return Share.objects.filter(
        police=user.organisation_id, revoked_at__isnull=True, case__erased_at__isnull=True
    ).select_related("case")
