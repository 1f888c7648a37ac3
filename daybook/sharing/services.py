import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from daybook.accounts.models import Organisation, User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.consent import require_consent
from daybook.cases.models import Case, Consent
from daybook.incidents.models import Entry
from daybook.sharing.models import Share


@transaction.atomic
def share_create(
    *,
    case: Case,
    actor: User,
    police: Organisation,
    entries: list[Entry] | None = None,
    until: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Share:
    """Share a log with a police force. The person may share their own log; anyone else needs
    the person's consent to share with the police (or a recorded lawful basis)."""
    if police.kind != Organisation.Kind.POLICE_FORCE:
        raise ValueError("Logs are shared with police forces.")
    if actor.pk != case.owner_id:
        require_consent(case, Consent.Purpose.POLICE)
    share = Share.objects.create(
        case=case, police=police, whole_log=not entries, until=until, created_by=actor
    )
    if entries:
        share.entries.set(entries)
    audit_record(
        action=Action.LOG_SHARED,
        actor=actor,
        subject=case,
        request=request,
        organisation_id=police.pk,
        extra={"share": share.pk, "whole": share.whole_log},
    )
    return share


@transaction.atomic
def share_revoke(*, share: Share, actor: User, request: HttpRequest | None = None) -> Share:
    share.revoked_at, share.revoked_by = timezone.now(), actor
    share.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.SHARE_REVOKED,
        actor=actor,
        subject=share.case,
        request=request,
        organisation_id=share.police_id,
        extra={"share": share.pk},
    )
    return share


def shared_entry_ids(share: Share) -> set[int]:
    entries = Entry.objects.filter(case=share.case).exclude(status=Entry.Status.DRAFT)
    if not share.whole_log:
        entries = entries.filter(pk__in=share.entries.values("pk"))
    if share.until:
        entries = entries.filter(occurred_on__lte=share.until)
    return set(entries.values_list("pk", flat=True))
