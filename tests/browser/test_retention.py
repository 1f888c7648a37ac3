"""Retention reviews in Chromium: a manager finds the closed cases due for review from their
home page, keeps one for longer with a reason and a date, and asks for another to be erased,
confirming it's them."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from daybook.cases.models import Case, CaseStatus
from daybook.cases.services import case_open, case_status_set
from daybook.erasure.models import ErasureRequest
from daybook.retention.models import RetentionReview
from daybook.retention.tasks import list_cases_due_for_review
from tests.browser.conftest import signed_in_as
from tests.browser.journeys import confirm_its_you, main_text, tick
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.conftest import Personas


def _closed_long_ago(personas: Personas, closed_on: dt.date) -> Case:
    case = case_open(
        created_by=personas.advocate, service=personas.service, advocates=(personas.advocate,)
    )
    case_status_set(
        case=case, actor=personas.advocate, status=CaseStatus.CLOSED, closure_reason="Done"
    )
    Case.objects.filter(pk=case.pk).update(
        closed_at=timezone.make_aware(dt.datetime.combine(closed_on, dt.time(11)))
    )
    return case


@pytest.mark.django_db(transaction=True)
def test_a_manager_keeps_one_due_case_and_asks_to_erase_another(
    live_server, context: BrowserContext, page: Page, personas: Personas
) -> None:
    kept = _closed_long_ago(personas, dt.date(2018, 3, 9))
    erased = _closed_long_ago(personas, dt.date(2019, 7, 1))
    list_cases_due_for_review.enqueue()

    signed_in_as(context, live_server, personas.manager)
    page.goto(live_server.url + reverse("home"))
    page.get_by_role("link", name="Cases due for a retention review").click()
    expect(page.locator("h1")).to_have_text("Cases due for a retention review")
    table = page.get_by_test_id("retention-due")
    expect(table).to_contain_text(kept.reference)
    expect(table).to_contain_text("9 Mar 2018")
    expect(table).to_contain_text("9 Mar 2024")
    expect(table).to_contain_text(erased.reference)
    assert_accessible_and_fits(page)

    # Keep the first: without a reason or a date it says what is missing.
    page.get_by_role("link", name=re.compile(f"Keep for longer.*{kept.reference}")).click()
    expect(page.locator("h1")).to_have_text("Keep the case for longer")
    page.get_by_role("button", name="Keep the case").click()
    text = main_text(page)
    assert "Choose why the case is kept for longer" in text
    assert "Enter the day until which the case is kept" in text
    assert_accessible_and_fits(page)
    until = timezone.localdate() + dt.timedelta(days=365)
    tick(page, "Why is the case kept for longer?", "Criminal proceedings are still going on")
    page.get_by_label("Keep it until").fill(until.isoformat())
    page.get_by_role("button", name="Keep the case").click()
    expect(page.locator("h1")).to_have_text("Cases due for a retention review")
    assert f"Case {kept.reference} is kept until {until:%-d %B %Y}" in main_text(page)
    expect(table).not_to_contain_text(kept.reference)
    review = kept.retention_reviews.get()
    assert review.decision == RetentionReview.Decision.KEEP
    assert review.keep_reason == "criminal_proceedings" and review.keep_until == until

    # Erase the second, confirming it's them first.
    page.get_by_role("link", name=re.compile(f"Erase.*{erased.reference}")).click()
    expect(page.locator("h1")).to_have_text("Erase the case")
    assert_accessible_and_fits(page)
    page.get_by_role("button", name="Ask for the case to be erased").click()
    assert "reauthenticate" in page.url
    confirm_its_you(page)
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Cases due for a retention review")
    assert f"Erasure of case {erased.reference} asked for" in main_text(page)
    assert "No closed case is due for a retention review." in main_text(page)
    erasure = ErasureRequest.objects.get()
    assert erasure.case == erased and erasure.reason == ErasureRequest.Reason.RETENTION
    assert erasure.requested_by == personas.manager
    assert erased.retention_reviews.get().decision == RetentionReview.Decision.ERASE


@pytest.mark.django_db(transaction=True)
def test_a_manager_changes_how_long_closed_cases_are_kept(
    live_server, context: BrowserContext, page: Page, personas: Personas
) -> None:
    signed_in_as(context, live_server, personas.manager)
    page.goto(live_server.url + reverse("retention:due"))
    page.get_by_role("link", name="Change how long closed cases are kept").click()
    field = page.get_by_label("Years a case is kept after it closes")
    expect(field).to_have_value("6")
    field.fill("0")
    page.get_by_role("button", name="Save").click()
    assert "Enter a number of years from 1 to 25" in main_text(page)
    assert_accessible_and_fits(page)
    page.get_by_label("Years a case is kept after it closes").fill("7")
    page.get_by_role("button", name="Save").click()
    assert "Closed cases are now kept for 7 years after closing." in main_text(page)
    personas.service.refresh_from_db()
    assert personas.service.retention_years == 7
