"""/healthz and /readyz, for load balancers: a status code and one word, nothing else."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from daybook.health import checks

SAFE_METHODS = ("GET", "HEAD")


def _answer(status: int, word: str) -> HttpResponse:
    response = HttpResponse(f"{word}\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Not ready is logged once, by the check that failed (daybook.health.checks), not again
    # as a server error at every probe.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and answering."""
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    return _answer(200, "ok")


@login_not_required
def readyz(request: HttpRequest) -> HttpResponse:
    """The database answers, storage can be reached, the keys load and a task worker was seen
    recently. Which check failed is logged, not said."""
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    if checks.failing():
        return _answer(503, "not ready")
    return _answer(200, "ready")
