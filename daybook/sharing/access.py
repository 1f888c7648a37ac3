from django.db.models import QuerySet
from django.http import Http404

from daybook.accounts.models import Role, User
from daybook.sharing.models import Share


def share_for(user: User, share_id: int) -> Share:
    """A share as the police see it: only their own force's, only while it is active."""
    share = (
        Share.objects.select_related("case", "police")
        .filter(pk=share_id, revoked_at__isnull=True, case__erased_at__isnull=True)
        .first()
    )
    if share is None or user.role != Role.POLICE_LIAISON or share.police_id != user.organisation_id:
        raise Http404
    return share


def shares_for_police(user: User) -> QuerySet[Share]:
    if user.role != Role.POLICE_LIAISON:
        return Share.objects.none()
    return Share.objects.filter(
        police=user.organisation_id, revoked_at__isnull=True, case__erased_at__isnull=True
    ).select_related("case")
