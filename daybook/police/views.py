"""The pages a police officer sees: logs shared with their force, and reports of them."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.sudo import require_sudo
from daybook.incidents import checkpoints
from daybook.incidents import services as log
from daybook.incidents.content import PRIVATE_FIELDS, PRIVATE_MARK
from daybook.incidents.models import Checkpoint
from daybook.incidents.selectors import behaviour_labels, with_content
from daybook.insights.services import alerts_for
from daybook.reports import chronology
from daybook.reports import services as reports
from daybook.reports.models import Report
from daybook.reports.views import download_response
from daybook.sharing import selectors, services
from daybook.sharing.access import share_for, shares_for_police
from daybook.sharing.models import Share

POLICE_PAGE_SIZE = 50
# The profile of reports from a share made without the details to keep private.
SHARED_REPORT_PROFILE = chronology.DISCLOSABLE


def shared_report_profile(share: Share, *, disclosable: bool = False) -> str:
    """Reports the police produce from a share: with the details to keep private, marked as
    not for disclosure, only if the person chose that for this share (and the officer did not
    ask for the disclosable version); otherwise disclosable, the details withheld."""
    if share.include_private and not disclosable:
        return chronology.POLICE
    return SHARED_REPORT_PROFILE


def shared_content(share: Share, content: dict[str, Any]) -> dict[str, Any]:
    """An entry as the police see it through the share: without the details to keep private
    unless the person chose to include them."""
    if share.include_private:
        return content
    return {key: value for key, value in content.items() if key not in PRIVATE_FIELDS}


@require_http_methods(["GET", "HEAD"])
def shared_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("police.view_shared_logs"):
        raise PermissionDenied
    return render(
        request,
        "sharing/police_list.html",
        {"shares": shares_for_police(request.user), "alerts": alerts_for(request.user)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def shared_log(request: AuthenticatedHttpRequest, share_id: int) -> HttpResponse:
    share = share_for(request, share_id)
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind not in (Report.Kind.CHRONOLOGY, Report.Kind.BUNDLE):
            messages.error(request, "Choose a chronology or an evidence bundle.")
            return redirect("police:shared_log", share_id=share.pk)
        require_sudo(request)
        report = reports.report_request(
            case=share.case,
            actor=request.user,
            kind=kind,
            profile=shared_report_profile(
                share, disclosable=request.POST.get("version") == chronology.DISCLOSABLE
            ),
            share=share,
            request=request,
        )
        return redirect("police:shared_report", share_id=share.pk, report_id=report.pk)
    entries = services.shared_entries(share)
    page = Paginator(entries, POLICE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (entry, shared_content(share, content), behaviour_labels(content.get("behaviours", [])))
        for entry, content in with_content(list(page.object_list), share.case)
    ]
    checkpoint = log.checkpoint_for_view(
        case=share.case, purpose=Checkpoint.Purpose.POLICE_VIEW, actor=request.user, request=request
    )
    return render(
        request,
        "sharing/police_log.html",
        {
            "checkpoint": checkpoints.signed(checkpoint, share.case.reference),
            "share": share,
            "page": page,
            "summary": selectors.scope_summary(entries),
            "rows": rows,
            "reports": share.reports.filter(requested_by=request.user)[:20],
            "private_mark": PRIVATE_MARK,
        },
    )


@require_http_methods(["GET", "HEAD"])
def shared_report(request: AuthenticatedHttpRequest, share_id: int, report_id: int) -> HttpResponse:
    share = share_for(request, share_id)
    report = get_object_or_404(Report, pk=report_id, share=share)
    return render(
        request, "reports/status.html", {"case": share.case, "report": report, "share": share}
    )


@require_http_methods(["GET", "HEAD"])
def shared_report_download(
    request: AuthenticatedHttpRequest, share_id: int, report_id: int
) -> HttpResponse:
    share = share_for(request, share_id, record_read=False)
    return download_response(request, get_object_or_404(Report, pk=report_id, share=share))
