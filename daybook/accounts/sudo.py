"""Re-authentication ("sudo mode") before sensitive actions.

Exports, sharing, evidence downloads and team changes wrap their views in
`sudo_required`: someone who signed in more than DAYBOOK_REAUTHENTICATION_SECONDS ago
must confirm their password (or authenticator code) again first.
"""

from collections.abc import Callable

from allauth.account.decorators import reauthentication_required
from django.http import HttpResponse


def sudo_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return reauthentication_required(view, allow_get=False)
