"""What the log page says about the last check of the whole log, read in Chromium in each of
its states: nothing to check, verified after the background check, being checked while a
change waits for it, checked now on request, not checked yet, and failed.

The page must never say "verified" for what was not checked: each state is reached by what
really happens to the log (entries recorded through the form, the background check run or
left waiting, a record altered in the database), and the words are read as the person reads
them.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import BrowserContext, Page

from daybook.incidents.models import ChainRecord, LogVerification
from tests.browser.conftest import signed_in_as
from tests.browser.journeys import confirm_its_you, main_text
from tests.browser.test_account_pages import assert_accessible_and_fits


def verification_text(page: Page) -> str:
    return re.sub(r"\s+", " ", page.get_by_test_id("verification").inner_text())


def checked_at(case) -> str:
    """'HH:MM on D Month YYYY' of the last check kept for the case, as the page words it."""
    when = timezone.localtime(LogVerification.objects.get(case=case).checked_at)
    return f"{date_format(when, 'H:i')} on {date_format(when, 'j F Y')}"


def record_through_the_form(page: Page, live_server, case, what: str) -> None:
    page.goto(live_server.url + reverse("incidents:record", args=[case.pk]))
    page.get_by_label("When did it happen?").fill("2026-11-20")
    page.get_by_label("What time did it start?").fill("21:30")
    page.get_by_label("What happened?").fill(what)
    page.get_by_role("button", name="Add to the log").click()
    assert what in main_text(page)


@pytest.mark.django_db(transaction=True)
def test_the_log_page_says_what_the_last_check_of_the_whole_log_found(
    live_server, context: BrowserContext, page: Page, personas, case, settings
) -> None:
    log_url = live_server.url + reverse("incidents:log", args=[case.pk])
    signed_in_as(context, live_server, personas.victim)

    page.goto(log_url)
    assert "Nothing to check yet There is nothing in this log to check yet." in (
        verification_text(page)
    )

    # The background check runs after the entry is recorded (here, as soon as it commits).
    record_through_the_form(page, live_server, case, "He was outside the house at 9.")
    page.goto(log_url)
    said = verification_text(page)
    assert (
        "Log verified Its 1 record was intact and in order when the whole log was checked at "
        f"{checked_at(case)}."
    ) in said

    # A change whose check has not run yet: the page says what the last check covered, and
    # does not call the new entry verified.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    record_through_the_form(page, live_server, case, "A parcel was left on the step.")
    page.goto(log_url)
    said = verification_text(page)
    assert "Log verified" not in said
    assert (
        f"Being checked When the whole log was checked at {checked_at(case)}, its first 1 "
        "record was intact. What was added or changed since has not been checked yet"
    ) in said

    # Asked for on the page: the whole log and its files, at once.
    page.get_by_role("button", name="Check the log and its files now").click()
    assert "Log verified: all 2 records and files are intact." in main_text(page)
    assert (
        "Log verified All 2 records were intact and in order, and so were its files, when the "
        f"whole log was checked at {checked_at(case)}."
    ) in verification_text(page)

    # A log never checked (kept from before background checks, say).
    LogVerification.objects.filter(case=case).delete()
    page.goto(log_url)
    said = verification_text(page)
    assert "Not checked yet" in said and "It has not been checked yet." in said
    assert "verified" not in said.lower()

    # A record altered in the database: the check names it, and the page keeps saying so.
    first = ChainRecord.objects.get(case=case, seq=1)
    sealed = bytearray(first.body_sealed)
    sealed[-1] ^= 1
    ChainRecord.objects.filter(pk=first.pk).update(body_sealed=bytes(sealed))
    page.get_by_role("button", name="Check the log and its files now").click()
    assert "The log failed verification." in main_text(page)
    page.goto(log_url)
    said = verification_text(page)
    assert (
        f"This log failed verification when it was checked at {checked_at(case)}. "
        "Record 1 has been altered: it can no longer be opened."
    ) in said
    assert "Log verified" not in said
    # The log still opens; the altered entry says why it cannot be shown, and so does its page.
    assert "This entry cannot be shown: its record has been altered" in " ".join(
        main_text(page).split()
    )
    assert "A parcel was left on the step." in main_text(page)
    entry_url = reverse("incidents:entry", args=[case.pk, first.entry_id])
    page.locator(f"main a[href='{entry_url}']").click()
    assert "This entry cannot be shown" in main_text(page)
    assert "no longer opens" in " ".join(main_text(page).split())
    assert page.get_by_role("button", name="Exit this page").count() == 1
    assert_accessible_and_fits(page)
    page.get_by_role("link", name="Go back to the log and check it").click()
    assert "This log failed verification" in verification_text(page)


@pytest.mark.django_db(transaction=True)
def test_a_file_altered_in_storage_is_named_when_downloaded(
    live_server, context: BrowserContext, page: Page, personas, case, entry
) -> None:
    """Download on the entry page, for a file whose stored bytes were altered: a page saying
    the file cannot be downloaded, never a byte of it and never a server error."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from daybook.incidents.evidence import check_upload
    from daybook.incidents.services import evidence_add
    from tests.test_evidence import PNG

    item = evidence_add(
        entry=entry, author=personas.victim, how="victim", checked=check_upload("door.png", PNG)
    )
    with default_storage.open(item.storage_name, "rb") as stored:
        sealed = bytearray(stored.read())
    sealed[-20] ^= 1
    default_storage.delete(item.storage_name)
    default_storage.save(item.storage_name, ContentFile(bytes(sealed)))

    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("incidents:entry", args=[case.pk, entry.pk]))
    page.get_by_role("link", name=re.compile("^Download")).click()
    page.wait_for_load_state()
    confirm_its_you(page)
    page.wait_for_load_state()
    words = " ".join(main_text(page).split())
    assert "This file cannot be downloaded" in words
    assert "missing or has been altered since it was added" in words
    assert page.get_by_role("button", name="Exit this page").count() == 1
    assert_accessible_and_fits(page)
    page.get_by_role("link", name="Back to the entry").click()
    assert "door.png" in main_text(page)
