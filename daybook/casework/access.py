"""The access function for referrals, which also records when the service reads one."""

from django.http import Http404

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Referral
from daybook.casework.selectors import referrals_visible_to


def referral_for(request: AuthenticatedHttpRequest, referral_id: int) -> Referral:
    """A referral its reader may see (their own, or one made to their service), or 404.

    The service's staff opening one on a page is recorded: it holds a person's details."""
    user = request.user
    referral = referrals_visible_to(user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    if request.method in ("GET", "HEAD") and user.has_perm("casework.see_client_names"):
        audit_record(
            action=Action.REFERRAL_VIEWED,
            actor=user,
            subject=referral,
            request=request,
            organisation_id=referral.service_id,
        )
    return referral
