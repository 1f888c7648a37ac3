"""One journey per persona, as people use Daybook: only clicks and typing on the real pages.

Each journey asserts what the pages then show, so a page that silently drops what was entered
(one answer kept of two ticked, a field never saved) fails here even when every view test passes.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page
from pypdf import PdfReader

from daybook.incidents.services import entry_record
from tests.browser.journeys import confirm_its_you, main_text, question, sign_in, tick
from tests.conftest import entry_values


def download_pdf_text(page: Page) -> str:
    """Wait for a produced report, download it and read its text as a reader would."""
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download").click(timeout=60_000)
    reader = PdfReader(download.value.path())
    return "\n".join(sheet.extract_text() for sheet in reader.pages)


def log_three_entries(case, author) -> list:  # noqa: ANN001
    return [
        entry_record(
            case=case,
            author=author,
            how="victim",
            values=entry_values(occurred_on=day, what_happened=text),
        )
        for day, text in [
            ("2026-10-02", "He waited outside my house."),
            ("2026-10-09", "He followed me to the station."),
            ("2026-10-16", "He sent twelve messages in one night."),
        ]
    ]


@pytest.mark.django_db(transaction=True)
def test_advocate_journey(live_server, page: Page, personas, case) -> None:  # noqa: ANN001
    """Safe contact with two channels, an order with two breaches, screening, safety plan,
    and a chronology the advocate can read."""
    log_three_entries(case, personas.victim)
    sign_in(page, live_server.url, personas.advocate)

    # The caseload leads to the case record.
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name=case.reference).first.click()
    assert "Case record" in main_text(page)

    # Safe contact: two ways to reach them, one never to use.
    page.get_by_role("link", name="Change safe contact details").click()
    tick(page, "Safe ways to contact them", "Phone call", "Text message")
    page.get_by_label("Safe times").fill("Weekdays 10:00 to 14:00")
    tick(page, "Is it safe to leave a voicemail?", "No")
    tick(page, "Never contact them by", "Letter")
    page.get_by_role("button", name="Save").click()
    banner = page.get_by_test_id("safe-contact").inner_text()
    assert "Phone call, Text message" in banner
    assert "Weekdays 10:00 to 14:00" in banner
    assert "Never use: Letter" in banner

    # A protective order with two breaches, both kept.
    page.get_by_role("link", name="Protective orders").click()
    page.get_by_label("Order", exact=True).select_option(label="Stalking Protection Order")
    page.get_by_label("Status").select_option(label="Granted")
    page.get_by_label("Prohibitions and requirements").fill("Not to enter Elm Road")
    breaches = question(page, "Breaches").locator("input[type=checkbox]")
    assert breaches.count() == 3
    breaches.nth(0).check()
    breaches.nth(1).check()
    page.get_by_role("button", name="Save").click()
    order = page.locator(".govuk-summary-card").first.inner_text()
    assert "Stalking Protection Order" in order
    assert "Not to enter Elm Road" in order
    # Both breaches are listed, each by when it happened.
    assert "9 Oct 2026, 21:30, in person\n16 Oct 2026, 21:30, in person" in order, order

    # Stalking screening: three yes answers point to medium risk.
    page.get_by_role("link", name="Back to the case").click()
    page.get_by_role("link", name="Risk screening").click()
    groups = page.locator("fieldset")
    for index in range(groups.count()):
        group = groups.nth(index)
        answer = "Yes" if index < 3 else "No"
        if group.get_by_label(answer, exact=True).count():
            group.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Record the screening").click()
    assert "Screening recorded" in main_text(page)
    page.get_by_role("link", name="Back to the case").first.click()
    assert "Medium" in main_text(page)

    # The safety plan: one action the person will see.
    page.get_by_role("link", name="Safety plan").click()
    page.get_by_label("Area").select_option(label="Travel")
    page.get_by_label("Action", exact=True).fill("Vary the route to work")
    page.get_by_label("Who does it").select_option(label="The person")
    page.get_by_label("Status").select_option(label="To do")
    page.get_by_role("button", name="Save").click()
    assert "Vary the route to work" in main_text(page)

    # The chronology, produced after confirming it's them, read as a PDF.
    page.goto(live_server.url + reverse("reports:home", args=[case.pk]))
    tick(page, "Profile", "Police")
    page.get_by_role("button", name="Produce").click()
    confirm_its_you(page)
    text = download_pdf_text(page)
    assert "He followed me to the station." in text
    assert case.reference in text
