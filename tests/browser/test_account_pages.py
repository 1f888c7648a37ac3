"""Account pages in Chromium: Daybook's words, named devices, fit on a phone, the chosen name
reaching the chronology, and the team link for the people who manage a team."""

import re

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page
from pypdf import PdfReader

from daybook.accounts.models import User
from daybook.cases.services import case_open
from daybook.incidents.services import entry_record
from tests.browser.conftest import sign_in_browser
from tests.browser.journeys import main_text, recovery_code
from tests.browser.test_accessibility import serious_violations
from tests.conftest import PASSWORD, Personas, entry_values, totp_code
from tests.test_accounts_pages import STOCK_WORDS

NARROW = (320, 390)


def assert_daybook_words(page: Page, *expected: str) -> None:
    text = main_text(page)
    title = page.title()
    for words in expected:
        assert words in text, f"{words!r} missing from {page.url}: {text}"
    for words in STOCK_WORDS:
        assert words not in text, f"stock wording {words!r} on {page.url}: {text}"
        assert words not in title, f"stock wording {words!r} in the title of {page.url}"


def assert_accessible_and_fits(page: Page) -> None:
    assert serious_violations(page) == [], page.url
    assert_fits(page)


def assert_fits(page: Page) -> None:
    for width in NARROW:
        page.set_viewport_size({"width": width, "height": 800})
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{page.url} is {scroll}px wide at {width}px"
    page.set_viewport_size({"width": 1024, "height": 800})


def confirm_its_you(page: Page) -> None:
    """Answer "Confirm it's you" with the password, as a person would."""
    assert_daybook_words(page, "Confirm it's you")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def sign_in(page: Page, base_url: str, user: User) -> None:
    page.goto(base_url + reverse("account_login"))
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/2fa/" in page.url:
        assert_daybook_words(page, "Enter the code from your authenticator app")
        page.get_by_label("Code from your authenticator app").fill(totp_code(user))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    assert reverse("account_login") not in page.url, main_text(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["victim", "manager"])
def test_account_pages_speak_daybook(
    live_server,
    page: Page,
    personas: Personas,
    persona: str,
) -> None:
    user = getattr(personas, persona)
    base = live_server.url
    page.set_default_timeout(10_000)
    sign_in(page, base, user)

    page.goto(base + reverse("home"))
    page.get_by_role("link", name="Your account and security").first.click()
    assert_daybook_words(page, "Your account and security", "Two-step verification")
    assert_accessible_and_fits(page)

    page.get_by_role("link", name="View where you are signed in").click()
    # Chromium signed in through the real page, so its own session is the one listed.
    assert_daybook_words(page, "Where you are signed in", "Chrome on Linux computer", "This device")
    assert "Mozilla" not in page.content()
    assert_accessible_and_fits(page)

    page.go_back()
    page.get_by_role("link", name="Change password").click()
    assert_daybook_words(page, "Change your password", "Current password")
    page.go_back()
    page.get_by_role("link", name="Change e-mail address").click()
    assert_daybook_words(page, "Your e-mail address", user.email)
    assert_accessible_and_fits(page)

    page.goto(base + reverse("accounts:security"))
    manage = "Manage two-step verification" if persona == "manager" else "Turn on two-step"
    page.get_by_role("link", name=re.compile(manage)).click()
    assert_daybook_words(page, "Two-step verification", "Authenticator app", "Recovery codes")
    assert_accessible_and_fits(page)

    if persona == "victim":
        page.get_by_role("link", name="Set up an authenticator app").click()
        confirm_its_you(page)
        assert_daybook_words(page, "Set up two-step verification", "authenticator app")
        assert page.locator("img.daybook-qr").is_visible()
        assert_accessible_and_fits(page)
        # Do what the authenticator app would do with the key shown under the QR code.
        page.get_by_text("I cannot scan the QR code").click()
        secret = page.locator("#authenticator_secret").inner_text().strip()
        code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
        page.get_by_label("Code from your authenticator app").fill(code)
        page.get_by_role("button", name="Turn on two-step verification").click()
        page.wait_for_load_state()
        assert_daybook_words(page, "Two-step verification is on", "Your recovery codes")
        assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
        assert_accessible_and_fits(page)
    else:
        page.get_by_role("link", name="See recovery codes").click()
        page.get_by_role("link", name=re.compile("Use a code from your authenticator app")).click()
        assert_daybook_words(page, "Confirm it's you", "recovery codes")
        # The app's code was just used to sign in and works once, so a recovery code it is.
        page.get_by_label("Code from your authenticator app").fill(recovery_code(user))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        # The one just used is gone from the list.
        assert_daybook_words(page, "Your recovery codes", "You have 9 of 10 left")
        assert page.get_by_test_id("recovery-codes").locator("li").count() == 9
        assert_accessible_and_fits(page)
        page.get_by_role("link", name="Two-step verification").click()
        page.get_by_role("link", name="Get new recovery codes").click()
        assert_daybook_words(page, "Get new recovery codes")
        page.goto(base + reverse("mfa_deactivate_totp"))
        assert_daybook_words(page, "Turn off two-step verification")

    page.goto(base + reverse("account_logout"))
    assert_daybook_words(page, "Sign out")
    page.locator("main").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    page.goto(base + reverse("account_reset_password"))
    assert_daybook_words(page, "Reset your password", "E-mail address")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state()
    assert_daybook_words(page, "Check your e-mail")


@pytest.mark.django_db(transaction=True)
def test_a_name_chosen_at_sign_up_appears_in_the_chronology(
    live_server,
    page: Page,
    db,
) -> None:
    base = live_server.url
    page.set_default_timeout(10_000)
    page.goto(base + reverse("account_signup"))
    # Registration first explains Exit this page.
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if reverse("account_signup") not in page.url:
        page.goto(base + reverse("account_signup"))
    assert_daybook_words(page, "What should we call you? (optional)")
    assert_accessible_and_fits(page)
    page.get_by_label("What should we call you? (optional)").fill("Robin")
    page.get_by_label("E-mail address").fill("robin@example.org")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert_daybook_words(page, "Confirm your e-mail address")
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    page.locator("main input[name=code]").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()

    page.goto(base + reverse("accounts:security"))
    row = page.locator(".govuk-summary-list__row", has_text="What we call you")
    assert row.locator(".govuk-summary-list__value").inner_text().startswith("Robin")

    user = User.objects.get(email="robin@example.org")
    assert user.name == "Robin"
    case = case_open(created_by=user, owner=user)
    entry_record(case=case, author=user, how="victim", values=entry_values())
    page.goto(base + reverse("reports:home", args=[case.pk]))
    page.get_by_label("Chronology (PDF)").check()
    page.get_by_label("Police", exact=True).check()
    page.get_by_role("button", name="Produce").click()
    page.wait_for_load_state()
    confirm_its_you(page)
    # The status page refreshes itself until the PDF is ready.
    download = page.locator("main").get_by_role("button", name="Download")
    download.wait_for(timeout=60_000)
    with page.expect_download() as download_info:
        download.click()
    reader = PdfReader(download_info.value.path())
    text = " ".join(page_.extract_text() for page_ in reader.pages)
    text = re.sub(r"\s+", " ", text)
    assert "Robin" in text
    assert "Person Person" not in text and "Person: Person" not in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("persona", "sees_team"), [("manager", True), ("administrator", True), ("advocate", False)]
)
def test_the_team_link_is_shown_to_managers_only(
    live_server,
    context: BrowserContext,
    page: Page,
    personas: Personas,
    persona: str,
    sees_team: bool,
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    sign_in_browser(context, live_server, client)
    page.goto(live_server.url + reverse("home"))
    link = page.locator("main").get_by_role("link", name="Team and invitations")
    assert (link.count() == 1) is sees_team
    if sees_team:
        link.click()
        page.wait_for_load_state()
        if persona == "administrator":
            # An administrator chooses among every organisation first.
            assert_fits(page)
            page.locator("main").get_by_role("link", name=personas.service.name).click()
            page.wait_for_load_state()
        assert "Team" in page.locator("h1").inner_text()
        assert personas.service.name in main_text(page)
        assert page.get_by_test_id("member").filter(has_text=personas.advocate.email).count()
        assert_fits(page)
