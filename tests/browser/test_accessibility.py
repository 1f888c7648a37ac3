"""axe-core finds no serious or critical problem on the public pages, sign-in and staff home."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page

from tests.browser.conftest import sign_in_browser

axe = Axe()

PUBLIC = [
    "public:start",
    "public:stalking",
    "public:self_check",
    "public:get_help",
    "public:staying_safe",
    "public:cookies",
    "public:before_you_continue",
    "account_login",
    "account_signup",
    "account_reset_password",
    "cases:refer_yourself",
]


def serious_violations(page: Page) -> list[str]:
    results = axe.run(page)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes)"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", PUBLIC)
def test_public_page_has_no_serious_accessibility_problem(
    live_server,
    context: BrowserContext,
    page: Page,
    name: str,
) -> None:
    # Past the one-time Exit this page explanation, so each page itself is checked.
    page.goto(live_server.url + reverse("public:before_you_continue"))
    page.click("button[type=submit]")
    page.goto(live_server.url + reverse(name))
    assert serious_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_self_check_errors_are_accessible(live_server, page: Page) -> None:
    page.goto(live_server.url + reverse("public:before_you_continue"))
    page.click("button[type=submit]")
    page.goto(live_server.url + reverse("public:self_check"))
    page.click("form button[type=submit]")
    page.wait_for_selector(".govuk-error-summary", state="visible")
    assert serious_violations(page) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["advocate", "manager", "victim"])
def test_home_pages_have_no_serious_accessibility_problem(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    persona: str,
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    sign_in_browser(context, live_server, client)
    page.goto(live_server.url + reverse("home"))
    assert page.locator("h1").count() == 1
    assert serious_violations(page) == []
    page.goto(live_server.url + reverse("accounts:security"))
    assert serious_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_log_pages_have_no_serious_accessibility_problem(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    from daybook.incidents.services import entry_record
    from tests.conftest import entry_values

    entry = entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    client = Client()
    client.force_login(personas.victim)
    sign_in_browser(context, live_server, client)
    for url in (
        reverse("incidents:log", args=[case.pk]),
        reverse("incidents:record", args=[case.pk]),
        reverse("incidents:entry", args=[case.pk, entry.pk]),
        reverse("incidents:amend", args=[case.pk, entry.pk]),
        reverse("incidents:withdraw", args=[case.pk, entry.pk]),
    ):
        page.goto(live_server.url + url)
        assert serious_violations(page) == [], url
    page.goto(live_server.url + reverse("incidents:record", args=[case.pk]))
    page.click("button[name=add]")
    page.wait_for_selector(".govuk-error-summary", state="visible")
    assert serious_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_casework_pages_have_no_serious_accessibility_problem(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    client = Client()
    client.force_login(personas.advocate)
    sign_in_browser(context, live_server, client)
    for url in (
        reverse("cases:record", args=[case.pk]),
        reverse("cases:section", args=[case.pk, "contact"]),
        reverse("cases:section", args=[case.pk, "safety-plan"]),
        reverse("cases:consent", args=[case.pk]),
        reverse("risk:screening", args=[case.pk]),
        reverse("cases:referrals"),
        reverse("cases:consultations"),
    ):
        page.goto(live_server.url + url)
        assert serious_violations(page) == [], url


@pytest.mark.django_db(transaction=True)
def test_report_and_sharing_pages_have_no_serious_accessibility_problem(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    from daybook.incidents.services import entry_record
    from daybook.sharing.services import share_create
    from tests.conftest import entry_values

    entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    share = share_create(case=case, actor=personas.victim, police=personas.police_force)
    victim = Client()
    victim.force_login(personas.victim)
    sign_in_browser(context, live_server, victim)
    for url in (
        reverse("reports:home", args=[case.pk]),
        reverse("reports:vps", args=[case.pk]),
        reverse("sharing:case", args=[case.pk]),
    ):
        page.goto(live_server.url + url)
        assert serious_violations(page) == [], url
    context.clear_cookies()
    police = Client()
    police.force_login(personas.police)
    sign_in_browser(context, live_server, police)
    page.goto(live_server.url + reverse("police:shared_log", args=[share.pk]))
    assert serious_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_patterns_pages_have_no_serious_accessibility_problem(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    import datetime as dt

    from django.utils import timezone

    from daybook.insights.services import escalation_check
    from tests.test_escalation import log_at, steady

    now = timezone.now()
    steady(case, personas, 8, 3, ending=now - dt.timedelta(weeks=1))
    log_at(case, personas, now - dt.timedelta(days=2), channel="in_person", place_kind="home",
           behaviours=["turning_up", "threats"])  # fmt: skip
    escalation_check(case)
    for user in (personas.advocate, personas.victim):
        client = Client()
        client.force_login(user)
        sign_in_browser(context, live_server, client)
        page.goto(live_server.url + reverse("insights:patterns", args=[case.pk]))
        page.click("summary")  # a chart's table
        assert serious_violations(page) == [], user


@pytest.mark.django_db(transaction=True)
def test_statistics_page_has_no_serious_accessibility_problem(
    live_server, context: BrowserContext, page: Page, personas
) -> None:
    from tests.test_service_statistics import person

    for days in range(7):
        person(personas, personas.service, waited=days)
    for user in (personas.manager, personas.commissioner):
        client = Client()
        client.force_login(user)
        sign_in_browser(context, live_server, client)
        page.goto(live_server.url + reverse("insights:statistics"))
        assert "Service statistics" in page.title()
        assert serious_violations(page) == [], user
