"""The patterns of one log, and acknowledging an escalation alert."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.audit.models import Action
from daybook.cases.access import case_for, casework_case_for
from daybook.cases.models import Case
from daybook.cases.services import case_label
from daybook.insights import patterns, services
from daybook.insights.forms import AcknowledgeForm
from daybook.insights.models import EscalationAlert
from daybook.ui import charts
from daybook.ui.forms import submitted


@dataclass
class Figure:
    """A chart and the same numbers as a table, for people who can't see the chart."""

    chart: charts.Chart
    head: list[str]
    rows: list[list[object]]  # a label, then numbers

    def table(self) -> SafeString:
        """The table's markup, written here: a template loop over a few thousand cells would
        take longer than every query on the page."""
        head = "".join(
            f'<th scope="col" class="govuk-table__header">{escape(h)}</th>' for h in self.head
        )
        body = "".join(
            f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
            f"{escape(label)}</th>"
            + "".join(
                f'<td class="govuk-table__cell govuk-table__cell--numeric">{escape(cell)}</td>'
                for cell in cells
            )
            + "</tr>"
            for label, *cells in self.rows
        )
        return mark_safe(  # noqa: S308 - every heading and cell is escaped above
            f'<table class="govuk-table"><thead class="govuk-table__head">'
            f'<tr class="govuk-table__row">{head}</tr></thead>'
            f'<tbody class="govuk-table__body">{body}</tbody></table>'
        )


def figures(case: Case, months: patterns.Months) -> tuple[list[Figure], list[list[int]]]:
    weeks, grid = patterns.weekly(case), patterns.rhythm(case)
    labels = [f"{month:%b %Y}" for month in months.months]
    shown = [
        Figure(
            charts.weekly_chart(weeks),
            ["Week beginning", "Incidents"],
            [[f"{week:%-d %b %Y}", count] for week, count in weeks],
        )
    ]
    for title, what, series in (
        ("Kinds of behaviour each month", "kind of behaviour", months.by_category),
        ("How it happened each month", "way", months.by_channel),
    ):
        if series:
            shown.append(
                Figure(
                    charts.stacked_bars(title, labels, series, description=_most(what, series)),
                    ["Month", *series],
                    [
                        [label, *(values[i] for values in series.values())]
                        for i, label in enumerate(labels)
                    ],
                )
            )
    shown.append(
        Figure(
            charts.rhythm_chart(grid),
            ["Day", *charts.HOURS],
            [[day, *row] for day, row in zip(charts.WEEKDAYS, grid, strict=True)],
        )
    )
    return shown, grid


@require_http_methods(["GET", "HEAD"])
def log_patterns(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    """Staff see every pattern and the open alerts; the person whose log it is sees a gentler
    page of the same facts, without alerts or statistical tests."""
    case = case_for(request, case_id, reading=Action.PATTERNS_VIEWED)
    is_owner = request.user.pk == case.owner_id
    found, months = patterns.overview(case), patterns.by_month(case)
    shown, grid = figures(case, months)
    context = {
        "case": case,
        "label": case_label(case),
        "summary": patterns.summary(found, months.occasions_by_category),
        "days_since_last": (timezone.now() - found.last).days if found.last else None,
        "figures": shown if found.occasions else [],
        "rhythm_finding": patterns.rhythm_finding(grid),
        "places": found.places,
        "night": found.night,
    }
    if not is_owner:
        context["milestones"] = patterns.milestones(case, found)
        context["alerts"] = case.escalation_alerts.filter(acknowledged_at__isnull=True)
    return render(
        request, "insights/my_patterns.html" if is_owner else "insights/patterns.html", context
    )


def _most(what: str, series: dict[str, list[int]]) -> str:
    totals = sorted(((sum(values), name) for name, values in series.items()), reverse=True)
    listed = ", ".join(f"{name} {total}" for total, name in totals)
    return f"Occasions by {what}, over the whole log: {listed}."


@require_http_methods(["GET", "HEAD", "POST"])
def alert_acknowledge(
    request: AuthenticatedHttpRequest, case_id: int, alert_id: int
) -> HttpResponse:
    case = casework_case_for(request, case_id, write=True)
    alert = EscalationAlert.objects.filter(pk=alert_id, case=case).first()
    if alert is None:
        raise Http404
    if alert.acknowledged_at is not None:
        raise PermissionDenied("This alert has already been acknowledged.")
    form = AcknowledgeForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        services.escalation_acknowledge(
            alert=alert, actor=request.user, note=form.cleaned_data["note"], request=request
        )
        messages.success(request, "Alert acknowledged.")
        return redirect("insights:patterns", case.pk)
    return render(
        request,
        "insights/acknowledge.html",
        {"case": case, "label": case_label(case), "alert": alert, "form": form},
    )
