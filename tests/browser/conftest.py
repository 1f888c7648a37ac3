"""A real Chromium (Debian's, at /usr/bin/chromium) driven by Playwright against live_server.

Nothing leaves the machine: every request to another host is answered locally (the neutral
exit site) or refused.
"""

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
NEUTRAL_PAGE = "<!doctype html><title>Weather</title><h1>Neutral weather page</h1>"

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (creating personas) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # No name is ever looked up: only the test server is reachable at all.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    context = browser.new_context()
    own_host = urlsplit(live_server.url).netloc
    exit_host = urlsplit(settings.DAYBOOK_EXIT_URL).netloc
    third_party: list[str] = []

    def handle(route: Route) -> None:
        host = urlsplit(route.request.url).netloc
        if host == own_host:
            route.continue_()
        elif host == exit_host and route.request.is_navigation_request():
            route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)
        else:
            third_party.append(route.request.url)
            route.abort()

    context.route("**/*", handle)
    yield context
    context.close()
    # No page may ever ask another host for anything (the exit is a navigation, not a load).
    assert third_party == []


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in_browser(context: BrowserContext, live_server, client) -> None:
    """Give the browser the session of a Django test client that has signed in."""
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def signed_in_as(context: BrowserContext, live_server, user) -> None:
    """Start the browser signed in as `user` (for tests about a page, not about signing in:
    journeys sign in through the pages themselves), leaving any earlier session."""
    context.clear_cookies()
    client = Client()
    client.force_login(user)
    sign_in_browser(context, live_server, client)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """With DAYBOOK_TEST_SCREENSHOTS=<folder>, keep a picture and the HTML of each failing page."""
    outcome = yield
    report = outcome.get_result()
    folder = os.environ.get("DAYBOOK_TEST_SCREENSHOTS")
    page = getattr(item, "funcargs", {}).get("page")
    if folder and report.when == "call" and report.failed and page is not None:
        os.makedirs(folder, exist_ok=True)
        name = item.name.replace("/", "_")[:120]
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)
        with open(f"{folder}/{name}.html", "w") as file:
            file.write(page.content())
