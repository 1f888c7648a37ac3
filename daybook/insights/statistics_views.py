"""Service statistics pages and downloads: managers see their service, the commissioner every
support service (or one). Nobody else reaches them."""

import csv
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.models import Organisation
from daybook.accounts.sudo import require_sudo
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.incidents.export import spreadsheet_safe
from daybook.insights import statistics
from daybook.insights.forms import PeriodForm, support_services
from daybook.reports import pdf
from daybook.ui import charts


def _period(
    request: AuthenticatedHttpRequest,
) -> tuple[PeriodForm, QuerySet[Organisation], dt.date, dt.date]:
    """The period and services asked for, after checking who may see which."""
    user = request.user
    if not user.has_perm("insights.view_statistics"):
        raise PermissionDenied
    today = timezone.localdate()
    default: dict[str, Any] = {
        "start": today - dt.timedelta(days=365) + dt.timedelta(days=1),
        "end": today,
    }
    form = PeriodForm(request.GET or None, user=user, initial=default)
    chosen = form.cleaned_data if form.is_valid() else default
    if not user.has_perm("insights.compare_services"):  # a manager: their own service
        services = Organisation.objects.filter(members=user)
    elif chosen.get("service"):
        services = Organisation.objects.filter(pk=chosen["service"].pk)
    else:
        services = support_services()
    return form, services, chosen["start"], chosen["end"]


def _audit(
    request: AuthenticatedHttpRequest, action: Action, found: statistics.Statistics, kind: str
) -> None:
    audit_record(
        action=action,
        actor=request.user,
        request=request,
        organisation_id=request.user.organisation_id,
        extra={"format": kind, "start": found.start.isoformat(), "end": found.end.isoformat()},
    )


@require_http_methods(["GET", "HEAD"])
def service_statistics(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, services, start, end = _period(request)
    found = statistics.build(services, start, end)
    _audit(request, Action.STATISTICS_VIEWED, found, "page")
    return render(
        request,
        "insights/statistics.html",
        {"form": form, "stats": found, "query": request.GET.urlencode()},
    )


@require_http_methods(["GET", "HEAD"])
def statistics_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, services, start, end = _period(request)
    require_sudo(request)
    found = statistics.build(services, start, end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(["Period", f"{start.isoformat()} to {end.isoformat()}"])
    writer.writerow(["Services", "; ".join(found.services)])
    writer.writerow(["Left out", found.left_out_sentence])
    for table in found.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.head)
        for label, values in table.rows:
            writer.writerow([spreadsheet_safe(str(cell)) for cell in (label, *values)])
        if table.note:
            writer.writerow([table.note])
    _audit(request, Action.STATISTICS_EXPORTED, found, "csv")
    response["Content-Disposition"] = f'attachment; filename="statistics-{start}-{end}.csv"'
    return response


@require_http_methods(["GET", "HEAD"])
def statistics_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, services, start, end = _period(request)
    require_sudo(request)
    found = statistics.build(services, start, end)
    figures = [(table, _chart(table)) for table in found.tables]
    document = pdf.statistics_pdf(found, figures, produced_at=timezone.now())
    _audit(request, Action.STATISTICS_EXPORTED, found, "pdf")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statistics-{start}-{end}.pdf"'
    return response


def _chart(table: statistics.Table) -> charts.Chart | None:
    """Bars of one column; a count under 5 is drawn as no bar, and the description says so."""
    if table.chart_column is None:
        return None
    labels = [label for label, _cells in table.rows]
    column = [cells[table.chart_column] for _label, cells in table.rows]
    hidden = sum(1 for cell in column if not isinstance(cell, int))
    description = ", ".join(f"{label} {cell}" for label, cell in zip(labels, column, strict=True))
    if hidden:
        description += ngettext(
            "; %d count of fewer than 5 is drawn as no bar",
            "; %d counts of fewer than 5 are drawn as no bar",
            hidden,
        ) % (hidden,)
    return charts.row_bars(
        table.title,
        labels,
        [cell if isinstance(cell, int) else 0 for cell in column],
        description=description + ".",
    )
