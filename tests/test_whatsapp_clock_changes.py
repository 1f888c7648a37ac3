"""Naive WhatsApp times at the changes of the clocks: the repeated hour is settled from the
order of the messages where it can be, and flagged where it cannot; the skipped hour is flagged."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from daybook.imports.parsers.whatsapp import parse

LONDON = ZoneInfo("Europe/London")


def chat(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def in_utc(moment: dt.datetime, zone: ZoneInfo = LONDON) -> dt.datetime:
    """What the import does with a naive time: it takes it in the zone the person chose."""
    return moment.replace(tzinfo=zone).astimezone(dt.UTC)


@pytest.mark.parametrize("day", ["27/10/24", "29/10/23"])  # last Sundays of October
def test_a_step_back_inside_the_repeated_hour_settles_both_passes(day: str) -> None:
    result = parse(
        chat(
            f"{day}, 00:50 - Sam Ex: a",
            f"{day}, 01:10 - Sam Ex: b",
            f"{day}, 01:50 - Sam Ex: c",
            f"{day}, 01:05 - Sam Ex: d",  # the clocks went back between c and d
            f"{day}, 01:40 - Sam Ex: e",
            f"{day}, 02:10 - Sam Ex: f",
        )
    )
    records = result.records
    instants = [in_utc(record.timestamp) for record in records]
    assert instants == sorted(instants)  # in the order they were sent
    assert [record.extra.get("utc_offset") for record in records] == [
        None,
        "+01:00",
        "+01:00",
        "+00:00",
        "+00:00",
        None,
    ]
    assert in_utc(records[3].timestamp).time() == dt.time(1, 5)  # 01:05 GMT, not 00:05
    assert all("time_ambiguous" not in record.facts for record in records)
    # The text of each time is kept as written.
    assert [record.timestamp.strftime("%H:%M") for record in records][3] == "01:05"


def test_a_lone_message_in_the_repeated_hour_is_flagged_not_guessed() -> None:
    result = parse(chat("26/10/24, 22:00 - Sam Ex: x", "27/10/24, 01:30 - Sam Ex: where are you"))
    lone = result.records[1]
    assert "time_ambiguous" in lone.facts
    assert "happened twice" in lone.extra["time_ambiguous"]
    assert "utc_offset" not in lone.extra
    assert any("change of the clocks" in warning for warning in result.warnings)
    assert "time_ambiguous" not in result.records[0].facts


def test_messages_only_going_forward_in_the_repeated_hour_are_flagged() -> None:
    # 01:10 then 01:50 could be both summer time, both winter time, or one of each.
    result = parse(chat("27/10/24, 01:10 - Sam Ex: a", "27/10/24, 01:50 - Sam Ex: b"))
    assert all("time_ambiguous" in record.facts for record in result.records)


@pytest.mark.parametrize("day", ["31/03/24", "26/03/23"])  # last Sundays of March
def test_a_time_in_the_skipped_hour_is_flagged_and_kept_as_written(day: str) -> None:
    result = parse(chat(f"{day}, 00:59 - Sam Ex: a", f"{day}, 01:30 - Sam Ex: b"))
    skipped = result.records[1]
    assert "time_ambiguous" in skipped.facts
    assert "did not happen" in skipped.extra["time_ambiguous"]
    assert skipped.timestamp.time() == dt.time(1, 30)
    assert "time_ambiguous" not in result.records[0].facts


def test_ordinary_days_and_hours_are_untouched() -> None:
    result = parse(
        chat(
            "27/10/24, 00:30 - Sam Ex: before",
            "27/10/24, 02:30 - Sam Ex: after",
            "28/10/24, 01:30 - Sam Ex: next day",
        )
    )
    assert all(record.facts == () and record.extra == {} for record in result.records)
    assert not any("change of the clocks" in warning for warning in result.warnings)


def test_the_zone_the_phone_was_set_to_decides_which_hour_repeats() -> None:
    new_york = ZoneInfo("America/New_York")
    data = chat(
        "11/03/24, 01:40 - Sam Ex: a",  # 3 November 2024, month first
        "11/03/24, 01:20 - Sam Ex: b",
    )
    result = parse(data, date_order="mdy", time_zone="America/New_York")
    first, second = result.records
    assert in_utc(first.timestamp, new_york) < in_utc(second.timestamp, new_york)
    assert (first.extra["utc_offset"], second.extra["utc_offset"]) == ("-04:00", "-05:00")
    # In London that day is an ordinary one.
    assert all(record.facts == () for record in parse(data, date_order="mdy").records)


def test_ios_times_with_seconds_step_back_too() -> None:
    result = parse(
        chat(
            "[27/10/24, 01:59:58] Sam Ex: a",
            "[27/10/24, 01:00:03] Sam Ex: b",
        )
    )
    assert [record.extra["utc_offset"] for record in result.records] == ["+01:00", "+00:00"]
