"""Retention: when a closed case is due for review, the daily task that lists it once, and a
manager's review of it (keep it longer with a reason, or ask for it to be erased). Nothing is
erased without that review; a log someone keeps for themselves is never listed."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from daybook.accounts.models import Role
from daybook.audit.models import Action, AuditEvent
from daybook.cases.models import Case, CaseStatus
from daybook.cases.services import case_open, case_status_set
from daybook.erasure.models import ErasureRequest
from daybook.erasure.services import erasure_cancel
from daybook.retention.models import RetentionPeriodChange, RetentionReview
from daybook.retention.services import add_years, due_on, reviews_open_for_due_cases
from daybook.retention.tasks import list_cases_due_for_review
from tests.conftest import Personas, make_user
from tests.test_accounts import reauthenticate, sign_in, sign_in_with_mfa
from tests.test_reports import sign_in_fresh


def closed_case(personas: Personas, *, closed_on: dt.date, service=None) -> Case:
    """A case of the service (the personas' own unless named), closed on `closed_on`."""
    service = service or personas.service
    advocate = personas.advocate if service == personas.service else personas.other_advocate
    case = case_open(created_by=advocate, service=service, advocates=(advocate,))
    case_status_set(case=case, actor=advocate, status=CaseStatus.CLOSED, closure_reason="Done")
    closed_at = timezone.make_aware(dt.datetime.combine(closed_on, dt.time(15, 30)))
    Case.objects.filter(pk=case.pk).update(closed_at=closed_at)
    case.refresh_from_db()
    return case


def years_ago(years: int, *, days: int = 0) -> dt.date:
    return add_years(timezone.localdate(), -years) - dt.timedelta(days=days)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def manager_client(personas: Personas) -> Client:
    client = Client()
    sign_in_with_mfa(client, personas.manager)
    return client


# --- When a case is due ----------------------------------------------------------------


def test_a_year_later_keeps_the_day_and_29_february_becomes_28() -> None:
    assert add_years(dt.date(2020, 3, 31), 6) == dt.date(2026, 3, 31)
    assert add_years(dt.date(2020, 2, 29), 6) == dt.date(2026, 2, 28)
    assert add_years(dt.date(2026, 2, 28), -6) == dt.date(2020, 2, 28)


def test_a_case_is_due_its_services_retention_years_after_it_closed(personas: Personas) -> None:
    case = closed_case(personas, closed_on=dt.date(2020, 2, 29))
    assert due_on(case) == dt.date(2026, 2, 28)
    personas.service.retention_years = 3
    personas.service.save()
    case.refresh_from_db()
    assert due_on(case) == dt.date(2023, 2, 28)


def test_an_open_case_and_a_self_held_log_are_never_due(case, personas: Personas) -> None:
    assert due_on(case) is None  # open, held by the service
    own = case_open(created_by=personas.outsider, owner=personas.outsider)
    Case.objects.filter(pk=own.pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now() - dt.timedelta(days=3650)
    )
    own.refresh_from_db()
    assert due_on(own) is None


# --- The daily task --------------------------------------------------------------------


def test_the_daily_task_lists_each_due_case_once(personas: Personas) -> None:
    due = closed_case(personas, closed_on=years_ago(6))
    long_due = closed_case(personas, closed_on=years_ago(9))
    not_yet = closed_case(personas, closed_on=years_ago(6) + dt.timedelta(days=1))
    still_open = case_open(created_by=personas.advocate, service=personas.service)
    Case.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - dt.timedelta(3650))

    result = list_cases_due_for_review.enqueue()
    assert result.return_value == 2
    reviews = RetentionReview.objects.all()
    assert {review.case_id for review in reviews} == {due.pk, long_due.pk}
    assert {review.due_on for review in reviews} == {
        add_years(due.closed_at.date(), 6),
        add_years(long_due.closed_at.date(), 6),
    }
    assert all(review.waiting and review.service == personas.service for review in reviews)
    events = AuditEvent.objects.filter(action=Action.RETENTION_DUE)
    assert {event.subject_id for event in events} == {str(due.pk), str(long_due.pk)}
    assert all(set(event.extra) == {"case", "review"} for event in events)  # ids only
    assert all(event.organisation_id == personas.service.pk for event in events)

    # Listed once: the next day's run finds them already waiting.
    assert list_cases_due_for_review.enqueue().return_value == 0
    assert RetentionReview.objects.count() == 2
    assert not_yet.retention_reviews.count() == 0
    # Listing never erases anything.
    assert not ErasureRequest.objects.exists()
    assert Case.objects.filter(erased_at__isnull=False).count() == 0


def test_each_service_uses_its_own_retention_years(personas: Personas) -> None:
    personas.other_service.retention_years = 2
    personas.other_service.save()
    theirs = closed_case(personas, closed_on=years_ago(3), service=personas.other_service)
    ours = closed_case(personas, closed_on=years_ago(3))
    reviews_open_for_due_cases()
    assert list(RetentionReview.objects.values_list("case", flat=True)) == [theirs.pk]
    assert not ours.retention_reviews.exists()


def test_a_self_held_log_is_never_listed_however_old(personas: Personas) -> None:
    own = case_open(created_by=personas.victim, owner=personas.victim)
    Case.objects.filter(pk=own.pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now() - dt.timedelta(days=365 * 30)
    )
    assert reviews_open_for_due_cases() == []
    assert not RetentionReview.objects.exists()


def test_an_erased_case_is_not_listed(personas: Personas) -> None:
    gone = closed_case(personas, closed_on=years_ago(7))
    Case.objects.filter(pk=gone.pk).update(erased_at=timezone.now())
    assert reviews_open_for_due_cases() == []


# --- The manager's review ---------------------------------------------------------------


@pytest.fixture
def due_review(personas: Personas) -> RetentionReview:
    closed_case(personas, closed_on=dt.date(2019, 5, 14))
    (review,) = reviews_open_for_due_cases()
    return review


def test_the_manager_sees_reference_closed_and_due_dates(due_review, personas: Personas) -> None:
    page = text(manager_client(personas).get(reverse("retention:due")))
    assert "Cases due for a retention review" in page
    assert due_review.case.reference in page
    assert "14 May 2019" in page and "14 May 2025" in page
    assert "keeps a case for 6 years after it closes" in page


def test_the_list_page_reads_as_many_queries_for_twelve_cases_as_for_two(
    personas: Personas,
) -> None:
    client = manager_client(personas)
    client.get(reverse("retention:due"))  # the session's first page settles it

    def queries_for_the_page() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("retention:due"))
        return len(queries), text(response)

    for day in (1, 2):
        closed_case(personas, closed_on=dt.date(2018, 1, day))
    reviews_open_for_due_cases()
    two, page = queries_for_the_page()
    assert page.count("Keep for longer") == 2
    for day in range(3, 13):
        closed_case(personas, closed_on=dt.date(2018, 1, day))
    reviews_open_for_due_cases()
    twelve, page = queries_for_the_page()
    assert page.count("Keep for longer") == 12
    assert twelve == two


def test_keeping_a_case_longer_needs_a_reason_and_a_later_date(
    due_review, personas: Personas
) -> None:
    client = manager_client(personas)
    url = reverse("retention:keep", args=[due_review.pk])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(url, {"reason": "", "keep_until": yesterday.isoformat()})
    assert response.status_code == 400
    page = text(response)
    assert "Choose why the case is kept for longer" in page
    assert "The day must be after today" in page
    due_review.refresh_from_db()
    assert due_review.waiting
    assert not AuditEvent.objects.filter(action=Action.RETENTION_EXTENDED).exists()


def test_keeping_a_case_longer_lists_it_again_on_the_chosen_day(
    due_review, personas: Personas
) -> None:
    client = manager_client(personas)
    until = timezone.localdate() + dt.timedelta(days=400)
    response = client.post(
        reverse("retention:keep", args=[due_review.pk]),
        {"reason": "criminal_proceedings", "keep_until": until.isoformat()},
    )
    assert response["Location"] == reverse("retention:due")
    due_review.refresh_from_db()
    assert due_review.decision == RetentionReview.Decision.KEEP
    assert due_review.keep_reason == "criminal_proceedings" and due_review.keep_until == until
    assert due_review.decided_by == personas.manager
    event = AuditEvent.objects.get(action=Action.RETENTION_EXTENDED)
    assert event.actor == personas.manager and event.subject_id == str(due_review.case_id)
    assert event.extra == {
        "review": due_review.pk,
        "reason": "criminal_proceedings",
        "until": until.isoformat(),
    }
    assert "is kept until" in text(client.get(reverse("retention:due")))  # the message
    assert due_review.case.reference not in text(client.get(reverse("retention:due")))
    # Decided: the review cannot be decided again.
    assert client.get(reverse("retention:keep", args=[due_review.pk])).status_code == 404
    assert due_on(due_review.case) == until

    assert reviews_open_for_due_cases(today=until - dt.timedelta(days=1)) == []
    (again,) = reviews_open_for_due_cases(today=until)
    assert again.case == due_review.case and again.due_on == until
    page = text(client.get(reverse("retention:due")))
    assert f"kept until {until:%-d %b %Y} (criminal proceedings are still going on)" in page


def test_erasing_a_due_case_asks_for_its_erasure_after_reauthentication(
    due_review, personas: Personas
) -> None:
    stale = manager_client(personas)
    url = reverse("retention:erase", args=[due_review.pk])
    assert "Erase the case" in text(stale.get(url))
    response = stale.post(url)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ErasureRequest.objects.exists()

    reauthenticate(stale)
    fresh = stale
    response = fresh.post(url)
    assert response["Location"] == reverse("retention:due")
    erasure = ErasureRequest.objects.get()
    assert erasure.case == due_review.case
    assert erasure.reason == ErasureRequest.Reason.RETENTION
    assert erasure.requested_by == personas.manager
    due_review.refresh_from_db()
    assert due_review.decision == RetentionReview.Decision.ERASE
    assert due_review.decided_by == personas.manager
    # On its way to erasure: not listed again while the request stands.
    assert reviews_open_for_due_cases() == []

    # Cancelled within its undo window, the case comes back for another review.
    erasure_cancel(erasure=erasure, actor=personas.manager)
    (again,) = reviews_open_for_due_cases()
    assert again.case == due_review.case
    page = text(fresh.get(reverse("retention:due")))
    assert "erasure asked for, then cancelled" in page


def test_a_refused_erasure_says_why_and_leaves_the_review_waiting(
    due_review, personas: Personas
) -> None:
    from daybook.erasure.services import erasure_request

    erasure_request(
        case=due_review.case,
        actor=personas.manager,
        reason=ErasureRequest.Reason.SERVICE,
        service_reason="no_longer_needed",
    )
    fresh = sign_in_fresh(personas.manager)
    response = fresh.post(reverse("retention:erase", args=[due_review.pk]), follow=True)
    assert "This log is already due to be erased." in text(response)
    due_review.refresh_from_db()
    assert due_review.waiting
    assert ErasureRequest.objects.count() == 1


# --- Who may review ---------------------------------------------------------------------


def test_another_services_manager_cannot_see_or_act(due_review, personas: Personas) -> None:
    other_manager = make_user(
        "other.manager@example.org", Role.SERVICE_MANAGER, personas.other_service, mfa=True
    )
    client = sign_in_fresh(other_manager)
    assert due_review.case.reference not in text(client.get(reverse("retention:due")))
    for name in ("retention:keep", "retention:erase"):
        url = reverse(name, args=[due_review.pk])
        assert client.get(url).status_code == 404
        until = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
        assert client.post(url, {"reason": "legal_duty", "keep_until": until}).status_code == 404
    due_review.refresh_from_db()
    assert due_review.waiting
    assert not ErasureRequest.objects.exists()


@pytest.mark.parametrize("who", ["advocate", "victim", "police", "commissioner", "administrator"])
def test_only_a_manager_reaches_the_retention_pages(due_review, personas: Personas, who) -> None:
    user = getattr(personas, who)
    client = Client()
    if user.is_staff_member:
        sign_in_with_mfa(client, user)
    else:
        sign_in(client, user.email)
    for url in (
        reverse("retention:due"),
        reverse("retention:settings"),
        reverse("retention:keep", args=[due_review.pk]),
        reverse("retention:erase", args=[due_review.pk]),
    ):
        assert client.get(url).status_code == 404, url


# --- How long a service keeps closed cases ----------------------------------------------


def test_a_manager_sets_their_services_retention_years(personas: Personas) -> None:
    client = manager_client(personas)
    page = client.get(reverse("retention:settings"))
    assert 'value="6"' in page.content.decode()  # the default
    response = client.post(reverse("retention:settings"), {"retention_years": "0"})
    assert response.status_code == 400
    assert "Enter a number of years from 1 to 25" in text(response)
    response = client.post(reverse("retention:settings"), {"retention_years": "seven"})
    assert "Enter a whole number of years, for example 6" in text(response)

    response = client.post(reverse("retention:settings"), {"retention_years": "8"})
    assert response["Location"] == reverse("retention:settings")
    personas.service.refresh_from_db()
    personas.other_service.refresh_from_db()
    assert personas.service.retention_years == 8
    assert personas.other_service.retention_years == 6
    change = RetentionPeriodChange.objects.get()
    assert (change.years_before, change.years_after, change.changed_by) == (
        6,
        8,
        personas.manager,
    )
    assert "from 6 to 8 years" in text(client.get(reverse("retention:settings")))
    event = AuditEvent.objects.get(action=Action.RETENTION_YEARS_CHANGED)
    assert (event.actor, event.extra) == (personas.manager, {"from": 6, "to": 8})


def test_a_managers_home_page_links_to_the_cases_due(due_review, personas: Personas) -> None:
    page = text(manager_client(personas).get(reverse("home")))
    assert "Cases due for a retention review (1)" in page
    advocate = Client()
    sign_in_with_mfa(advocate, personas.advocate)
    assert "retention review" not in text(advocate.get(reverse("home")))


def test_once_carried_out_the_erasure_leaves_no_review_behind(
    due_review, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    from daybook.erasure.models import Tombstone
    from daybook.erasure.services import erasures_carry_out_due
    from daybook.retention.services import retention_erase

    reference = due_review.case.reference
    erasure = retention_erase(review=due_review, actor=personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert erasures_carry_out_due(now=erasure.due_at + dt.timedelta(seconds=1)) == 1
    assert not Case.objects.filter(reference=reference).exists()
    assert not RetentionReview.objects.exists()
    tombstone = Tombstone.objects.get(reference=reference)
    assert tombstone.reason == ErasureRequest.Reason.RETENTION


def test_a_case_reopened_while_waiting_leaves_the_list(due_review, personas: Personas) -> None:
    case_status_set(case=due_review.case, actor=personas.advocate, status=CaseStatus.ACTIVE)
    client = manager_client(personas)
    assert due_review.case.reference not in text(client.get(reverse("retention:due")))
    assert client.get(reverse("retention:keep", args=[due_review.pk])).status_code == 404
    assert reviews_open_for_due_cases() == []
    assert not RetentionReview.objects.exists()  # dropped: due again once it closes again


def test_the_daily_command_queues_the_task(personas: Personas) -> None:
    from io import StringIO

    from django.core.management import call_command

    due = closed_case(personas, closed_on=years_ago(7))
    out = StringIO()
    call_command("retention_due", stdout=out)  # tests run tasks as soon as they are queued
    assert "Retention check queued" in out.getvalue()
    assert list(RetentionReview.objects.values_list("case", flat=True)) == [due.pk]
