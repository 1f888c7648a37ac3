from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from daybook.proxies import from_trusted_proxy

# What a proxy tells Daybook about the client, believed only from a trusted proxy.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
)


class DiscretionHeadersMiddleware:
    """Headers that keep pages out of caches and shared history, and switch off device APIs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith("/static/"):
            # A page must never be shown again from the cache after someone has left.
            response.headers["Cache-Control"] = "no-store, max-age=0"
        return response


class NoReferrerCsrfViewMiddleware(CsrfViewMiddleware):
    """Django's CSRF protection, adjusted for `Referrer-Policy: no-referrer`.

    Under that policy browsers send `Origin: null` with every form POST, which Django would
    reject. A null origin is treated as "not known" instead: the CSRF token must still match,
    and the session cookie is SameSite=Lax, so other sites still cannot post forms here.
    """

    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null":
            return True
        # Private to Django and absent from django-stubs, like _check_referer below.
        return super()._origin_verified(request)  # type: ignore[misc]

    def _check_referer(self, request: HttpRequest) -> None:
        # No Referer is ever sent to Daybook (no-referrer), so there is nothing to check.
        if not request.META.get("HTTP_REFERER"):
            return
        super()._check_referer(request)  # type: ignore[misc]


class UntrustedForwardingMiddleware:
    """Drops the forwarding headers of a request that does not come from a trusted proxy
    (DAYBOOK_TRUSTED_PROXIES), before anything reads them: anyone can write
    "X-Forwarded-Proto: https", and behind a proxy Django would believe it (SECURE_PROXY_SSL_HEADER)
    and treat plain HTTP as secure. The client's address already ignores them
    (daybook/proxies.py); this makes every other reader do the same."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not from_trusted_proxy(
            request.META.get("REMOTE_ADDR"), settings.DAYBOOK_TRUSTED_PROXIES
        ):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
