"""One journey per persona, as people use Daybook: only clicks and typing on the real pages.

Each journey asserts what the pages then show, so a page that silently drops what was entered
(one answer kept of two ticked, a field never saved) fails here even when every view test passes.
"""

import csv
import hashlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page
from pypdf import PdfReader

from daybook.accounts.models import User
from daybook.cases.models import Consent
from daybook.cases.services import case_open
from daybook.incidents import signing
from daybook.incidents.models import Entry
from daybook.incidents.services import entry_record
from daybook.sharing.services import share_create
from tests.browser.journeys import (
    confirm_its_you,
    main_text,
    question,
    sign_in,
    sign_out,
    tick,
)
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.conftest import entry_values


def download_pdf_text(page: Page) -> str:
    """Wait for a produced report, download it and read its text as a reader would."""
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download").click(timeout=60_000)
    reader = PdfReader(download.value.path())
    return "\n".join(sheet.extract_text() for sheet in reader.pages)


def log_three_entries(case, author) -> list:
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
def test_advocate_journey(live_server, page: Page, personas, case) -> None:
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
    page.get_by_label("Conditions (one per line)").fill("Not to enter Elm Road")
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
    # The questions are counted next: wait until the whole page has arrived.
    page.wait_for_load_state()
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
def test_police_journey(live_server, page: Page, personas, case, tmp_path) -> None:
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
    # The log as shown is a signed checkpoint the officer can keep.
    page.get_by_text("Checking this log later").click()
    checkpoint = page.get_by_test_id("shared-checkpoint").inner_text()
    assert f"log {case.reference} had 3 records" in " ".join(checkpoint.split())
    assert signing.current_key().key_id in checkpoint
    assert_accessible_and_fits(page)  # the long hashes and the signed statement wrap

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
    assert f"Signed with key {signing.current_key().key_id}." in checked.stdout


@pytest.mark.django_db(transaction=True)
def test_commissioner_journey(live_server, page: Page, personas) -> None:
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


PASSPHRASE = "a long private passphrase"


def photo(path: Path) -> Path:
    """A small real JPEG, as a phone would take it."""
    Image.new("RGB", (64, 48), (180, 40, 40)).save(path, "JPEG")
    return path


@pytest.mark.django_db(transaction=True)
def test_victim_journey(live_server, page: Page, personas, tmp_path) -> None:
    """Register, record with two behaviours and a photo, amend, import a chat, share it with
    the police after checking what they will see, and see who viewed it."""
    # Registration shows how to leave quickly first, then asks for an e-mail and password.
    page.goto(live_server.url + reverse("public:start"))
    page.goto(live_server.url + reverse("account_signup"))
    if (
        "Before you continue" in main_text(page)
        or page.get_by_role("button", name="Continue").count()
    ):
        page.locator("main form button[type=submit]").first.click()
    page.get_by_label("What should we call you?").fill("Robin")
    page.get_by_label("E-mail address").fill("new.person@example.org")
    page.get_by_label("Create a password").fill(PASSPHRASE)
    page.get_by_label("Type the password again").fill(PASSPHRASE)
    page.get_by_role("button", name="Create account").click()
    # The e-mail's code confirms the address.
    (message,) = mail.outbox
    # Someone else may read the inbox: the message names neither the site nor its purpose.
    assert "Daybook:" in message.subject
    assert "localhost" not in message.body and "register" not in message.body
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert code, message.body
    page.locator("input[name=code]").fill(code.group(1))
    page.locator("main form button[type=submit]").first.click()
    assert "Your home page" in main_text(page)

    # Start a log and record what happened, with two behaviours ticked.
    page.get_by_role("button", name="Go to your log").click()
    page.get_by_role("button", name="Start a log").click()
    assert "Record something that happened" in main_text(page)
    page.get_by_label("When did it happen?").fill("2026-11-20")
    page.get_by_label("What time did it start?").fill("21:30")
    page.get_by_label("What happened?").fill("He was outside my window again.")
    tick(
        page,
        "What did they do?",
        "Watching or spying on me",
        "Waiting or hanging around places I go",
    )
    page.get_by_role("button", name="Add to the log").click()
    entry_page = main_text(page)
    assert "He was outside my window again." in entry_page
    assert "Watching or spying on me" in entry_page
    assert "Waiting or hanging around places I go" in entry_page

    # A photo of what was left, kept with its fingerprint.
    page.get_by_label("Add a photo, screenshot").set_input_files(str(photo(tmp_path / "car.jpg")))
    page.get_by_role("button", name="Add the file").click()
    evidence = main_text(page)
    assert "car.jpg" in evidence
    assert hashlib.sha256((tmp_path / "car.jpg").read_bytes()).hexdigest() in evidence

    # An amendment keeps the original beside it.
    page.get_by_role("button", name="Amend this entry").click()
    page.get_by_label("Why are you changing this entry?").fill("I remembered the time better")
    page.get_by_label("What time did it start?").fill("21:45")
    page.get_by_role("button", name="Add the amendment").click()
    amended = main_text(page)
    assert "I remembered the time better" in amended
    assert "What time did it start? → “21:45”" in amended

    # A WhatsApp chat: only Sam's messages become entries.
    page.get_by_role("link", name="Back to the log").click()
    page.get_by_role("link", name="Import messages and calls").click()
    chat = tmp_path / "WhatsApp Chat with Sam.txt"
    chat.write_bytes(
        b"12/11/2026, 21:05 - Sam: I know you're home\n"
        b"12/11/2026, 21:06 - Robin: Leave me alone\n"
        b"13/11/2026, 02:14 - Sam: Open the door\n"
    )
    page.get_by_label("Choose the exported file").set_input_files(str(chat))
    page.get_by_role("button", name="Upload and check").click()
    assert "Check what was found" in main_text(page)
    tick(page, "Who is the person whose messages you want to log?", "Sam (2 messages)")
    page.get_by_role("button", name="Import").click()
    page.get_by_role("button", name="See the new entries").click(timeout=60_000)
    log = main_text(page)
    assert "I know you're home" in log and "Open the door" in log
    assert "Leave me alone" not in log

    # Share the whole log with the police, after checking who will see what.
    page.get_by_role("link", name="Share with the police").click()
    page.get_by_label("Police force").select_option(label="Northshire Police")
    question(page, "What do you want to share?").get_by_label(
        re.compile(r"Your whole log \(\d+ entries\)")
    ).check()
    page.get_by_role("button", name="Continue").click()
    check = main_text(page)
    assert "Check before you share" in check
    assert "Northshire Police" in page.get_by_test_id("who").inner_text()
    logged = Entry.objects.filter(case__owner__email="new.person@example.org", status="logged")
    assert f"{logged.count()} entries" in page.get_by_test_id("what").inner_text()
    page.get_by_role("button", name="Share with Northshire Police").click()
    confirm_its_you(page, PASSPHRASE)
    assert "You are now sharing" in main_text(page)
    assert "Nobody yet." in page.get_by_test_id("seen").inner_text()
    sign_out(page)

    # The police open it; the person then sees that they did.
    sign_in(page, live_server.url, personas.police)
    page.get_by_role("link", name="Shared logs").first.click()
    page.locator("[data-testid=shared-logs] a").first.click()
    assert "He was outside my window again." in main_text(page)
    sign_out(page)
    sign_in(page, live_server.url, User.objects.get(email="new.person@example.org"), PASSPHRASE)
    page.get_by_role("button", name="Go to your log").click()
    page.get_by_role("link", name="Share with the police").click()
    seen = page.get_by_test_id("seen").inner_text()
    assert "Northshire Police" in seen
    assert "Nobody yet." not in seen


@pytest.mark.django_db(transaction=True)
def test_partner_and_manager_journeys(live_server, page: Page, personas) -> None:
    """A partner refers someone in; the service's manager triages it and allocates it."""
    sign_in(page, live_server.url, personas.partner)
    page.get_by_role("link", name="Referrals").first.click()
    page.get_by_role("button", name="Make a referral").click()
    page.get_by_label("The person's name").fill("Jordan Reyes")
    tick(page, "Safe ways to contact them", "Phone call", "Text message")
    page.get_by_label("Safe phone number").fill("07700 900456")
    tick(page, "Is it safe to leave a voicemail?", "No")
    tick(page, "How urgent is this referral?", "Urgent: contact within 1 working day")
    tick(page, "Consent", "The person agreed to this referral")
    page.get_by_label("What is happening").fill("A former colleague waits outside every evening.")
    page.get_by_role("button", name="Send").click()
    sent = main_text(page)
    assert "Referral sent" in sent
    reference = page.get_by_test_id("reference").inner_text()
    sign_out(page)

    sign_in(page, live_server.url, personas.manager)
    page.get_by_role("link", name="Referrals").first.click()
    page.get_by_role("link", name="Jordan Reyes").click()
    assert reference in main_text(page)
    assert "Phone call, Text message" in page.get_by_test_id("safe-contact").inner_text()
    page.get_by_role("button", name="Accept").click()
    assert "Referral accepted. Now allocate an advocate." in main_text(page)
    tick(page, "Advocates", str(personas.advocate))
    page.get_by_role("button", name="Save").click()
    record = main_text(page)
    assert "Case record" in record
    assert f"Advocates\t{personas.advocate}" in record

    # The partner sees how their referral went, and nothing of the case.
    sign_out(page)
    sign_in(page, live_server.url, personas.partner)
    page.get_by_role("link", name="Referrals").first.click()
    assert "Accepted" in main_text(page)
    assert page.get_by_role("link", name="Go to the case").count() == 0
