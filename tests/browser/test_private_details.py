"""The choice to let the police see the details to keep private, made on the real sharing page
in Chromium: no unless ticked, stated on the check page, and kept by the share."""

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from daybook.incidents import services as log
from daybook.incidents.content import PRIVATE_MARK, PRIVATE_PROMISE, PRIVATE_SHARE_QUESTION
from daybook.sharing.models import Share
from tests.browser.conftest import signed_in_as
from tests.browser.journeys import confirm_its_you, question, tick
from tests.conftest import Personas, entry_values

CANARY = "Canary flat at 4 Larch Close"


@pytest.mark.django_db(transaction=True)
def test_a_person_lets_the_police_see_the_private_details_and_the_check_page_says_so(
    live_server, context: BrowserContext, page: Page, personas: Personas, case
) -> None:
    log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(
            occurred_on="2026-10-01", what_happened="He was outside", private_details=CANARY
        ),
    )
    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("sharing:case", args=[case.pk]))
    expect(page.locator("[data-testid=private-promise]")).to_have_text(PRIVATE_PROMISE)
    expect(question(page, PRIVATE_SHARE_QUESTION).get_by_label("No", exact=True)).to_be_checked()
    page.get_by_label("Your whole log (1 entry)").check()
    tick(page, PRIVATE_SHARE_QUESTION, "Yes")
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("Check before you share")
    private = page.locator("[data-testid=private]")
    expect(private).to_contain_text(f"Shared, marked “{PRIVATE_MARK}”")
    expect(private).to_contain_text(PRIVATE_PROMISE)
    expect(page.locator("[data-testid=left-out]")).not_to_contain_text("Details to keep private")
    page.get_by_role("button", name="Share with Northshire Police").click()
    confirm_its_you(page)
    expect(page.get_by_text("They can see the details to keep private")).to_be_visible()
    share = Share.objects.get()
    assert share.include_private

    signed_in_as(context, live_server, personas.police)
    page.goto(live_server.url + reverse("police:shared_log", args=[share.pk]))
    expect(page.locator("[data-testid=shared-private-details]")).to_contain_text(
        f"{PRIVATE_MARK} {CANARY}"
    )
