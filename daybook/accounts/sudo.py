"""Re-authentication ("sudo mode") before sensitive actions.

Exports, sharing, evidence downloads and team changes must be confirmed with the
password (or an authenticator code) within DAYBOOK_REAUTHENTICATION_SECONDS. When it is
needed, allauth's middleware sends the person to confirm and then carries out the
action they asked for, including a POST.
"""

from allauth.account.decorators import reauthentication_required
from django.http import HttpRequest

_check = reauthentication_required(lambda request: None)


def require_sudo(request: HttpRequest) -> None:
    """Call after the access check, so people who may not act get a 404, not a password prompt."""
    _check(request)
