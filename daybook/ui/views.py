"""Kind error pages; they never repeat what was asked for or say whether something exists.

Every one is drawn in Daybook's layout (so Exit this page, and the script that leaves again
when Back lands on a page after an exit, are there too) and is never kept by the browser.
"""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

NO_STORE = "no-store, max-age=0"


def error_page(request: HttpRequest, template: str, status: int, **context: object) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, "404.html", 404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, "403.html", 403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, "400.html", 400)


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Signing in, resetting a password and the like are rate-limited (by allauth)."""
    return error_page(request, "429.html", 429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent again after its page expired: typically Back after Exit this page, when
    the browser re-sends a form whose cookies were cleared. Never Django's own page."""
    return error_page(request, "403.html", 403, expired=True)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return error_page(request, "500.html", 500)
    except Exception:
        # The fault may lie in what every page needs (the database, a context processor):
        # still answer in Daybook's layout, without anything drawn from the request.
        logger.exception("The error page could not be drawn with the request")
        body = render_to_string(
            "500.html", {"service_name": settings.DAYBOOK_SERVICE_NAME, "show_exit": True}
        )
        response = HttpResponse(body, status=500)
        response["Cache-Control"] = NO_STORE
        return response
