from django.db import transaction

from daybook.accounts.models import Role, User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Perpetrator
from daybook.insights.identifiers import tokens_for
from daybook.insights.models import IdentifierToken, RepeatAlert
from daybook.sharing.models import Share


@transaction.atomic
def identifiers_index(*, perpetrator: Perpetrator, identifiers: dict) -> list[RepeatAlert]:
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


def alerts_for(user: User):  # noqa: ANN201
    """Managers see alerts on their service's cases; a police liaison only when both cases
    are shared with their force."""
    alerts = RepeatAlert.objects.filter(acknowledged_at__isnull=True).select_related(
        "case", "other_case"
    )
    if user.role == Role.SERVICE_MANAGER:
        return alerts.filter(case__service=user.organisation_id)
    if user.role == Role.POLICE_LIAISON:
        shared = Share.objects.filter(police=user.organisation_id, revoked_at__isnull=True).values(
            "case"
        )
        return alerts.filter(case__in=shared, other_case__in=shared)
    return alerts.none()
