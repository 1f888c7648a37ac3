"""Exit never loses what someone wrote: in Chromium, a person types, leaves at once with
Escape, Shift three times or the button, signs in again and finds the text under Drafts."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from daybook.drafts.models import Draft
from tests.browser.conftest import signed_in_as
from tests.browser.journeys import confirm_its_you, sign_in
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_quick_exit import (
    leave_with_button,
    leave_with_escape,
    leave_with_shift,
    wait_for_neutral_site,
)

ENTRY = "He was sitting in a grey car outside my work at 5pm, and again at 5:40."


def open_form(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    expect(page.locator(".daybook-draft-note")).to_be_visible()


def leave_and_come_back(page: Page, live_server, user, leave) -> None:
    """Leave at once, check nothing of Daybook is left in the tab, then sign in again."""
    leave(page)
    wait_for_neutral_site(page)
    assert page.url == settings.DAYBOOK_EXIT_URL
    sign_in(page, live_server.url, user)


def resume_from_drafts(page: Page, words: str) -> None:
    """Find the draft under Drafts in the menu and carry on writing it."""
    page.get_by_role("link", name="Drafts").first.click()
    page.wait_for_load_state("load")
    card = page.locator(".govuk-summary-card", has_text=words)
    expect(card).to_have_count(1)
    assert serious_violations(page) == []
    card.get_by_role("link", name="Carry on writing").click()
    page.wait_for_load_state("load")
    expect(page.locator(".daybook-draft-restored")).to_be_visible()


def no_drafts_left(page: Page, live_server, owner) -> None:
    page.goto(live_server.url + reverse("drafts:list"))
    expect(page.locator("main")).to_contain_text("You have no drafts")
    assert not Draft.objects.filter(owner=owner).exists()


@pytest.mark.django_db(transaction=True)
def test_an_entry_typed_then_left_with_escape_is_waiting_under_drafts(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    signed_in_as(context, live_server, personas.victim)
    open_form(page, live_server.url + reverse("incidents:record", args=[case.pk]))
    page.fill("#id_what_happened", ENTRY)
    page.check("input[name=behaviours][value=watching]")
    # Escape at once, before any autosave: the exit itself keeps the text.
    page.locator("#id_what_happened").press("Escape")
    leave_and_come_back(page, live_server, personas.victim, leave=lambda page: None)

    resume_from_drafts(page, "grey car outside my work")
    expect(page.locator("#id_what_happened")).to_have_value(ENTRY)
    expect(page.locator("input[name=behaviours][value=watching]")).to_be_checked()
    page.fill("#id_occurred_on", "2026-11-03")
    page.click("button[name=add]")
    expect(page.locator("main")).to_contain_text("Added to the log")
    no_drafts_left(page, live_server, personas.victim)


@pytest.mark.django_db(transaction=True)
def test_escape_in_a_date_field_still_leaves_and_keeps_the_text(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    signed_in_as(context, live_server, personas.victim)
    open_form(page, live_server.url + reverse("incidents:record", args=[case.pk]))
    page.fill("#id_what_happened", ENTRY)
    page.locator("#id_occurred_on").focus()
    page.keyboard.press("Escape")
    wait_for_neutral_site(page)
    for _ in range(50):
        if Draft.objects.filter(owner=personas.victim).exists():
            break
        page.wait_for_timeout(100)
    assert Draft.objects.filter(owner=personas.victim).count() == 1


@pytest.mark.django_db(transaction=True)
def test_escape_with_the_date_picker_open_still_leaves(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    signed_in_as(context, live_server, personas.victim)
    open_form(page, live_server.url + reverse("incidents:record", args=[case.pk]))
    page.fill("#id_what_happened", ENTRY)
    # Open the browser's calendar with its button at the right of the date field.
    box = page.locator("#id_occurred_on").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] - 15, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    page.keyboard.press("Escape")
    wait_for_neutral_site(page)


@pytest.mark.django_db(transaction=True)
def test_an_amendment_left_with_three_shifts_is_waiting_under_drafts(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    entry,
) -> None:
    signed_in_as(context, live_server, personas.victim)
    open_form(page, live_server.url + reverse("incidents:amend", args=[entry.case_id, entry.pk]))
    page.fill("#id_reason", "I remembered the car's colour was silver, not grey.")
    page.fill("#id_what_happened", "He stood outside the house in a silver car.")
    leave_and_come_back(page, live_server, personas.victim, leave_with_shift)

    resume_from_drafts(page, "silver, not grey")
    expect(page.locator("#id_reason")).to_have_value(
        "I remembered the car's colour was silver, not grey."
    )
    expect(page.locator("#id_what_happened")).to_have_value(
        "He stood outside the house in a silver car."
    )
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Amendment added")
    no_drafts_left(page, live_server, personas.victim)


@pytest.mark.django_db(transaction=True)
def test_asking_for_support_left_with_the_button_is_waiting_under_drafts(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    signed_in_as(context, live_server, personas.victim)
    open_form(page, live_server.url + reverse("cases:referral_new"))
    page.fill("#id_what_is_happening", "Messages every night from new numbers since June.")
    page.check("input[name=safe_channels][value=phone]")
    page.fill("#id_phone", "07700 900123")
    leave_and_come_back(page, live_server, personas.victim, leave_with_button)

    resume_from_drafts(page, "new numbers since June")
    expect(page.locator("#id_what_is_happening")).to_have_value(
        "Messages every night from new numbers since June."
    )
    expect(page.locator("input[name=safe_channels][value=phone]")).to_be_checked()
    expect(page.locator("#id_phone")).to_have_value("07700 900123")
    page.locator("input[name=voicemail_safe]").first.check()
    page.locator("input[name=urgency]").first.check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/referrals/new/" not in page.url
    no_drafts_left(page, live_server, personas.victim)


@pytest.mark.django_db(transaction=True)
def test_a_statement_draft_left_with_escape_is_waiting_under_drafts(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    entry,
) -> None:
    signed_in_as(context, live_server, personas.victim)
    open_form(page, live_server.url + reverse("reports:vps", args=[entry.case_id]))
    page.fill("#id_emotional", "I check the window every night before I can sleep.")
    page.wait_for_timeout(2600)  # and this time the autosave has run before leaving
    leave_and_come_back(page, live_server, personas.victim, leave_with_escape)

    resume_from_drafts(page, "check the window every night")
    expect(page.locator("#id_emotional")).to_have_value(
        "I check the window every night before I can sleep."
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    confirm_its_you(page)
    assert "/reports/" in page.url and "/vps/" not in page.url, page.url
    no_drafts_left(page, live_server, personas.victim)


@pytest.mark.django_db(transaction=True)
def test_an_advocates_contact_note_is_kept_as_they_type(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    case,
) -> None:
    """Staff pages have no Exit this page; a note is still kept if the tab is closed."""
    signed_in_as(context, live_server, personas.advocate)
    open_form(page, live_server.url + reverse("cases:section", args=[case.pk, "contact"]))
    page.fill("#id_note", "Called on the safe number; she has moved the children's school.")
    page.wait_for_timeout(2600)
    page.close()

    page = context.new_page()
    page.goto(live_server.url + reverse("home"))
    resume_from_drafts(page, "moved the children")
    expect(page.locator("#id_note")).to_have_value(
        "Called on the safe number; she has moved the children's school."
    )
    page.fill("#id_happened_at", "2026-11-03T10:30")
    page.locator("input[name=direction]").first.check()
    page.check("input[name=safe_contact_checked]")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("moved the children")
    no_drafts_left(page, live_server, personas.advocate)


@pytest.mark.django_db(transaction=True)
def test_the_anonymous_self_referral_keeps_nothing_anywhere(
    live_server,
    context: BrowserContext,
    page: Page,
) -> None:
    page.goto(live_server.url + reverse("public:before_you_continue"))
    page.click("main button[type=submit]")
    page.goto(live_server.url + reverse("cases:refer_yourself"))
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_contain_text("nothing you type here is kept")
    page.get_by_label("Your name, or what we should call you").fill("Sam")
    stored = page.evaluate(
        "() => JSON.stringify([Object.keys(localStorage), Object.keys(sessionStorage)])"
    )
    leave_with_escape(page)
    wait_for_neutral_site(page)
    assert stored == "[[],[]]"
    assert not Draft.objects.exists()
