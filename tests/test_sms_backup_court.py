"""SMS Backup & Restore read as a court would: each message once, only what was really sent
or received, numbers as they are, and times from the UTC `date` across clock changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from daybook.imports.parsers import ParseError, sms_backup

LONDON = ZoneInfo("Europe/London")


def backup(*records: bytes) -> bytes:
    return b"<?xml version='1.0' encoding='UTF-8'?><smses>" + b"".join(records) + b"</smses>"


def sms(
    address: str = "07911 123456",
    body: str = "answer me",
    kind: str = "1",
    date: int = 1733084700123,
    readable: str = "",
) -> bytes:
    shown = f' readable_date="{readable}"' if readable else ""
    return f'<sms address="{address}" date="{date}" type="{kind}" body="{body}"{shown} />'.encode()


def mms(box: str = "1", picture: str = "/9j/4AAQ", date: int = 1733084900000) -> bytes:
    return (
        f'<mms date="{date}" msg_box="{box}" address="07911 123456"><parts>'
        f'<part seq="0" ct="text/plain" text="look outside" />'
        f'<part seq="0" ct="image/jpeg" name="car.jpg" data="{picture}" />'
        f'</parts><addrs><addr address="07911 123456" type="137" /></addrs></mms>'
    ).encode()


def test_exact_duplicate_texts_collapse_into_one_and_are_counted() -> None:
    result = sms_backup.parse(backup(sms(), sms(), sms(), sms(body="again")))
    assert [record.text for record in result.records] == ["answer me", "again"]
    assert "2 exact duplicate records were left out" in result.warnings[0]


@pytest.mark.parametrize(
    "different",
    [
        sms(address="07911 654321"),
        sms(body="answer me!"),
        sms(kind="2"),
        sms(date=1733084700124),  # one millisecond later: a second message, not a copy
    ],
)
def test_texts_that_differ_in_anything_that_matters_are_both_kept(different: bytes) -> None:
    result = sms_backup.parse(backup(sms(), different))
    assert len(result.records) == 2 and result.warnings == []


def test_exact_duplicate_mms_collapse_but_not_those_with_other_pictures() -> None:
    result = sms_backup.parse(backup(mms(), mms(), mms(picture="AAAA")))
    assert len(result.records) == 2
    assert "1 exact duplicate record was left out" in result.warnings[0]


@pytest.mark.parametrize(
    ("kind", "word"), [("3", "draft"), ("4", "outbox"), ("5", "failed"), ("6", "queued")]
)
def test_drafts_outbox_failed_and_queued_texts_are_not_taken_for_sent(kind: str, word: str) -> None:
    result = sms_backup.parse(backup(sms(kind="2", body="sent"), sms(kind=kind, body="not")))
    assert [(r.text, r.direction) for r in result.records] == [("sent", "outgoing")]
    assert f"(1 {word})" in result.warnings[0]


def test_an_mms_draft_is_left_out_like_a_text_draft() -> None:
    result = sms_backup.parse(backup(mms(box="1"), mms(box="3", date=1733084900001)))
    assert len(result.records) == 1 and result.records[0].direction == "incoming"
    assert "(1 draft)" in result.warnings[0]


def test_a_backup_of_only_drafts_says_why_nothing_was_found() -> None:
    with pytest.raises(ParseError, match="no messages or calls.*1 draft"):
        sms_backup.parse(backup(sms(kind="3")))


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("07911 123456", "+447911123456"),  # a UK mobile written the UK way
        ("+44 7911 123456", "+447911123456"),
        ("+33 6 12 34 56 78", "+33612345678"),  # a French mobile with its country code
        ("06 12 34 56 78", "06 12 34 56 78"),  # French, written without it: never +44 6…
        ("5550001", "5550001"),
        ("80085", "80085"),  # a short code
        ("BANK", "BANK"),  # a sender name
    ],
)
def test_numbers_valid_in_the_region_become_e164_and_others_stay_as_written(
    written: str, kept: str
) -> None:
    (record,) = sms_backup.parse(backup(sms(address=written))).records
    assert record.sender == kept
    assert record.extra["address"] == written


def test_the_region_is_where_numbers_without_a_country_code_belong() -> None:
    (record,) = sms_backup.parse(backup(sms(address="06 12 34 56 78")), region="FR").records
    assert record.sender == "+33612345678"
    (record,) = sms_backup.parse(backup(sms(address="07911 123456")), region="FR").records
    assert record.sender == "07911 123456"


def test_times_come_from_the_utc_date_across_the_october_clock_change() -> None:
    # 27 October 2024, the last Sunday of October: 01:30:40 happens twice in London, first in
    # BST (00:30:40 UTC) and an hour later in GMT (01:30:40 UTC). The phone's readable_date
    # says "01:30:40" both times; only `date` tells them apart.
    in_summer_time = dt.datetime(2024, 10, 27, 0, 30, 40, tzinfo=dt.UTC)
    in_winter_time = dt.datetime(2024, 10, 27, 1, 30, 40, tzinfo=dt.UTC)
    shown = "27 Oct 2024 01:30:40"
    result = sms_backup.parse(
        backup(
            sms(body="first", date=int(in_summer_time.timestamp() * 1000), readable=shown),
            sms(body="second", date=int(in_winter_time.timestamp() * 1000), readable=shown),
        )
    )
    first, second = result.records
    assert (first.timestamp, second.timestamp) == (in_summer_time, in_winter_time)
    assert second.timestamp - first.timestamp == dt.timedelta(hours=1)
    local_first, local_second = (r.timestamp.astimezone(LONDON) for r in (first, second))
    assert local_first.strftime("%H:%M:%S %Z") == "01:30:40 BST"
    assert local_second.strftime("%H:%M:%S %Z") == "01:30:40 GMT"


def test_milliseconds_are_kept_exactly() -> None:
    (record,) = sms_backup.parse(backup(sms(date=1733084700999))).records
    assert record.timestamp.microsecond == 999000
