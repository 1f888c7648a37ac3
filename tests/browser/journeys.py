"""What a person does in Chromium, step by step: sign in, answer questions, confirm it's them.

Journeys use only these and Playwright's own clicks and typing on the real pages: nothing is
posted behind the page's back, and no session is handed to the browser.
"""

import re

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from playwright.sync_api import Locator, Page

from daybook.accounts.models import User
from tests.conftest import PASSWORD, totp_code


def sign_in(page: Page, base_url: str, user: User, password: str = PASSWORD) -> None:
    """Sign in through the sign-in page, with the authenticator code where the role needs one."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    code = page.locator("input[name=code]")
    if code.count():
        code.fill(totp_code(user))
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
    if page.locator("input[name=code]").count():
        # A code is accepted once: signing in again within the same 30 seconds takes one of
        # the recovery codes, as a person without their phone would.
        page.locator("input[name=code]").fill(recovery_code(user))
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()


def recovery_code(user: User) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return RecoveryCodes(authenticator).get_unused_codes()[0]


def sign_out(page: Page) -> None:
    page.get_by_role("link", name="Sign out").first.click()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def confirm_its_you(page: Page, password: str = PASSWORD) -> None:
    """Answer the password check that guards exports, sharing and downloads, if it is asked."""
    if "reauthenticate" in page.url:
        page.locator("input[type=password]").fill(password)
        page.locator("main form button[type=submit]").first.click()


def question(page: Page, legend: str) -> Locator:
    """The fieldset of one question, found by the words it asks."""
    return page.get_by_role("group", name=re.compile(re.escape(legend)))


def tick(page: Page, legend: str, *answers: str) -> None:
    group = question(page, legend)
    for answer in answers:
        group.get_by_label(answer, exact=True).check()


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()
