from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from daybook.health import views

ANSWERS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
}


class HealthCheckMiddleware:
    """Answers /healthz and /readyz ahead of every other middleware.

    A load balancer asks by the instance's own address (a Host not in ALLOWED_HOSTS) and often
    over plain HTTP: the security middleware would redirect it to HTTPS and the common
    middleware refuse its Host. Answered here, the checks also never meet the session, the
    sign-in, rate limits or cookies, and write nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = ANSWERS.get(request.path_info)
        if answer is None:
            return self.get_response(request)
        return answer(request)
