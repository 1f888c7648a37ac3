"""SMS Backup & Restore: texts, MMS parts, calls, surrogate emoji, "null", hostile XML."""

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daybook.imports.parsers import ParseError, detect_format, parse

SMS = b"""<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<!--File Created By SMS Backup & Restore v10.05.612 on 16/12/2019 10:34:44-->
<smses count="3" backup_set="x" backup_date="1733086800000" type="full">
  <sms protocol="0" address="07911 123123" date="1733084700123" type="1" subject="null" body="I saw your car at work&#10;Answer me" toa="null" sc_toa="null" service_center="+15550000000" read="1" status="-1" locked="0" date_sent="1733084699000" readable_date="Dec 1, 2024 9:25:00 PM" contact_name="(Unknown)" />
  <sms protocol="0" address="+44 7911 123123" date="1600000000000" type="2" subject="null" body="Stop &#55357;&#56834;" toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" />
  <sms protocol="0" address="+447911123123" date="1600000001000" type="1" body="null" />
  <mms date="1733084900000" msg_box="1" m_type="132" address="+447911123123" ct_t="application/vnd.wap.multipart.related" read="1" text_only="0" sub="null" contact_name="(Unknown)">
    <parts>
      <part seq="-1" ct="application/smil" name="null" chset="106" cd="null" fn="null" cid="&lt;smil&gt;" cl="smil.xml" ctt_s="null" ctt_t="null" text="&lt;smil&gt;&lt;/smil&gt;" />
      <part seq="0" ct="text/plain" name="null" chset="106" cd="null" fn="null" cid="&lt;text_0&gt;" cl="text_0.txt" ctt_s="null" ctt_t="null" text="look outside" />
      <part seq="0" ct="image/jpeg" name="IMG950159.jpg" chset="null" cd="inline" fn="null" cid="&lt;IMG950159.jpg&gt;" cl="IMG950159.jpg" ctt_s="null" ctt_t="null" text="null" data="/9j/4AAQ" />
    </parts>
    <addrs><addr address="+447911123123" type="137" charset="106" /><addr address="+447911123999" type="151" charset="106" /></addrs>
  </mms>
</smses>
"""

CALLS = b"""<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<calls count="4">
  <call number="+447911123123" duration="0" date="1733085000000" type="3" presentation="1" readable_date="01.12.2024 21:30:00" contact_name="(Unknown)" />
  <call number="" duration="0" date="1733085060000" type="6" presentation="2" />
  <call number="+447911123123" duration="12" date="1733085120000" type="1" presentation="1" />
  <call number="-1" duration="0" date="1733085180000" type="9" presentation="3" />
</calls>
"""


def test_texts_and_mms_are_read_exactly() -> None:
    result = parse(SMS, filename="sms-20241201.xml")
    first, second, third, mms = result.records
    assert first.text == "I saw your car at work\nAnswer me"
    assert first.timestamp == dt.datetime(2024, 12, 1, 20, 25, 0, 123000, tzinfo=dt.UTC)
    assert (first.sender, first.direction) == ("+447911123123", "incoming")
    assert second.text == "Stop \U0001f602" and second.sender == "Me"
    assert second.recipients == ("+447911123123",)
    assert third.text == "null"  # the literal text "null" is kept as the export gave it
    assert mms.text == "look outside" and mms.attachments[0].name == "IMG950159.jpg"
    assert mms.attachments[0].sha256 is not None
    assert result.participants["+447911123123"] == 3


def test_calls_carry_their_outcome_and_withheld_numbers() -> None:
    missed, blocked, answered, unknown = parse(CALLS, filename="calls.xml").records
    assert (missed.kind, missed.call_outcome, missed.sender) == ("call", "missed", "+447911123123")
    assert (blocked.call_outcome, blocked.sender) == ("blocked", "Withheld number")
    assert (answered.call_outcome, answered.duration_seconds) == ("answered", 12)
    assert (unknown.call_outcome, unknown.sender) == ("other", "Unknown number")


def test_a_lone_surrogate_is_replaced_and_flagged() -> None:
    data = SMS.replace(b"Stop &#55357;&#56834;", b"Stop &#55357;")
    result = parse(data, filename="sms.xml")
    assert result.records[1].text == "Stop \ufffd"
    assert "lone_surrogate_replaced" in result.records[1].facts
    assert any("could not be read" in warning for warning in result.warnings)


def test_the_same_message_in_two_backups_has_the_same_key() -> None:
    one = parse(SMS, filename="a.xml").records[0]
    other = parse(
        SMS.replace(b'address="07911 123123"', b'address="+44 7911 123123"'), filename="b.xml"
    ).records[0]
    assert one.identity == other.identity


def test_detects_the_format_from_content() -> None:
    assert detect_format("anything.txt", SMS) == "sms_backup"
    assert detect_format("calls.xml", CALLS) == "sms_backup"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY a "aaaa">]><smses><sms address="1" date="1" type="1" body="&a;"/></smses>',
            "damaged or incomplete",
        ),
        (SMS[: len(SMS) // 2], "damaged or incomplete"),
        (b'<?xml version="1.0"?><smses count="0"></smses>', "no messages or calls"),
        (
            b'<?xml version="1.0"?><smses><sms address="1" date="soon" type="1" body="x"/></smses>',
            "no valid date",
        ),
    ],
)
def test_hostile_or_broken_backups_get_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(data, filename="sms.xml")


def test_a_large_backup_streams() -> None:
    rows = b"".join(
        b'<sms address="+447911123123" date="%d" type="1" body="message %d" />'
        % (1600000000000 + n * 1000, n)
        for n in range(20000)
    )
    result = parse(b'<?xml version="1.0"?><smses>' + rows + b"</smses>", filename="sms.xml")
    assert len(result.records) == 20000


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(SMS) - 1), st.binary(min_size=1, max_size=6))
def test_mutated_backups_give_records_or_a_parse_error(position: int, noise: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse(SMS[:position] + noise + SMS[position + 1 :], filename="sms.xml")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_records_or_a_parse_error(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse(b"<?xml version='1.0'?><smses>" + data, filename="sms.xml")
