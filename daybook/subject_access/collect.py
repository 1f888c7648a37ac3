"""Everything Daybook holds about one person, gathered as plain JSON-ready data.

The scope is a person's account (if they have one) and a list of cases: for a request from
their account, the logs they own; for a request made by letter, the one case the service
holds. Casework records a manager withheld (another person's data, or another exemption of
the Data Protection Act 2018, Schedule 2) are left out. Who else read the person's logs is
given by role and organisation, never by name: the staff members' own names are their data.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from daybook import crypto
from daybook.accounts.models import User
from daybook.audit.models import SIGN_IN_ACTIONS, AuditEvent
from daybook.audit.services import audit_events_about
from daybook.cases.models import (
    Case,
    CaseRecord,
    Consent,
    Consultation,
    LawfulBasis,
    Perpetrator,
    Referral,
)
from daybook.cases.sealing import CaseErased, open_for
from daybook.cases.services import client_ad, safe_contact_ad
from daybook.casework.sections import SECTIONS
from daybook.casework.selectors import section_rows
from daybook.casework.services import consultation_text, referral_details
from daybook.drafts.models import Draft
from daybook.drafts.services import draft_open
from daybook.incidents import keys
from daybook.incidents.models import ChainRecord, Entry, Evidence
from daybook.incidents.services import current_contents, evidence_bytes
from daybook.risk.models import Screening
from daybook.sharing.models import Share


@dataclass
class EvidenceFile:
    """One evidence file to put in the ZIP, under `path`."""

    path: str
    data: bytes


@dataclass
class Collected:
    data: dict[str, Any]
    files: list[EvidenceFile] = field(default_factory=list)


def _when(moment: dt.datetime | dt.date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _organisation(user: User | None) -> str:
    if user is None or user.organisation is None:
        return ""
    return user.organisation.name


def _who(user: User | None, person: User | None) -> str:
    """Who did something, as the person may be told it: themselves, or a role and where."""
    if user is None:
        return "Daybook"
    if person is not None and user.pk == person.pk:
        return "You"
    if user.organisation is None:
        return user.get_role_display()
    return f"{user.get_role_display()}, {user.organisation.name}"


def _drafts(person: User) -> list[dict[str, Any]]:
    """What the person has written in a form and not yet sent, as they left it."""
    found = []
    for draft in Draft.objects.filter(owner=person).order_by("updated_at", "id"):
        try:
            content: Any = draft_open(draft)
        except (CaseErased, crypto.DecryptionError):
            continue  # its case was erased: nothing of it can be read any more
        found.append(
            {
                "form": draft.form_key.split(":", 1)[0],
                "saved_at": _when(draft.updated_at),
                "content": content.get("fields", content) if isinstance(content, dict) else {},
            }
        )
    return found


def account(person: User) -> dict[str, Any]:
    sign_ins = audit_events_about(person).filter(action__in=SIGN_IN_ACTIONS).order_by("at", "id")
    return {
        "name": person.name,
        "email": person.email,
        "role": person.get_role_display(),
        "joined": _when(person.date_joined),
        "sign_in_history": [
            {"at": _when(event.at), "what": event.get_action_display(), "ip": event.ip}
            for event in sign_ins
        ],
    }


def _safe_name(name: str) -> str:
    """A file name from the person's own upload, safe as a ZIP member name anywhere."""
    kept = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name).strip(" .")
    return kept[:80] or "file"


def _entries(case: Case, person: User | None, files: list[EvidenceFile]) -> list[dict[str, Any]]:
    key = keys.case_key(case)
    entries = list(
        Entry.objects.filter(case=case)
        .select_related("recorded_by__organisation")
        .order_by("occurred_at", "id")
    )
    contents = current_contents(entries, case, key)
    history: dict[int, list[dict[str, Any]]] = {}
    records = (
        ChainRecord.objects.filter(case=case)
        .select_related("recorded_by__organisation")
        .order_by("seq")
    )
    for record in records:
        body = keys.open_json(key, record.body_sealed, keys.chain_body_ad(record.rid))
        history.setdefault(record.entry_id, []).append(
            {
                "record": record.seq,
                "kind": record.get_kind_display(),
                "recorded_at": _when(record.recorded_at),
                "recorded_by": _who(record.recorded_by, person),
                "how": record.get_recorded_how_display(),
                "content": body,
                "hash": record.hash,
            }
        )
    evidence_of: dict[int, list[dict[str, Any]]] = {}
    for evidence in Evidence.objects.filter(entry__case=case).order_by("uploaded_at", "id"):
        meta = keys.open_json(key, evidence.meta_sealed, keys.evidence_meta_ad(evidence.uid))
        path = (
            f"evidence/{case.reference}/{evidence.uid[:8]}-{_safe_name(str(meta.get('name', '')))}"
        )
        files.append(EvidenceFile(path, evidence_bytes(evidence, key)))
        evidence_of.setdefault(evidence.entry_id, []).append(
            {
                "file": path,
                "name": meta.get("name", ""),
                "type": evidence.content_type,
                "size": evidence.size,
                "sha256": evidence.sha256,
                "uploaded_at": _when(evidence.uploaded_at),
                "withdrawn": evidence.withdrawn,
            }
        )
    return [
        {
            "status": entry.get_status_display(),
            "occurred_on": _when(entry.occurred_on),
            "recorded_at": _when(entry.recorded_at),
            "recorded_by": _who(entry.recorded_by, person),
            "content": contents.get(entry.pk, {}),
            "history": history.get(entry.pk, []),
            "evidence": evidence_of.get(entry.pk, []),
        }
        for entry in entries
    ]


def _answer(value: object) -> str:
    """A casework form's answer as text: dates as ISO text, yes or no for a tick box."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _not_withheld(records: Iterable[CaseRecord]) -> list[Any]:
    return [record for record in records if not record.withheld]


def _case_record(case: Case) -> dict[str, Any]:
    """The service's record of the case: its details and each casework section, with what a
    manager withheld left out."""
    sections = []
    for section in SECTIONS.values():
        rows = [row for row in section_rows(case, section) if not row["record"].withheld]
        if not rows:
            continue
        sections.append(
            {
                "section": section.title,
                "records": [
                    {
                        "recorded_at": _when(row["record"].created_at),
                        "answers": {str(label): _answer(value) for label, value in row["items"]},
                    }
                    for row in rows
                ],
            }
        )
    screenings = _not_withheld(Screening.objects.filter(case=case).order_by("created_at"))
    perpetrators = _not_withheld(Perpetrator.objects.filter(case=case).order_by("created_at"))
    return {
        "service": case.service.name if case.service else "",
        "status": case.get_status_display(),
        "referred_at": _when(case.referred_at),
        "first_contact_at": _when(case.first_contact_at),
        "closed_at": _when(case.closed_at),
        "closure_reason": case.closure_reason,
        "client_details": open_for(case, case.client_sealed, client_ad(case), {}),
        "safe_contact": open_for(case, case.safe_contact_sealed, safe_contact_ad(case), {}),
        "perpetrators": [item.opened() for item in perpetrators],
        "risk_screenings": [
            {
                "recorded_at": _when(item.created_at),
                "level": item.get_level_display(),
                "yes_answers": item.yes_count,
                "answers": item.opened(),
            }
            for item in screenings
        ],
        "sections": sections,
    }


def _consents(case: Case, person: User | None) -> list[dict[str, Any]]:
    consents = _not_withheld(
        Consent.objects.filter(case=case).select_related("organisation").order_by("created_at")
    )
    bases = _not_withheld(
        LawfulBasis.objects.filter(case=case).select_related("organisation").order_by("created_at")
    )
    found = [
        {
            "purpose": consent.get_purpose_display(),
            "organisation": consent.organisation.name if consent.organisation else "",
            "detail": consent.detail,
            "how": consent.get_how_display(),
            "recorded_at": _when(consent.created_at),
            "withdrawn_at": _when(consent.withdrawn_at),
            "lawful_basis_without_consent": "",
        }
        for consent in consents
    ]
    found += [
        {
            "purpose": basis.get_purpose_display(),
            "organisation": basis.organisation.name if basis.organisation else "",
            "detail": basis.detail,
            "how": "Without consent, on a recorded lawful basis",
            "recorded_at": _when(basis.created_at),
            "withdrawn_at": None,
            "lawful_basis_without_consent": str(basis.opened().get("basis", "")),
        }
        for basis in bases
    ]
    return found


def _referral(referral: Referral) -> dict[str, Any]:
    return {
        "reference": referral.reference,
        "to": referral.service.name,
        "source": referral.get_source_display(),
        "referred_by": referral.referrer_organisation.name
        if referral.referrer_organisation
        else "",
        "basis": referral.get_consent_basis_display(),
        "status": referral.get_status_display(),
        "made_at": _when(referral.created_at),
        "decided_at": _when(referral.decided_at),
        "decline_reason": referral.decline_reason,
        "details": referral_details(referral),
    }


# What a consultation about the case says of the person. How to reach the professional who
# asked is theirs, not the person's, and is left out.
CONSULTATION_TEXTS = ("role", "question", "situation", "advice", "follow_up")


def _consultations(case: Case) -> list[dict[str, Any]]:
    """Advice the service gave another organisation about this case, once it was linked to
    the case (with the person's consent to share with that organisation)."""
    found = []
    for consultation in Consultation.objects.filter(case=case).order_by("created_at"):
        text = consultation_text(consultation)
        found.append(
            {
                "with": consultation.organisation_name,
                "kind": consultation.get_organisation_kind_display(),
                "at": _when(consultation.created_at),
                **{name: str(text.get(name) or "") for name in CONSULTATION_TEXTS},
            }
        )
    return found


def _shares(case: Case, person: User | None) -> list[dict[str, Any]]:
    return [
        {
            "with": share.police.name,
            "what": share.what,
            "details_to_keep_private_included": share.include_private,
            "shared_at": _when(share.created_at),
            "shared_by": _who(share.created_by, person),
            "stopped_at": _when(share.revoked_at),
        }
        for share in Share.objects.filter(case=case)
        .select_related("police", "created_by__organisation")
        .order_by("created_at")
    ]


def _views(cases: list[Case], person: User | None) -> list[dict[str, Any]]:
    """Who, other than the person, read or changed their logs and records: the audit rows
    about the cases (or naming them), newest first."""
    ids = [case.pk for case in cases]
    about = Q(subject_type="cases.case", subject_id__in=[str(pk) for pk in ids]) | Q(
        extra__case__in=ids
    )
    events = AuditEvent.objects.filter(about).select_related("actor__organisation")
    if person is not None:
        events = events.exclude(actor=person)
    reference = {case.pk: case.reference for case in cases}
    found = []
    # Every row, however many: a copy that stopped at a limit would not be everything held.
    for event in events.order_by("-at", "-id").iterator(chunk_size=2000):
        case_id = event.extra.get("case") if isinstance(event.extra, dict) else None
        if case_id is None and event.subject_type == "cases.case":
            case_id = int(event.subject_id)
        found.append(
            {
                "at": _when(event.at),
                "who": _who(event.actor, person),
                "organisation": _organisation(event.actor),
                "role": event.actor.get_role_display() if event.actor else "",
                "action": event.get_action_display(),
                "log": reference.get(int(case_id), "") if case_id is not None else "",
            }
        )
    return found


def collect(*, person: User | None, cases: list[Case], produced_at: dt.datetime) -> Collected:
    """Everything held about `person` (if they have an account) in `cases`, and their
    evidence files."""
    files: list[EvidenceFile] = []
    logs = []
    referrals: dict[int, Referral] = {}
    for referral in Referral.objects.filter(case__in=cases).select_related(
        "service", "referrer_organisation"
    ):
        referrals[referral.pk] = referral
    if person is not None:
        for referral in Referral.objects.filter(
            referrer=person, source=Referral.Source.SELF_ACCOUNT
        ).select_related("service", "referrer_organisation"):
            referrals[referral.pk] = referral
    for case in cases:
        logs.append(
            {
                "reference": case.reference,
                "started_at": _when(case.created_at),
                "entries": _entries(case, person, files),
                "case_record": _case_record(case) if case.service_id else None,
                "consents": _consents(case, person),
                "consultations": _consultations(case) if case.service_id else [],
                "shares": _shares(case, person),
            }
        )
    data = {
        "produced_at": produced_at.isoformat(),
        "account": account(person) if person is not None else None,
        "drafts": _drafts(person) if person is not None else [],
        "logs": logs,
        "referrals": [
            _referral(referral)
            for referral in sorted(referrals.values(), key=lambda item: item.created_at)
        ],
        "views": _views(cases, person),
    }
    return Collected(data=data, files=files)
