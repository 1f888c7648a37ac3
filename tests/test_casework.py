"""Casework: referrals, the case record, safe contact, consent, risk, plans and dashboards."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from daybook.audit.models import Action, AuditEvent
from daybook.cases import selectors, services
from daybook.cases.models import (
    Case,
    CaseStatus,
    ContactNote,
    LawfulBasis,
    Referral,
    ReferralOut,
    Task,
)
from daybook.casework import selectors as casework_selectors
from daybook.casework import services as casework_services
from daybook.casework.sections import SECTIONS
from daybook.risk.models import SafetyAction, Screening
from tests.conftest import Personas, make_user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def held_case(personas: Personas) -> Case:
    """A case the service holds for a client with no account, allocated to the advocate."""
    from daybook.cases.services import case_open

    case = case_open(
        created_by=personas.manager,
        service=personas.service,
        advocates=(personas.advocate,),
        label="Client A",
    )
    services.case_details_save(
        case=case,
        actor=personas.manager,
        client={"name": "Client A"},
        safe_contact={
            "safe_channels": ["phone"],
            "safe_times": "after 6pm",
            "voicemail_safe": "no",
            "code_word": "bluebird",
            "never_channels": ["letter"],
        },
    )
    return case


SELF_REFERRAL = {
    "name": "Robin",
    "safe_channels": ["phone"],
    "phone": "07700 900123",
    "safe_times": "Weekdays after 6pm",
    "voicemail_safe": "no",
    "what_is_happening": "My ex keeps turning up at work.",
    "urgency": "soon",
    "consent": "on",
}


def test_a_public_self_referral_is_triaged_accepted_and_allocated(
    client: Client, personas: Personas
) -> None:
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    response = client.post(reverse("cases:refer_yourself"), SELF_REFERRAL, follow=True)
    assert "Your request has been sent" in response.content.decode()
    referral = Referral.objects.get()
    assert (referral.status, referral.source, referral.service) == (
        "pending",
        "self_public",
        personas.service,
    )
    assert b"turning up at work" not in bytes(referral.details_sealed)

    manager = client_for(personas.manager)
    assert "self-referral (public form)" in manager.get(reverse("home")).content.decode()
    response = manager.post(reverse("cases:referral_accept", args=[referral.pk]))
    case = Referral.objects.get().case
    assert response["Location"] == reverse("cases:allocate", args=[case.pk])
    assert case.service == personas.service and case.status == CaseStatus.REFERRED
    assert case.referred_at == referral.created_at
    assert selectors.client_details(case)["name"] == "Robin"
    assert selectors.safe_contact(case)["safe_times"] == "Weekdays after 6pm"
    manager.post(reverse("cases:allocate", args=[case.pk]), {"advocates": [personas.advocate.pk]})
    case.refresh_from_db()
    assert case.status == CaseStatus.ALLOCATED
    assert list(case.advocates.all()) == [personas.advocate]
    assert (
        client_for(personas.advocate).get(reverse("cases:record", args=[case.pk])).status_code
        == 200
    )


def test_a_self_referral_without_safe_contact_or_consent_is_refused(
    client: Client, personas: Personas
) -> None:
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    answers = {**SELF_REFERRAL, "phone": "", "consent": ""}
    html = client.post(reverse("cases:refer_yourself"), answers).content.decode()
    assert "Give a safe phone number or e-mail address" in html
    assert "Agree to be contacted" in html
    assert not Referral.objects.exists()


def test_a_victim_refers_themselves_bringing_their_log(personas: Personas) -> None:
    from daybook.cases.services import case_open

    log = case_open(created_by=personas.outsider, owner=personas.outsider)
    person = client_for(personas.outsider)
    person.post(
        reverse("cases:referral_new"),
        {
            "bring_log": "on",
            "what_is_happening": "Calls at night",
            "safe_channels": ["phone"],
            "phone": "07700 900321",
            "safe_times": "mornings",
            "voicemail_safe": "no",
            "urgency": "routine",
        },
    )
    referral = Referral.objects.get()
    assert referral.case == log and referral.source == "self_account"
    casework_services.referral_accept(referral=referral, actor=personas.manager)
    log.refresh_from_db()
    assert log.service == personas.service and log.owner == personas.outsider
    listed = person.get(reverse("cases:referrals")).content.decode()
    assert ">Accepted</strong>" in listed and ">Pending</strong>" not in listed


def test_partners_see_only_the_status_of_their_own_referrals(personas: Personas) -> None:
    partner = client_for(personas.partner)
    response = partner.post(
        reverse("cases:referral_new"),
        {
            "name": "Jo",
            "safe_channels": ["phone"],
            "phone": "07700 900456",
            "voicemail_safe": "unknown",
            "urgency": "soon",
            "consent_basis": "consent",
            "what_is_happening": "Texts at night",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.referrer_organisation == personas.partner_agency
    page = partner.get(reverse("cases:referral", args=[referral.pk])).content.decode()
    assert "Pending" in page and "Texts at night" not in page
    other_partner = make_user(
        "p2@example.org", "partner_referrer", personas.partner_agency, mfa=True
    )
    assert (
        client_for(other_partner).get(reverse("cases:referral", args=[referral.pk])).status_code
        == 404
    )
    casework_services.referral_decline(
        referral=referral, actor=personas.manager, reason="Out of area"
    )
    assert (
        "Out of area" in partner.get(reverse("cases:referral", args=[referral.pk])).content.decode()
    )


def test_a_referral_without_consent_needs_a_reason(personas: Personas) -> None:
    police = client_for(personas.police)
    html = police.post(
        reverse("cases:referral_new"),
        {"name": "Jo", "phone": "1", "consent_basis": "vital_interests", "what_is_happening": "x"},
    ).content.decode()
    assert "Explain why the referral is made without consent" in html
    assert not Referral.objects.exists()


def test_declining_needs_a_reason_and_decisions_happen_once(personas: Personas) -> None:
    referral = casework_services.referral_make(
        service=personas.service, source="self_public", details={"name": "A"}
    )
    manager = client_for(personas.manager)
    manager.post(reverse("cases:referral_decline", args=[referral.pk]), {"reason": ""})
    assert Referral.objects.get().status == "pending"
    manager.post(reverse("cases:referral_decline", args=[referral.pk]), {"reason": "Duplicate"})
    assert Referral.objects.get().status == "declined"
    response = manager.post(reverse("cases:referral_accept", args=[referral.pk]), follow=True)
    assert "already been decided" in response.content.decode()
    assert Referral.objects.get().status == "declined"
    advocate = client_for(personas.advocate)
    other = casework_services.referral_make(
        service=personas.service, source="self_public", details={"name": "B"}
    )
    assert advocate.post(reverse("cases:referral_accept", args=[other.pk])).status_code == 403


def test_safe_contact_is_shown_before_every_contact_action(
    personas: Personas, held_case: Case
) -> None:
    advocate = client_for(personas.advocate)
    url = reverse("cases:section", args=[held_case.pk, "contact"])
    html = advocate.get(url).content.decode()
    assert html.index('data-testid="safe-contact"') < html.index("<form")
    assert "bluebird" in html and "after 6pm" in html
    record_html = advocate.get(reverse("cases:record", args=[held_case.pk])).content.decode()
    assert record_html.index('data-testid="safe-contact"') < record_html.index("Phone and e-mail")
    unchecked = {
        "happened_at": "2026-11-02T18:30",
        "channel": "phone",
        "direction": "outgoing",
        "duration_minutes": 10,
        "note": "Talked",
    }
    assert "Check the safe contact details" in advocate.post(url, unchecked).content.decode()
    assert not ContactNote.objects.exists()
    advocate.post(url, {**unchecked, "safe_contact_checked": "on"})
    held_case.refresh_from_db()
    assert held_case.first_contact_at is not None and held_case.status == CaseStatus.ACTIVE


def test_referrals_out_need_consent_or_a_recorded_lawful_basis(
    personas: Personas, held_case: Case
) -> None:
    advocate = client_for(personas.advocate)
    url = reverse("cases:section", args=[held_case.pk, "referrals-out"])
    data = {
        "organisation_name": "Housing Options",
        "made_on": "2026-11-03",
        "status": "made",
        "reason": "Move",
    }
    assert "needs the person" in advocate.post(url, data).content.decode()
    assert not ReferralOut.objects.exists()
    consent_url = reverse("cases:consent", args=[held_case.pk])
    advocate.post(
        consent_url,
        {
            "record_consent": "1",
            "purpose": "share_organisation",
            "detail": "Housing Options",
            "how": "verbal",
        },
    )
    assert advocate.post(url, data).status_code == 302
    from daybook.cases.models import Consent

    consent = Consent.objects.get(case=held_case)
    advocate.post(reverse("cases:consent_withdraw", args=[held_case.pk, consent.pk]))
    assert "needs the person" in advocate.post(url, data).content.decode()
    advocate.post(
        consent_url,
        {
            "record_basis": "1",
            "purpose": "share_organisation",
            "detail": "Housing Options",
            "basis": "Risk to life; could not reach her",
        },
    )
    assert LawfulBasis.objects.filter(case=held_case).exists()
    assert AuditEvent.objects.filter(action=Action.LAWFUL_BASIS_RECORDED).exists()
    assert advocate.post(url, data).status_code == 302
    assert ReferralOut.objects.count() == 2


def _screening(**answers: str) -> dict[str, str]:
    from daybook.risk.screening import TOPICS

    return {code: answers.get(code, "no") for code, _question in TOPICS}


def test_judgement_can_raise_risk_but_never_lower_it(personas: Personas, held_case: Case) -> None:
    advocate = client_for(personas.advocate)
    url = reverse("risk:screening", args=[held_case.pk])
    many = _screening(
        **dict.fromkeys(
            [
                "frightened",
                "turning_up",
                "loitering",
                "threats",
                "violence",
                "proxies",
                "violent_history",
            ],
            "yes",
        )
    )
    html = advocate.post(
        url, {**many, "judgement": "standard", "judgement_reason": "She seems fine"}
    ).content.decode()
    assert "never lower it" in html
    assert not Screening.objects.exists()
    assert (
        "Give the reason for raising the level"
        in advocate.post(url, {**_screening(), "judgement": "high"}).content.decode()
    )
    advocate.post(
        url,
        {
            **_screening(frightened="yes"),
            "judgement": "high",
            "judgement_reason": "Escalating fast",
        },
    )
    screening = Screening.objects.get()
    assert (screening.computed_level, screening.level, screening.yes_count) == (
        "standard",
        "high",
        1,
    )
    advocate.post(url, many)
    assert Screening.objects.order_by("-created_at").first().level == "high"


def test_risk_thresholds_are_set_by_the_service(
    personas: Personas, held_case: Case, settings
) -> None:
    from daybook.risk.services import screening_record

    settings.DAYBOOK_RISK_MEDIUM_AT, settings.DAYBOOK_RISK_HIGH_AT = 1, 2
    answers = {
        code: {"answer": value, "comment": ""}
        for code, value in _screening(frightened="yes").items()
    }
    assert (
        screening_record(case=held_case, author=personas.advocate, answers=answers).level
        == "medium"
    )


def test_the_person_sees_their_plan_and_orders_without_internal_notes(
    personas: Personas, case
) -> None:
    casework_services.casework_save(
        case=case,
        section=SECTIONS["safety-plan"],
        author=personas.advocate,
        values={
            "area": "travel",
            "action": "Vary the route to work",
            "owner": "person",
            "status": "to_do",
            "internal_note": "Worried he has a tracker",
        },
    )
    casework_services.casework_save(
        case=case,
        section=SECTIONS["orders"],
        author=personas.advocate,
        values={"kind": "spo", "status": "applied", "terms": "No contact", "breaches": []},
    )
    html = (
        client_for(personas.victim)
        .get(reverse("cases:my_support", args=[case.pk]))
        .content.decode()
    )
    assert "Vary the route to work" in html and "Stalking Protection Order" in html
    assert "Worried he has a tracker" not in html
    assert SafetyAction.objects.get().sealed


def test_reads_of_a_case_record_are_audited(personas: Personas, held_case: Case) -> None:
    client_for(personas.advocate).get(reverse("cases:record", args=[held_case.pk]))
    assert AuditEvent.objects.filter(
        action=Action.CASE_RECORD_VIEWED, actor=personas.advocate, subject_id=str(held_case.pk)
    ).exists()


@pytest.mark.parametrize(
    ("url_name", "data", "message"),
    [
        ("details", {"name": ""}, "This field is required"),
        (
            "safe_contact",
            {"safe_channels": ["phone"], "never_channels": ["phone"], "voicemail_safe": "no"},
            "cannot be both safe and never",
        ),
        ("status", {"status": "closed", "relationship": "stranger"}, "Give a reason for closing"),
        ("status", {"status": "vanished", "relationship": "stranger"}, "Select a valid choice"),
        ("perpetrator_add", {"names": ""}, "This field is required"),
    ],
)
def test_bad_input_on_case_forms_gets_a_clear_message_and_changes_nothing(
    personas: Personas, held_case: Case, url_name: str, data: dict, message: str
) -> None:
    before = (held_case.client_sealed, held_case.safe_contact_sealed, held_case.status)
    html = (
        client_for(personas.advocate)
        .post(reverse(f"cases:{url_name}", args=[held_case.pk]), data)
        .content.decode()
    )
    assert message in html
    held_case.refresh_from_db()
    assert (held_case.client_sealed, held_case.safe_contact_sealed, held_case.status) == before


@pytest.mark.parametrize("slug", list(SECTIONS))
def test_every_section_refuses_an_empty_form(
    personas: Personas, held_case: Case, slug: str
) -> None:
    html = (
        client_for(personas.advocate)
        .post(reverse("cases:section", args=[held_case.pk, slug]), {})
        .content.decode()
    )
    assert "There is a problem" in html
    assert not SECTIONS[slug].model.objects.exists()


def test_closing_needs_a_reason_and_a_case_can_be_reopened(
    personas: Personas, held_case: Case
) -> None:
    advocate = client_for(personas.advocate)
    url = reverse("cases:status", args=[held_case.pk])
    advocate.post(
        url,
        {
            "status": "closed",
            "closure_reason": "Support complete",
            "relationship": "ex_partner",
            "domestic": "yes",
        },
    )
    held_case.refresh_from_db()
    assert (
        held_case.closed_at
        and held_case.domestic is True
        and held_case.relationship == "ex_partner"
    )
    advocate.post(url, {"status": "active", "relationship": "ex_partner"})
    held_case.refresh_from_db()
    assert held_case.closed_at is None and held_case.status == "active"


def test_perpetrator_identifiers_are_sealed(personas: Personas, held_case: Case) -> None:
    from daybook.cases.models import Perpetrator

    client_for(personas.advocate).post(
        reverse("cases:perpetrator_add", args=[held_case.pk]),
        {
            "names": "Mark Smith",
            "phones": "07700 900999",
            "vehicles": "AB12 CDE",
            "handles": "instagram: @marks",
        },
    )
    perpetrator = Perpetrator.objects.get()
    assert b"Mark" not in bytes(perpetrator.sealed)
    assert casework_selectors.perpetrators(held_case)[0]["vehicles"] == ["AB12 CDE"]


def test_dashboards_show_caseload_risk_reviews_and_referrals(
    personas: Personas, held_case: Case
) -> None:
    import datetime as dt

    from daybook.risk.services import screening_record

    answers = {code: {"answer": "yes", "comment": ""} for code in _screening()}
    screening_record(
        case=held_case, author=personas.advocate, answers=answers, review_due=dt.date(2020, 1, 1)
    )
    casework_services.referral_make(
        service=personas.service, source="self_public", details={"name": "Z"}
    )
    advocate_html = client_for(personas.advocate).get(reverse("home")).content.decode()
    assert (
        held_case.reference in advocate_html
        and "High" in advocate_html
        and "Overdue" in advocate_html
    )
    manager = client_for(personas.manager).get(reverse("home"))
    assert len(manager.context["unallocated_referrals"]) == 1
    assert [case for case, _label in manager.context["high_risk"]] == [held_case]
    assert [case for case, _label in manager.context["overdue_reviews"]] == [held_case]
    assert "Advocate: 1" in manager.content.decode()
    assert not mail.outbox


def test_consultations_keep_no_client_identity_without_consent(
    personas: Personas, held_case: Case
) -> None:
    from daybook.cases.models import Consultation

    advocate = client_for(personas.advocate)
    url = reverse("cases:consultations")
    advice = {
        "organisation_name": "St Mary's GP surgery",
        "organisation_kind": "health",
        "role": "GP",
        "question": "A patient is being followed home",
        "advice": "Refer to us; keep a log",
        "minutes": 20,
    }
    assert advocate.post(url, advice).status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.case is None and consultation.advisor == personas.advocate
    assert b"followed home" not in bytes(consultation.sealed)
    html = advocate.post(url, {**advice, "case_reference": held_case.reference}).content.decode()
    assert "needs the person" in html
    assert Consultation.objects.count() == 1
    services.consent_record(
        case=held_case,
        actor=personas.advocate,
        purpose="share_organisation",
        how="verbal",
        detail="St Mary's GP surgery",
    )
    assert advocate.post(url, {**advice, "case_reference": held_case.reference}).status_code == 302
    assert Consultation.objects.filter(case=held_case).exists()


def test_partners_request_advice_and_see_only_their_own(personas: Personas) -> None:
    partner = client_for(personas.partner)
    request = {
        "organisation_name": "Victim Support",
        "organisation_kind": "voluntary",
        "question": "How do we help?",
        "situation": "A client is being followed to work",
        "contact": "01234 567890, mornings",
    }
    assert partner.post(reverse("cases:consultations"), request).status_code == 302
    assert "How do we help?" in partner.get(reverse("cases:consultations")).content.decode()
    assert (
        "How do we help?"
        in client_for(personas.manager).get(reverse("cases:consultations")).content.decode()
    )
    assert (
        "How do we help?"
        not in client_for(personas.police).get(reverse("cases:consultations")).content.decode()
    )
    for persona in (personas.victim, personas.commissioner):
        assert client_for(persona).get(reverse("cases:consultations")).status_code == 403


def test_the_advocate_home_lists_their_tasks_by_title_soonest_first(
    personas: Personas, case
) -> None:
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    for title, days in (("Ring the housing officer", 5), ("Chase the SPO hearing date", -1)):
        casework_services.casework_save(
            case=case,
            section=SECTIONS["tasks"],
            author=personas.advocate,
            values={
                "title": title,
                "due_on": today + dt.timedelta(days=days),
                "assignee": personas.advocate,
                "done": False,
            },
        )
    html = client_for(personas.advocate).get(reverse("home")).content.decode()
    chase, ring = html.index("Chase the SPO hearing date"), html.index("Ring the housing officer")
    assert chase < ring  # the overdue one first
    assert "Overdue" in html[chase:ring]
    task = Task.objects.get(case=case, due_on=today - dt.timedelta(days=1))
    assert reverse("cases:section_record", args=[case.pk, "tasks", task.pk]) in html
