"""Daybook's URLs plus the baseline page of benchmarks/load_bench.py (see load_settings.py).

The baseline is the least a signed-in page can cost in Daybook: the same middleware (the
session is loaded, the user is fetched, CSRF, CSP and the rest), and one small template, with
none of the project's own queries or context processors.
"""

from django.http import HttpRequest, HttpResponse
from django.template import Context, engines
from django.urls import path

from daybook import urls as daybook_urls

BASELINE_PATH = "benchmark/baseline/"

_TEMPLATE = engines["django"].from_string(
    "<!doctype html><html lang=en><title>Signed in</title>"
    "<p>Signed in as number {{ user_id }} since {{ now }}.</p></html>"
)


def baseline(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    context = Context({"user_id": request.user.pk, "now": timezone.now()})
    return HttpResponse(_TEMPLATE.template.render(context))


urlpatterns = [path(BASELINE_PATH, baseline, name="benchmark_baseline"), *daybook_urls.urlpatterns]
handler404 = daybook_urls.handler404
handler403 = daybook_urls.handler403
handler400 = daybook_urls.handler400
handler500 = daybook_urls.handler500
handler429 = daybook_urls.handler429
