from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect

from daybook.accounts.mfa import has_totp

# What a member of staff without two-step verification may still reach: enrolment itself,
# signing out and the public pages (which include Exit this page).
ENROLMENT_VIEWS = frozenset(
    {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_logout",
        "account_reauthenticate",
        "mfa_reauthenticate",
    }
)


class StaffMFAMiddleware:
    """Staff can do nothing until they have set up an authenticator app."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        user = request.user
        if not user.is_authenticated or not user.is_staff_member:
            return None
        match = request.resolver_match
        if match and (match.view_name in ENROLMENT_VIEWS or match.namespace == "public"):
            return None
        if has_totp(user):
            return None
        messages.info(request, "Set up two-step verification before you continue.")
        return redirect("mfa_activate_totp")
