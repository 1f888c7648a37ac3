"""Smaller faults, checked in Chromium as people meet them: the helplines on Get help, an
evidence upload sent with no file, and the partner's request for advice."""

import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from daybook.cases.models import Consultation
from daybook.casework import services as casework_services
from daybook.public.helplines import DEFAULT
from tests.browser.journeys import main_text, sign_in
from tests.test_evidence import jpeg_with_exif


def keep_picture(page: Page, name: str) -> None:
    """With DAYBOOK_TEST_SCREENSHOTS=<folder>, keep a picture of the page to look at."""
    folder = os.environ.get("DAYBOOK_TEST_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_get_help_lists_the_national_helplines_and_leads_to_the_self_referral(
    live_server, page: Page
) -> None:
    page.goto(live_server.url + reverse("public:get_help"))
    helplines = page.get_by_role("list", name="National helplines")
    for line in DEFAULT:
        item = helplines.get_by_role("listitem").filter(
            has=page.get_by_role("heading", name=line["name"], exact=True)
        )
        link = item.get_by_role("link", name=line["phone"], exact=True)
        assert link.get_attribute("href") == "tel:" + line["phone"].replace(" ", "")
        assert line["hours"] in item.inner_text() and line["about"] in item.inner_text()
    keep_picture(page, "get-help")

    page.get_by_role("link", name=re.compile("for support online")).click()
    page.wait_for_load_state()
    # A first-time visitor is told about Exit this page, then reaches the self-referral.
    if "before-you-continue" in page.url:
        page.get_by_role("button", name=re.compile("Continue|continue")).click()
        page.wait_for_load_state()
    assert page.url.endswith(reverse("cases:refer_yourself")), page.url


@pytest.mark.django_db(transaction=True)
def test_adding_evidence_with_no_file_says_choose_a_file(
    live_server,
    page: Page,
    personas,
    case,
    entry,
) -> None:
    sign_in(page, live_server.url, personas.victim)
    page.goto(live_server.url + reverse("incidents:entry", args=[case.pk, entry.pk]))
    page.get_by_role("button", name="Add the file").click()
    page.wait_for_load_state()

    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "There is a problem" in summary.inner_text()
    assert page.title().startswith("Error:")
    # The message is beside the field too, and the summary's link takes the person to it.
    field = page.locator(".govuk-form-group--error")
    assert "Choose a file to add" in field.inner_text()
    keep_picture(page, "evidence-no-file")
    summary.get_by_role("link", name="Choose a file to add").click()
    assert page.evaluate("document.activeElement.id") == "id_file"

    page.set_input_files("#id_file", files=[{
        "name": "doorstep.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_exif(),
    }])  # fmt: skip
    page.get_by_role("button", name="Add the file").click()
    page.wait_for_load_state()
    text = main_text(page)
    assert "doorstep.jpg" in text and "2 October 2026 at 21:31" in text
    assert "2026:10:02" not in text
    keep_picture(page, "evidence-photo-date")


@pytest.mark.django_db(transaction=True)
def test_a_partner_asks_for_advice_and_reads_it_once_given(
    live_server, page: Page, personas
) -> None:
    sign_in(page, live_server.url, personas.partner)
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="Advice", exact=True).first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ask for advice"
    text = main_text(page)
    assert "Advice given" not in text and "Time spent" not in text

    # Sent empty, the form says what is missing.
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    assert (
        "Say what you would like advice about" in page.locator(".govuk-error-summary").inner_text()
    )

    page.get_by_label("Housing", exact=True).check()
    page.get_by_label("What would you like advice about?").fill("Should we move our tenant?")
    page.get_by_label("What is happening?").fill("A former partner waits outside most evenings.")
    page.get_by_label("How can an advocate reach you?").fill("01234 567890, mornings")
    keep_picture(page, "advice-request-form")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    card = page.get_by_test_id("consultation")
    assert "Should we move our tenant?" in card.inner_text()
    assert "waits outside most evenings" in card.inner_text()
    assert "Not given yet" in card.get_by_test_id("advice").inner_text()

    request = Consultation.objects.get()
    assert request.organisation_kind == "housing" and request.requested_by == personas.partner
    casework_services.consultation_advise(
        consultation=request, advisor=personas.advocate, advice="Ask for a management transfer."
    )
    page.reload()
    assert card.get_by_test_id("advice").inner_text() == "Ask for a management transfer."
    keep_picture(page, "advice-answered")
