"""Exit this page, as a person would use it: the button, Escape and three presses of Shift."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page

from tests.browser.conftest import NEUTRAL_PAGE, sign_in_browser


def wait_for_neutral_site(page: Page) -> None:
    """Wait until the tab shows the neutral site (the redirect may be retried once by the
    browser when the test's interception answers it)."""
    for _ in range(100):
        if page.url == settings.DAYBOOK_EXIT_URL and "Neutral" in page.content():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still at {page.url}")


def leave_with_button(page: Page) -> None:
    page.click(".govuk-exit-this-page__button")


def leave_with_escape(page: Page) -> None:
    page.keyboard.press("Escape")


def leave_with_shift(page: Page) -> None:
    for _ in range(3):
        page.keyboard.press("Shift")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("leave", [leave_with_button, leave_with_escape, leave_with_shift])
def test_exit_ends_the_session_lands_on_the_neutral_site_and_back_shows_nothing(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    leave,
) -> None:
    client = Client()
    client.force_login(personas.victim)
    sign_in_browser(context, live_server, client)

    page.goto(live_server.url + reverse("public:stalking"))
    page.goto(live_server.url + reverse("home"))
    assert page.locator("h1").inner_text() == "Your home page"

    leave(page)
    wait_for_neutral_site(page)
    assert "Neutral weather page" in page.content()

    # The session has ended on the server and in the browser.
    assert not [c for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=client.session.session_key).exists()

    # Back never shows Daybook's pages again: it lands on the neutral site.
    page.go_back()
    page.wait_for_timeout(300)
    wait_for_neutral_site(page)
    assert page.url == settings.DAYBOOK_EXIT_URL
    assert "Neutral weather page" in page.content()
    assert "stalking" not in page.content().lower()


@pytest.mark.django_db(transaction=True)
def test_typing_shift_slowly_in_a_form_does_not_exit(live_server, page: Page) -> None:
    page.goto(live_server.url + reverse("account_login"))
    page.keyboard.press("Shift")
    page.wait_for_timeout(50)
    page.keyboard.press("Shift")
    assert page.url.startswith(live_server.url)


@pytest.mark.django_db(transaction=True)
def test_typing_capital_letters_quickly_does_not_exit(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    client = Client()
    client.force_login(personas.victim)
    sign_in_browser(context, live_server, client)
    page.goto(live_server.url + reverse("incidents:record", args=[case.pk]))
    page.wait_for_load_state("load")
    page.locator("#id_what_happened").focus()
    for char in "I Saw Sam At The Bus Stop":
        # As a person types capitals: Shift held down, then the letter.
        page.keyboard.press(f"Shift+{char}" if char.isupper() else char)
    page.wait_for_timeout(300)
    assert page.url.startswith(live_server.url)
    assert page.locator("#id_what_happened").input_value() == "I Saw Sam At The Bus Stop"
    # Three presses of Shift in a row still leave.
    leave_with_shift(page)
    wait_for_neutral_site(page)


@pytest.mark.django_db(transaction=True)
def test_exit_works_without_javascript(browser, live_server) -> None:
    from urllib.parse import urlsplit

    context = browser.new_context(java_script_enabled=False)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).netloc == urlsplit(live_server.url).netloc
            else route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)
        ),
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("public:start"))
    page.click(".govuk-exit-this-page__button")
    wait_for_neutral_site(page)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_recording_an_entry_works_without_javascript(browser, live_server, personas, case) -> None:
    from daybook.incidents.models import Entry

    context = browser.new_context(java_script_enabled=False)
    client = Client()
    client.force_login(personas.victim)
    sign_in_browser(context, live_server, client)
    page = context.new_page()
    page.goto(live_server.url + reverse("incidents:record", args=[case.pk]))
    page.fill("#id_occurred_on", "2026-11-01")
    page.fill("#id_what_happened", "He was at the bus stop again.")
    page.check("input[name=behaviours][value=following]")
    page.click("button[name=add]")
    page.wait_for_load_state()
    assert "Added to the log" in page.content()
    assert Entry.objects.get(case=case).status == "logged"
    context.close()


# --- Back after Exit, after form errors and POSTs ---------------------------------------

DAYBOOK_WORDS = ("daybook", "stalking", "log", "there is a problem", "forbidden", "csrf")


def assert_nothing_of_daybook(page: Page, *secrets: str) -> None:
    """Whatever Back shows now, it is neither Daybook's content nor a framework's page."""
    page.wait_for_timeout(300)
    for _ in range(50):
        if page.url == settings.DAYBOOK_EXIT_URL:
            break
        page.wait_for_timeout(100)
    text = page.content().lower()
    assert "csrf" not in text
    assert "forbidden" not in text
    for secret in secrets:
        assert secret.lower() not in text
    assert page.url == settings.DAYBOOK_EXIT_URL, page.url
    assert "neutral weather page" in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("leave", [leave_with_button, leave_with_escape, leave_with_shift])
def test_back_after_leaving_the_self_check_result_shows_nothing(
    live_server,
    page: Page,
    leave,
) -> None:
    page.goto(live_server.url + reverse("public:before_you_continue"))
    page.click("main button[type=submit]")
    page.goto(live_server.url + reverse("public:self_check"))
    # First with nothing chosen, then properly.
    page.click("main form button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    for radio in page.locator("main input[type=radio][value=yes]").all():
        radio.check()
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=What you describe could be stalking")
    page.wait_for_load_state("load")

    leave(page)
    wait_for_neutral_site(page)
    page.go_back()
    assert_nothing_of_daybook(
        page, "What you describe could be stalking", "Check what is happening"
    )


@pytest.mark.django_db(transaction=True)
def test_back_after_leaving_a_log_entry_sent_after_an_error_shows_nothing(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    client = Client()
    client.force_login(personas.victim)
    sign_in_browser(context, live_server, client)
    page.goto(live_server.url + reverse("incidents:record", args=[case.pk]))
    page.fill("#id_occurred_on", "")
    page.fill("#id_what_happened", "He left a note on the car windscreen.")
    page.click("button[name=add]")
    page.wait_for_selector(".govuk-error-summary")
    page.fill("#id_occurred_on", "2026-11-01")
    page.click("button[name=add]")
    page.wait_for_selector("text=Added to the log")
    page.wait_for_load_state("load")

    leave_with_escape(page)
    wait_for_neutral_site(page)
    page.go_back()
    assert_nothing_of_daybook(page, "windscreen", "Record something that happened")
    page.go_back()
    assert_nothing_of_daybook(page, "windscreen", "Record something that happened")
