"""Erasure in Chromium: a manager erases a case from its record (with a reason, confirming it
is them, and a second manager's approval where the service asks), the person sees the date and
cancels it, and the person erases their own log."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from daybook.accounts.models import Role
from daybook.cases.models import Case
from daybook.cases.services import case_open
from daybook.erasure.models import ErasureRequest
from daybook.erasure.services import UNDO_DAYS, erasures_carry_out_due
from tests.browser.conftest import signed_in_as
from tests.browser.journeys import confirm_its_you, main_text, tick
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.conftest import Personas, make_user


def _in_a_week() -> str:
    due = timezone.localtime() + timezone.timedelta(days=UNDO_DAYS)
    return f"{due.day} {due:%B %Y}"


@pytest.mark.django_db(transaction=True)
def test_a_manager_erases_a_case_and_the_person_cancels_it(
    live_server, context: BrowserContext, page: Page, personas: Personas, case
) -> None:
    signed_in_as(context, live_server, personas.manager)
    page.goto(live_server.url + reverse("cases:record", args=[case.pk]))
    page.get_by_role("link", name="Erase this case").click()
    expect(page.locator("h1")).to_have_text("Erase this case")
    assert_accessible_and_fits(page)

    # Asked without a reason: a clear message, nothing asked for.
    page.get_by_role("button", name="Ask for the case to be erased").click()
    confirm_its_you(page)
    assert "Choose why the case is to be erased" in main_text(page)
    assert not ErasureRequest.objects.exists()

    tick(page, "Why is this case to be erased?", "The service decided")
    page.get_by_label("The service's reason").select_option("opened_in_error")
    page.get_by_label("More about the decision (optional)").fill("Opened twice")
    page.get_by_role("button", name="Ask for the case to be erased").click()
    confirm_its_you(page)
    expect(page.get_by_test_id("erasure-pending")).to_contain_text(
        f"This case will be erased on {_in_a_week()}"
    )
    assert "The service decided: opened in error" in main_text(page)
    assert "Opened twice" in main_text(page)
    assert ErasureRequest.objects.get().service_reason == "opened_in_error"

    # The person sees it on their log and stops it.
    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("incidents:log", args=[case.pk]))
    pending = page.get_by_test_id("erasure-pending")
    expect(pending).to_contain_text(f"This log will be erased on {_in_a_week()}")
    assert_accessible_and_fits(page)
    assert "Opened twice" not in main_text(page)  # the service's own words, for its managers
    pending.get_by_role("button", name="Cancel the erasure").click()
    expect(page.get_by_text("The erasure is cancelled")).to_be_visible()
    expect(page.get_by_test_id("erasure-pending")).to_have_count(0)
    assert erasures_carry_out_due(timezone.now() + timezone.timedelta(days=8)) == 0
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_manager_approves_where_the_service_asks(
    live_server, context: BrowserContext, page: Page, personas: Personas, case
) -> None:
    personas.service.erasure_needs_second_approval = True
    personas.service.save()
    second = make_user("manager.two@example.org", Role.SERVICE_MANAGER, personas.service, mfa=True)
    signed_in_as(context, live_server, personas.manager)
    page.goto(live_server.url + reverse("erasure:erase", args=[case.pk]))
    assert "a second manager to approve" in main_text(page)
    tick(page, "Why is this case to be erased?", "The person asked for their data to be erased")
    page.get_by_role("button", name="Ask for the case to be erased").click()
    confirm_its_you(page)
    pending = page.get_by_test_id("erasure-pending")
    expect(pending).to_contain_text("Waiting for a second manager's approval")
    # The manager who asked cannot approve it themselves.
    expect(pending.get_by_role("button", name="Approve the erasure")).to_have_count(0)

    signed_in_as(context, live_server, second)
    page.goto(live_server.url + reverse("cases:record", args=[case.pk]))
    page.get_by_role("button", name="Approve the erasure").click()
    confirm_its_you(page)
    expect(page.get_by_text("Erasure approved")).to_be_visible()
    expect(page.get_by_test_id("erasure-pending")).not_to_contain_text("Waiting")
    assert ErasureRequest.objects.get().approved_by == second


@pytest.mark.django_db(transaction=True)
def test_the_person_erases_their_own_log(
    live_server, context: BrowserContext, page: Page, personas: Personas
) -> None:
    log = case_open(created_by=personas.victim, owner=personas.victim)
    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("incidents:log", args=[log.pk]))
    page.get_by_role("link", name="Erase your log").click()
    expect(page.locator("h1")).to_have_text("Erase your log")
    assert_accessible_and_fits(page)
    page.get_by_role("button", name="Erase my log").click()
    confirm_its_you(page)
    expect(page.get_by_test_id("erasure-pending")).to_contain_text(
        f"This log will be erased on {_in_a_week()}"
    )
    assert erasures_carry_out_due(timezone.now() + timezone.timedelta(days=8)) == 1
    response = page.goto(live_server.url + reverse("incidents:log", args=[log.pk]))
    assert response is not None and response.status == 404  # the log is gone


@pytest.mark.django_db(transaction=True)
def test_an_advocate_cannot_erase(
    live_server, context: BrowserContext, page: Page, personas: Personas, case
) -> None:
    signed_in_as(context, live_server, personas.advocate)
    page.goto(live_server.url + reverse("cases:record", args=[case.pk]))
    expect(page.get_by_role("link", name="Erase this case")).to_have_count(0)
    response = page.goto(live_server.url + reverse("erasure:erase", args=[case.pk]))
    assert response is not None and response.status == 403
