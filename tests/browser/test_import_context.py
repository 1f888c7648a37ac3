"""The person's own messages kept as context, in Chromium: imported through the pages, marked
Context on the log, and in a chronology only when the person ticks the box, never numbered."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import signed_in_as
from tests.browser.journeys import confirm_its_you, main_text, tick
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.conftest import Personas

CHAT = (
    b"12/11/2026, 21:05 - Sam: I know you're home\n"
    b"12/11/2026, 21:06 - Robin: Leave me alone\n"
    b"13/11/2026, 02:14 - Sam: Open the door\n"
)


def produce_chronology(page: Page, *, include_context: bool) -> str:
    """Produce a chronology on the reports page and read the PDF as its reader would."""
    page.get_by_role("link", name=re.compile("^Chronology, evidence bundle")).click()
    page.get_by_label("Chronology (PDF)").check()
    box = page.get_by_label("Include imported messages kept as context")
    expect(box).not_to_be_checked()
    if include_context:
        box.check()
    page.get_by_role("button", name="Produce").click()
    if "Confirm it's you" in main_text(page):
        confirm_its_you(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download").click(timeout=60_000)
    reader = PdfReader(download.value.path())
    return " ".join(" ".join(sheet.extract_text() for sheet in reader.pages).split())


@pytest.mark.django_db(transaction=True)
def test_own_replies_are_context_on_the_log_and_in_a_chronology_only_when_asked(
    live_server, context: BrowserContext, page: Page, personas: Personas, case, tmp_path: Path
) -> None:
    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("imports:start", args=[case.pk]))
    chat = tmp_path / "WhatsApp Chat with Sam.txt"
    chat.write_bytes(CHAT)
    page.get_by_label("Choose the exported file").set_input_files(str(chat))
    page.get_by_role("button", name="Upload and check").click()
    tick(page, "Who is the person whose messages you want to log?", "Sam (2 messages)")
    page.get_by_label(re.compile("Also keep the other messages, as context")).check()
    page.get_by_role("button", name="Import").click()
    page.get_by_role("button", name="See the new entries").click(timeout=60_000)

    log = main_text(page)
    assert "3 entries, 1 imported as context (not counted as incidents)" in log
    reply = page.locator(".govuk-summary-card").filter(has_text="Leave me alone")
    expect(reply).to_contain_text("Context")
    expect(reply).to_contain_text("WhatsApp message from Robin")
    assert_accessible_and_fits(page)
    reply.get_by_role("link").click()
    expect(page.get_by_test_id("context-note")).to_contain_text("not counted as an incident")
    expect(page.locator("main")).to_contain_text("WhatsApp message from Robin")
    assert_accessible_and_fits(page)
    page.go_back()

    without = produce_chronology(page, include_context=False)
    assert "I know you're home" in without and "Leave me alone" not in without
    page.goto(live_server.url + reverse("incidents:log", args=[case.pk]))
    with_context = produce_chronology(page, include_context=True)
    assert "Leave me alone" in with_context
    assert "1 kept as context and not counted" in with_context
    assert "Context: not counted as an incident" in with_context
    assert "2 in the log" in with_context  # the two of Sam's, and no more
