"""Referrals and case lists in Chromium, filled in and read as people use them."""

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from daybook.cases.models import Referral
from tests.browser.conftest import signed_in_as
from tests.browser.test_accessibility import serious_violations


def group(page: Page, question: str):
    """The fieldset asking `question`: the same answer can appear under two questions."""
    return page.get_by_role("group", name=question)


@pytest.mark.django_db(transaction=True)
def test_a_partner_refers_and_the_manager_triages_it_at_a_glance(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
) -> None:
    signed_in_as(context, live_server, personas.partner)
    page.goto(live_server.url + reverse("cases:referrals"))
    page.get_by_role("button", name="Make a referral").click()
    page.get_by_label("The person's name").fill("Jordan Reyes")
    safe = group(page, "Safe ways to contact them")
    safe.get_by_label("Phone call").check()
    safe.get_by_label("Text message").check()
    page.get_by_label("Safe phone number").fill("07700 900456")
    page.get_by_label("Safe times to contact").fill("Weekdays before 10am")
    group(page, "Is it safe to leave a voicemail?").get_by_label("No", exact=True).check()
    group(page, "Never contact them by").get_by_label("Letter").check()
    group(page, "How urgent is this referral?").get_by_label(
        "Urgent: contact within 1 working day"
    ).check()
    group(page, "Consent").get_by_label("The person agreed to this referral").check()
    page.get_by_label("What is happening").fill("A former colleague waits outside every evening.")
    page.get_by_role("button", name="Send").click()

    expect(page.locator("h1")).to_have_text("Referral sent")
    referral = Referral.objects.get()
    expect(page.get_by_test_id("reference")).to_have_text(referral.reference)
    expect(page.locator("main")).to_contain_text("within 1 working day")

    signed_in_as(context, live_server, personas.manager)
    page.goto(live_server.url + reverse("cases:referrals"))
    rows = page.get_by_test_id("referrals").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jordan Reyes")
    expect(rows.first).to_contain_text("Less than a day")
    expect(rows.first).to_contain_text("Urgent")
    expect(rows.first).to_contain_text("Northshire Victim Support: Partner")
    expect(rows.first).to_contain_text("Pending")
    assert serious_violations(page) == []
    # The filters narrow the list, and keep what was chosen.
    page.get_by_label("Urgency").select_option("routine")
    page.get_by_role("button", name="Show referrals").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("No referrals")
    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_label("Source").select_option("partner")
    page.get_by_role("button", name="Show referrals").click()
    expect(page.get_by_label("Urgency")).to_have_value("urgent")
    expect(rows.first).to_contain_text("Jordan Reyes")

    rows.first.get_by_role("link", name="Jordan Reyes").click()
    expect(page.locator("h1")).to_have_text("Referral")
    main = page.locator("main").inner_text()
    # Safe contact first: how, when, and what never to use, before anything else.
    assert main.index("Safe contact: check before any contact") < main.index("Jordan Reyes")
    box = page.get_by_test_id("safe-contact")
    expect(box).to_contain_text("Phone call, Text message")
    expect(box).to_contain_text("07700 900456")
    expect(box).to_contain_text("Weekdays before 10am")
    expect(box).to_contain_text("Do not leave a voicemail")
    expect(box).to_contain_text("Letter")
    summary = page.get_by_test_id("referral-summary")
    expect(summary).to_contain_text("Northshire Victim Support: Partner")
    expect(summary).to_contain_text("Urgent")
    answers = page.get_by_test_id("referral-answers")
    # Every answer under the words its question used, with the choices as offered.
    for question, answer in (
        ("Safe ways to contact them", "Phone call, Text message"),
        ("Is it safe to leave a voicemail?", "No"),
        ("Never contact them by", "Letter"),
        ("Consent", "The person agreed to this referral"),
        ("What is happening", "A former colleague waits outside every evening."),
    ):
        row = answers.locator(".govuk-summary-list__row").filter(
            has=page.get_by_text(question, exact=True)
        )
        expect(row.locator("dd")).to_have_text(answer)
    for raw in ("Safetimes", "Consentbasis", "Whatishappening", "safe_channels", "['"):
        assert raw not in main
    assert serious_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_person_asks_for_support_and_is_told_what_happens_next(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
) -> None:
    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="Ask a support service for help").click()
    page.get_by_role("button", name="Ask for support").click()

    page.get_by_role("button", name="Send").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Tell us what is happening")
    expect(summary).to_contain_text("Choose at least one safe way to contact you")
    assert not Referral.objects.exists()
    assert serious_violations(page) == []

    page.get_by_label("What is happening?").fill("Someone keeps messaging me from new accounts.")
    safe = group(page, "How can we contact you safely?")
    safe.get_by_label("Text message").check()
    safe.get_by_label("E-mail").check()
    page.get_by_label("A safe phone number").fill("07700 900789")
    page.get_by_label("A safe e-mail address").fill("safe.address@example.org")
    page.get_by_label("When is it safe to contact you?").fill("Evenings")
    group(page, "Can we leave a voicemail?").get_by_label("No", exact=True).check()
    never = group(page, "Is there any way we must never contact you? (optional)")
    never.get_by_label("Phone call").check()
    group(page, "How soon do you need to hear from us?").get_by_label(
        "In the next few days"
    ).check()
    page.get_by_role("button", name="Send").click()

    expect(page.locator("h1")).to_have_text("Your request has been sent")
    referral = Referral.objects.get()
    expect(page.get_by_test_id("reference")).to_have_text(referral.reference)
    main = page.locator("main")
    expect(main).to_contain_text("What happens next")
    expect(main).to_contain_text(
        "An advocate from Northshire Stalking Service will contact you within 3 working days"
    )
    expect(main.get_by_role("link", name="999").first).to_have_attribute("href", "tel:999")
    assert serious_violations(page) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("start", ["public:start", "public:stalking"])
def test_the_public_pages_lead_to_a_self_referral_that_works(
    live_server,
    page: Page,
    personas,
    start: str,
) -> None:
    page.goto(live_server.url + reverse(start))
    page.get_by_role("link", name="Ask for support from an advocate").click()
    # The one-time Exit this page explanation comes first, then the form itself.
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Ask for support")
    page.get_by_label("Your name, or what we should call you").fill("Robin")
    group(page, "How can we contact you safely?").get_by_label("Phone call").check()
    page.get_by_label("A safe phone number").fill("07700 900123")
    group(page, "Can we leave a voicemail?").get_by_label("No", exact=True).check()
    group(page, "How soon do you need to hear from us?").get_by_label("As soon as possible").check()
    page.get_by_label("I agree to the service contacting me").check()
    page.get_by_role("button", name="Send").click()

    expect(page.locator("h1")).to_have_text("Your request has been sent")
    referral = Referral.objects.get()
    expect(page.get_by_test_id("reference")).to_have_text(referral.reference)
    expect(page.locator("main")).to_contain_text("within 1 working day")
    assert referral.source == Referral.Source.SELF_PUBLIC and referral.urgency == "urgent"


@pytest.mark.django_db(transaction=True)
def test_the_manager_filters_the_case_list(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
) -> None:
    from daybook.cases import services
    from daybook.cases.services import case_open
    from daybook.risk.services import screening_record

    made = {}
    for label, level in (("High Harriet", "high"), ("Standard Sid", "standard"), ("New Nia", "")):
        made[label] = case_open(
            created_by=personas.manager,
            service=personas.service,
            advocates=(personas.advocate,) if level else (),
            label=label,
        )
        services.case_details_save(case=made[label], actor=personas.manager, client={"name": label})
        if level:
            screening_record(
                case=made[label], author=personas.advocate, answers={}, judgement=level
            )

    signed_in_as(context, live_server, personas.manager)
    page.goto(live_server.url + reverse("home"))
    rows = page.get_by_test_id("cases").locator("tbody tr")
    expect(rows).to_have_count(3)
    filters = page.get_by_test_id("case-filters")
    filters.get_by_label("Risk level").select_option("high")
    filters.get_by_role("button", name="Show cases").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("High Harriet")
    expect(rows.first).to_contain_text("High")

    filters.get_by_label("Risk level").select_option("")
    filters.get_by_label("Advocate").select_option("none")
    filters.get_by_role("button", name="Show cases").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("New Nia")

    filters.get_by_label("Advocate").select_option("")
    filters.get_by_label("Case reference").fill(made["Standard Sid"].reference.lower())
    filters.get_by_role("button", name="Show cases").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Standard Sid")
    page.get_by_role("link", name="Show all open cases").click()
    expect(rows).to_have_count(3)
