"""Sharing a log with the police, seeing who has looked, and the police's read-only view."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from daybook.accounts.sudo import require_sudo
from daybook.audit.models import Action, AuditEvent
from daybook.audit.services import audit_record
from daybook.cases.access import case_for
from daybook.cases.consent import ConsentRequired
from daybook.incidents.models import Entry
from daybook.incidents.selectors import with_content
from daybook.reports import services as reports
from daybook.reports.models import Report
from daybook.reports.views import download_response
from daybook.sharing import services
from daybook.sharing.access import share_for, shares_for_police
from daybook.sharing.forms import ShareForm
from daybook.sharing.models import Share
from daybook.ui.forms import submitted

SEEN = [Action.SHARED_LOG_VIEWED, Action.REPORT_DOWNLOADED, Action.REPORT_REQUESTED]


@require_http_methods(["GET", "HEAD", "POST"])
def sharing(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, write=request.method == "POST")
    form = ShareForm(submitted(request))
    form.fields["entries"].queryset = Entry.objects.filter(
        case=case, status=Entry.Status.LOGGED
    ).order_by("occurred_at")
    if request.method == "POST" and form.is_valid():
        require_sudo(request)
        try:
            services.share_create(
                case=case,
                actor=request.user,
                police=form.cleaned_data["police"],
                entries=list(form.cleaned_data["entries"]),
                until=form.cleaned_data["until"],
                request=request,
            )
        except ConsentRequired as missing:
            form.add_error(None, missing.message)
        else:
            messages.success(request, "Shared. You can stop sharing at any time.")
            return redirect("sharing:case", case_id=case.pk)
    police_events = AuditEvent.objects.filter(
        action__in=SEEN, extra__case=case.pk, actor__role="police_liaison"
    ).select_related("actor")[:100]
    return render(
        request,
        "sharing/case.html",
        {
            "case": case,
            "form": form,
            "shares": case.shares.select_related("police"),
            "seen": police_events,
        },
    )


@require_POST
def revoke(request: HttpRequest, case_id: int, share_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, write=True)
    share = get_object_or_404(Share, pk=share_id, case=case, revoked_at__isnull=True)
    services.share_revoke(share=share, actor=request.user, request=request)
    messages.success(request, "Sharing stopped. The police can no longer see this log.")
    return redirect("sharing:case", case_id=case.pk)


# --- The police's view ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def shared_list(request: HttpRequest) -> HttpResponse:
    from daybook.insights.services import alerts_for

    return render(
        request,
        "sharing/police_list.html",
        {"shares": shares_for_police(request.user), "alerts": alerts_for(request.user)},
    )


def _seen(request: HttpRequest, share: Share) -> None:
    audit_record(
        action=Action.SHARED_LOG_VIEWED,
        actor=request.user,
        subject=share,
        request=request,
        organisation_id=request.user.organisation_id,
        extra={"case": share.case_id},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def shared_log(request: HttpRequest, share_id: int) -> HttpResponse:
    share = share_for(request.user, share_id)
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind not in (Report.Kind.CHRONOLOGY, Report.Kind.BUNDLE):
            messages.error(request, "Choose a chronology or an evidence bundle.")
            return redirect("sharing:shared_log", share_id=share.pk)
        require_sudo(request)
        report = reports.report_request(
            case=share.case,
            actor=request.user,
            kind=kind,
            profile="police",
            share=share,
            request=request,
        )
        return redirect("sharing:shared_report", share_id=share.pk, report_id=report.pk)
    _seen(request, share)
    entries = list(
        Entry.objects.filter(pk__in=services.shared_entry_ids(share)).order_by("occurred_at")[:500]
    )
    return render(
        request,
        "sharing/police_log.html",
        {
            "share": share,
            "rows": with_content(entries, share.case),
            "reports": share.reports.filter(requested_by=request.user)[:20],
        },
    )


@require_http_methods(["GET", "HEAD"])
def shared_report(request: HttpRequest, share_id: int, report_id: int) -> HttpResponse:
    share = share_for(request.user, share_id)
    report = get_object_or_404(Report, pk=report_id, share=share)
    return render(
        request, "reports/status.html", {"case": share.case, "report": report, "share": share}
    )


@require_http_methods(["GET", "HEAD"])
def shared_report_download(request: HttpRequest, share_id: int, report_id: int) -> HttpResponse:
    share = share_for(request.user, share_id)
    return download_response(request, get_object_or_404(Report, pk=report_id, share=share))
