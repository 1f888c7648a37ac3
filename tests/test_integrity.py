"""The hash chain: any change to what is stored, anywhere, fails verification and names where."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from daybook.incidents import keys, services
from daybook.incidents.evidence import check_upload
from daybook.incidents.models import ChainRecord, Entry, EntryBehaviour, Evidence
from daybook.incidents.tasks import check_log
from daybook.incidents.verify import verify_case
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG


@pytest.fixture
def log(case, personas: Personas):
    """Three entries, an amendment, a withdrawal and an evidence file: records 1 to 6."""
    first = services.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values()
    )
    second = services.entry_record(
        case=case,
        author=personas.advocate,
        how="advocate",
        values=entry_values(occurred_on="2026-10-05"),
    )
    third = services.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(occurred_on="2026-10-09"),
    )
    services.entry_amend(
        entry=first,
        author=personas.victim,
        how="victim",
        changes={"occurred_time": "21:45"},
        reason="I checked my phone",
    )
    services.entry_withdraw(entry=third, author=personas.victim, how="victim", reason="Duplicate")
    evidence = services.evidence_add(
        entry=second, author=personas.victim, how="victim", checked=check_upload("s.png", PNG)
    )
    case.refresh_from_db()
    return {"case": case, "first": first, "second": second, "third": third, "evidence": evidence}


def broken(case) -> tuple[str, int | None]:
    case.refresh_from_db()
    result = verify_case(case)
    assert not result.ok
    return result.problem, result.problem_seq


def test_an_untouched_log_verifies(log) -> None:
    result = verify_case(log["case"])
    assert result.ok, result.problem
    assert result.records == 6
    assert result.head == log["case"].chain_head


def test_records_are_numbered_and_linked(log) -> None:
    records = list(ChainRecord.objects.filter(case=log["case"]).order_by("seq"))
    assert [r.seq for r in records] == [1, 2, 3, 4, 5, 6]
    assert [r.kind for r in records] == [
        "entry",
        "entry",
        "entry",
        "amendment",
        "withdrawal",
        "evidence",
    ]
    assert records[0].prev_hash == "0" * 64
    assert all(
        later.prev_hash == earlier.hash
        for earlier, later in zip(records, records[1:], strict=False)
    )
    assert len({r.rid for r in records}) == 6


@pytest.mark.parametrize(
    "change",
    [
        {"occurred_on": dt.date(2026, 1, 1)},
        # The calendar columns that patterns are counted from.
        {"occurred_hour": 3},
        {"occurred_weekday": 2},  # the entry is on a Friday
        {"occurred_week": dt.date(2026, 1, 5)},
        {"occurred_month": dt.date(2026, 1, 1)},
    ],
)
def test_changing_an_entry_column_is_detected(log, change: dict) -> None:
    Entry.objects.filter(pk=log["first"].pk).update(**change)
    assert broken(log["case"]) == (
        "The entry added in record 1 has been changed outside the log.",
        1,
    )


def test_rewriting_an_entrys_text_with_the_real_key_breaks_its_hash(log) -> None:
    from daybook import crypto
    from daybook.incidents.chain import canonical_json

    case = log["case"]
    record = ChainRecord.objects.get(case=case, seq=1)
    body = keys.open_json(keys.case_key(case), record.body_sealed, keys.chain_body_ad(record.rid))
    body["what_happened"] = "Nothing happened."
    sealed = crypto.seal(keys.case_key(case), canonical_json(body), keys.chain_body_ad(record.rid))
    ChainRecord.objects.filter(pk=record.pk).update(body_sealed=sealed)
    assert broken(case) == ("Record 1 has been altered: it does not match its hash.", 1)


def test_giving_a_logged_entry_a_hidden_draft_text_is_detected(log) -> None:
    Entry.objects.filter(pk=log["second"].pk).update(draft_sealed=b"anything")
    assert broken(log["case"])[1] == 2


def test_flipping_a_byte_of_a_chain_record_is_detected(log) -> None:
    record = ChainRecord.objects.get(case=log["case"], seq=2)
    sealed = bytearray(bytes(record.body_sealed))
    sealed[-1] ^= 1
    ChainRecord.objects.filter(pk=record.pk).update(body_sealed=bytes(sealed))
    assert broken(log["case"]) == ("Record 2 has been altered: it can no longer be opened.", 2)


def test_rewriting_a_record_with_the_real_key_breaks_its_hash(log) -> None:
    case = log["case"]
    record = ChainRecord.objects.get(case=case, seq=4)
    body = keys.open_json(keys.case_key(case), record.body_sealed, keys.chain_body_ad(record.rid))
    body["reason"] = "Something else"
    sealed = keys.seal_canonical(keys.case_key(case), body, keys.chain_body_ad(record.rid))
    ChainRecord.objects.filter(pk=record.pk).update(body_sealed=sealed)
    assert broken(case) == ("Record 4 has been altered: it does not match its hash.", 4)


def test_changing_when_a_record_was_made_is_detected(log) -> None:
    record = ChainRecord.objects.get(case=log["case"], seq=3)
    ChainRecord.objects.filter(pk=record.pk).update(
        recorded_at=record.recorded_at - dt.timedelta(days=1)
    )
    assert broken(log["case"])[1] == 3


def test_deleting_a_record_is_detected(log) -> None:
    ChainRecord.objects.filter(case=log["case"], seq=3).delete()
    assert broken(log["case"]) == ("Record 3 is missing or out of order.", 3)


def test_deleting_the_last_record_is_detected(log) -> None:
    ChainRecord.objects.filter(case=log["case"], seq=6).delete()
    problem, seq = broken(log["case"])
    assert "records have been removed" in problem
    assert seq == 6


def test_reordering_records_is_detected(log) -> None:
    case = log["case"]
    a = ChainRecord.objects.get(case=case, seq=2)
    b = ChainRecord.objects.get(case=case, seq=3)
    ChainRecord.objects.filter(pk=a.pk).update(seq=1000)
    ChainRecord.objects.filter(pk=b.pk).update(seq=2)
    ChainRecord.objects.filter(pk=a.pk).update(seq=3)
    assert broken(case)[1] == 2


def test_deleting_an_entry_is_detected(log) -> None:
    Entry.objects.filter(pk=log["second"].pk).delete()
    assert broken(log["case"])[1] == 2


def test_adding_a_behaviour_outside_the_log_is_detected(log) -> None:
    EntryBehaviour.objects.create(
        entry=log["second"], case=log["case"], code="violence", category="violence"
    )
    assert broken(log["case"])[1] == 2


def test_un_withdrawing_an_entry_is_detected(log) -> None:
    Entry.objects.filter(pk=log["third"].pk).update(status="logged")
    assert broken(log["case"])[1] == 3


def test_changing_an_evidence_file_in_storage_is_detected(log) -> None:
    evidence = log["evidence"]
    default_storage.delete(evidence.storage_name)
    default_storage.save(evidence.storage_name, ContentFile(b"\x01" + b"\x00" * 64))
    assert broken(log["case"]) == (
        "The evidence file added in record 6 has been altered in storage.",
        6,
    )


def test_removing_an_evidence_file_from_storage_is_detected(log) -> None:
    default_storage.delete(log["evidence"].storage_name)
    assert broken(log["case"]) == (
        "The evidence file added in record 6 is missing from storage.",
        6,
    )


def test_changing_an_evidence_row_is_detected(log) -> None:
    Evidence.objects.filter(pk=log["evidence"].pk).update(sha256="0" * 64)
    assert broken(log["case"]) == ("The evidence file added in record 6 has been changed.", 6)


def test_verify_log_command_reports_each_case(log, capsys) -> None:
    call_command("verify_log")
    assert f"{log['case'].reference}: verified, 6 records" in capsys.readouterr().out
    Entry.objects.filter(pk=log["first"].pk).update(channel="email")
    with pytest.raises(CommandError):
        call_command("verify_log", log["case"].reference)
    assert "FAILED" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("verify_log", "DB-NONE-NONE")


def test_the_log_page_shows_whether_the_log_verified(log, personas: Personas) -> None:
    client = Client()
    client.force_login(personas.victim)
    url = reverse("incidents:log", args=[log["case"].pk])
    assert "Not checked yet" in client.get(url).content.decode()
    check_log.call(log["case"].pk)  # what a change enqueues once it has committed
    assert "Log verified" in client.get(url).content.decode()
    Entry.objects.filter(pk=log["first"].pk).update(channel="email")
    # Nothing is checked while the page is read: it says what the last check found, until
    # the next check (after a change, by verify_log, or asked for on the page).
    assert "Log verified" in client.get(url).content.decode()
    client.post(reverse("incidents:log_verify", args=[log["case"].pk]))
    html = client.get(url).content.decode()
    assert "This log failed verification" in html
    assert "Log verified" not in html
    assert "record 1" in html
