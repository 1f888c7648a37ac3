"""Every write to casework: one function each, audited in the same transaction."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from daybook.accounts.models import Organisation, Role, User
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
    LawfulBasis,
    Perpetrator,
    Referral,
    Task,
)
from daybook.cases.sealing import open_standalone, seal_for, seal_standalone
from daybook.cases.sections import Section


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


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
    record = record or section.model(case=case, created_by=author)
    model_fields = {field.name for field in section.model._meta.get_fields()}
    for name, value in values.items():
        if name in model_fields and name not in section.sealed and name not in section.many:
            setattr(record, name, value)
    if isinstance(record, Task):
        done = bool(values.get("done"))
        record.done_at = (record.done_at or timezone.now()) if done else None
    record.sealed = seal_for(
        case, {name: _plain(values.get(name)) for name in section.sealed}, record.associated()
    )
    record.save()
    for name in section.many:
        getattr(record, name).set(values.get(name) or [])
    if section.many:  # e.g. entries linked as breaches of an order: the log reads differently
        from daybook.incidents.services import announce_change

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


# --- The case record ------------------------------------------------------------------


def client_ad(case: Case) -> str:
    return f"case:{case.uid}:client"


def safe_contact_ad(case: Case) -> str:
    return f"case:{case.uid}:safe_contact"


@transaction.atomic
def case_details_save(
    *,
    case: Case,
    actor: User,
    client: dict[str, Any] | None = None,
    safe_contact: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Case:
    fields = []
    if client is not None:
        case.client_sealed = seal_for(
            case, {k: _plain(v) for k, v in client.items()}, client_ad(case)
        )
        fields.append("client_sealed")
    if safe_contact is not None:
        case.safe_contact_sealed = seal_for(case, safe_contact, safe_contact_ad(case))
        fields.append("safe_contact_sealed")
    case.save(update_fields=fields)
    audit_record(
        action=Action.CASE_UPDATED,
        actor=actor,
        subject=case,
        request=request,
        organisation_id=case.service_id,
        extra={"parts": fields},
    )
    return case


@transaction.atomic
def case_status_set(
    *,
    case: Case,
    actor: User,
    status: str,
    closure_reason: str = "",
    domestic: bool | None = None,
    relationship: str = "",
    request: HttpRequest | None = None,
) -> Case:
    previous = case.status
    case.status = status
    case.domestic = domestic
    if relationship:
        case.relationship = relationship
    if status == CaseStatus.CLOSED and previous != CaseStatus.CLOSED:
        case.closed_at, case.closure_reason = timezone.now(), closure_reason
    elif status != CaseStatus.CLOSED and previous == CaseStatus.CLOSED:
        case.closed_at, case.closure_reason = None, ""  # reopened
    case.save(update_fields=["status", "domestic", "relationship", "closed_at", "closure_reason"])
    audit_record(
        action=Action.CASE_UPDATED,
        actor=actor,
        subject=case,
        request=request,
        organisation_id=case.service_id,
        extra={"from": previous, "to": status},
    )
    return case


@transaction.atomic
def perpetrator_add(
    *, case: Case, actor: User, identifiers: dict[str, Any], request: HttpRequest | None = None
) -> Perpetrator:
    perpetrator = Perpetrator(case=case, created_by=actor)
    perpetrator.sealed = seal_for(case, identifiers, perpetrator.associated())
    perpetrator.save()
    from daybook.insights.services import identifiers_index

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
def case_allocate(
    *, case: Case, actor: User, advocates: list[User], request: HttpRequest | None = None
) -> Case:
    if any(a.organisation_id != case.service_id or a.role != Role.ADVOCATE for a in advocates):
        raise ValueError("Only advocates of the holding service can be allocated.")
    case.advocates.set(advocates)
    if case.status == CaseStatus.REFERRED and advocates:
        case.status = CaseStatus.ALLOCATED
        case.save(update_fields=["status"])
    audit_record(
        action=Action.CASE_ALLOCATED,
        actor=actor,
        subject=case,
        request=request,
        organisation_id=case.service_id,
        extra={"advocates": sorted(a.pk for a in advocates)},
    )
    return case


# --- Consent --------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    case: Case,
    actor: User,
    purpose: str,
    how: str,
    detail: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    consent = Consent.objects.create(
        case=case, created_by=actor, purpose=purpose, how=how, detail=detail.strip()
    )
    audit_record(
        action=Action.CONSENT_RECORDED,
        actor=actor,
        subject=consent,
        request=request,
        organisation_id=case.service_id,
        extra={"purpose": purpose, "case": case.pk},
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, actor: User, request: HttpRequest | None = None
) -> Consent:
    consent.withdrawn_at, consent.withdrawn_by = timezone.now(), actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        action=Action.CONSENT_WITHDRAWN,
        actor=actor,
        subject=consent,
        request=request,
        organisation_id=consent.case.service_id,
        extra={"purpose": consent.purpose},
    )
    return consent


@transaction.atomic
def lawful_basis_record(
    *,
    case: Case,
    actor: User,
    purpose: str,
    basis: str,
    detail: str = "",
    request: HttpRequest | None = None,
) -> LawfulBasis:
    """The audited override: acting without consent, with the reason written down."""
    record = LawfulBasis(case=case, created_by=actor, purpose=purpose, detail=detail.strip())
    record.sealed = seal_for(case, {"basis": basis}, record.associated())
    record.save()
    audit_record(
        action=Action.LAWFUL_BASIS_RECORDED,
        actor=actor,
        subject=record,
        request=request,
        organisation_id=case.service_id,
        extra={"purpose": purpose, "case": case.pk},
    )
    return record


# --- Referrals ------------------------------------------------------------------------


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
    from daybook.incidents.services import case_open

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
    referral.decline_reason = reason
    referral.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
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


# --- Consultations --------------------------------------------------------------------


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
    requesting = actor.role in (Role.POLICE_LIAISON, Role.PARTNER_REFERRER)
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
