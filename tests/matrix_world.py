"""The world the permission matrix is asked in: one case, everything that hangs off it, and one
person for each place someone can stand in relation to it.

Each persona is a real account signed in the way that persona would be: people who have just
confirmed it's them (so sensitive pages answer by policy, not by asking for the password), a
member of staff who never set up two-step verification, an account switched off after its
owner signed in, and nobody at all.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import reverse

from daybook.accounts.models import Invitation, Organisation, Role, User
from daybook.accounts.services import token_hash
from daybook.cases.models import Case, CaseStatus, OrderBreach, Referral
from daybook.cases.services import case_open, consent_record
from daybook.casework.sections import SECTIONS
from daybook.casework.services import consultation_save, referral_make
from daybook.drafts.kinds import form_key, place_of
from daybook.drafts.services import draft_save
from daybook.erasure.services import erasure_request
from daybook.imports.services import import_upload
from daybook.incidents.evidence import check_upload
from daybook.incidents.services import entry_draft_save, entry_record, evidence_add
from daybook.insights.models import EscalationAlert
from daybook.reports import chronology
from daybook.reports.services import report_build, report_request
from daybook.retention.models import RetentionReview
from daybook.sharing.services import share_create
from daybook.subject_access.services import (
    subject_access_build,
    subject_access_request,
    subject_access_request_by_letter,
)
from tests.conftest import PASSWORD, Personas, entry_values, make_user
from tests.test_evidence import PNG

# The columns of the matrix, in the order the table lists them.
PERSONAS = (
    "owner",  # the person whose case it is
    "other_victim",  # someone else keeping a log of their own
    "advocate",  # allocated to the case
    "unallocated",  # an advocate of the holding service, not allocated to the case
    "other_advocate",  # an advocate of another support service
    "manager",  # manager of the holding service
    "other_manager",  # manager of another support service
    "police",  # liaison officer of the force the log is shared with
    "other_police",  # liaison officer of a force it is not shared with
    "partner",  # a partner agency's referrer, who referred this person
    "commissioner",
    "administrator",
    "no_mfa",  # an advocate allocated to the case who never set up two-step verification
    "deactivated",  # an advocate allocated to the case, switched off after signing in
    "anonymous",
)


@dataclass
class World:
    users: dict[str, User | None]
    case: Case
    kwargs: dict[str, Any]  # URL arguments, by the name the URL configuration gives them
    slugs: list[str]
    records: dict[str, int]  # one casework record of each section, by slug


def _section_record(case: Case, slug: str, author: User) -> int:
    """A record of one casework section, with a plain value in every required field."""
    model = SECTIONS[slug].model
    record = model(case=case, created_by=author)
    for field in model._meta.concrete_fields:
        if (
            field.name in ("id", "case", "uid", "created_at", "created_by", "sealed")
            or field.null
            or field.has_default()
        ):
            continue
        kind = field.get_internal_type()
        if kind == "DateField":
            value: object = dt.date(2026, 1, 1)
        elif kind == "DateTimeField":
            value = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        elif field.choices:
            value = field.choices[0][0]
        elif kind == "BooleanField":
            value = False
        elif "Integer" in kind:
            value = 1
        else:
            value = "x"
        setattr(record, field.name, value)
    record.save()
    return record.pk


def build_world(personas: Personas, case: Case) -> World:
    service, other_service = personas.service, personas.other_service
    other_force = Organisation.objects.create(
        name="Southshire Police", kind=Organisation.Kind.POLICE_FORCE
    )
    unallocated = make_user("unallocated@example.org", Role.ADVOCATE, service, mfa=True)
    other_manager = make_user(
        "other.manager@example.org", Role.SERVICE_MANAGER, other_service, mfa=True
    )
    other_police = make_user("other.police@example.org", Role.POLICE_LIAISON, other_force, mfa=True)
    no_mfa = make_user("no.mfa@example.org", Role.ADVOCATE, service, mfa=False)
    deactivated = make_user("deactivated@example.org", Role.ADVOCATE, service, mfa=True)
    case.advocates.add(no_mfa, deactivated)

    victim = personas.victim
    entry = entry_record(case=case, author=victim, how="victim", values=entry_values())
    entry_draft = entry_draft_save(case=case, author=victim, how="victim", values=entry_values())
    evidence = evidence_add(
        entry=entry, author=victim, how="victim", checked=check_upload("a.png", PNG)
    )
    consent = consent_record(case=case, actor=personas.advocate, purpose="support", how="verbal")
    records = {slug: _section_record(case, slug, personas.advocate) for slug in SECTIONS}
    # The person's own copy of their data, and one a manager produced for a letter.
    own_copy = subject_access_request(person=victim)
    subject_access_build(own_copy)
    letter_copy = subject_access_request_by_letter(case=case, actor=personas.manager)
    subject_access_build(letter_copy)

    report = report_request(case=case, actor=victim, kind="chronology", profile="police")
    report_build(report)
    share = share_create(case=case, actor=victim, police=personas.police_force)
    shared_report = report_request(
        case=case,
        actor=personas.police,
        kind="chronology",
        profile=chronology.DISCLOSABLE,
        share=share,
    )
    report_build(shared_report)
    job = import_upload(case=case, actor=victim, name="chat.txt", data=b"12/01/24, 21:05 - A: hi\n")
    alert = EscalationAlert.objects.create(
        case=case, kind="threat", signature="threat:x", facts={"on": "2026-01-01"}
    )
    key = form_key("incidents.record", case.pk)
    draft = draft_save(
        owner=victim,
        key=key,
        place=place_of(victim, key),
        payload={"fields": {"what_happened": ["He was there again"]}, "texts": []},
    )
    referral = referral_make(
        service=service,
        source=Referral.Source.PARTNER,
        details={"name": "Client", "consent_basis": "consent"},
        referrer=personas.partner,
    )
    consultation = consultation_save(
        service=service,
        actor=personas.partner,
        values={
            "organisation_name": "Northshire Victim Support",
            "organisation_kind": "partner",
            "question": "How do we help?",
        },
    )
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        organisation=service,
        email="invited@example.org",
        role=Role.ADVOCATE,
        token_hash=token_hash(token),
        invited_by=personas.manager,
        expires_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    )
    users: dict[str, User | None] = {
        "owner": victim,
        "other_victim": personas.outsider,
        "advocate": personas.advocate,
        "unallocated": unallocated,
        "other_advocate": personas.other_advocate,
        "manager": personas.manager,
        "other_manager": other_manager,
        "police": personas.police,
        "other_police": other_police,
        "partner": personas.partner,
        "commissioner": personas.commissioner,
        "administrator": personas.administrator,
        "no_mfa": no_mfa,
        "deactivated": deactivated,
        "anonymous": None,
    }
    kwargs = {
        "case_id": case.pk,
        "entry_id": entry.pk,
        "evidence_id": evidence.pk,
        "consent_id": consent.pk,
        "report_id": report.pk,
        "share_id": share.pk,
        "job_id": job.pk,
        "alert_id": alert.pk,
        "referral_id": referral.pk,
        "consultation_id": consultation.pk,
        "organisation_id": service.pk,
        "police_force_id": personas.police_force.pk,
        "user_id": unallocated.pk,
        "token": token,
        "copy_id": own_copy.pk,
        "letter_id": letter_copy.pk,
        # A casework record a manager may withhold from the person's copy.
        "uid": SECTIONS["contact"].model.objects.get(pk=records["contact"]).uid,
    }
    # The same name means a different object in two places: an entry draft in the log, a
    # saved form on the Drafts page; a report of the case, or one the police made from a share.
    kwargs["drafts:draft_id"] = draft.pk
    kwargs["incidents:draft_id"] = entry_draft.pk
    kwargs["police:report_id"] = shared_report.pk
    kwargs["order_id"] = records["orders"]
    kwargs["breach_id"] = OrderBreach.objects.create(
        protectiveorder_id=records["orders"], entry=entry
    ).pk
    # Another case of the service, closed long ago, waiting for its manager's retention review.
    closed = case_open(created_by=personas.advocate, service=service)
    Case.objects.filter(pk=closed.pk).update(
        status=CaseStatus.CLOSED, closed_at=dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    )
    kwargs["review_id"] = RetentionReview.objects.create(
        case=closed, service=service, due_on=dt.date(2025, 1, 1)
    ).pk
    # An erasure of the case its service's manager asked for, waiting out its undo window.
    kwargs["erasure_id"] = erasure_request(case=case, actor=personas.manager, reason="person").pk
    return World(users=users, case=case, kwargs=kwargs, slugs=list(SECTIONS), records=records)


def signed_in_client(world: World, persona: str, *, confirmed: bool = True) -> Client:
    """A client as `persona` stands: signed in and, if `confirmed`, having just confirmed it's
    them with their password, so pages that ask for that answer by policy alone.

    The deactivated persona signed in before their account was switched off."""
    client = Client(raise_request_exception=False)
    user = world.users[persona]
    if user is None:
        return client
    client.force_login(user)
    if persona == "deactivated":
        User.objects.filter(pk=user.pk).update(is_active=False)
        return client
    if not confirmed:
        return client
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, (persona, response.status_code)
    return client
