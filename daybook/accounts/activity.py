"""When and from where each signed-in session was last used, written at most once an interval.

allauth's own tracking (``UserSessionsMiddleware``) updates the session's row on every
request. On SQLite that write takes the database-wide write lock for every page view, reads
included, and everywhere it is a write per click that nobody needs: "last used 2 minutes ago"
is as useful as "last used 1 second ago". This middleware takes its place and writes the row
on a session's first signed-in request, when the session's address or browser changes (which
the person should see at once in their list of sessions), and otherwise only once
``DAYBOOK_SESSION_ACTIVITY_SECONDS`` have passed since the last write.
"""

import hashlib
import time
from collections.abc import Callable

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Kept in the session itself, which every signed-in request loads anyway: deciding whether to
# write costs no query.
RECORDED_KEY = "_daybook_activity"


def _client_fingerprint(request: HttpRequest) -> str:
    """A short digest of the address and browser, so the session holds neither in clear."""
    address = get_adapter().get_client_ip(request)
    agent = request.META.get("HTTP_USER_AGENT", "")
    return hashlib.sha256(f"{address}\n{agent}".encode()).hexdigest()[:16]


def activity_is_due(request: HttpRequest, *, now: float) -> bool:
    recorded = request.session.get(RECORDED_KEY)
    if not isinstance(recorded, list) or len(recorded) != 2:
        return True
    at, fingerprint = recorded
    if fingerprint != _client_fingerprint(request):
        return True
    return not isinstance(at, int | float) or now - at >= settings.DAYBOOK_SESSION_ACTIVITY_SECONDS


class SessionActivityMiddleware:
    """Keeps allauth's list of sessions current without a write on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            hasattr(request, "session")
            and request.session.session_key
            and request.user.is_authenticated
        ):
            now = time.time()
            if activity_is_due(request, now=now):
                UserSession.objects.create_from_request(request)
                request.session[RECORDED_KEY] = [int(now), _client_fingerprint(request)]
        return self.get_response(request)
