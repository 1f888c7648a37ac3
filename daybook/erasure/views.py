"""Asking for a case to be erased, approving and cancelling it: the manager from the case
record, the person from their log. Writes go through daybook/erasure/services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.policy import is_owner, manages_holding_service
from daybook.accounts.sudo import require_sudo
from daybook.cases.access import case_for
from daybook.cases.models import Case
from daybook.erasure import services
from daybook.erasure.forms import ManagerErasureForm
from daybook.erasure.models import ErasureRequest


def _back(request: AuthenticatedHttpRequest, case: Case) -> HttpResponse:
    """The person goes back to their log; staff to the case record."""
    if is_owner(request.user, case):
        return redirect("incidents:log", case_id=case.pk)
    return redirect("cases:record", case_id=case.pk)


def _erasure_of(case: Case, erasure_id: int) -> ErasureRequest:
    """The case's open erasure `erasure_id`; another case's, or one that is over, is a 404."""
    erasure = services.erasure_pending(case)
    if erasure is None or erasure.pk != erasure_id:
        raise Http404
    return erasure


@require_http_methods(["GET", "HEAD", "POST"])
def erase(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request, case_id)
    if not services.may_request_erasure(request.user, case):
        raise PermissionDenied
    if request.method == "POST":
        require_sudo(request)
    by_person = is_owner(request.user, case)
    what = "log" if by_person else "case"
    pending = services.erasure_pending(case)
    if pending is not None:
        messages.info(request, f"This {what} will be erased on {pending.due_at:%-d %B %Y}.")
        return _back(request, case)
    form = None if by_person else ManagerErasureForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {"reason": ErasureRequest.Reason.PERSON}
        try:
            erasure = services.erasure_request(
                case=case,
                actor=request.user,
                reason=data["reason"],
                service_reason=data.get("service_reason", ""),
                note=data.get("note", ""),
                request=request,
            )
        except services.ErasureRefused as refused:
            messages.error(request, str(refused))
            return _back(request, case)
        then = "once another manager approves it, " if erasure.awaiting_approval else ""
        messages.success(
            request,
            f"This {what} will be erased on {erasure.due_at:%-d %B %Y}, {then}unless it is "
            "cancelled before then.",
        )
        return _back(request, case)
    status = 400 if request.method == "POST" else 200
    context = {
        "case": case,
        "form": form,
        "by_person": by_person,
        "undo_days": services.UNDO_DAYS,
        "needs_approval": case.service is not None
        and (by_person or case.service.erasure_needs_second_approval),
    }
    return render(request, "cases/erasure_request.html", context, status=status)


@require_POST
def cancel(request: AuthenticatedHttpRequest, case_id: int, erasure_id: int) -> HttpResponse:
    case = case_for(request, case_id)
    erasure = _erasure_of(case, erasure_id)
    if not services.may_cancel_erasure(request.user, erasure):
        raise PermissionDenied
    try:
        services.erasure_cancel(erasure=erasure, actor=request.user, request=request)
    except services.ErasureRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The erasure is cancelled. Nothing has been deleted.")
    return _back(request, case)


@require_POST
def approve(request: AuthenticatedHttpRequest, case_id: int, erasure_id: int) -> HttpResponse:
    case = case_for(request, case_id)
    erasure = _erasure_of(case, erasure_id)
    if not manages_holding_service(request.user, case):
        raise PermissionDenied
    # A manager who may not approve this one (their own request, or one already approved)
    # is told why by the service.
    require_sudo(request)
    try:
        services.erasure_approve(erasure=erasure, actor=request.user, request=request)
    except services.ErasureRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"Erasure approved. The case will be erased on {erasure.due_at:%-d %B %Y} unless "
            "it is cancelled before then.",
        )
    return _back(request, case)
