"""What a manager's home page says about retention reviews waiting for them."""

from django import template

from daybook.accounts.models import User
from daybook.accounts.policy import manages_organisation
from daybook.retention.selectors import reviews_waiting

register = template.Library()


@register.simple_tag
def retention_reviews_waiting(user: User) -> int | None:
    """How many of the manager's service's cases wait for a retention review; None for anyone
    who does not review them, so the page offers them no link."""
    if user.organisation_id is None or not manages_organisation(user, None):
        return None
    return reviews_waiting(user.organisation_id).count()
