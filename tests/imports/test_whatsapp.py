"""The WhatsApp parser: every header variant, exact text, facts kept, hostile bytes refused."""

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daybook.imports.parsers import ParseError
from daybook.imports.parsers.whatsapp import infer_date_order, parse

NNBSP, LRM, NBSP = "\u202f", "\u200e", "\xa0"


def chat(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    ("line", "order", "when", "sender", "text"),
    [
        (
            "06/03/2017, 00:45 - Sample User: This is a test message",
            "dmy",
            dt.datetime(2017, 3, 6, 0, 45),
            "Sample User",
            "This is a test message",
        ),
        (
            f"1/4/23, 7:02{NNBSP}PM - Person 2: <Media omitted>",
            "mdy",
            dt.datetime(2023, 1, 4, 19, 2),
            "Person 2",
            "<Media omitted>",
        ),
        (
            f"09/10/2023, 11:11{NNBSP}am - +44 7123 456789: hi",
            "dmy",
            dt.datetime(2023, 10, 9, 11, 11),
            "+44 7123 456789",
            "hi",
        ),
        (
            "06.08.2016, 13:23 - Ash Ketchum: Hey guys!",
            "dmy",
            dt.datetime(2016, 8, 6, 13, 23),
            "Ash Ketchum",
            "Hey guys!",
        ),
        (
            f"20/6/2017 8:28 p.{NBSP}m. - Michelle: test",
            "dmy",
            dt.datetime(2017, 6, 20, 20, 28),
            "Michelle",
            "test",
        ),
        ("13.6.2018 klo 21.25.15 - a: m", "dmy", dt.datetime(2018, 6, 13, 21, 25, 15), "a", "m"),
        ("13. 6. 2018. 21:25:15 a: m", "dmy", dt.datetime(2018, 6, 13, 21, 25, 15), "a", "m"),
        ("[2018/06/13, 21:25:15] a: m", "ymd", dt.datetime(2018, 6, 13, 21, 25, 15), "a", "m"),
        ("2024/01/02 03:04 - Alice: hello", "ymd", dt.datetime(2024, 1, 2, 3, 4), "Alice", "hello"),
        (
            "[23.09.17, 01:14:15] Name Surname: hello",
            "dmy",
            dt.datetime(2017, 9, 23, 1, 14, 15),
            "Name Surname",
            "hello",
        ),
        (
            f"[13/11/2025, 12:25:55{NNBSP}PM] Amazon EG: {LRM}This business uses a secure service",
            "dmy",
            dt.datetime(2025, 11, 13, 12, 25, 55),
            "Amazon EG",
            f"{LRM}This business uses a secure service",
        ),
        (f"{LRM}[3/6/18 1:55:00 p. m.] a: m", "dmy", dt.datetime(2018, 6, 3, 13, 55), "a", "m"),
        (
            "[29/9/20 10:13:49] Noe: <adjunto: 00000030-PHOTO-2020-09-29-10-13-49.jpg>",
            "dmy",
            dt.datetime(2020, 9, 29, 10, 13, 49),
            "Noe",
            "<adjunto: 00000030-PHOTO-2020-09-29-10-13-49.jpg>",
        ),
    ],
)
def test_every_header_variant(
    line: str, order: str, when: dt.datetime, sender: str, text: str
) -> None:
    result = parse(chat(line), date_order=order)
    (record,) = result.records
    assert (record.timestamp, record.sender, record.text) == (when, sender, text)
    assert record.timestamp.tzinfo is None and result.naive_times


def test_text_is_kept_exactly_with_continuations_blank_lines_and_invisible_characters() -> None:
    body = [
        "12/01/24, 21:05 - Sam Ex: answer me",
        "",
        f"or I{NNBSP}m coming over \u2028 e\u0301 👨\u200d👩\u200d👧",
        "  indented",
    ]
    (record,) = parse(chat(*body)).records
    assert (
        record.text
        == f"answer me\n\nor I{NNBSP}m coming over \u2028 e\u0301 👨\u200d👩\u200d👧\n  indented"
    )
    assert record.locator == "lines 1-4"


def test_a_quoted_date_inside_a_message_does_not_start_a_new_one() -> None:
    lines = [
        '06.08.2016, 13:19 - Ex: He wrote earlier "01.08.2016, 10:00 - Ex: you cannot hide"',
        "06.08.2016, 13:20 - You blocked this contact.",
    ]
    records = parse(chat(*lines)).records
    assert len(records) == 2
    assert records[1].kind == "system"


def test_facts_are_kept_not_dropped() -> None:
    lines = [
        "12/01/24, 21:04 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
        "12/01/24, 21:07 - Sam Ex: <Media omitted>",
        "12/01/24, 21:09 - Sam Ex: This message was deleted",
        "12/01/24, 21:10 - Sam Ex: see you soon <This message was edited>",
        "12/01/24, 21:11 - Sam Ex: Missed voice call",
        "12/01/24, 21:12 - Sam Ex: You received a view once message. For added privacy, you can only open it on your phone.",
        "13/01/24, 08:00 - Sam Ex: IMG-20240113-WA0001.jpg (file attached)",
    ]
    records = parse(chat(*lines)).records
    assert [r.kind for r in records] == [
        "system",
        "message",
        "message",
        "message",
        "call",
        "message",
        "message",
    ]
    assert records[1].facts == ("media_omitted",)
    assert records[2].facts == ("deleted",)
    assert "edited" in records[3].facts and records[3].text.endswith("<This message was edited>")
    assert records[4].call_outcome == "missed"
    assert records[5].facts == ("view_once",)
    assert records[6].attachments[0].name == "IMG-20240113-WA0001.jpg"
    assert "attachment_missing" in records[6].facts


def test_ios_attachments_point_at_the_archive_member() -> None:
    name = "00000012-PHOTO-2024-12-01-21-12-40.jpg"
    line = f"{LRM}[01.12.24, 21:12:40] Sam Ex: {LRM}<attached: {name}>"
    (record,) = parse(chat(line), attachments={name: (1234, "ab" * 32)}).records
    assert record.attachments[0].member == name and record.attachments[0].sha256 == "ab" * 32
    assert "attachment_missing" not in record.facts


def test_split_on_the_first_colon_space_only() -> None:
    (record,) = parse(chat("01/02/24, 10:00 - John-John Doe: Lorem ipsum : dolor: sit")).records
    assert (record.sender, record.text) == ("John-John Doe", "Lorem ipsum : dolor: sit")


def test_participants_are_counted() -> None:
    result = parse(
        chat("13/01/24, 10:00 - A: x", "13/01/24, 10:01 - B: y", "13/01/24, 10:02 - A: z")
    )
    assert result.participants == {"A": 2, "B": 1}


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["13/01/24", "14/01/24"], ("dmy", False)),
        (["01/13/24", "01/14/24"], ("mdy", False)),
        (["2024/01/02"], ("ymd", False)),
        (["05/01/24", "06/01/24", "01/02/24"], ("dmy", False)),  # the first part went down: days
        (["01/05/24", "01/06/24", "02/01/24"], ("mdy", False)),
    ],
)
def test_date_order_is_inferred_from_the_whole_file(dates: list[str], expected: tuple) -> None:
    assert infer_date_order(dates) == expected


def test_an_undecidable_date_order_is_flagged_for_the_person_to_choose() -> None:
    result = parse(chat("05/06/24, 10:00 - A: x"))
    assert result.date_order_ambiguous
    assert parse(chat("05/06/24, 10:00 - A: x"), date_order="mdy").records[0].timestamp.month == 5


def test_the_same_messages_in_two_overlapping_exports_have_the_same_identities() -> None:
    first = parse(
        chat("13/01/24, 10:00 - A: ?", "13/01/24, 10:00 - A: ?", "13/01/24, 10:01 - A: x")
    )
    second = parse(
        chat(
            "13/01/24, 10:00 - A: ?",
            "13/01/24, 10:00 - A: ?",
            "13/01/24, 10:01 - A: x",
            "14/01/24, 09:00 - A: y",
        )
    )
    identities = [r.identity for r in first.records]
    assert identities == [r.identity for r in second.records[:3]]
    # The import tells the two identical messages apart by their occurrence (see the flow tests).
    assert identities[0] == identities[1] != identities[2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"just some notes\nwithout dates\n", "does not look like a WhatsApp chat"),
        ("13/01/24, 10:00 - A: caf\xe9".encode("latin-1"), "not plain UTF-8"),
        (b"13/01/24, 10:00 - A: " + b"x" * 2_000_001, "far longer"),
        (b"31/02/24, 10:00 - A: x", "does not exist"),
    ],
)
def test_bad_files_get_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(data)


VALID = chat(
    "13/01/24, 10:00 - A: hello", "continued", "[14/01/24, 11:00:00] B: \u200eimage omitted"
)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_records_or_a_parse_error(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse(data)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.binary(min_size=1, max_size=8))
def test_mutated_exports_give_records_or_a_parse_error(position: int, noise: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse(VALID[:position] + noise + VALID[position + 1 :])
