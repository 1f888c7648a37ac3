from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from daybook.accounts.models import User
from daybook.accounts.policy import is_advocate, is_police, is_service_manager
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case, Perpetrator
from daybook.cases.sealing import seal_for
from daybook.insights import escalation
from daybook.insights.identifiers import tokens_for
from daybook.insights.models import EscalationAlert, IdentifierToken, RepeatAlert
from daybook.sharing.models import Share


@transaction.atomic
def identifiers_index(
    *, perpetrator: Perpetrator, identifiers: dict[str, Any]
) -> list[RepeatAlert]:
    """Store the perpetrator's identifier tokens and raise an alert on each case that shares
    one with a case of a different person."""
    IdentifierToken.objects.filter(perpetrator=perpetrator).delete()
    case = perpetrator.case
    found = tokens_for(identifiers)
    IdentifierToken.objects.bulk_create(
        IdentifierToken(case=case, perpetrator=perpetrator, kind=kind, token=value)
        for kind, value in found
    )
    alerts = []
    matches = (
        IdentifierToken.objects.filter(token__in=[value for _k, value in found])
        .exclude(case=case)
        .select_related("case")
    )
    for match in matches:
        other = match.case
        if other.erased_at or (case.owner_id and case.owner_id == other.owner_id):
            continue  # the same person's two logs are not a repeat perpetrator
        for first, second in ((case, other), (other, case)):
            alert, created = RepeatAlert.objects.get_or_create(
                case=first, other_case=second, kind=match.kind
            )
            if created:
                alerts.append(alert)
                audit_record(
                    action=Action.REPEAT_MATCH,
                    subject=alert,
                    organisation_id=first.service_id,
                    extra={"kind": match.kind},
                )
    return alerts


def alerts_for(user: User) -> QuerySet[RepeatAlert]:
    """Managers see alerts on their service's cases; a police liaison only when both cases
    are shared with their force."""
    alerts = RepeatAlert.objects.filter(acknowledged_at__isnull=True).select_related(
        "case", "other_case"
    )
    if is_service_manager(user):
        return alerts.filter(case__service=user.organisation_id)
    if is_police(user):
        shared = Share.objects.filter(police=user.organisation_id, revoked_at__isnull=True).values(
            "case"
        )
        return alerts.filter(case__in=shared, other_case__in=shared)
    return alerts.none()


# --- Escalation ---------------------------------------------------------------------------


def escalation_check(case: Case) -> list[EscalationAlert]:
    """Raise an alert for each sign of escalation not raised before. Runs after every change
    to the log has committed, and once after an import."""
    raised = []
    known = set(EscalationAlert.objects.filter(case=case).values_list("signature", flat=True))
    recent_frequency = EscalationAlert.objects.filter(
        case=case, kind="frequency", raised_at__gte=timezone.now() - escalation.WINDOW
    ).exists()
    for finding in escalation.findings(case):
        if finding.signature in known or (finding.kind == "frequency" and recent_frequency):
            continue  # one frequency alert per four weeks while the rise lasts
        try:
            with transaction.atomic():
                alert = EscalationAlert.objects.create(
                    case=case, kind=finding.kind, signature=finding.signature, facts=finding.facts
                )
                audit_record(
                    action=Action.ESCALATION_RAISED,
                    subject=alert,
                    organisation_id=case.service_id,
                    extra={"kind": finding.kind},
                )
        except IntegrityError:
            continue  # raised meanwhile by a check that ran beside this one
        raised.append(alert)
    return raised


def escalations_for(user: User) -> QuerySet[EscalationAlert]:
    """Open escalation alerts on the cases a user holds: an advocate's allocated cases, the
    manager's service. Nobody else (the person is not shown alerts about their own log)."""
    alerts = EscalationAlert.objects.filter(
        acknowledged_at__isnull=True, case__erased_at__isnull=True
    ).select_related("case")
    if is_advocate(user):
        return alerts.filter(
            Q(case__service=user.organisation_id) & Q(case__advocates=user)
        ).distinct()
    if is_service_manager(user):
        return alerts.filter(case__service=user.organisation_id)
    return alerts.none()


@transaction.atomic
def escalation_acknowledge(
    *, alert: EscalationAlert, actor: User, note: str, request: HttpRequest | None = None
) -> None:
    alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
    alert.note_sealed = seal_for(alert.case, note, f"escalation-note:{alert.pk}")
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "note_sealed"])
    audit_record(action=Action.ESCALATION_ACKNOWLEDGED, actor=actor, subject=alert, request=request)
