"""What the case record, the person's log and the police's list show of erasure, so those
pages' views need not know of it: `{% load erasure %}`."""

from typing import Any

from django import template
from django.db.models import QuerySet

from daybook.accounts.models import User
from daybook.accounts.policy import is_owner, is_police, manages_holding_service
from daybook.cases.models import Case
from daybook.erasure import services
from daybook.erasure.models import WithdrawnShare

register = template.Library()


@register.inclusion_tag("cases/erasure_status.html")
def erasure_status(case: Case, user: User) -> dict[str, Any]:
    """The pending erasure (when it happens, who may cancel or approve it), or the way to ask
    for one for those who may."""
    erasure = services.erasure_pending(case)
    managing = bool(manages_holding_service(user, case))
    return {
        "case": case,
        "erasure": erasure,
        "is_person": is_owner(user, case),
        "may_request": erasure is None and services.may_request_erasure(user, case),
        "may_cancel": erasure is not None and services.may_cancel_erasure(user, erasure),
        "may_approve": erasure is not None and services.may_approve_erasure(user, erasure),
        # The words given with a service's decision: for the service's managers only.
        "note": services.erasure_note(erasure) if erasure is not None and managing else "",
    }


@register.simple_tag
def withdrawn_shares(user: User) -> QuerySet[WithdrawnShare]:
    """The logs shared with the officer's force that were erased: dates only."""
    if not is_police(user) or user.organisation_id is None:
        return WithdrawnShare.objects.none()
    return WithdrawnShare.objects.filter(police=user.organisation_id)[:50]
