from django import template

from daybook.accounts.models import User
from daybook.sharing.access import shares_for_police

register = template.Library()


@register.simple_tag
def shared_log_count(user: User) -> int:
    """How many logs are shared with the user's police force now (0 for anyone else)."""
    return shares_for_police(user).count()
