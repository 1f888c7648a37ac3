"""What an advocate and a manager see first: computed with a handful of queries, not per case."""

import statistics
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from daybook.accounts.models import Role, User
from daybook.cases.models import Case, CaseStatus, ContactNote, Referral, Task
from daybook.cases.sealing import CaseErased
from daybook.cases.selectors import client_details
from daybook.insights.services import alerts_for, escalations_for
from daybook.risk.models import Level, Screening

OPEN = ~Q(status=CaseStatus.CLOSED)


def _with_risk(cases):  # noqa: ANN001, ANN202
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


def advocate_dashboard(user: User) -> dict[str, Any]:
    cases = _with_risk(
        Case.objects.filter(
            OPEN, service=user.organisation_id, advocates=user, erased_at__isnull=True
        )
    ).order_by("next_review")
    today = timezone.localdate()
    return {
        "caseload": [(case, _label(case)) for case in cases],
        "today": today,
        "my_tasks": Task.objects.filter(assignee=user, done_at__isnull=True).order_by("due_on")[
            :20
        ],
        "escalations": escalations_for(user).order_by("-raised_at")[:50],
    }


def manager_dashboard(user: User) -> dict[str, Any]:
    service = user.organisation_id
    today = timezone.localdate()
    cases = Case.objects.filter(OPEN, service=service, erased_at__isnull=True)
    annotated = _with_risk(cases)
    per_advocate = (
        User.objects.filter(organisation=service, role=Role.ADVOCATE)
        .annotate(open_cases=Count("assigned_cases", filter=Q(assigned_cases__in=cases)))
        .order_by("name")
    )
    waits = [
        (case.first_contact_at - case.referred_at).days
        for case in Case.objects.filter(
            service=service, referred_at__isnull=False, first_contact_at__isnull=False
        ).only("referred_at", "first_contact_at")
    ]
    return {
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
