"""A chat whose dates could be read two ways, imported in Chromium: the person is asked with
readings of their own dates, and the log then shows the dates as they chose."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from daybook.incidents.models import Entry
from tests.browser.journeys import main_text, question, sign_in, tick

# "24-03-15" is 24 March 2015 day first and 15 March 2024 year first (as a French-Canadian
# phone writes dates): nothing in these two lines tells which.
CHAT = b"24-03-15, 14:02 - Sam Ex: I know you're home\n24-03-16, 09:00 - Sam Ex: Open the door\n"
DATES = "How are dates written in this chat?"


@pytest.mark.django_db(transaction=True)
def test_the_person_chooses_how_their_dates_read_and_the_log_shows_them_so(
    live_server, page: Page, personas, case
) -> None:
    sign_in(page, live_server.url, personas.victim)
    page.goto(live_server.url + reverse("imports:start", args=[case.pk]))
    page.get_by_label("Choose the exported file").set_input_files(
        files=[{"name": "WhatsApp Chat with Sam Ex.txt", "mimeType": "text/plain", "buffer": CHAT}]
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    assert "cannot tell from this chat whether dates are written day first" in main_text(page)

    asked = question(page, DATES)
    day_first = asked.get_by_label("Day first", exact=False)
    year_first = asked.get_by_label("Year first", exact=False)
    assert "24-03-15 is 24 March 2015" in asked.inner_text()
    assert "24-03-15 is 15 March 2024" in asked.inner_text()
    # No reading is chosen for the person: a guess left selected is a guess made.
    assert not day_first.is_checked() and not year_first.is_checked()

    asked.locator("label", has_text="Year first").click()
    assert year_first.is_checked() and not day_first.is_checked()
    tick(page, "Who is the person whose messages you want to log?", "Sam Ex (2 messages)")
    page.get_by_role("button", name="Import").click()
    page.get_by_role("button", name="See the new entries").click(timeout=60_000)
    page.wait_for_load_state()

    log = main_text(page)
    assert "Friday 15 March 2024, 14:02" in log
    assert "Saturday 16 March 2024, 09:00" in log
    assert "2015" not in log and "2016" not in log
    days = sorted(Entry.objects.filter(case=case).values_list("occurred_on", flat=True))
    assert [day.isoformat() for day in days] == ["2024-03-15", "2024-03-16"]
