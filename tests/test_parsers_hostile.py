"""Whatever an upload holds, the parsers give records or a ParseError, never a crash."""

import contextlib
import json
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daybook.imports.parsers import ParseError, csv_calls, mail, meta, sms_backup, telegram
from daybook.imports.parsers.base import Limits, json_nesting

DEEP = 100_000


def test_a_telegram_export_nested_thousands_deep_is_refused_with_a_message() -> None:
    data = b'{"name": "x", "messages": [' + b"[" * DEEP + b"]" * DEEP + b"]}"
    with pytest.raises(ParseError, match="nested far more deeply"):
        telegram.parse(data)


def test_a_messenger_thread_nested_thousands_deep_is_refused_with_a_message() -> None:
    data = b'{"participants": [], "messages": [' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"]}"
    with pytest.raises(ParseError, match="message_1.json is nested far more deeply"):
        meta.parse_threads([("message_1.json", data)])


def test_brackets_inside_text_are_not_nesting() -> None:
    words = "[" * 500 + '\\"{' * 500
    data = json.dumps({"messages": [{"text": words}]}).encode()
    assert json_nesting(data) == 3


def test_a_nesting_just_within_the_limit_is_read() -> None:
    limits = Limits(max_nesting=12)
    message = {"id": 1, "type": "message", "date_unixtime": "1", "from": "A", "text": "hi"}
    message["poll"] = {"answers": [[[[[[{"text": "x"}]]]]]]}  # eleven levels in all
    data = json.dumps({"name": "A", "messages": [message]}).encode()
    assert json_nesting(data) == 11
    assert telegram.parse(data, limits=limits).records[0].text == "hi"
    with pytest.raises(ParseError, match="nested"):
        telegram.parse(data, limits=Limits(max_nesting=10))


def test_messenger_photos_that_are_a_number_are_left_out_with_a_warning() -> None:
    thread = {
        "participants": [],
        "messages": [{"sender_name": "Sam Ex", "timestamp_ms": 1, "photos": 5}],
    }
    result = meta.parse_threads([("message_1.json", json.dumps(thread).encode())])
    assert result.records[0].attachments == ()
    assert result.warnings == [
        "The photos of message_1.json message 1 were not a list; they were left out."
    ]


@pytest.mark.parametrize(
    "message",
    [
        {"sender_name": ["a"], "timestamp_ms": 1, "content": {"x": 1}},
        {"sender_name": None, "timestamp_ms": 1, "content": None, "sticker": "x"},
        {"timestamp_ms": 1, "videos": [5, None, {"uri": 3}, {"no": "uri"}]},
        {"timestamp_ms": 1, "files": {"uri": "a"}, "call_duration": "long"},
        {"timestamp_ms": 1.5, "is_unsent": "yes", "gifs": []},
    ],
)
def test_messenger_wrong_types_are_skipped_not_crashed_on(message: dict[str, Any]) -> None:
    thread = {"participants": None, "title": 7, "messages": [message]}
    result = meta.parse_threads([("message_1.json", json.dumps(thread).encode())])
    assert len(result.records) == 1
    assert isinstance(result.records[0].text, str) and isinstance(result.records[0].sender, str)


@pytest.mark.parametrize(
    "message",
    [
        {"date_unixtime": "1", "from": 5, "text": [None, 3, {"text": 4}, {"text": "ok"}]},
        {"date_unixtime": "1", "photo": 5, "file": ["x"], "media_type": 3},
        {"date_unixtime": "1", "type": "service", "action": "phone_call", "actor_id": 4},
        {"date_unixtime": "1", "duration_seconds": True, "media_type": "voice_message"},
        {"date_unixtime": "1", "poll": {"question": None}, "sticker_emoji": 5},
    ],
)
def test_telegram_wrong_types_are_skipped_not_crashed_on(message: dict[str, Any]) -> None:
    chat = {"name": ["x"], "id": "user", "type": 4, "messages": [message]}
    (record,) = telegram.parse(json.dumps(chat).encode()).records
    assert isinstance(record.text, str) and isinstance(record.sender, str)


@pytest.mark.parametrize(
    "number", ["1" * 5000, "1e400", "-1e400", "99999999999999999999", "-99999999999999"]
)
def test_huge_numbers_for_times_are_refused_with_a_message(number: str) -> None:
    with pytest.raises(ParseError, match="no valid|not complete"):
        telegram.parse(b'{"name": "x", "messages": [{"date_unixtime": %s}]}' % number.encode())
    with pytest.raises(ParseError, match="no valid|not complete"):
        meta.parse_threads(
            [
                (
                    "m.json",
                    b'{"participants": [], "messages": [{"timestamp_ms": %s}]}' % number.encode(),
                )
            ]
        )


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["1700000000", "phone_call", "service", "sticker", "photos/a.jpg", "user1"])
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "messages",
                    "text",
                    "from",
                    "actor",
                    "actor_id",
                    "date_unixtime",
                    "type",
                    "action",
                    "photo",
                    "file",
                    "media_type",
                    "duration_seconds",
                    "id",
                    "name",
                    "chats",
                    "list",
                    "sender_name",
                    "timestamp_ms",
                    "content",
                    "photos",
                    "videos",
                    "audio_files",
                    "files",
                    "gifs",
                    "sticker",
                    "uri",
                    "is_unsent",
                    "call_duration",
                    "participants",
                    "title",
                    "discard_reason",
                    "poll",
                    "sticker_emoji",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=30,
)


DEEP_HERE = "deep value goes here"


def _encode(shape: Any, value: Any, depth: int) -> bytes:
    """The shape as JSON, with `value` nested `depth` arrays deep where DEEP_HERE is (built
    as text: the encoder itself recurses once per level)."""
    deep = b"[" * depth + json.dumps(value, allow_nan=True).encode() + b"]" * depth
    return json.dumps(shape, allow_nan=True).encode().replace(json.dumps(DEEP_HERE).encode(), deep)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES, st.integers(min_value=0, max_value=3000))
def test_structurally_hostile_telegram_json_gives_records_or_a_parse_error(
    value: Any, depth: int
) -> None:
    for shape in (
        value,
        {"name": "Sam Ex", "id": 1, "type": "personal_chat", "messages": value},
        {"name": "Sam Ex", "messages": [value, DEEP_HERE]},
        {"chats": {"list": [{"messages": [value]}, value]}},
    ):
        data = _encode(shape, value, depth)
        with contextlib.suppress(ParseError):
            telegram.parse(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES, st.integers(min_value=0, max_value=3000))
def test_structurally_hostile_messenger_json_gives_records_or_a_parse_error(
    value: Any, depth: int
) -> None:
    extra = _dict(value)
    for shape in (
        value,
        {"participants": [], "messages": value},
        {"participants": value, "title": value, "messages": [value, DEEP_HERE]},
        {"participants": [], "messages": [{"timestamp_ms": 1, "sender_name": "A", **extra}]},
    ):
        data = _encode(shape, value, depth)
        with contextlib.suppress(ParseError):
            meta.parse_threads([("message_1.json", data)])


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"photos": value}


def test_an_xml_backup_nested_thousands_deep_is_refused_with_a_message() -> None:
    data = b"<smses>" + b"<a>" * DEEP + b"</a>" * DEEP + b"</smses>"
    with pytest.raises(ParseError, match="nested far more deeply"):
        sms_backup.parse(data)


@pytest.mark.parametrize(
    "data",
    [
        # entity expansion ("billion laughs") and external entities are refused, not expanded
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<smses><sms address="1" date="1" type="1" body="&b;"/></smses>',
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<smses><sms address="1" date="1" type="1" body="&x;"/></smses>',
    ],
)
def test_xml_entities_are_refused(data: bytes) -> None:
    with pytest.raises(ParseError, match="damaged or incomplete"):
        sms_backup.parse(data)


XML_ATTRIBUTES = st.dictionaries(
    st.sampled_from(
        [
            "address",
            "date",
            "type",
            "body",
            "msg_box",
            "number",
            "duration",
            "presentation",
            "ct",
            "seq",
            "data",
            "name",
            "cl",
            "text",
        ]
    ),
    st.sampled_from(
        [
            "",
            "null",
            "-1",
            "1",
            "2",
            "3",
            "7",
            "1600000000000",
            "9" * 40,
            "1e9",
            "x",
            "+441",
            "application/smil",
            "image/jpeg",
            "text/plain",
            "/9j/4AAQ",
            "!!!",
            "AAA",
        ]
    ),
    max_size=8,
)


def _element(tag: str, attributes: dict[str, str], inner: bytes = b"") -> bytes:
    written = b" ".join(b'%s="%s"' % (k.encode(), v.encode()) for k, v in attributes.items())
    return b"<%s %s>%s</%s>" % (tag.encode(), written, inner, tag.encode())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["sms", "mms", "call", "part", "addr", "x"]), XML_ATTRIBUTES),
        max_size=6,
    ),
    st.integers(min_value=0, max_value=500),
)
def test_hostile_xml_backups_give_records_or_a_parse_error(
    elements: list[tuple[str, dict[str, str]]], depth: int
) -> None:
    body = b"".join(_element(tag, attributes) for tag, attributes in elements)
    parts = b"".join(_element(tag, a) for tag, a in elements if tag in ("part", "addr"))
    mms = _element(
        "mms", dict(elements[0][1]) if elements else {}, b"<parts>" + parts + b"</parts>"
    )
    nested = b"<a>" * depth + body + b"</a>" * depth
    for data in (body, mms, nested):
        with contextlib.suppress(ParseError):
            sms_backup.parse(b"<?xml version='1.0'?><smses>" + data + b"</smses>")


def test_an_e_mail_nested_thousands_deep_is_refused_with_a_message() -> None:
    raw = b"From: a@example.org\nDate: Sun, 01 Dec 2024 21:25:00 +0000\n"
    raw += b"Content-Type: multipart/mixed; boundary=b0\n\n"
    for level in range(1, 3000):
        raw += b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (level - 1, level)
    with pytest.raises(ParseError, match="nested parts"):
        mail.parse_eml(raw)


def test_a_header_nested_thousands_deep_is_refused_with_a_message() -> None:
    raw = b"From: " + b"(" * 5000 + b"a@example.org\nDate: Sun, 01 Dec 2024 21:25:00 +0000\n\nx"
    with pytest.raises(ParseError, match="nested too deeply to read"):
        mail.parse_eml(raw)


MIME_LINES = st.sampled_from(
    [
        b"Content-Type: multipart/mixed; boundary=zz",
        b"Content-Type: multipart/alternative; boundary=",
        b'Content-Type: image/jpeg; name="=?UTF-8?B?///?="',
        b"Content-Disposition: attachment; filename*=UTF-8''%ff%fe",
        b"Content-Disposition: attachment",
        b"Content-Transfer-Encoding: base64",
        b"Content-Transfer-Encoding: quoted-printable",
        b"Content-Type: message/rfc822",
        b"Content-Type: text/plain; charset=unknown-8bit",
        b"--zz",
        b"--zz--",
        b"Date: Sun, 01 Dec 2024 21:25:00 +0000",
        b"Date: nonsense",
        b"From: =?x?q?broken?=",
        b"To: <<<>>>",
        b"",
        b"=?UTF-8?B?8J+YgA==?=",
        b"!!!!",
        b"/9j/4AAQ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MIME_LINES | st.binary(max_size=20), max_size=25))
def test_hostile_mime_gives_records_or_a_parse_error(lines: list[bytes]) -> None:
    raw = b"From: a@example.org\nDate: Sun, 01 Dec 2024 21:25:00 +0000\n" + b"\n".join(lines)
    with contextlib.suppress(ParseError):
        mail.parse_eml(raw)
    with contextlib.suppress(ParseError):
        mail.parse_mbox(b"From x Sun Dec  1 21:25:00 2024\n" + raw)


def test_an_e_mail_whose_body_cannot_be_read_still_lists_its_attachments() -> None:
    message = EmailMessage()
    message["From"], message["Date"] = "a@example.org", "Sun, 01 Dec 2024 21:25:00 +0000"
    message.set_content("hi")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    (record,) = mail.parse_eml(message.as_bytes()).records
    assert [a.name for a in record.attachments] == ["a.pdf"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (b"0001-01-01T00:00:00+01:00,07911123456,in,1\n", "outside the dates"),
        (b"not a date,1\n", "does not match"),
    ],
)
def test_csv_rows_that_are_wrong_name_their_line(row: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as raised:
        csv_calls.parse(b"date,number,direction,duration\n" + row)
    assert raised.value.line == 2


def test_csv_short_rows_and_infinite_durations_do_not_crash() -> None:
    mapping = csv_calls.CsvMapping(
        timestamp="date", number="number", duration="duration", text="text"
    )
    data = b"date,number,duration,text\n2024-12-01T21:30:00,07911123456,inf\n"
    (record,) = csv_calls.parse(data, mapping=mapping).records
    assert (record.text, record.duration_seconds, record.kind) == ("", None, "call")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "2024-12-01T21:30:00",
                    "0001-01-01T00:00:00+14:00",
                    "inf",
                    "nan",
                    "-1e999",
                    "",
                    '"',
                    "a\nb",
                    "07911 123456",
                    "x" * 3,
                    "\x00",
                ]
            ),
            max_size=6,
        ),
        max_size=5,
    ),
    st.sampled_from([",", ";", "\t", "|"]),
)
def test_hostile_csv_gives_records_or_a_parse_error(rows: list[list[str]], comma: str) -> None:
    header = comma.join(["date", "number", "direction", "duration", "text"])
    data = "\n".join([header] + [comma.join(row) for row in rows]).encode()
    mapping = csv_calls.CsvMapping(
        timestamp="date", number="number", direction="direction", duration="duration", text="text"
    )
    for chosen in (None, mapping):
        with contextlib.suppress(ParseError):
            csv_calls.parse(data, mapping=chosen)
