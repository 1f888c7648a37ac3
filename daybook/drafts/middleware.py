from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from daybook.drafts import services
from daybook.drafts.templatetags.drafts import FIELD

REDIRECTS = (301, 302, 303)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class DraftSentMiddleware:
    """Delete a form's draft once the form has been saved.

    Forms that keep drafts carry their form key in a hidden field (the `draft_for` tag).
    Daybook's views answer a successful POST with a redirect and a failed one with the form
    again, so a redirect means the text is safely saved — except the redirect to confirm
    it's you, after which allauth replays the same POST (and this runs again then).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "POST" or response.status_code not in REDIRECTS:
            return response
        if request.content_type not in FORM_TYPES:
            return response  # not a form (its body may have been read as a stream)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        key = request.POST.get(FIELD)
        if not key:
            return response
        location = response.get("Location", "").split("?", 1)[0]
        if location in (reverse("account_reauthenticate"), reverse("mfa_reauthenticate")):
            return response
        services.drafts_sent(owner=user, key=key, request=request)
        return response
