"""The words a case replaces in disclosed reports, in Chromium: kept on their page, previewed
with every replacement highlighted, and gone from the disclosable chronology the advocate
then produces."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from daybook.incidents.services import entry_record
from tests.browser.conftest import signed_in_as
from tests.browser.journeys import confirm_its_you, main_text
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.conftest import Personas, entry_values

WORDS = "He waited for Mia Quokka outside Zebrafield Primary again."


@pytest.mark.django_db(transaction=True)
def test_an_advocate_lists_words_previews_them_and_the_disclosable_chronology_has_none(
    live_server, context: BrowserContext, page: Page, personas: Personas, case
) -> None:
    entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values(what_happened=WORDS)
    )
    signed_in_as(context, live_server, personas.advocate)
    page.goto(live_server.url + reverse("reports:home", args=[case.pk]))
    expect(page.get_by_test_id("redactions-summary")).to_contain_text(
        "no other names or phrases are replaced"
    )
    page.get_by_role("link", name=re.compile("Check and change what is replaced")).click()
    expect(page.get_by_test_id("preview-count")).to_contain_text("No entry has words on the list")

    for words, instead in (("mia quokka", "her child"), ("Zebrafield Primary", ""), ("Elm", "")):
        page.get_by_label("Name or phrase to replace").fill(words)
        page.get_by_label("Print instead (optional)").fill(instead)
        page.get_by_role("button", name="Add to the list").click()
        expect(page.get_by_test_id("terms")).to_contain_text(words)
    page.get_by_role("button", name="Remove “Elm”").click()
    expect(page.get_by_test_id("terms")).not_to_contain_text("Elm")

    entry = page.get_by_test_id("preview-entry").filter(has_text="What happened")
    expect(entry).to_contain_text("He waited for her child")
    highlighted = entry.get_by_test_id("replaced")
    expect(highlighted).to_have_text(["her child", "[redacted]"])
    expect(entry).to_contain_text("replaces “Mia Quokka”")  # for screen readers
    assert_accessible_and_fits(page)

    # An empty or forged change is answered kindly, and changes nothing.
    page.get_by_role("button", name="Add to the list").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter")
    page.get_by_label("Print the person's name as").fill("Alex Doe")
    page.get_by_role("button", name="Save the name to print").click()
    expect(page.get_by_test_id("person-terms")).to_contain_text("is printed as “Alex Doe”")

    page.get_by_role("link", name="Back to reports").click()
    expect(page.get_by_test_id("redactions-summary")).to_contain_text(
        "2 names or phrases are replaced, and the person's name is printed as “Alex Doe”"
    )
    page.get_by_label("Chronology (PDF)").check()
    page.get_by_label("Disclosable", exact=True).check()
    page.get_by_role("button", name="Produce").click()
    if "Confirm it's you" in main_text(page):
        confirm_its_you(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download").click(timeout=60_000)
    reader = PdfReader(download.value.path())
    text = " ".join(" ".join(sheet.extract_text() for sheet in reader.pages).split())
    assert "He waited for her child outside [redacted] again." in text
    assert "Quokka" not in text and "Zebrafield" not in text
