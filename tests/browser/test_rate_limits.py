"""In Chromium: after someone has guessed at a person's password, the person still gets into
their log by the route the sign-in page offers, and sees the attempts."""

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page

from tests.browser.journeys import main_text
from tests.browser.test_account_pages import assert_accessible_and_fits, assert_daybook_words
from tests.conftest import PASSWORD, Personas

STALKER_NETWORK = "203.0.113.66"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(transactional_db) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_the_owner_gets_in_with_a_code_after_someone_guessed_their_password(
    page: Page,
    live_server,
    personas: Personas,
) -> None:
    victim = personas.victim
    for attempt in range(8):
        Client(REMOTE_ADDR=STALKER_NETWORK).post(
            reverse("account_login"), {"login": victim.email, "password": f"guess {attempt}"}
        )

    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("E-mail address").fill(victim.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    # Passwords for this address are paused; the page says what the person can do instead.
    assert "Too many attempts" in main_text(page)
    assert "/accounts/login/" in page.url

    page.get_by_role("link", name="sign in with a code sent to your e-mail address").click()
    assert_daybook_words(page, "Sign in with a code")
    assert_accessible_and_fits(page)
    page.get_by_label("E-mail address").fill(victim.email)
    page.get_by_role("button", name="Send me a code").click()
    page.wait_for_load_state()
    assert_daybook_words(page, "Enter the code we sent you")
    assert_accessible_and_fits(page)
    code = re.search(r"^([A-Z0-9-]{6,})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    page.get_by_label("Code from the e-mail").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url and "code" not in page.url, main_text(page)
    assert page.get_by_role("link", name="Sign out").count()

    page.goto(live_server.url + reverse("accounts:security"))
    text = main_text(page)
    assert "9 failed attempts to sign in to your account in the last 30 days" in text
    assert STALKER_NETWORK in text
    assert "Not let in: too many tries in a short time" in text
