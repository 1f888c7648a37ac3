"""Every write to casework: one function each, audited in the same transaction."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from daybook.accounts.models import Organisation, User
from daybook.accounts.policy import is_professional_referrer
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.consent import require_consent
from daybook.cases.models import (
    Case,
    CaseRecord,
    CaseStatus,
    Consent,
    Consultation,
    ContactNote,
    OrderBreach,
    Perpetrator,
    ProtectiveOrder,
    Referral,
    Task,
)
from daybook.cases.sealing import open_standalone, seal_for, seal_json, seal_standalone
from daybook.cases.services import case_details_save, case_open, json_value
from daybook.casework.sections import Section
from daybook.crypto import unwrap_data_key
from daybook.incidents.models import Entry
from daybook.incidents.services import announce_change
from daybook.insights.services import identifiers_index


@transaction.atomic
def casework_save(
    *,
    case: Case,
    section: Section,
    author: User,
    values: dict[str, Any],
    record: CaseRecord | None = None,
    request: HttpRequest | None = None,
) -> CaseRecord:
    """Create or update one casework record of `section`; free text is sealed."""
    if section.consent:
        require_consent(
            case,
            section.consent,
            organisation_name=values.get(section.consent_organisation_field, ""),
        )
    conditions_before = record.conditions() if isinstance(record, ProtectiveOrder) else []
    record = record or section.model(case=case, created_by=author)
    model_fields = {field.name for field in section.model._meta.get_fields()}
    for name, value in values.items():
        if name in model_fields and name not in section.sealed and name not in section.many:
            setattr(record, name, value)
    if isinstance(record, Task):
        done = bool(values.get("done"))
        record.done_at = (record.done_at or timezone.now()) if done else None
    record.sealed = seal_for(
        case, {name: json_value(values.get(name)) for name in section.sealed}, record.associated()
    )
    record.save()
    for name in section.many:
        getattr(record, name).set(values.get(name) or [])
    if isinstance(record, ProtectiveOrder) and conditions_before:
        _follow_conditions(record, conditions_before, record.conditions())
    if section.many:  # e.g. entries linked as breaches of an order: the log reads differently
        announce_change(case)
    if isinstance(record, ContactNote):
        _note_contact(case, record)
    audit_record(
        action=Action.CASEWORK_SAVED,
        actor=author,
        subject=record,
        request=request,
        organisation_id=case.service_id,
        extra={"section": section.slug, "case": case.pk},
    )
    return record


def _note_contact(case: Case, note: ContactNote) -> None:
    """The first attempt and the first real contact move the case along and are dated."""
    changed = []
    if case.first_contact_attempt_at is None or note.happened_at < case.first_contact_attempt_at:
        case.first_contact_attempt_at = note.happened_at
        changed.append("first_contact_attempt_at")
    if note.direction != ContactNote.Direction.ATTEMPT and (
        case.first_contact_at is None or note.happened_at < case.first_contact_at
    ):
        case.first_contact_at = note.happened_at
        changed.append("first_contact_at")
    if case.status in (CaseStatus.REFERRED, CaseStatus.ALLOCATED):
        case.status = CaseStatus.ACTIVE if case.first_contact_at else CaseStatus.CONTACTING
        changed.append("status")
    if changed:
        case.save(update_fields=changed)


def _follow_conditions(order: ProtectiveOrder, before: list[str], after: list[str]) -> None:
    """Keep each breach naming the condition it broke when the order's conditions are changed:
    a breach names its condition by place, so a condition that moved is followed by its words.
    A condition reworded where it stood keeps its place; one that is gone, and cannot be
    followed, leaves its breaches "not stated" rather than naming another condition."""
    if before == after:
        return
    same_length = len(before) == len(after)

    def follows(place: int | None) -> int | None:
        if place is None or place >= len(before):
            return None
        if before[place] in after:
            return after.index(before[place])
        return place if same_length else None

    links = list(OrderBreach.objects.filter(protectiveorder=order))
    moved = {(link.entry_id, follows(link.condition)) for link in links}
    # A named condition makes a "not stated" link of the same entry redundant.
    named = {entry for entry, place in moved if place is not None}
    moved = {(entry, place) for entry, place in moved if place is not None or entry not in named}
    OrderBreach.objects.filter(protectiveorder=order).delete()
    OrderBreach.objects.bulk_create(
        OrderBreach(protectiveorder=order, entry_id=entry, condition=place)
        for entry, place in sorted(moved, key=lambda pair: (pair[0], pair[1] is None, pair[1]))
    )


@transaction.atomic
def order_breach_record(
    *,
    order: ProtectiveOrder,
    entry: Entry,
    condition: int | None,
    actor: User,
    request: HttpRequest | None = None,
) -> OrderBreach:
    """Record that `entry` breached `order`, naming the condition by its place among the
    order's conditions (None: not stated). Recording the same breach again changes nothing;
    naming a condition replaces a "not stated" link of the same entry."""
    if entry.case_id != order.case_id or entry.status != Entry.Status.LOGGED:
        raise ValueError("Choose an entry of this log that is not withdrawn.")
    if condition is not None and not 0 <= condition < len(order.conditions()):
        raise ValueError("Choose one of the order's conditions.")
    if condition is not None:
        OrderBreach.objects.filter(
            protectiveorder=order, entry=entry, condition__isnull=True
        ).delete()
    breach, _created = OrderBreach.objects.get_or_create(
        protectiveorder=order, entry=entry, condition=condition
    )
    announce_change(order.case)
    audit_record(
        action=Action.CASEWORK_SAVED,
        actor=actor,
        subject=order,
        request=request,
        organisation_id=order.case.service_id,
        extra={"section": "orders", "case": order.case_id, "breach": entry.pk},
    )
    return breach


@transaction.atomic
def order_breach_remove(
    *, breach: OrderBreach, actor: User, request: HttpRequest | None = None
) -> None:
    order = breach.protectiveorder
    audit_record(
        action=Action.CASEWORK_SAVED,
        actor=actor,
        subject=order,
        request=request,
        organisation_id=order.case.service_id,
        extra={"section": "orders", "case": order.case_id, "breach_removed": breach.entry_id},
    )
    breach.delete()
    announce_change(order.case)


@transaction.atomic
def perpetrator_add(
    *, case: Case, actor: User, identifiers: dict[str, Any], request: HttpRequest | None = None
) -> Perpetrator:
    perpetrator = Perpetrator(case=case, created_by=actor)
    perpetrator.sealed = seal_for(case, identifiers, perpetrator.associated())
    perpetrator.save()
    identifiers_index(perpetrator=perpetrator, identifiers=identifiers)
    audit_record(
        action=Action.CASEWORK_SAVED,
        actor=actor,
        subject=perpetrator,
        request=request,
        organisation_id=case.service_id,
        extra={"section": "perpetrators", "case": case.pk},
    )
    return perpetrator


@transaction.atomic
def referral_make(
    *,
    service: Organisation,
    source: str,
    details: dict[str, Any],
    referrer: User | None = None,
    case: Case | None = None,
    consent_basis: str = Referral.ConsentBasis.CONSENT,
    urgency: str = Referral.Urgency.NOT_STATED,
    request: HttpRequest | None = None,
) -> Referral:
    """Refer someone to `service`. Details are sealed with a key of the referral's own;
    the urgency is kept beside them, unsealed, so the triage list can filter by it."""
    if service.kind != Organisation.Kind.SUPPORT_SERVICE:
        raise ValueError("Referrals go to support services.")
    referral = Referral(
        service=service,
        source=source,
        referrer=referrer,
        case=case,
        consent_basis=consent_basis,
        urgency=urgency,
        referrer_organisation=referrer.organisation if referrer else None,
    )
    referral.wrapped_key, referral.details_sealed = seal_standalone(
        details, f"referral:{referral.uid}"
    )
    referral.save()
    audit_record(
        action=Action.REFERRAL_MADE,
        actor=referrer,
        subject=referral,
        request=request,
        organisation_id=service.pk,
        extra={"source": source, "urgency": urgency},
    )
    return referral


def referral_details(referral: Referral) -> dict[str, Any]:
    details: dict[str, Any] = open_standalone(
        referral.wrapped_key, referral.details_sealed, f"referral:{referral.uid}"
    )
    return details


def _decide(referral: Referral, actor: User, status: str) -> None:
    if referral.status != Referral.Status.PENDING:
        raise ValueError("This referral has already been decided.")
    referral.status, referral.decided_at, referral.decided_by = status, timezone.now(), actor


@transaction.atomic
def referral_accept(*, referral: Referral, actor: User, request: HttpRequest | None = None) -> Case:
    """Accept a referral: link the person's own log to the service, or open a new case."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _decide(referral, actor, Referral.Status.ACCEPTED)
    details = referral_details(referral)
    if referral.case is not None:
        case = referral.case
        case.service = referral.service
        case.save(update_fields=["service"])
    else:
        owner = referral.referrer if referral.source == Referral.Source.SELF_ACCOUNT else None
        case = case_open(
            created_by=actor, owner=owner, service=referral.service, label=details.get("name", "")
        )
    case.status, case.referred_at = CaseStatus.REFERRED, referral.created_at
    case.save(update_fields=["status", "referred_at"])
    case_details_save(
        case=case,
        actor=actor,
        client={
            "name": details.get("name", ""),
            "phone": details.get("phone", ""),
            "email": details.get("email", ""),
        },
        safe_contact={
            # Referrals made before the forms asked for channels name only the details given.
            "safe_channels": details.get(
                "safe_channels", [c for c in ("phone", "email") if details.get(c)]
            ),
            "safe_times": details.get("safe_times", ""),
            "voicemail_safe": details.get("voicemail_safe", "unknown"),
            "code_word": "",
            "never_channels": details.get("never_channels", []),
        },
    )
    referral.case = case
    referral.save(update_fields=["status", "decided_at", "decided_by", "case"])
    audit_record(
        action=Action.REFERRAL_ACCEPTED,
        actor=actor,
        subject=referral,
        request=request,
        organisation_id=referral.service_id,
        extra={"case": case.pk},
    )
    return case


@transaction.atomic
def referral_decline(
    *, referral: Referral, actor: User, reason: str, request: HttpRequest | None = None
) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _decide(referral, actor, Referral.Status.DECLINED)
    if reason:  # sealed with the referral's own key, like what the referral says
        key = unwrap_data_key(bytes(referral.wrapped_key or b""), referral.key_name())
        referral.decline_reason_sealed = seal_json(key, reason, referral.decline_reason_ad())
    referral.save(update_fields=["status", "decided_at", "decided_by", "decline_reason_sealed"])
    audit_record(
        action=Action.REFERRAL_DECLINED,
        actor=actor,
        subject=referral,
        request=request,
        organisation_id=referral.service_id,
    )
    return referral


@transaction.atomic
def referral_withdraw(
    *, referral: Referral, actor: User, request: HttpRequest | None = None
) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _decide(referral, actor, Referral.Status.WITHDRAWN)
    referral.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(
        action=Action.REFERRAL_WITHDRAWN,
        actor=actor,
        subject=referral,
        request=request,
        organisation_id=referral.service_id,
    )
    return referral


@transaction.atomic
def consultation_save(
    *,
    service: Organisation,
    actor: User,
    values: dict[str, Any],
    case: Case | None = None,
    request: HttpRequest | None = None,
) -> Consultation:
    """Record a consultation (advice given) or a request for one (from police or a partner)."""
    if case is not None:
        require_consent(
            case, Consent.Purpose.SHARE_ORGANISATION, organisation_name=values["organisation_name"]
        )
    requesting = bool(is_professional_referrer(actor))
    consultation = Consultation(
        service=service,
        organisation_name=values["organisation_name"],
        organisation_kind=values["organisation_kind"],
        requested_by=actor if requesting else None,
        advisor=None if requesting else actor,
        case=case,
        minutes=values.get("minutes") or 0,
    )
    # A request carries the situation and how to reach the requester; a consultation an
    # advocate records carries their role, the advice and any follow-up.
    names = ("role", "question", "situation", "contact", "advice", "follow_up")
    text = {name: values.get(name, "") for name in names}
    consultation.wrapped_key, consultation.sealed = seal_standalone(
        text, f"consultation:{consultation.uid}"
    )
    consultation.save()
    audit_record(
        action=Action.CONSULTATION_SAVED,
        actor=actor,
        subject=consultation,
        request=request,
        organisation_id=service.pk,
        extra={"kind": consultation.organisation_kind},
    )
    return consultation


@transaction.atomic
def consultation_advise(
    *,
    consultation: Consultation,
    advisor: User,
    advice: str,
    follow_up: str = "",
    minutes: int = 0,
    request: HttpRequest | None = None,
) -> Consultation:
    """Answer a request for advice: the requester then sees the advice on their page."""
    if consultation.advisor_id is not None:
        raise ValueError("This request has already been answered.")
    text = consultation_text(consultation)
    text.update(advice=advice, follow_up=follow_up)
    consultation.wrapped_key, consultation.sealed = seal_standalone(
        text, f"consultation:{consultation.uid}"
    )
    consultation.advisor, consultation.minutes = advisor, minutes
    consultation.save(update_fields=["wrapped_key", "sealed", "advisor", "minutes"])
    audit_record(
        action=Action.CONSULTATION_SAVED,
        actor=advisor,
        subject=consultation,
        request=request,
        organisation_id=consultation.service_id,
        extra={"kind": consultation.organisation_kind, "answered": True},
    )
    return consultation


def consultation_text(consultation: Consultation) -> dict[str, Any]:
    text: dict[str, Any] = open_standalone(
        consultation.wrapped_key, consultation.sealed, f"consultation:{consultation.uid}"
    )
    return text
