"""The notice a person sees on their home and account pages while their account is due to be
deleted: the date, and the way to cancel, wherever they land after signing in."""

from typing import Any

from django import template

from daybook.accounts.policy import is_victim
from daybook.subject_access import leaving

register = template.Library()


@register.inclusion_tag("subject_access/_leaving_notice.html")
def account_deletion_notice(user: Any) -> dict[str, Any]:
    if not is_victim(user):
        return {"pending": None}
    pending = leaving.account_deletion_pending(user)
    if pending is None:
        return {"pending": None}
    return {"pending": pending, "due_on": leaving.account_deletion_due_on(pending)}
