"""Error answers that carry no page of their own get Daybook's.

Views refuse a wrong method (`require_POST` and the like) with an empty 405, which a browser
shows as a blank page with no way out. Such answers are drawn in Daybook's layout instead.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from daybook.ui.views import NO_STORE, error_page


class BlankErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        blank = not getattr(response, "streaming", False) and not response.content
        if response.status_code >= 400 and blank:
            page = error_page(request, "400.html", response.status_code)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    page[header] = response[header]
            page["Cache-Control"] = NO_STORE
            return page
        return response
