"""The request a view behind the sign-in receives."""

from django.http import HttpRequest

from daybook.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request ``LoginRequiredMiddleware`` has let through, so its user is signed in.

    For annotations only: every view not marked ``login_not_required`` takes it instead of
    ``HttpRequest``, and the type checker then knows ``request.user`` is a ``User``, never an
    ``AnonymousUser``. Public views, middleware and error pages keep ``HttpRequest``.
    """

    user: User
