"""Producing and collecting reports. Producing needs a fresh re-authentication; every
download is audited; files expire."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.models import User
from daybook.accounts.sudo import require_sudo
from daybook.cases.access import case_for, casework_case_for
from daybook.cases.models import Case
from daybook.incidents.content import PRIVATE_MARK, PRIVATE_PROMISE
from daybook.reports import chronology, redaction, services
from daybook.reports.forms import ReportForm, SpoForm, StatementForm, VpsForm
from daybook.reports.models import Report
from daybook.reports.packs import facts
from daybook.ui.forms import submitted

GET_POST = ["GET", "HEAD", "POST"]


def _preview(case: Case, user: User) -> list[dict[str, Any]]:
    """What each profile contains, before anything is produced."""
    found = []
    for profile, label in chronology.PROFILES.items():
        built = chronology.build(case, profile=profile, produced_by=user, charts_wanted=False)
        found.append(
            {
                "profile": profile,
                "label": label,
                "entries": len(built.rows),
                "exhibits": len(built.exhibits),
                "withheld": sum(1 for row in built.rows if row.withheld),
                "amendments": len(built.amendments),
            }
        )
    return found


def _request(
    request: AuthenticatedHttpRequest,
    case: Case,
    kind: str,
    profile: str,
    options: dict,
    *,
    back: str,
) -> HttpResponse:
    require_sudo(request)
    report = services.report_request(
        case=case, actor=request.user, kind=kind, profile=profile, options=options, request=request
    )
    return redirect(back, case_id=case.pk, report_id=report.pk)


@require_http_methods(GET_POST)
def reports_home(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request, case_id)
    form = ReportForm(submitted(request), initial={"kind": "chronology", "profile": "police"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return _request(
            request,
            case,
            data["kind"],
            data["profile"],
            {"pseudonym": data["pseudonym"], "include_context": data["include_context"]},
            back="reports:status",
        )
    return render(
        request,
        "reports/home.html",
        {
            "case": case,
            "form": form,
            "preview": _preview(case, request.user),
            "can_share": request.user.has_perm("cases.change_case", case),
            # Reports the police produce from a share are theirs, listed on the shared log.
            "reports": case.reports.filter(share__isnull=True)[:20],
            "private_promise": PRIVATE_PROMISE,
            "private_mark": PRIVATE_MARK,
            "redactions": redaction.case_list(case),
        },
    )


@require_http_methods(GET_POST)
def spo(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = casework_case_for(request, case_id)
    form = SpoForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        return _request(
            request, case, Report.Kind.SPO, "police", form.options(), back="reports:status"
        )
    return render(
        request,
        "reports/pack_form.html",
        {"case": case, "form": form, "title": "Stalking Protection Order pack"},
    )


@require_http_methods(GET_POST)
def vps(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request, case_id)
    known = facts(
        chronology.build(
            case, profile=chronology.DISCLOSABLE, produced_by=request.user, charts_wanted=False
        )
    )
    form = VpsForm(submitted(request), facts=known)
    if request.method == "POST" and form.is_valid():
        return _request(
            request,
            case,
            Report.Kind.VPS,
            chronology.DISCLOSABLE,
            form.options(),
            back="reports:status",
        )
    return render(
        request,
        "reports/pack_form.html",
        {"case": case, "form": form, "title": "Victim personal statement: draft"},
    )


@require_http_methods(GET_POST)
def statement(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    """A witness statement draft, always from the police version of the log."""
    case = case_for(request, case_id)
    form = StatementForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        return _request(
            request,
            case,
            Report.Kind.STATEMENT,
            chronology.POLICE,
            form.options(),
            back="reports:status",
        )
    return render(request, "reports/statement_form.html", {"case": case, "form": form})


def _report(case: Case, report_id: int) -> Report:
    return get_object_or_404(Report, pk=report_id, case=case, share__isnull=True)


@require_http_methods(["GET", "HEAD"])
def status(request: AuthenticatedHttpRequest, case_id: int, report_id: int) -> HttpResponse:
    case = case_for(request, case_id)
    report = _report(case, report_id)
    return render(
        request,
        "reports/status.html",
        {"case": case, "report": report, "download": "reports:download", "owner_id": case.pk},
    )


def download_response(request: AuthenticatedHttpRequest, report: Report) -> HttpResponse:
    if report.status != Report.Status.DONE:
        raise Http404
    if services.report_expired(report) or not report.storage_name:
        messages.error(request, "This file has expired. Produce it again.")
        return render(request, "reports/expired.html", {"report": report}, status=410)
    require_sudo(request)
    data = services.report_bytes(report, actor=request.user, request=request)
    kind = "application/zip" if report.kind == Report.Kind.BUNDLE else "application/pdf"
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response


@require_http_methods(["GET", "HEAD"])
def download(request: AuthenticatedHttpRequest, case_id: int, report_id: int) -> HttpResponse:
    case = case_for(request, case_id)
    return download_response(request, _report(case, report_id))
