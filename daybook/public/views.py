from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from daybook.public.forms import SelfCheckForm
from daybook.public.helplines import dial
from daybook.ui.forms import submitted

EXPLAINED_SESSION_KEY = "exit_explained"
SELF_CHECK_SESSION_KEY = "self_check_result"


def explain_exit_first(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Show the Exit this page interruption once, before someone starts using Daybook."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated or request.session.get(EXPLAINED_SESSION_KEY):
            return view(request, *args, **kwargs)
        target = reverse("public:before_you_continue")
        return redirect(f"{target}?next={request.path}")

    return wrapper


def page(template: str) -> Callable[[HttpRequest], HttpResponse]:
    @login_not_required
    @require_http_methods(["GET", "HEAD"])
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, template)

    return view


start = page("public/start.html")
stalking = page("public/stalking.html")


@login_not_required
@require_http_methods(["GET", "HEAD"])
def get_help(request: HttpRequest) -> HttpResponse:
    """999, 101, the service, and the national helplines the operator has chosen to list."""
    lines = [{**line, "dial": dial(line["phone"])} for line in settings.DAYBOOK_HELPLINES]
    return render(request, "public/get_help.html", {"helplines": lines})


staying_safe = page("public/staying_safe.html")
cookies = page("public/cookies.html")


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("public:start")


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def before_you_continue(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request.session[EXPLAINED_SESSION_KEY] = True
        return redirect(_safe_next(request, request.POST.get("next")))
    next_url = _safe_next(request, request.GET.get("next"))
    return render(request, "public/before_you_continue.html", {"next": next_url})


@login_not_required
@explain_exit_first
@require_http_methods(["GET", "HEAD", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    # POST keeps the answers out of the address bar and the browser's history. The result is
    # then shown by a GET (Post/Redirect/Get), so Back after Exit this page never posts the
    # answers again (with the cookies gone, that ended on a CSRF failure).
    form = SelfCheckForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        request.session[SELF_CHECK_SESSION_KEY] = form.result()
        return redirect("public:self_check_result")
    return render(request, "public/self_check.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "HEAD"])
def self_check_result(request: HttpRequest) -> HttpResponse:
    """What the answers could mean, shown once: it is kept in the session only until then."""
    result = request.session.pop(SELF_CHECK_SESSION_KEY, None)
    if not isinstance(result, dict):
        return redirect("public:self_check")
    return render(request, "public/self_check_result.html", result)


@login_not_required
@require_http_methods(["GET", "HEAD"])
def exit_now(request: HttpRequest) -> HttpResponse:
    """End the session and leave for a neutral website.

    A GET, so the button works as a plain link without JavaScript and `location.replace`
    can use it. Being signed out by a third-party link is harmless next to a slow exit.
    """
    # Read by the signed-out receiver, so the audit row says the person used Exit this page.
    request.quick_exit = True  # type: ignore[attr-defined]
    logout(request)
    response = HttpResponseRedirect(settings.DAYBOOK_EXIT_URL)
    # Ask the browser to drop Daybook's cookies and cached pages as well.
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    return response
