"""What an advocate and a manager see first: computed with a handful of queries, not per case."""

import statistics
from collections.abc import Mapping
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from daybook.accounts.models import User
from daybook.accounts.policy import advocates_of
from daybook.cases.access import cases_visible_to
from daybook.cases.models import Case, CaseStatus, ContactNote, Referral, Task
from daybook.cases.sealing import CaseErased, open_for
from daybook.cases.selectors import client_details
from daybook.casework.forms import CaseFilterForm
from daybook.insights.services import alerts_for, escalations_for
from daybook.risk.models import Level, Screening

OPEN = ~Q(status=CaseStatus.CLOSED)


# Cases annotated with their risk level and next review: the stubs cannot follow
# annotations, so these querysets are typed loosely.
def _with_risk(cases: QuerySet[Case]) -> QuerySet[Any]:
    latest = Screening.objects.filter(case=OuterRef("pk")).order_by("-created_at")
    today = timezone.localdate()
    contacts = ContactNote.objects.filter(case=OuterRef("pk")).order_by("-happened_at")
    overdue = (
        Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True, due_on__lt=today)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.annotate(
        risk_level=Subquery(latest.values("level")[:1]),
        next_review=Subquery(latest.values("review_due")[:1]),
        last_contact=Subquery(contacts.values("happened_at")[:1]),
        overdue_tasks=Coalesce(Subquery(overdue), 0),
    )


def _label(case: Case) -> str:
    try:
        return client_details(case).get("name", "")
    except CaseErased:
        return ""


CASES_PER_PAGE = 25


def _reference(text: str) -> str:
    """A reference as typed ("db abcd efgh", "abcd") in the form cases keep it."""
    return "-".join(text.upper().split())


def filtered_cases(cases: QuerySet[Any], filters: Mapping[str, str]) -> QuerySet[Any]:
    """`cases` (annotated with their risk) narrowed by a staff case list's filters: open
    cases unless a status (or all) is chosen; a reference matches any part of it."""
    if filters.get("reference"):
        cases = cases.filter(reference__contains=_reference(filters["reference"]))
    status = filters.get("status", "")
    if status != "all":
        cases = cases.filter(status=status) if status else cases.filter(OPEN)
    risk = filters.get("risk", "")
    if risk == "none":
        cases = cases.filter(risk_level__isnull=True)
    elif risk:
        cases = cases.filter(risk_level=risk)
    advocate = filters.get("advocate", "")
    if advocate == "none":
        cases = cases.filter(advocates__isnull=True)
    elif advocate:
        cases = cases.filter(advocates=advocate)
    return cases


def _case_page(
    cases: QuerySet[Any], query: Mapping[str, str], form: CaseFilterForm
) -> dict[str, Any]:
    """One page of a filtered case list; only its cases' sealed names are opened."""
    page = Paginator(filtered_cases(cases, form.filters()), CASES_PER_PAGE).get_page(
        query.get("page")
    )
    return {
        "case_filters": form,
        "case_page": page,
        "case_rows": [(case, _label(case)) for case in page],
        "filtering": any(form.filters().values()),
    }


def advocate_dashboard(user: User, query: Mapping[str, str] | None = None) -> dict[str, Any]:
    query = query or {}
    cases = _with_risk(
        Case.objects.filter(service=user.organisation_id, advocates=user, erased_at__isnull=True)
    ).order_by("next_review", "-created_at")
    listed = _case_page(cases, query, CaseFilterForm(query))
    today = timezone.localdate()
    return {
        **listed,
        "today": today,
        "my_tasks": _open_tasks(user),
        "escalations": escalations_for(user).order_by("-raised_at")[:50],
    }


def _open_tasks(user: User) -> list[tuple[Task, str]]:
    """The advocate's open tasks, soonest first, each with its title (sealed with its case's
    key). Assigned to the advocate is not enough: the case must still be one they may see."""
    tasks = (
        Task.objects.filter(assignee=user, done_at__isnull=True, case__in=cases_visible_to(user))
        .select_related("case")
        .order_by("due_on")[:20]
    )
    return [
        (task, open_for(task.case, task.sealed, task.associated(), default={}).get("title", ""))
        for task in tasks
    ]


def manager_dashboard(user: User, query: Mapping[str, str] | None = None) -> dict[str, Any]:
    query = query or {}
    service = user.organisation_id
    today = timezone.localdate()
    cases = Case.objects.filter(OPEN, service=service, erased_at__isnull=True)
    annotated = _with_risk(cases)
    per_advocate = (
        advocates_of(service, active_only=False)
        .annotate(open_cases=Count("assigned_cases", filter=Q(assigned_cases__in=cases)))
        .order_by("name")
    )
    waits = [
        (case.first_contact_at - case.referred_at).days
        for case in Case.objects.filter(
            service=service, referred_at__isnull=False, first_contact_at__isnull=False
        ).only("referred_at", "first_contact_at")
        if case.first_contact_at and case.referred_at
    ]
    advocates = list(advocates_of(service, active_only=False).order_by("name", "email"))
    everything = _with_risk(
        Case.objects.filter(service=service, erased_at__isnull=True)
    ).prefetch_related("advocates")
    listed = _case_page(
        everything.order_by("-created_at"), query, CaseFilterForm(query, advocates=advocates)
    )
    return {
        **listed,
        "unallocated_referrals": Referral.objects.filter(
            service=service, status=Referral.Status.PENDING
        ).order_by("created_at")[:50],
        "unallocated_cases": cases.filter(advocates__isnull=True)[:50],
        "per_advocate": per_advocate,
        "high_risk": [(case, _label(case)) for case in annotated.filter(risk_level=Level.HIGH)],
        "overdue_reviews": [
            (case, _label(case)) for case in annotated.filter(next_review__lt=today)
        ],
        "days_to_first_contact": statistics.median(waits) if waits else None,
        "repeat_alerts": alerts_for(user),
        "escalations": escalations_for(user).order_by("-raised_at")[:50],
        "today": today,
    }
