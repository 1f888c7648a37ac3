"""The pages a police officer sees: logs shared with their force, each entry and its files,
and reports of them."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.sudo import require_sudo
from daybook.audit.models import Action
from daybook.incidents import checkpoints
from daybook.incidents import services as log
from daybook.incidents.content import PRIVATE_MARK
from daybook.incidents.models import Checkpoint, Entry
from daybook.incidents.selectors import with_content
from daybook.insights.services import alerts_for
from daybook.police import evidence, selectors
from daybook.police.forms import SharedLogFilterForm
from daybook.police.selectors import shared_content
from daybook.reports import chronology
from daybook.reports import services as reports
from daybook.reports.models import Report
from daybook.reports.views import download_response
from daybook.sharing import selectors as sharing_selectors
from daybook.sharing import services
from daybook.sharing.access import (
    share_for,
    shared_entry_for,
    shared_evidence_for,
    shares_for_police,
)
from daybook.sharing.models import Share

POLICE_PAGE_SIZE = 50
SHARED_ORDER = ("occurred_at", "pk")  # as `entries_in_scope` orders them
# The profile of reports from a share made without the details to keep private.
SHARED_REPORT_PROFILE = chronology.DISCLOSABLE


def shared_report_profile(share: Share, *, disclosable: bool = False) -> str:
    """Reports the police produce from a share: with the details to keep private, marked as
    not for disclosure, only if the person chose that for this share (and the officer did not
    ask for the disclosable version); otherwise disclosable, the details withheld."""
    if share.include_private and not disclosable:
        return chronology.POLICE
    return SHARED_REPORT_PROFILE


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
    form = SharedLogFilterForm(request.GET or None)
    form.is_valid()
    filters = form.filters()
    found = selectors.find(entries, share, filters)
    page = Paginator(found.ids, POLICE_PAGE_SIZE).get_page(request.GET.get("page"))
    page_entries = list(Entry.objects.filter(pk__in=list(page.object_list)).order_by(*SHARED_ORDER))
    rows = [
        (
            entry,
            shared_content(share, content),
            selectors.police_labels(content.get("behaviours", [])),
        )
        for entry, content in with_content(page_entries, share.case)
    ]
    return render(
        request,
        "sharing/police_log.html",
        {
            "checkpoint": _checkpoint(request, share),
            "share": share,
            "page": page,
            "form": form,
            "filters": filters,
            "found": found,
            "search_limit": selectors.SEARCH_LIMIT,
            "summary": sharing_selectors.scope_summary(entries),
            "rows": rows,
            # An entry opened from this page keeps it, so the way back returns here.
            "entry_query": f"?{query}" if (query := _log_query(request)) else "",
            "reports": share.reports.filter(requested_by=request.user)[:20],
            "private_mark": PRIVATE_MARK,
        },
    )


def _checkpoint(request: AuthenticatedHttpRequest, share: Share) -> checkpoints.Signed:
    """The signed checkpoint of the log as it stands, issued afresh only if it has changed."""
    checkpoint = log.checkpoint_for_view(
        case=share.case, purpose=Checkpoint.Purpose.POLICE_VIEW, actor=request.user, request=request
    )
    return checkpoints.signed(checkpoint, share.case.reference)


@require_http_methods(["GET", "HEAD"])
def shared_entry(request: AuthenticatedHttpRequest, share_id: int, entry_id: int) -> HttpResponse:
    share, entry = shared_entry_for(request, share_id, entry_id)
    content = log.entry_content_of(entry)
    files = [
        (item, meta, "" if item.withdrawn else evidence.why_not_served(share, item))
        for item, meta in selectors.shared_files(entry)
    ]
    return render(
        request,
        "police/entry.html",
        {
            "back": _back_to_log(request, share),
            "share": share,
            "entry": entry,
            "content": shared_content(share, content),
            "behaviours": selectors.police_labels(content.get("behaviours", [])),
            "history": selectors.shared_history(share, entry, content),
            "files": files,
            "clean_copies": evidence.copy_for(share) == evidence.CLEAN,
            "checkpoint": _checkpoint(request, share),
            "private_mark": PRIVATE_MARK,
        },
    )


# What the log page was showing when the officer opened an entry: the way back returns to it.
LOG_PAGE_QUERY = ("words", "date_from", "date_to", "behaviour", "page")


def _log_query(request: AuthenticatedHttpRequest) -> str:
    return urlencode(
        [(name, request.GET[name]) for name in LOG_PAGE_QUERY if request.GET.get(name)]
    )


def _back_to_log(request: AuthenticatedHttpRequest, share: Share) -> str:
    url = reverse("police:shared_log", args=[share.pk])
    query = _log_query(request)
    return f"{url}?{query}#entries" if query else url


@require_http_methods(["GET", "HEAD"])
def shared_evidence_view(
    request: AuthenticatedHttpRequest, share_id: int, evidence_id: int
) -> HttpResponseBase:
    """A photo or screenshot shown on the entry page (the copy the share allows). Only the
    image kinds a browser shows without running anything, in a sandbox, never sniffed."""
    share, item = shared_evidence_for(request, share_id, evidence_id)
    if not item.is_image:
        raise Http404
    try:
        served = evidence.shared_evidence_open(
            share=share,
            evidence=item,
            actor=request.user,
            action=Action.SHARED_EVIDENCE_VIEWED,
            request=request,
        )
    except evidence.NotServed:
        raise Http404 from None  # the entry page says why beside the file
    response = FileResponse(served.file, content_type=served.content_type)
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def shared_evidence_download(
    request: AuthenticatedHttpRequest, share_id: int, evidence_id: int
) -> HttpResponseBase:
    share, item = shared_evidence_for(request, share_id, evidence_id)
    require_sudo(request)
    try:
        served = evidence.shared_evidence_open(
            share=share,
            evidence=item,
            actor=request.user,
            action=Action.SHARED_EVIDENCE_DOWNLOADED,
            request=request,
        )
    except evidence.NotServed as refused:
        return render(
            request,
            "police/not_served.html",
            {"share": share, "entry": item.entry, "reason": str(refused)},
            status=409,
        )
    name = str(log.evidence_meta(item).get("name") or "evidence")
    response = FileResponse(
        served.file,
        as_attachment=True,
        filename=name,
        content_type="application/octet-stream",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


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
