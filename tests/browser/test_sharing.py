"""Sharing, as the person does it in Chromium: choose dates, select all, untick one, check,
confirm, and then, as the police, open exactly what the check page listed."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from daybook.incidents import services as log
from daybook.sharing.models import Share
from tests.browser.conftest import signed_in_as
from tests.browser.journeys import confirm_its_you
from tests.conftest import Personas, entry_values


@pytest.fixture
def october(case, personas: Personas):
    """An entry on each of 1 to 8 October 2026, at 19:00, 19:05, ..."""
    return [
        log.entry_record(
            case=case,
            author=personas.victim,
            how="victim",
            values=entry_values(
                occurred_on=f"2026-10-0{day}",
                occurred_time=f"19:0{day}",
                what_happened=f"Day {day}: he was outside again",
                private_details="New flat at 4 Elm Road",
            ),
        )
        for day in range(1, 9)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_person_chooses_checks_and_shares_and_the_police_see_exactly_that(
    live_server,
    context: BrowserContext,
    page: Page,
    personas: Personas,
    case,
    october,
    tmp_path,
) -> None:
    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("incidents:log", args=[case.pk]))
    page.get_by_role("link", name="Share with the police").click()
    expect(page.locator("h1")).to_have_text("Sharing with the police")

    # Only 3 to 6 October.
    dates = page.locator("form[data-testid=dates]")
    dates.get_by_label("From").fill("2026-10-03")
    dates.get_by_label("To").fill("2026-10-06")
    dates.get_by_role("button", name="Show entries").click()
    boxes = page.locator("input[name=entries]")
    expect(boxes).to_have_count(4)
    expect(page.get_by_text("Day 2:")).to_have_count(0)

    page.get_by_role("button", name="Select all on this page").click()
    for index in range(4):
        expect(boxes.nth(index)).to_be_checked()
    # Ticking chose "only the entries you tick"; un-ticking one keeps the others.
    expect(page.get_by_label("Only the entries you tick below")).to_be_checked()
    page.get_by_label(re.compile(r"Sun 4 Oct 2026, 19:04")).uncheck()
    expect(page.get_by_label(re.compile(r"Sun 4 Oct 2026, 19:04"))).not_to_be_checked()
    page.get_by_role("button", name="Select none").click()
    for index in range(4):
        expect(boxes.nth(index)).not_to_be_checked()
    page.get_by_role("button", name="Select all on this page").click()
    page.get_by_label(re.compile(r"Sun 4 Oct 2026, 19:04")).uncheck()
    page.screenshot(path=tmp_path / "sharing-chooser.png", full_page=True)
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("Check before you share")
    page.screenshot(path=tmp_path / "sharing-check.png", full_page=True)
    expect(page.locator("[data-testid=who]")).to_contain_text("Northshire Police")
    expect(page.locator("[data-testid=who]")).to_contain_text("police liaison officers")
    expect(page.locator("[data-testid=what]")).to_contain_text(
        "3 entries, dated from 3 Oct 2026 to 6 Oct 2026"
    )
    expect(page.locator("[data-testid=left-out]")).to_contain_text("Details to keep private")
    listed = page.locator("[data-testid=chosen] li strong").all_inner_texts()
    assert listed == ["Sat 3 Oct 2026, 19:03", "Mon 5 Oct 2026, 19:05", "Tue 6 Oct 2026, 19:06"]
    assert not Share.objects.exists()

    page.get_by_role("button", name="Share with Northshire Police").click()
    confirm_its_you(page)
    expect(page.locator("h1")).to_have_text("Sharing with the police")
    expect(page.get_by_text("You are now sharing the entries you chose")).to_be_visible()
    share = Share.objects.get()

    # The police: the home page leads to the shared log, which holds exactly those entries.
    signed_in_as(context, live_server, personas.police)
    page.goto(live_server.url + reverse("home"))
    expect(page.locator("[data-testid=shared-count]")).to_have_text(
        "1 log is shared with Northshire Police."
    )
    page.get_by_role("link", name="Shared logs").first.click()
    expect(page.locator("h1")).to_have_text("Logs shared with Northshire Police")
    assert page.title().startswith("Shared logs")
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator("h1")).to_have_text(f"Log {case.reference}")
    headings = page.locator("[data-testid=shared-entry] h3").all_inner_texts()
    assert headings == [
        "Saturday 3 October 2026, 19:03",
        "Monday 5 October 2026, 19:05",
        "Tuesday 6 October 2026, 19:06",
    ]
    assert "Elm Road" not in page.content()
    page.screenshot(path=tmp_path / "police-log.png", full_page=True)

    # The person stops sharing; the police lose it at once.
    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("sharing:case", args=[case.pk]))
    expect(page.locator("[data-testid=seen]")).to_contain_text("Shared log viewed by the police")
    page.get_by_role("button", name="Stop sharing with Northshire Police").click()
    expect(page.get_by_text("Sharing stopped.")).to_be_visible()
    signed_in_as(context, live_server, personas.police)
    response = page.goto(live_server.url + reverse("police:shared_log", args=[share.pk]))
    assert response is not None and response.status == 404
    page.goto(live_server.url + reverse("home"))
    expect(page.locator("[data-testid=shared-count]")).to_contain_text("No logs are shared")


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_checkboxes_still_choose(
    live_server,
    browser,
    personas: Personas,
    case,
    october,
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        signed_in_as(context, live_server, personas.victim)
        page.goto(live_server.url + reverse("sharing:case", args=[case.pk]))
        expect(page.get_by_role("button", name="Select all on this page")).to_be_hidden()
        page.get_by_label("Only the entries you tick below").check()
        page.get_by_label(re.compile(r"Thu 1 Oct 2026, 19:01")).check()
        page.get_by_label(re.compile(r"Fri 2 Oct 2026, 19:02")).check()
        page.get_by_label(re.compile(r"Thu 1 Oct 2026, 19:01")).uncheck()
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("h1")).to_have_text("Check before you share")
        assert page.locator("[data-testid=chosen] li strong").all_inner_texts() == [
            "Fri 2 Oct 2026, 19:02"
        ]
    finally:
        context.close()


def fits(page: Page) -> bool:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return scroll <= inner


@pytest.mark.django_db(transaction=True)
def test_the_sharing_pages_are_accessible_and_fit_a_narrow_phone(
    live_server,
    context: BrowserContext,
    page: Page,
    personas: Personas,
    case,
    october,
    tmp_path,
) -> None:
    from daybook.sharing.services import share_create
    from tests.browser.test_accessibility import serious_violations

    signed_in_as(context, live_server, personas.victim)
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_server.url + reverse("sharing:case", args=[case.pk]))
        page.screenshot(path=tmp_path / f"chooser-{width}.png", full_page=True)
        assert fits(page), ("chooser", width)
        page.get_by_role("button", name="Continue").click()  # nothing chosen: the errors
        expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what you want")
        assert fits(page), ("chooser with errors", width)
        assert serious_violations(page) == []
        page.get_by_label("Your whole log").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("h1")).to_have_text("Check before you share")
        assert fits(page), ("check", width)
        assert serious_violations(page) == []
    share = share_create(case=case, actor=personas.victim, police=personas.police_force)
    signed_in_as(context, live_server, personas.police)
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 800})
        for url in (
            reverse("home"),
            reverse("police:shared_list"),
            reverse("police:shared_log", args=[share.pk]),
        ):
            page.goto(live_server.url + url)
            page.screenshot(
                path=tmp_path / f"police-{url.strip('/').replace('/', '-')}-{width}.png"
            )
            assert fits(page), (url, width)
            assert serious_violations(page) == [], url
