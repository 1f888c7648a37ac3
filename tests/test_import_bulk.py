"""An import writes its entries in bulk: a few statements per chunk of messages, not several
per message, and the log it writes is the one the one-at-a-time path writes."""

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from daybook.audit.models import Action, AuditEvent
from daybook.imports import services
from daybook.imports.models import ImportedRecord, ImportJob, ImportSource
from daybook.incidents import keys
from daybook.incidents import services as log
from daybook.incidents.models import ChainRecord, Entry, EntryBehaviour, Evidence, RecordedHow
from daybook.incidents.verify import verify_case
from tests.conftest import Personas, entry_values


def chat(count: int) -> bytes:
    """A WhatsApp export of `count` messages from the other person, one a minute, with the
    person's own replies between them."""
    lines = []
    for n in range(count):
        stamp = f"{1 + n // 1440:02d}/03/2024, {n % 1440 // 60:02d}:{n % 60:02d}"
        sender = "Me" if n % 5 == 0 else "Sam Ex"
        lines.append(f"{stamp} - {sender}: message {n}")
    return ("\n".join(lines) + "\n").encode()


def queued(case, personas: Personas, data: bytes, **options: object) -> ImportJob:
    job = services.import_upload(case=case, actor=personas.victim, name="chat.txt", data=data)
    chosen = {"stalkers": ["Sam Ex"], "time_zone": "Europe/London", "date_order": "dmy"}
    return services.import_configure(job=job, options={**chosen, **options}, actor=personas.victim)


def statements_to_import(case, personas: Personas, count: int) -> int:
    job = queued(case, personas, chat(count))
    with CaptureQueriesContext(connection) as queries:
        services.import_run(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.added == count * 4 // 5
    return len(queries)


def test_an_import_makes_a_few_statements_per_chunk_not_several_per_message(
    case, personas: Personas, other_case
) -> None:
    small = statements_to_import(case, personas, 250)
    large = statements_to_import(other_case, personas, 2500)
    # 2,000 more entries (chunks of 500), 500 more of the person's replies skipped: a
    # handful of statements for each chunk, where one a row would make over ten thousand.
    assert large - small <= 40, (small, large)
    assert large < 100


@pytest.fixture
def other_case(personas: Personas):
    from daybook.cases.services import case_open

    return case_open(created_by=personas.victim, owner=personas.victim)


def test_a_bulk_import_writes_what_the_one_at_a_time_path_writes(
    case, personas: Personas, monkeypatch
) -> None:
    """With the same random ids and the same clock, both paths give the same chain, hash for
    hash, and the same rows."""
    moment = dt.datetime(2026, 10, 3, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(log.timezone, "now", lambda: moment)
    counter = itertools.count()

    def uid() -> str:
        return f"{next(counter):032x}"

    monkeypatch.setattr(log, "new_uid", uid)
    monkeypatch.setattr(log.crypto.RandomBlock, "uid", lambda _self: uid())  # the batch's ids
    # The field keeps its default callable once asked for it.
    monkeypatch.setattr(Entry._meta.get_field("uid"), "_get_default", uid)
    monkeypatch.setattr(log.ImportBatch, "FLUSH_EVERY", 3)  # chunks split the entries
    many = [
        entry_values(what_happened=f"Message {n}", behaviours=[["contacting"], []][n % 2])
        for n in range(8)
    ]

    def written() -> dict[str, Any]:
        key = keys.case_key(case)
        records = list(
            ChainRecord.objects.filter(case=case).values_list(
                "seq", "kind", "entry__uid", "entry_uid", "rid", "prev_hash", "hash", "version"
            )
        )
        contents = log.current_contents(list(Entry.objects.filter(case=case)), case, key)
        entries = [
            (
                entry.uid,
                entry.status,
                entry.occurred_at,
                entry.occurred_week,
                entry.recorded_at,
                entry.recorded_by_id,
                entry.recorded_how,
                contents[entry.pk],
                sorted(entry.behaviour_rows.values_list("code", "category", "case_id")),
            )
            for entry in Entry.objects.filter(case=case).order_by("pk")
        ]
        case.refresh_from_db()
        return {"records": records, "entries": entries, "head": case.chain_head}

    with transaction.atomic():
        with log.chain_batch(case):
            for values in many:
                log._entry_write(
                    case=case,
                    key=keys.case_key(case),
                    author=personas.victim,
                    how=RecordedHow.IMPORT,
                    values=values,
                    draft=None,
                )
        one_at_a_time = written()
        transaction.set_rollback(True)

    counter = itertools.count()
    case.refresh_from_db()
    with log.entries_import(case=case, author=personas.victim, extra={}) as batch:
        for values in many:
            batch.entry(values=values)
    assert written() == one_at_a_time
    assert len(one_at_a_time["records"]) == 8
    assert verify_case(case).ok


def test_entries_of_a_batch_have_their_keys_once_written(case, personas: Personas) -> None:
    with log.entries_import(case=case, author=personas.victim, extra={}) as batch:
        first = batch.entry(values=entry_values())
        assert first.pk is None  # gathered, not yet written
        batch.flush()
        assert Entry.objects.get(pk=first.pk).uid == first.uid
        second = batch.entry(values=entry_values(what_happened="Again"))
        file = batch.evidence(entry=second, checked=_png())
    assert second.pk is not None and file.entry_id == second.pk
    assert list(ChainRecord.objects.filter(case=case).values_list("seq", "kind")) == [
        (1, "entry"),
        (2, "entry"),
        (3, "evidence"),
    ]
    assert verify_case(case).ok


def _png() -> Any:
    from daybook.incidents.evidence import check_upload
    from tests.test_evidence import PNG

    return check_upload("texts.png", PNG)


def test_a_second_overlapping_import_adds_only_the_new_messages_and_records_both_files(
    case, personas: Personas
) -> None:
    first = queued(case, personas, chat(600))
    services.import_run(first)
    second = queued(case, personas, chat(1300), grouping="day")
    with CaptureQueriesContext(connection) as queries:
        services.import_run(second)
    second.refresh_from_db()
    assert (second.status, second.added, second.already_there) == ("done", 560, 480)
    # Already-imported records are looked up once, not one query each.
    assert len(queries) < 60
    assert ImportedRecord.objects.filter(case=case).count() == 1040
    assert ImportSource.objects.filter(job=first).count() == 480
    assert ImportSource.objects.filter(job=second).count() == 1040
    # Grouped by day: the new messages of each day make one entry, days of old ones none.
    assert Entry.objects.filter(case=case).count() == 480 + 1
    assert Evidence.objects.filter(entry__case=case).count() == 2
    assert verify_case(case).ok
    event = AuditEvent.objects.filter(action=Action.ENTRIES_IMPORTED).order_by("pk").last()
    assert event is not None and event.extra["entries"] == 1
    assert EntryBehaviour.objects.filter(case=case).count() == 481
