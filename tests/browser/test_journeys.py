"""One journey per persona, as people use Daybook: only clicks and typing on the real pages.

Each journey asserts what the pages then show, so a page that silently drops what was entered
(one answer kept of two ticked, a field never saved) fails here even when every view test passes.
"""

import csv
import subprocess
import sys
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import Page
from pypdf import PdfReader

from daybook.cases.models import Consent
from daybook.incidents.services import case_open, entry_record
from daybook.sharing.services import share_create
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


@pytest.mark.django_db(transaction=True)
def test_police_journey(live_server, page: Page, personas, case, tmp_path) -> None:  # noqa: ANN001
    """The officer opens the log shared with their force, and downloads a bundle that verifies."""
    log_three_entries(case, personas.victim)
    share_create(case=case, actor=personas.victim, police=personas.police_force)
    sign_in(page, live_server.url, personas.police)

    page.get_by_role("link", name="Shared logs").first.click()
    page.get_by_role("link", name=case.reference).click()
    shared = main_text(page)
    assert "3 entries shared" in shared
    assert "He sent twelve messages in one night." in shared
    # What the person marked private stays out of the police's view.
    assert "New flat is at 4 Elm Road" not in shared

    page.get_by_role("button", name="Produce the evidence bundle").click()
    confirm_its_you(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download").click(timeout=60_000)
    with zipfile.ZipFile(download.value.path()) as bundle:
        bundle.extractall(tmp_path / "bundle")
    (verifier,) = (tmp_path / "bundle").rglob("verify.py")
    checked = subprocess.run(  # noqa: S603
        [sys.executable, str(verifier)], cwd=verifier.parent, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.django_db(transaction=True)
def test_commissioner_journey(live_server, page: Page, personas) -> None:  # noqa: ANN001
    """Figures for every service, never a person, and a CSV after confirming it's them."""
    for _ in range(6):
        supported = case_open(created_by=personas.manager, owner=None, service=personas.service)
        Consent.objects.create(
            case=supported, created_by=personas.manager, purpose="statistics", how="verbal"
        )
    sign_in(page, live_server.url, personas.commissioner)

    page.get_by_role("link", name="Statistics").first.click()
    shown = main_text(page)
    assert "Service statistics" in shown
    assert "Northshire Stalking Service" in shown
    tables = page.get_by_test_id("statistics-table")
    assert tables.count() >= 5
    people = page.get_by_role("table", name="People supported", exact=True)
    assert "6" in people.inner_text()

    # The download starts as soon as the password is confirmed.
    page.get_by_role("link", name="Download as CSV").click()
    assert "Confirm it's you" in main_text(page)
    with page.expect_download() as download:
        confirm_its_you(page)
    with open(download.value.path(), newline="") as file:
        rows = list(csv.reader(file))
    assert any("People supported" in " ".join(row) for row in rows)
