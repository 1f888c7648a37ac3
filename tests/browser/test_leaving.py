"""Leaving, in Chromium, as the person does it: from their account page they download a copy of
everything held about them, ask to delete their account and log, see the date it will happen,
cancel, and ask again."""

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page
from pypdf import PdfReader

from daybook.cases.services import case_open
from daybook.erasure.models import ErasureRequest
from daybook.incidents.services import entry_record
from daybook.subject_access.models import AccountDeletion
from tests.browser.journeys import confirm_its_you, main_text, sign_in
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.conftest import Personas, entry_values


@pytest.mark.django_db(transaction=True)
def test_a_person_downloads_their_copy_then_asks_to_leave_cancels_and_asks_again(
    live_server, page: Page, personas: Personas
) -> None:
    victim = personas.victim
    case = case_open(created_by=victim, owner=victim)
    entry_record(
        case=case,
        author=victim,
        how="victim",
        values=entry_values(what_happened="A parcel left on the doorstep with no name"),
    )
    base = live_server.url
    sign_in(page, base, victim)

    page.goto(base + reverse("accounts:security"))
    page.get_by_role("link", name="Download a copy of everything held about you").click()
    page.wait_for_load_state()
    assert_accessible_and_fits(page)
    page.get_by_role("button", name="Produce my copy").click()
    page.wait_for_load_state()
    confirm_its_you(page)
    # The status page refreshes itself until the copy is ready.
    download = page.locator("main").get_by_role("button", name="Download")
    download.wait_for(timeout=60_000)
    assert_accessible_and_fits(page)
    with page.expect_download() as download_info:
        download.click()
    with open(download_info.value.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    data = json.loads(archive.read("copy.json"))
    assert data["logs"][0]["reference"] == case.reference
    pdf = PdfReader(io.BytesIO(archive.read("copy.pdf")))
    text = re.sub(r"\s+", " ", " ".join(sheet.extract_text() for sheet in pdf.pages))
    assert "A parcel left on the doorstep with no name" in text

    page.goto(base + reverse("accounts:security"))
    page.get_by_role("link", name="Delete your account and log").click()
    page.wait_for_load_state()
    assert_accessible_and_fits(page)
    assert "Nothing is deleted for 7 days" in main_text(page)
    page.get_by_role("button", name="Delete my account and log").click()
    page.wait_for_load_state()
    confirm_its_you(page)
    page.wait_for_load_state()
    due = AccountDeletion.objects.get(cancelled_at__isnull=True).due_at
    words = f"Your account and log will be deleted on {timezone.localtime(due):%-d %B %Y}."
    assert words in " ".join(main_text(page).split())
    assert ErasureRequest.objects.get(case=case).is_open
    assert_accessible_and_fits(page)

    # During the window their home page says so too, and offers to cancel.
    page.goto(base + reverse("home"))
    assert words in " ".join(main_text(page).split())
    assert_accessible_and_fits(page)
    page.get_by_role("button", name="Cancel the deletion").click()
    page.wait_for_load_state()
    assert "Cancelled. Your account and your log will be kept." in main_text(page)
    assert not ErasureRequest.objects.get(case=case).is_open
    assert AccountDeletion.objects.get().cancelled_at is not None

    page.get_by_role("button", name="Delete my account and log").click()
    page.wait_for_load_state()
    confirm_its_you(page)
    page.wait_for_load_state()
    assert "Your account and log will be deleted on" in " ".join(main_text(page).split())
    assert AccountDeletion.objects.filter(cancelled_at__isnull=True).count() == 1
    assert ErasureRequest.objects.filter(case=case, cancelled_at__isnull=True).count() == 1
