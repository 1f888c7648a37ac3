"""Every write to the case itself: opening and erasing it, its details, status, allocation
and consent. One function each, audited in the same transaction."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from daybook import crypto
from daybook.accounts.models import Organisation, User
from daybook.accounts.policy import advocates_of
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case, CaseStatus, Consent, LawfulBasis
from daybook.cases.sealing import case_key, label_ad, seal_for


def json_value(value: Any) -> Any:
    """Dates as ISO text, so a form's answers can be sealed as JSON."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


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
            case, {k: json_value(v) for k, v in client.items()}, client_ad(case)
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
        case.closed_at = timezone.now()
        case.closure_reason_sealed = (
            seal_for(case, closure_reason, case.closure_reason_ad()) if closure_reason else None
        )
    elif status != CaseStatus.CLOSED and previous == CaseStatus.CLOSED:
        case.closed_at, case.closure_reason_sealed = None, None  # reopened
    case.save(
        update_fields=["status", "domestic", "relationship", "closed_at", "closure_reason_sealed"]
    )
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
def case_allocate(
    *, case: Case, actor: User, advocates: list[User], request: HttpRequest | None = None
) -> Case:
    if any(a not in advocates_of(case.service_id) for a in advocates):
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
    consent = Consent(case=case, created_by=actor, purpose=purpose, how=how)
    if detail.strip():  # the organisation or the channel, e.g. a phone number: sealed
        consent.sealed = seal_for(case, {"detail": detail.strip()}, consent.associated())
    consent.save()
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
    record = LawfulBasis(case=case, created_by=actor, purpose=purpose)
    record.sealed = seal_for(case, {"basis": basis, "detail": detail.strip()}, record.associated())
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


# --- Consultations --------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    created_by: User,
    owner: User | None = None,
    service: Organisation | None = None,
    advocates: tuple[User, ...] = (),
    label: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Start a log, with a fresh data key wrapped by the master key."""
    case = Case(owner=owner, service=service, created_by=created_by)
    data_key = crypto.new_data_key()
    case.wrapped_key = crypto.wrap_data_key(data_key, case.uid)
    case.key_id = crypto.key_id(crypto.master_key())
    if label:
        case.label_sealed = crypto.seal_text(data_key, label, label_ad(case.uid))
    case.save()
    if advocates:
        case.advocates.set(advocates)
    audit_record(
        action=Action.CASE_OPENED,
        actor=created_by,
        subject=case,
        request=request,
        organisation_id=service.pk if service else None,
    )
    return case


def case_label(case: Case) -> str:
    if not case.label_sealed:
        return ""
    return crypto.open_text(case_key(case), bytes(case.label_sealed), label_ad(case.uid))


@transaction.atomic
def case_erase(*, case: Case, actor: User | None, request: HttpRequest | None = None) -> None:
    """Destroy the case's key: every sealed field and file becomes unreadable for good.

    The last step of carrying out an erasure (daybook/erasure/services.py), which deletes
    every row and file about the case first and the case row after."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.wrapped_key = None
    case.label_sealed = case.closure_reason_sealed = None
    case.erased_at = timezone.now()
    case.save(update_fields=["wrapped_key", "label_sealed", "closure_reason_sealed", "erased_at"])
    audit_record(action=Action.CASE_ERASED, actor=actor, subject=case, request=request)
