"""An officer works from a shared log in Chromium: pages through it, searches and filters it,
opens an entry, sees its photo and downloads it; then the person sees what the officer saw."""

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from daybook.incidents import services as log
from daybook.incidents.derivatives import clean_copy
from daybook.incidents.evidence import check_upload
from daybook.police.selectors import police_labels
from daybook.sharing.services import share_create
from tests.browser.conftest import signed_in_as
from tests.browser.journeys import main_text
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.conftest import PASSWORD, Personas, entry_values
from tests.test_evidence import jpeg_with_exif

JPEG = jpeg_with_exif()
START = dt.date(2026, 7, 1)


@pytest.fixture
def shared_log(case, personas: Personas):
    """62 entries, one a day from 1 July 2026. Every tenth is a red van and following, the
    rest are calls; the 21st (21 July) has a photo with its GPS position."""
    entries = []
    for day in range(62):
        van = day % 10 == 0
        entries.append(
            log.entry_record(
                case=case,
                author=personas.victim,
                how="victim",
                values=entry_values(
                    occurred_on=(START + dt.timedelta(days=day)).isoformat(),
                    what_happened=f"Day {day + 1}: "
                    + ("a red van parked opposite" if van else "calls"),
                    behaviours=["following"] if van else ["contacting"],
                    private_details="Staying at 4 Elm Road",
                ),
            )
        )
    log.evidence_add(
        entry=entries[20],
        author=personas.victim,
        how="victim",
        checked=check_upload("van.jpg", JPEG),
    )
    return share_create(case=case, actor=personas.victim, police=personas.police_force)


def headings(page: Page) -> list[str]:
    return [
        " ".join(text.split())
        for text in page.locator("[data-testid=shared-entry] h3").all_inner_texts()
    ]


def filter_form(page: Page):
    page.wait_for_load_state()
    details = page.locator("details", has_text="Search and filter")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return page.locator("form[data-testid=filters]")


def show_entries(page: Page, **values: str) -> None:
    """Fill in the search and filters as an officer would, and send them."""
    form = filter_form(page)
    labels = {"words": "Words", "date_from": "From", "date_to": "To"}
    for name, value in values.items():
        if name == "behaviour":
            form.get_by_label("Behaviour").select_option(label=value)
        else:
            form.get_by_label(labels[name]).fill(value)
            expect(form.get_by_label(labels[name])).to_have_value(value)
    with page.expect_navigation():
        form.get_by_role("button", name="Show entries").click()


@pytest.mark.django_db(transaction=True)
def test_an_officer_pages_searches_filters_opens_views_and_downloads(
    live_server,
    context: BrowserContext,
    page: Page,
    personas: Personas,
    case,
    shared_log,
    tmp_path: Path,
) -> None:
    signed_in_as(context, live_server, personas.police)
    page.goto(live_server.url + reverse("police:shared_list"))
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator("h1")).to_have_text(f"Log {case.reference}")
    expect(page.locator("[data-testid=showing]")).to_have_text(
        re.compile(r"\s*Showing 1 to 50 of\s+62\s+entries\.\s*")
    )
    expect(page.locator("[data-testid=shared-checkpoint]")).to_be_visible()
    assert len(headings(page)) == 50
    assert_accessible_and_fits(page)

    # The second page holds the last 12.
    page.get_by_role("link", name="Next page").first.click()
    expect(page.locator("[data-testid=showing]")).to_contain_text("51 to 62 of 62 entries")
    assert len(headings(page)) == 12
    assert headings(page)[0] == "Thursday 20 August 2026, 21:30"

    # Words: every entry mentioning a red van, wherever it is in the log.
    show_entries(page, words="red VAN")
    expect(page.locator("[data-testid=showing]")).to_contain_text("Showing 1 to 7 of 7 entries")
    assert headings(page)[:2] == ["Wednesday 1 July 2026, 21:30", "Saturday 11 July 2026, 21:30"]

    # Dates and behaviour together, the words cleared.
    following = police_labels(["following"])[0]
    show_entries(page, words="", date_from="2026-07-05", date_to="2026-07-31", behaviour=following)
    expect(page.locator("[data-testid=showing]")).to_contain_text("1 to 3 of 3 entries")
    assert headings(page) == [
        "Saturday 11 July 2026, 21:30",
        "Tuesday 21 July 2026, 21:30",
        "Friday 31 July 2026, 21:30",
    ]
    assert_accessible_and_fits(page)

    # A filter with more than a page of matches keeps itself on the next page.
    contacting = police_labels(["contacting"])[0]
    show_entries(page, date_from="", date_to="", behaviour=contacting)
    expect(page.locator("[data-testid=showing]")).to_contain_text("1 to 50 of 55 entries")
    page.get_by_role("link", name="Next page").first.click()
    expect(page.locator("[data-testid=showing]")).to_contain_text("51 to 55 of 55 entries")
    assert "behaviour=contacting" in page.url
    assert "red van" not in main_text(page)

    # Nothing matches: said plainly. The private details are never searched.
    show_entries(page, words="Elm Road", behaviour="Any")
    expect(page.locator("[data-testid=showing]")).to_contain_text(
        "No shared entries match “Elm Road”."
    )
    assert headings(page) == []

    # A date a person could not have typed: a kind message, linked to its field.
    page.goto(
        live_server.url
        + reverse("police:shared_log", args=[shared_log.pk])
        + "?date_from=2026-02-30&behaviour=nonsense"
    )
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the start date as a real date")
    expect(summary).to_contain_text("Choose a behaviour from the list")
    assert_accessible_and_fits(page)

    # Open the entry with the photo.
    show_entries(page, date_from="2026-07-21", date_to="2026-07-21", behaviour="Any")
    expect(page.locator("[data-testid=showing]")).to_contain_text("1 to 1 of 1 entry")
    page.get_by_role("link", name="Tuesday 21 July 2026, 21:30").click()
    expect(page.locator("h1")).to_have_text("Tuesday 21 July 2026, 21:30")
    fields = " ".join(page.locator("[data-testid=entry-fields]").inner_text().split())
    for shown in (
        "Day 21: a red van parked opposite",
        police_labels(["following"])[0],
        "In person",
        "Outside the front door",
        "Grey hoodie, blue Ford Focus AB12 CDE",
        "Neighbour at number 12",
        "Frightened to go out",
        "CAD 1234",
        "PC 5678 Jones",
    ):
        assert shown in fields, shown
    assert "Elm Road" not in main_text(page)
    expect(page.locator("[data-testid=shared-checkpoint]")).to_be_visible()
    photo = page.locator("[data-testid=shared-file] img")
    expect(photo).to_have_attribute("alt", re.compile("van.jpg"))
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 64", arg=photo.element_handle()
    )
    page.screenshot(path=tmp_path / "police-entry.png", full_page=True)
    assert_accessible_and_fits(page)

    # Downloading asks the officer to confirm it's them, then gives the clean copy.
    page.get_by_role("link", name="Download van.jpg").click()
    expect(page.locator("h1")).to_have_text("Confirm it's you")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    assert download.value.suggested_filename == "van.jpg"
    data = Path(download.value.path()).read_bytes()
    assert (
        hashlib.sha256(data).hexdigest()
        == hashlib.sha256(clean_copy(JPEG, "image/jpeg") or b"").hexdigest()
    )
    assert data != JPEG

    # The person sees which officer looked at what.
    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("sharing:case", args=[case.pk]))
    seen = page.locator("[data-testid=seen]")
    expect(seen).to_contain_text("Shared evidence file downloaded by the police: van.jpg")
    expect(seen).to_contain_text("Shared evidence file viewed by the police: van.jpg")
    expect(seen).to_contain_text("Shared entry opened by the police: the entry of 21 Jul 2026")
    expect(seen).to_contain_text("Northshire Police")
    assert_accessible_and_fits(page)


@pytest.mark.django_db(transaction=True)
def test_with_the_private_details_the_officer_sees_them_marked_and_gets_the_original(
    live_server,
    context: BrowserContext,
    page: Page,
    personas: Personas,
    case,
    shared_log,
) -> None:
    share = share_create(
        case=case, actor=personas.victim, police=personas.police_force, include_private=True
    )
    entry = case.entries.get(occurred_on="2026-07-21")
    signed_in_as(context, live_server, personas.police)
    page.goto(live_server.url + reverse("police:shared_entry", args=[share.pk, entry.pk]))
    private = page.locator("[data-testid=shared-private-details]")
    expect(private).to_contain_text("Private (not for disclosure)")
    expect(private).to_contain_text("Staying at 4 Elm Road")
    page.get_by_role("link", name="Download van.jpg").click()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    data = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry.evidence.get().sha256
