"""Telegram, Messenger/Instagram and e-mail exports: exact text, UTC times, facts, bad input."""

import contextlib
import datetime as dt
import io
import json
import mailbox
import zipfile
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daybook.imports.parsers import ParseError, detect_format, parse

TELEGRAM = {
    "name": "Sam Ex",
    "type": "personal_chat",
    "id": 42,
    "messages": [
        {
            "id": 7,
            "type": "message",
            "date": "2018-12-05T13:49:24",
            "date_unixtime": "1544006964",
            "from": "Sam Ex",
            "text": [
                {"type": "bold", "text": "Link:"},
                {"type": "link", "text": "https://example.org/"},
            ],
        },
        {
            "id": 8,
            "type": "message",
            "date_unixtime": "1544006970",
            "from": "Sam Ex",
            "text": "where are you",
            "edited": "2018-12-05T13:50:00",
        },
        {
            "id": 9,
            "type": "service",
            "date_unixtime": "1700000000",
            "actor": "Sam Ex",
            "actor_id": "user42",
            "action": "phone_call",
            "discard_reason": "missed",
        },
        {"id": 10, "type": "message", "date_unixtime": "1700000100", "from": "Me", "text": "stop"},
    ],
}


def test_telegram_text_entities_are_joined_exactly_and_calls_kept() -> None:
    result = parse(json.dumps(TELEGRAM).encode(), filename="result.json")
    first, second, call, mine = result.records
    assert first.text == "Link:https://example.org/"
    assert first.timestamp == dt.datetime(
        2018, 12, 5, 10, 49, 24, tzinfo=dt.UTC
    )  # date_unixtime, not date
    assert "edited" in second.facts
    assert (call.kind, call.call_outcome, call.sender) == ("call", "missed", "Sam Ex")
    assert result.participants == {"Sam Ex": 3, "Me": 1}


def test_a_full_telegram_account_export_and_bad_escapes() -> None:
    full = json.dumps({"about": "x", "chats": {"about": "y", "list": [TELEGRAM]}}).encode()
    assert len(parse(full, filename="result.json").records) == 4
    escaped = (
        json.dumps(TELEGRAM)
        .replace("where are you", "where\\\\x07 are you")
        .encode()
        .replace(b"\\\\x07", b"\\x07")
    )
    assert parse(escaped, filename="result.json").records[1].text == "where\x07 are you"


MESSENGER_1 = {
    "participants": [{"name": "Jane Doe"}, {"name": "John Doe"}],
    "title": "John Doe",
    "messages": [
        {"sender_name": "John Doe", "timestamp_ms": 1579294140000, "content": "Hello Jane!"},
        {
            "sender_name": "John Doe",
            "timestamp_ms": 1579294100000,
            "content": "Parab\u00c3\u00a9ns \u00f0\u009f\u0098\u00a2",
        },
        {
            "sender_name": "John Doe",
            "timestamp_ms": 1579294000000,
            "photos": [
                {"uri": "messages/inbox/johndoe_123/photos/1.jpg", "creation_timestamp": 1579294000}
            ],
        },
        {
            "sender_name": "John Doe",
            "timestamp_ms": 1579293000000,
            "content": "",
            "is_unsent": True,
        },
    ],
}
MESSENGER_2 = {
    "participants": [{"name": "Jane Doe"}, {"name": "John Doe"}],
    "title": "John Doe",
    "messages": [
        {
            "sender_name": "John Doe",
            "timestamp_ms": 1579000000000,
            "content": "\u00c3\u00a9 is what I typed",
        }
    ],
}


def test_messenger_repairs_the_encoding_exactly_and_merges_files() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "your_activity_across_facebook/messages/inbox/johndoe_123/message_1.json",
            json.dumps(MESSENGER_1),
        )
        archive.writestr(
            "your_activity_across_facebook/messages/inbox/johndoe_123/message_2.json",
            json.dumps(MESSENGER_2),
        )
    result = parse(buffer.getvalue(), filename="facebook.zip")
    texts = [record.text for record in result.records]
    assert texts[0] == "é is what I typed"  # the oldest, from message_2.json
    assert "Parabéns 😢" in texts
    unsent = next(r for r in result.records if r.facts)
    assert "unsent" in unsent.facts
    photo = next(r for r in result.records if r.attachments)
    assert photo.attachments[0].name.endswith("photos/1.jpg")
    assert result.records == sorted(result.records, key=lambda r: r.timestamp)


def test_text_that_is_not_mojibake_is_left_alone() -> None:
    thread = {
        "participants": [],
        "title": "x",
        "messages": [{"sender_name": "A", "timestamp_ms": 1, "content": "Ã© is what I typed, 😢"}],
    }
    assert (
        parse(json.dumps(thread).encode(), filename="message_1.json").records[0].text
        == "Ã© is what I typed, 😢"
    )


def make_email(subject: str = "=?UTF-8?B?VGVzdCDwn5iA?=") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Sam Ex <sam@example.org>"
    message["To"] = "me@example.org"
    message["Subject"] = "Are you avoiding me"
    message["Date"] = "Sun, 01 Dec 2024 21:25:00 +0000"
    message["Message-ID"] = "<1@example.org>"
    message["Authentication-Results"] = (
        "mx.example.org; spf=pass smtp.mailfrom=example.org; dkim=pass"
    )
    message.set_content("I know where you work.\nFrom now on answer me.\n")
    message.add_attachment(
        b"\xff\xd8\xffjpeg", maintype="image", subtype="jpeg", filename="car.jpg"
    )
    return message


def test_an_eml_keeps_its_hash_authentication_and_attachments() -> None:
    raw = make_email().as_bytes()
    assert detect_format("mail.eml", raw) == "email"
    (record,) = parse(raw, filename="mail.eml").records
    assert record.text.startswith("Are you avoiding me\n\nI know where you work.")
    assert record.timestamp == dt.datetime(2024, 12, 1, 21, 25, tzinfo=dt.UTC)
    assert record.extra["authentication_results"] == [
        "mx.example.org; spf=pass smtp.mailfrom=example.org; dkim=pass"
    ]
    import hashlib

    assert record.extra["sha256"] == hashlib.sha256(raw).hexdigest()
    assert record.attachments[0].name == "car.jpg"


def test_an_mbox_gives_each_message_and_unknown_zones_are_flagged(tmp_path) -> None:
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(str(path))
    box.add(make_email())
    second = make_email()
    second.replace_header("Date", "Mon, 02 Dec 2024 08:00:00 -0000")
    second.replace_header("Message-ID", "<2@example.org>")
    box.add(second)
    box.close()
    result = parse(path.read_bytes(), filename="box.mbox")
    assert len(result.records) == 2
    assert "zone_unknown" in result.records[1].facts
    assert result.records[0].extra["from_line"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"messages": "nope", "date_unixtime": "1"}', "no messages"),
        (
            b'{"name": "x", "messages": [{"id": 1, "type": "message", "date_unixtime": "soon"}]}',
            "no valid date_unixtime",
        ),
        (b'{"participants": [], "messages": [{"sender_name": "A"}]}', "no valid timestamp_ms"),
        (b'{"participants": [], "messages": [', "not complete JSON"),
        (b"From: a@example.org\nSubject: x\n\nno date", "no valid date"),
    ],
)
def test_broken_exports_get_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(data, filename="x")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_json_like_or_mail_like_bytes_give_records_or_a_parse_error(data: bytes) -> None:
    for prefix in (
        b'{"date_unixtime": "1", "messages": [',
        b'{"participants": [], "messages": [',
        b"From: a@example.org\n",
        b"From x\nFrom: y\n",
    ):
        with contextlib.suppress(ParseError):
            parse(prefix + data, filename="x")


def test_csv_columns_are_suggested_from_the_header_and_times_read_with_the_format() -> None:
    from daybook.imports.parsers import CsvMapping

    data = b"Date;Caller;Call type;Seconds\n01/12/2024 21:30;07700 900123;Missed;0\n"
    result = parse(
        data,
        filename="log.csv",
        csv_mapping=CsvMapping(
            timestamp="Date",
            number="Caller",
            direction="Call type",
            duration="Seconds",
            time_format="%d/%m/%Y %H:%M",
        ),
    )
    (record,) = result.records
    assert record.timestamp == dt.datetime(2024, 12, 1, 21, 30)
    assert (record.kind, record.call_outcome, record.sender) == ("call", "missed", "07700 900123")
    from daybook.imports.parsers.csv_calls import suggest

    assert suggest(["Date", "Caller", "Call type", "Seconds"]).number == "Caller"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_csv_bytes_give_records_or_a_parse_error(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse(b"date,number\n" + data, filename="x.csv")
