"""An advocate records an order with its conditions and a breach of one of them, and asks for
a witness statement draft: only clicks and typing on the real pages, in Chromium."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from daybook.cases.models import OrderBreach
from daybook.incidents.services import entry_record
from daybook.reports.chronology import POLICE, build
from tests.browser.journeys import confirm_its_you, main_text, sign_in, tick
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.browser.test_journeys import download_pdf_text
from tests.conftest import entry_values

CONDITIONS = (
    "Not to contact Alex Doe directly or indirectly",
    "Not to go within 100 metres of Elm Road",
)


@pytest.mark.django_db(transaction=True)
def test_advocate_records_an_order_a_breach_of_a_condition_and_a_statement_draft(
    live_server, page: Page, personas, case
) -> None:
    earlier, later = (
        entry_record(
            case=case,
            author=personas.victim,
            how="victim",
            values=entry_values(occurred_on=day, what_happened=words, private_details=""),
        )
        for day, words in (
            ("2026-10-02", "He was outside the house again."),
            ("2026-10-09", "He waited at the end of Elm Road when I came home."),
        )
    )
    sign_in(page, live_server.url, personas.advocate)

    # The order, with its court, dates and two conditions, one a line.
    page.goto(live_server.url + reverse("cases:section", args=[case.pk, "orders"]))
    assert_accessible_and_fits(page)
    page.get_by_label("Order", exact=True).select_option(label="Interim Stalking Protection Order")
    page.get_by_label("Status").select_option(label="Interim order in place")
    page.get_by_label("Court (or police station, for bail)").fill("Northshire Magistrates' Court")
    page.get_by_label("Date made").fill("2026-09-01")
    page.get_by_label("Expires").fill("2027-03-01")
    page.get_by_label("Conditions (one per line)").fill("\n".join(CONDITIONS))
    page.get_by_role("button", name="Save").click()
    card = page.locator(".govuk-summary-card").first.inner_text()
    assert "Northshire Magistrates' Court" in card and "1 Sep 2026" in card, card
    assert CONDITIONS[1] in card

    # The breach: the later entry broke the second condition.
    page.get_by_role("link", name="Breaches and conditions").click()
    assert_accessible_and_fits(page)
    page.get_by_label("Entry in the log").select_option(label=str(later))
    tick(page, "Condition breached", CONDITIONS[1])
    page.get_by_role("button", name="Record the breach").click()
    assert "Breach recorded" in main_text(page)
    recorded = page.locator(".govuk-summary-list").inner_text()
    assert str(later) in recorded and CONDITIONS[1] in recorded, recorded
    assert list(OrderBreach.objects.values_list("entry", "condition")) == [(later.pk, 1)]
    # A breach recorded without its entry is refused, kindly, and nothing is saved.
    page.get_by_role("button", name="Record the breach").click()
    assert "Choose the entry that breached the order" in main_text(page)
    assert OrderBreach.objects.count() == 1

    # The police chronology lists the order with the breach against that condition.
    (order,) = build(case, profile=POLICE, produced_by=personas.advocate).orders
    assert [(b.number, b.condition) for b in order.breaches] == [(2, CONDITIONS[1])]

    # A witness statement draft, asked for from the reports page.
    page.goto(live_server.url + reverse("reports:home", args=[case.pk]))
    page.get_by_role("link", name="Draft a witness statement").click()
    assert "It is a draft" in main_text(page)
    assert_accessible_and_fits(page)
    page.get_by_label("Full name to print on the statement").fill("Alex Doe")
    page.get_by_role("button", name="Produce the draft").click()
    confirm_its_you(page)
    text = " ".join(download_pdf_text(page).split())
    assert "DRAFT" in text and "Alex Doe" in text
    assert text.index("He was outside the house again.") < text.index(
        "He waited at the end of Elm Road when I came home."
    )
    assert earlier.pk != later.pk
