"""Opening a page writes nothing, and costs the same number of queries however long the log.

A write on a read takes SQLite's database-wide write lock (every request queues behind every
other) and is a row written per click on PostgreSQL; a query per entry makes a page slower the
longer someone has been keeping their log. Both are measured here on the pages people open most:
the dashboard, the case record, the log, its patterns and an entry.

The one write a read may make is the audit row the architecture asks for: a member of staff
reading a person's case is recorded by the access function (tests/test_read_audit.py), in one
INSERT into the audit table naming the reader, a `*_viewed` action and the case. The person
reading their own log is not recorded, so their pages write nothing at all.
"""

import re
from dataclasses import dataclass

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from daybook.accounts.models import User
from daybook.audit.models import AuditEvent
from daybook.incidents import services
from tests.conftest import Personas, entry_values

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
AUDIT_INSERT = re.compile(rf'^\s*INSERT INTO "?{AuditEvent._meta.db_table}"?\s', re.IGNORECASE)


@dataclass
class Opened:
    status: int
    queries: int
    writes: list[str]
    audited: list[AuditEvent]


def open_page(client: Client, url: str) -> Opened:
    newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    statements = [query["sql"] for query in captured.captured_queries]
    return Opened(
        status=response.status_code,
        queries=len(statements),
        writes=[sql for sql in statements if WRITE.match(sql)],
        audited=list(AuditEvent.objects.filter(pk__gt=newest)),
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    # The first signed-in request records the session's activity (tested below); the pages
    # are measured after it.
    assert client.get(reverse("home")).status_code == 200
    return client


def record_entries(case, author: User, count: int) -> None:
    with transaction.atomic(), services.chain_batch(case):
        for index in range(count):
            services.entry_record(
                case=case,
                author=author,
                how="victim",
                values=entry_values(what_happened=f"Entry {index}: he was outside again."),
            )


def main_pages(case, entry_id: int) -> dict[str, str]:
    return {
        "dashboard": reverse("home"),
        "case record": reverse("cases:record", args=[case.pk]),
        "log": reverse("incidents:log", args=[case.pk]),
        "patterns": reverse("insights:patterns", args=[case.pk]),
        "entry": reverse("incidents:entry", args=[case.pk, entry_id]),
    }


@pytest.fixture
def log_of_five(case, personas: Personas):
    record_entries(case, personas.victim, 5)
    return case


def first_entry_id(case) -> int:
    return case.entries.order_by("pk").values_list("pk", flat=True).first()


READERS = ["victim", "advocate", "manager"]
PAGES = ["dashboard", "case record", "log", "patterns", "entry"]


def staff_read_audit(reader: User, case, opened: Opened) -> bool:
    """Whether `opened` wrote exactly the read audit of a member of staff, and nothing else."""
    if [sql for sql in opened.writes if not AUDIT_INSERT.match(sql)]:
        return False
    return (
        len(opened.writes) == 1
        and len(opened.audited) == 1
        and opened.audited[0].actor_id == reader.pk
        and opened.audited[0].action.endswith("_viewed")
        and opened.audited[0].extra.get("case") == case.pk
    )


@pytest.mark.parametrize("reader_name", READERS)
@pytest.mark.parametrize("page", PAGES)
def test_opening_a_main_page_writes_nothing_but_the_audit_of_a_read(
    reader_name: str, page: str, personas: Personas, log_of_five
) -> None:
    reader = getattr(personas, reader_name)
    client = signed_in(reader)
    url = main_pages(log_of_five, first_entry_id(log_of_five))[page]
    opened = open_page(client, url)
    if opened.status == 403:
        # The case record is for staff; its owner reads their log instead.
        assert (reader_name, page) == ("victim", "case record")
        return
    assert opened.status == 200
    if reader_name == "victim" or page == "dashboard":
        # A person reading their own log, and anyone's list of cases, is not audited.
        assert opened.writes == []
        assert opened.audited == []
    else:
        assert staff_read_audit(reader, log_of_five, opened), opened.writes


def test_a_page_opened_again_writes_only_its_read_audit(personas: Personas, log_of_five) -> None:
    for reader_name in READERS:
        reader = getattr(personas, reader_name)
        client = signed_in(reader)
        for page, url in main_pages(log_of_five, first_entry_id(log_of_five)).items():
            client.get(url)
            opened = open_page(client, url)
            if opened.status != 200:
                continue
            if reader_name == "victim" or page == "dashboard":
                assert opened.writes == [], (reader_name, page)
            else:
                assert staff_read_audit(reader, log_of_five, opened), (reader_name, page)


# --- Session activity -----------------------------------------------------------------


def session_writes(opened: Opened) -> list[str]:
    tables = (UserSession._meta.db_table, "django_session")
    return [sql for sql in opened.writes if any(f'"{table}"' in sql for table in tables)]


def test_activity_is_recorded_on_the_first_request_and_again_only_after_the_interval(
    personas: Personas, settings, monkeypatch
) -> None:
    settings.DAYBOOK_SESSION_ACTIVITY_SECONDS = 300
    now = [1_800_000_000.0]
    monkeypatch.setattr("daybook.accounts.activity.time.time", lambda: now[0])
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0")
    client.force_login(personas.victim)
    UserSession.objects.all().delete()

    first = open_page(client, reverse("home"))
    assert session_writes(first), "the first signed-in request records the session"
    session = UserSession.objects.get(user=personas.victim)
    assert session.ip == "127.0.0.1"
    seen_first = session.last_seen_at

    now[0] += 299
    for _ in range(3):
        assert open_page(client, reverse("home")).writes == []

    now[0] += 2
    again = open_page(client, reverse("home"))
    assert session_writes(again), "after the interval the session's activity is recorded again"
    assert UserSession.objects.get(pk=session.pk).last_seen_at > seen_first
    assert open_page(client, reverse("home")).writes == []


def test_a_session_used_from_another_address_is_recorded_at_once(
    personas: Personas, settings
) -> None:
    settings.DAYBOOK_SESSION_ACTIVITY_SECONDS = 300
    client = Client()
    client.force_login(personas.victim)
    client.get(reverse("home"))
    assert open_page(client, reverse("home")).writes == []
    client.defaults["REMOTE_ADDR"] = "198.51.100.23"
    moved = open_page(client, reverse("home"))
    assert session_writes(moved)
    assert UserSession.objects.get(user=personas.victim).ip == "198.51.100.23"


def test_the_list_of_sessions_still_shows_when_each_was_last_used(personas: Personas) -> None:
    client = signed_in(personas.victim)
    page = client.get(reverse("usersessions_list")).content.decode()
    assert "Last used" in page


# --- Query counts ---------------------------------------------------------------------


def query_counts(clients: dict[str, Client], case, entry_id: int) -> dict[tuple[str, str], int]:
    counts = {}
    for reader_name, client in clients.items():
        for page, url in main_pages(case, entry_id).items():
            # The first view after the log changed: nothing of the log is worked out again
            # in the request (its chain is checked in the background).
            opened = open_page(client, url)
            if opened.status == 200:
                counts[reader_name, page] = opened.queries
    return counts


def test_the_main_pages_issue_as_many_queries_for_200_entries_as_for_5(
    personas: Personas, log_of_five
) -> None:
    clients = {name: signed_in(getattr(personas, name)) for name in READERS}
    entry_id = first_entry_id(log_of_five)
    with_five = query_counts(clients, log_of_five, entry_id)
    record_entries(log_of_five, personas.victim, 195)
    log_of_five.refresh_from_db()
    with_two_hundred = query_counts(clients, log_of_five, entry_id)
    assert len(with_five) == len(READERS) * len(PAGES) - 1  # all but the owner's case record
    assert with_two_hundred == with_five
