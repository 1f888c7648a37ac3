"""Referrals triaged at a glance, and staff case lists that filter: through the real views."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daybook.audit.models import Action, AuditEvent
from daybook.cases import selectors as case_selectors
from daybook.cases import services as case_services
from daybook.cases.models import Case, CaseStatus, Referral
from daybook.casework import forms, services
from tests.conftest import Personas, make_user

PARTNER_REFERRAL = {
    "name": "Jordan Reyes",
    "safe_channels": ["phone", "text"],
    "phone": "07700 900456",
    "email": "",
    "safe_times": "Weekdays before 10am",
    "voicemail_safe": "no",
    "never_channels": ["letter", "email"],
    "urgency": "urgent",
    "consent_basis": "consent",
    "what_is_happening": "A former colleague waits outside the office every evening.",
}

OWN_REQUEST = {
    "what_is_happening": "Someone keeps messaging me from new accounts.",
    "safe_channels": ["email", "text"],
    "phone": "07700 900789",
    "email": "safe.address@example.org",
    "safe_times": "Evenings",
    "voicemail_safe": "no",
    "never_channels": ["phone"],
    "urgency": "soon",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def partner_refers(personas: Personas, **changes: object) -> Referral:
    response = client_for(personas.partner).post(
        reverse("cases:referral_new"), {**PARTNER_REFERRAL, **changes}
    )
    assert response.status_code == 302, response.content.decode()
    return Referral.objects.latest("created_at")


def make_referral(personas: Personas, name: str, **fields: object) -> Referral:
    return services.referral_make(
        service=personas.service,
        source=fields.pop("source", Referral.Source.SELF_PUBLIC),
        details={"name": name, "phone": "07700 900000", "voicemail_safe": "no"},
        urgency=fields.pop("urgency", Referral.Urgency.ROUTINE),
        referrer=fields.pop("referrer", None),
    )


# --- The referral, read by the service -------------------------------------------------


def test_the_manager_reads_each_answer_under_its_question_with_safe_contact_first(
    personas: Personas,
) -> None:
    referral = partner_refers(personas)
    assert referral.urgency == Referral.Urgency.URGENT and referral.reference.startswith("RF-")
    html = client_for(personas.manager).get(reverse("cases:referral", args=[referral.pk]))
    page = html.content.decode()

    # The questions the form asked, never the keys the answers are stored under.
    for question in ("Safe ways to contact them", "Safe times to contact", "What is happening"):
        assert f">{question}</dt>" in page
    for raw in ("Safetimes", "Consentbasis", "Whatishappening", "safe_channels", "['phone'"):
        assert raw not in page
    # Answers as the person chose them: choice labels, lists joined.
    assert "Phone call, Text message" in page
    assert "Letter, E-mail" in page
    assert "The person agreed to this referral" in page and ">consent<" not in page
    # Safe contact comes before anything else about the person.
    safe = page.index('data-testid="safe-contact"')
    assert safe < page.index("Jordan Reyes")
    assert safe < page.index('data-testid="referral-summary"')
    assert page.index("Weekdays before 10am") < page.index('data-testid="referral-summary"')
    assert "Do not leave a voicemail" in page
    # Who referred, and how urgent it is.
    assert "Northshire Victim Support: Partner" in page
    assert "Urgent</strong> (contact within 1 working day)" in page
    assert "Jordan Reyes" in page


def test_reading_a_referral_is_audited(personas: Personas) -> None:
    referral = make_referral(personas, "Sam")
    client_for(personas.advocate).get(reverse("cases:referral", args=[referral.pk]))
    event = AuditEvent.objects.get(action=Action.REFERRAL_VIEWED)
    assert event.actor == personas.advocate


def test_every_kind_of_referral_labels_its_answers_from_its_own_form() -> None:
    for source, form in forms.REFERRAL_FORMS.items():
        details = dict.fromkeys(form.base_fields, "")
        questions = [question for question, _answer in forms.referral_answers(source, details)]
        assert questions == [str(field.label) for field in form.base_fields.values()]
    answers = dict(
        forms.referral_answers(
            Referral.Source.SELF_ACCOUNT,
            {"name": "Robin", "bring_log": True, "safe_channels": ["email"], "urgency": "urgent"},
        )
    )
    assert answers["Name"] == "Robin"
    assert answers["Share my log with the service so they can see what has happened"] == "Yes"
    assert answers["How can we contact you safely?"] == "E-mail"
    assert answers["How soon do you need to hear from us?"] == "As soon as possible"


def test_accepting_keeps_every_safe_channel_and_the_ways_never_to_use(
    personas: Personas,
) -> None:
    referral = partner_refers(personas)
    case = services.referral_accept(referral=referral, actor=personas.manager)
    safe = case_selectors.safe_contact(case)
    assert safe["safe_channels"] == ["phone", "text"]
    assert safe["never_channels"] == ["letter", "email"]
    assert safe["voicemail_safe"] == "no"


def test_a_referral_from_before_channels_were_asked_still_says_how_to_make_contact(
    personas: Personas,
) -> None:
    referral = make_referral(personas, "Alex")
    page = client_for(personas.manager).get(reverse("cases:referral", args=[referral.pk]))
    assert "Phone call" in page.content.decode()
    assert "07700 900000" in page.content.decode()


# --- The referral list ------------------------------------------------------------------


def test_the_list_shows_name_age_urgency_referrer_and_status(personas: Personas) -> None:
    referral = partner_refers(personas)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3, hours=2)
    )
    make_referral(personas, "Robin", urgency=Referral.Urgency.SOON)
    page = client_for(personas.manager).get(reverse("cases:referrals")).content.decode()
    assert "Jordan Reyes" in page and "Robin" in page
    assert ">3 days</span>" in page and ">Less than a day</span>" in page
    assert ">Urgent</strong>" in page and ">Soon</strong>" in page
    assert "Northshire Victim Support: Partner" in page
    assert ">Pending</strong>" in page


def test_the_list_filters_by_status_urgency_and_source(personas: Personas) -> None:
    make_referral(personas, "Urgent Una", urgency=Referral.Urgency.URGENT)
    make_referral(personas, "Routine Rob")
    police = make_referral(
        personas, "Police Pat", source=Referral.Source.POLICE, referrer=personas.police
    )
    declined = make_referral(personas, "Declined Dee")
    services.referral_decline(referral=declined, actor=personas.manager, reason="Duplicate")
    manager = client_for(personas.manager)

    def names(**query: str) -> set[str]:
        response = manager.get(reverse("cases:referrals"), query)
        rows = response.context["rows"]
        return {name for _referral, name, _age in rows}

    assert names() == {"Urgent Una", "Routine Rob", "Police Pat", "Declined Dee"}
    assert names(urgency="urgent") == {"Urgent Una"}
    assert names(status="declined") == {"Declined Dee"}
    assert names(source="police") == {"Police Pat"}
    assert names(status="pending", urgency="routine") == {"Routine Rob", "Police Pat"}
    # A value the filter does not offer is ignored rather than hiding everything.
    assert len(names(urgency="whenever")) == 4
    assert police.referred_by == "Northshire Police: Police"


def test_only_the_names_on_the_page_are_unsealed(personas: Personas) -> None:
    for number in range(30):
        make_referral(personas, f"Person {number}")
    manager = client_for(personas.manager)
    with mock.patch.object(services, "referral_details", wraps=services.referral_details) as opened:
        first = manager.get(reverse("cases:referrals"))
    assert opened.call_count == 25
    assert len(first.context["rows"]) == 25
    second = manager.get(reverse("cases:referrals"), {"page": 2})
    assert len(second.context["rows"]) == 5
    assert "Page 2 of 2" in second.content.decode()


# --- Who sees what ---------------------------------------------------------------------


def test_a_partner_sees_only_the_status_of_their_own_referrals(personas: Personas) -> None:
    referral = partner_refers(personas)
    partner = client_for(personas.partner)
    listed = partner.get(reverse("cases:referrals")).content.decode()
    assert referral.reference in listed and ">Pending</strong>" in listed
    assert "Jordan Reyes" not in listed
    page = partner.get(reverse("cases:referral", args=[referral.pk])).content.decode()
    assert "Pending" in page
    for detail in ("Jordan Reyes", "07700 900456", "Weekdays before 10am", "outside the office"):
        assert detail not in page
    assert not AuditEvent.objects.filter(action=Action.REFERRAL_VIEWED).exists()

    colleague = make_user("p2@example.org", "partner_referrer", personas.partner_agency, mfa=True)
    assert (
        client_for(colleague).get(reverse("cases:referral", args=[referral.pk])).status_code == 404
    )
    assert (
        referral.reference
        not in client_for(colleague).get(reverse("cases:referrals")).content.decode()
    )
    for stranger in (personas.other_advocate, personas.police, personas.outsider):
        response = client_for(stranger).get(reverse("cases:referral", args=[referral.pk]))
        assert response.status_code == 404
    assert client_for(personas.commissioner).get(reverse("cases:referrals")).status_code == 403
    # The confirmation page is the referrer's alone.
    sent = reverse("cases:referral_sent", args=[referral.pk])
    assert client_for(personas.manager).get(sent).status_code == 404
    assert referral.reference in partner.get(sent).content.decode()


# --- Asking for support from one's own account ----------------------------------------


def test_a_blank_request_for_support_is_refused_with_reasons(personas: Personas) -> None:
    person = client_for(personas.victim)
    page = person.post(reverse("cases:referral_new"), {}).content.decode()
    assert "There is a problem" in page
    assert "Tell us what is happening" in page
    assert "Choose at least one safe way to contact you" in page
    assert "Say how soon you need to hear from us" in page
    assert not Referral.objects.exists()
    page = person.post(
        reverse("cases:referral_new"), {**OWN_REQUEST, "phone": "", "email": ""}
    ).content.decode()
    assert "Give a safe phone number for calls or text messages" in page
    assert "Give a safe e-mail address" in page
    page = person.post(
        reverse("cases:referral_new"), {**OWN_REQUEST, "never_channels": ["email"]}
    ).content.decode()
    assert "cannot be both safe and never to use" in page
    assert not Referral.objects.exists()


def test_a_request_for_support_ends_with_a_reference_and_what_happens_next(
    personas: Personas,
) -> None:
    person = client_for(personas.victim)
    response = person.post(reverse("cases:referral_new"), OWN_REQUEST, follow=True)
    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == reverse("cases:referral_sent", args=[referral.pk])
    page = response.content.decode()
    assert referral.reference in page
    assert "Northshire Stalking Service will contact you within 3 working days" in page
    assert 'href="tel:999"' in page
    assert referral.source == Referral.Source.SELF_ACCOUNT and referral.urgency == "soon"
    details = services.referral_details(referral)
    assert details["safe_channels"] == ["email", "text"]
    assert details["never_channels"] == ["phone"]
    assert b"new accounts" not in bytes(referral.details_sealed)
    other = client_for(personas.outsider)
    assert other.get(reverse("cases:referral_sent", args=[referral.pk])).status_code == 404
    # The person's own list shows their request without the triage filters.
    listed = person.get(reverse("cases:referrals")).content.decode()
    assert referral.reference in listed and 'data-testid="referral-filters"' not in listed


def test_the_public_self_referral_is_linked_from_the_start_and_stalking_pages(
    client: Client, personas: Personas
) -> None:
    link = reverse("cases:refer_yourself")
    for name in ("public:start", "public:stalking"):
        assert f'href="{link}"' in client.get(reverse(name)).content.decode()


def test_the_public_self_referral_gives_a_reference(client: Client, personas: Personas) -> None:
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    answers = {
        "name": "Robin",
        "safe_channels": ["phone"],
        "phone": "07700 900123",
        "voicemail_safe": "no",
        "urgency": "urgent",
        "consent": "on",
    }
    response = client.post(reverse("cases:refer_yourself"), answers)
    # Post/Redirect/Get: the confirmation is a page of its own, shown once.
    assert response["Location"] == reverse("cases:refer_yourself_sent")
    page = client.get(response["Location"]).content.decode()
    referral = Referral.objects.get()
    assert referral.reference in page and "within 1 working day" in page
    assert referral.urgency == "urgent" and "urgency" not in services.referral_details(referral)
    # Reloading neither sends it again nor shows the reference a second time.
    again = client.get(reverse("cases:refer_yourself_sent"))
    assert again["Location"] == reverse("cases:refer_yourself")
    assert Referral.objects.count() == 1


# --- Staff case lists --------------------------------------------------------------------


@pytest.fixture
def caseload(personas: Personas) -> dict[str, Case]:
    """Four of the service's cases: high risk, medium risk, not screened, and closed."""
    from daybook.cases.services import case_open
    from daybook.risk.services import screening_record

    colleague = make_user("colleague@example.org", "advocate", personas.service, mfa=True)
    made = {}
    for label, advocate in (
        ("High Harriet", personas.advocate),
        ("Medium Mo", colleague),
        ("Unscreened Uma", personas.advocate),
        ("Closed Cal", personas.advocate),
    ):
        made[label] = case_open(
            created_by=personas.manager,
            service=personas.service,
            advocates=(advocate,),
            label=label,
        )
        services.case_details_save(case=made[label], actor=personas.manager, client={"name": label})
    screening_record(
        case=made["High Harriet"], author=personas.advocate, answers={}, judgement="high"
    )
    screening_record(case=made["Medium Mo"], author=colleague, answers={}, judgement="medium")
    case_services.case_status_set(
        case=made["Closed Cal"],
        actor=personas.manager,
        status=CaseStatus.CLOSED,
        closure_reason="Done",
    )
    made["colleague"] = colleague
    return made


def listed(response) -> set[str]:
    return {label for _case, label in response.context["case_rows"]}


def test_the_manager_filters_cases_by_risk_status_advocate_and_reference(
    personas: Personas, caseload: dict
) -> None:
    manager = client_for(personas.manager)
    home = reverse("home")
    assert listed(manager.get(home)) == {"High Harriet", "Medium Mo", "Unscreened Uma"}
    assert listed(manager.get(home, {"risk": "high"})) == {"High Harriet"}
    assert listed(manager.get(home, {"risk": "none"})) == {"Unscreened Uma"}
    assert listed(manager.get(home, {"status": "closed"})) == {"Closed Cal"}
    assert len(listed(manager.get(home, {"status": "all"}))) == 4
    colleague = caseload["colleague"]
    assert listed(manager.get(home, {"advocate": colleague.pk})) == {"Medium Mo"}
    reference = caseload["Unscreened Uma"].reference
    assert listed(manager.get(home, {"reference": reference.lower()})) == {"Unscreened Uma"}
    assert listed(manager.get(home, {"reference": reference[3:7]})) == {"Unscreened Uma"}
    page = manager.get(home, {"risk": "high"}).content.decode()
    assert 'data-testid="case-filters"' in page and "match these filters" in page
    assert '<option value="high" selected>' in page


def test_an_advocate_filters_only_their_own_caseload(personas: Personas, caseload: dict) -> None:
    advocate = client_for(personas.advocate)
    home = reverse("home")
    assert listed(advocate.get(home)) == {"High Harriet", "Unscreened Uma"}
    assert listed(advocate.get(home, {"risk": "high"})) == {"High Harriet"}
    assert listed(advocate.get(home, {"status": "closed"})) == {"Closed Cal"}
    # A colleague's case stays out of reach, whatever the filters say.
    colleague = caseload["colleague"]
    assert "Medium Mo" not in listed(
        advocate.get(home, {"advocate": colleague.pk, "status": "all"})
    )
    assert 'name="advocate"' not in advocate.get(home).content.decode()


def test_the_referral_list_costs_the_same_queries_for_few_or_many(
    personas: Personas, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = client_for(personas.manager)
    make_referral(personas, "First", source=Referral.Source.POLICE, referrer=personas.police)
    with CaptureQueriesContext(connection) as few:
        manager.get(reverse("cases:referrals"))
    for number in range(20):
        make_referral(personas, f"Person {number}", source="partner", referrer=personas.partner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager.get(reverse("cases:referrals"))


def test_the_case_list_costs_the_same_queries_for_few_or_many(
    personas: Personas, caseload: dict, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from daybook.cases.services import case_open

    manager = client_for(personas.manager)
    with CaptureQueriesContext(connection) as few:
        manager.get(reverse("home"))
    for number in range(20):
        case_open(
            created_by=personas.manager,
            service=personas.service,
            advocates=(personas.advocate,),
            label=f"Client {number}",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager.get(reverse("home"))
    assert len(response.context["case_rows"]) == 23
