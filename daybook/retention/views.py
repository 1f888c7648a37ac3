"""A service manager's retention pages: the cases due for review, keeping one for longer,
asking for one to be erased, and how many years the service keeps closed cases."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.sudo import require_sudo
from daybook.erasure.services import UNDO_DAYS, ErasureRefused
from daybook.retention import services
from daybook.retention.access import service_for_retention, waiting_review_for
from daybook.retention.forms import KeepForm, RetentionYearsForm
from daybook.retention.models import RetentionReview
from daybook.retention.selectors import reviews_waiting, with_last_review

REVIEWS_PER_PAGE = 50
GET_POST = ["GET", "HEAD", "POST"]


@require_http_methods(["GET", "HEAD"])
def due(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = service_for_retention(request.user)
    reviews = with_last_review(reviews_waiting(service.pk))
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(review, _last_review(review)) for review in page]
    return render(request, "retention/due.html", {"service": service, "page": page, "rows": rows})


def _last_review(review: Any) -> str:
    """The case's previous decision, in words: "None" for a case due for the first time."""
    if not review.last_decision:
        return "None"
    decided = f"{timezone.localtime(review.last_decided_at):%-d %b %Y}"
    if review.last_decision == RetentionReview.Decision.KEEP:
        reason = RetentionReview.KeepReason(review.last_keep_reason).label.lower()
        return f"{decided}: kept until {review.last_keep_until:%-d %b %Y} ({reason})"
    return f"{decided}: erasure asked for, then cancelled"


@require_http_methods(GET_POST)
def keep(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    review = waiting_review_for(request.user, review_id)
    form = KeepForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        services.retention_keep(
            review=review,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            keep_until=form.cleaned_data["keep_until"],
            request=request,
        )
        until = form.cleaned_data["keep_until"]
        messages.success(
            request,
            f"Case {review.case.reference} is kept until {until:%-d %B %Y}. "
            "It will be listed for review again then.",
        )
        return redirect("retention:due")
    status = 400 if request.method == "POST" else 200
    return render(request, "retention/keep.html", {"review": review, "form": form}, status=status)


@require_http_methods(GET_POST)
def erase(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    review = waiting_review_for(request.user, review_id)
    if request.method == "POST":
        require_sudo(request)
        try:
            erasure = services.retention_erase(review=review, actor=request.user, request=request)
        except ErasureRefused as refused:
            messages.error(request, str(refused))
            return redirect("retention:due")
        then = "once a second manager approves it and " if erasure.awaiting_approval else ""
        messages.success(
            request,
            f"Erasure of case {review.case.reference} asked for. It will be carried out {then}"
            f"after {erasure.due_at:%-d %B %Y}, and can be cancelled until then.",
        )
        return redirect("retention:due")
    return render(request, "retention/erase.html", {"review": review, "undo_days": UNDO_DAYS})


@require_http_methods(GET_POST)
def settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    service = service_for_retention(request.user)
    form = RetentionYearsForm(
        request.POST if request.method == "POST" else None,
        initial={"retention_years": service.retention_years},
    )
    if form.is_valid():
        years = form.cleaned_data["retention_years"]
        services.retention_years_set(organisation=service, actor=request.user, years=years)
        messages.success(request, f"Closed cases are now kept for {years} years after closing.")
        return redirect("retention:settings")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "retention/settings.html",
        {"service": service, "form": form, "changes": service.retention_changes.all()[:20]},
        status=status,
    )
