"""SMS Backup & Restore (Android) XML: texts, MMS with parts, and call logs.

The file is read as a stream of elements (each cleared once read), through defusedxml, so a
large backup stays small in memory and entity tricks are refused. Emoji written as pairs of
UTF-16 surrogate references (`&#55357;&#56834;`) are joined before parsing; a lone one
becomes U+FFFD and the record says so.

Times come from `date` (milliseconds since 1970 in UTC, as Android stores them), never from
`readable_date`, which is the phone's local wall-clock text and repeats an hour when the
clocks go back. Numbers become E.164 only where they are valid numbers of the service's
region (or carry their own country code); anything else is kept exactly as written, so a
foreign or short number is never turned into a wrong UK one.
"""

import base64
import binascii
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XMLParseError

import phonenumbers
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
    without_cycle_collection,
)

FORMAT = "sms_backup"
PAIR = re.compile(rb"&#(5[5-6]\d{3});&#(5[6-7]\d{3});")
LONE = re.compile(rb"&#(5[5-7]\d{3});")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Android's message boxes: Telephony.TextBasedSmsColumns.MESSAGE_TYPE_INBOX = 1,
# MESSAGE_TYPE_SENT = 2, MESSAGE_TYPE_DRAFT = 3, MESSAGE_TYPE_OUTBOX = 4,
# MESSAGE_TYPE_FAILED = 5, MESSAGE_TYPE_QUEUED = 6 (the `type` of an <sms>); an <mms>'s
# `msg_box` uses the same numbers (Telephony.BaseMmsColumns.MESSAGE_BOX_INBOX = 1, _SENT = 2,
# _DRAFTS = 3, _OUTBOX = 4, _FAILED = 5). Only 1 and 2 were received or sent; the rest never
# reached anyone, so they are left out (and counted) rather than logged as sent.
RECEIVED, SENT = "1", "2"
NOT_SENT = {
    "3": "draft",
    "4": "outbox",
    "5": "failed",
    "6": "queued",
}
CALL_TYPES = {
    "1": ("incoming", "answered"),
    "2": ("outgoing", "answered"),
    "3": ("incoming", "missed"),
    "4": ("incoming", "voicemail"),
    "5": ("incoming", "rejected"),
    "6": ("incoming", "blocked"),
    "7": ("incoming", "answered_elsewhere"),
}
WITHHELD = {"2": "Withheld number", "3": "Unknown number", "4": "Payphone", "5": "Unavailable"}
# The parts of an MMS that are files a person sent; text parts are the message's words and
# the SMIL part only lays the slide out.
KEPT_PART_TYPES = ("image/", "video/", "audio/", "application/pdf")
RECORD_TAGS = ("sms", "mms", "call")


@dataclass
class Reading:
    """What reading one backup has counted so far."""

    limits: Limits
    region: str
    lone: bool
    seen: set[tuple[Any, ...]] = field(default_factory=set)
    duplicates: int = 0
    not_sent: dict[str, int] = field(default_factory=dict)
    unknown_boxes: int = 0
    attachment_bytes: int = 0
    warnings: list[str] = field(default_factory=list)


def _join_surrogates(data: bytes) -> tuple[bytes, int]:
    def join(match: re.Match[bytes]) -> bytes:
        high, low = int(match.group(1)), int(match.group(2))
        if 0xD800 <= high <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
            return b"&#%d;" % (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        return match.group(0)

    data = PAIR.sub(join, data)
    lone = 0

    def replace(match: re.Match[bytes]) -> bytes:
        nonlocal lone
        if 0xD800 <= int(match.group(1)) <= 0xDFFF:
            lone += 1
            return b"&#65533;"
        return match.group(0)

    return LONE.sub(replace, data), lone


def normalise_number(raw: str, region: str = "GB") -> str:
    """E.164 for a number valid in `region` (or valid with the country code it carries);
    anything else exactly as written: a short code, a sender name, or a foreign number
    written without its country code, which `region` would otherwise make into a wrong one."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_valid_number(number):
        return raw
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _when(milliseconds: str | None, index: int) -> dt.datetime:
    # Whole milliseconds, added exactly: a float of seconds could be a millisecond out.
    try:
        return EPOCH + dt.timedelta(milliseconds=int(milliseconds or ""))
    except (ValueError, OverflowError):
        raise ParseError("A record has no valid date.", record=index) from None


def _identity(*parts: object) -> str:
    return "|".join(str(part) for part in parts)


@without_cycle_collection
def parse(data: bytes, *, limits: Limits = DEFAULT_LIMITS, region: str = "GB") -> ParseResult:
    """Every text, MMS and call in the backup. `region` (ISO 3166 alpha-2) is where numbers
    written without a country code are numbers of."""
    if not data.strip():
        raise ParseError("The file is empty.")
    fixed, lone = _join_surrogates(data)
    reading = Reading(limits=limits, region=region, lone=lone > 0)
    if lone:
        reading.warnings.append(
            f"{lone} emoji could not be read and show as \ufffd; the original file is kept."
        )
    records = _records(fixed, reading)
    if not records:
        raise ParseError("The file has no messages or calls in it." + _left_out_note(reading))
    participants: dict[str, int] = {}
    for record in records:
        participants[record.sender] = participants.get(record.sender, 0) + 1
    return ParseResult(
        format=FORMAT,
        records=records,
        participants=participants,
        warnings=reading.warnings + _left_out(reading),
    )


def _records(fixed: bytes, reading: Reading) -> list[Record]:
    records: list[Record] = []
    index = depth = 0
    events = iterparse(io.BytesIO(fixed), events=("start", "end"), forbid_dtd=True)
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth > reading.limits.max_nesting:
                    raise ParseError(
                        "The file is nested far more deeply than a backup is, so it was not read.",
                        record=index + 1,
                    )
                continue
            depth -= 1
            if element.tag not in RECORD_TAGS:
                continue
            index += 1
            if index > reading.limits.max_records:
                raise ParseError("The backup has more records than one import can take.")
            builder = {"sms": _sms, "mms": _mms, "call": _call}[element.tag]
            record = builder(element, index, reading)
            if record is not None:
                records.append(record)
            element.clear()
    except (XMLParseError, DefusedXmlException, ValueError, LookupError) as error:
        if isinstance(error, ParseError):
            raise
        raise ParseError(
            "The backup file is damaged or incomplete, or is not an SMS Backup & Restore file.",
            record=index + 1,
        ) from None
    return records


def _left_out(reading: Reading) -> list[str]:
    said = []
    if reading.duplicates:
        said.append(
            f"{reading.duplicates} exact duplicate "
            f"{'record was' if reading.duplicates == 1 else 'records were'} left out "
            "(the same number, words, kind and time to the millisecond as one kept)."
        )
    if reading.not_sent:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(reading.not_sent.items()))
        said.append(
            f"Messages that were never sent or received were left out ({kinds}): the phone "
            "kept them as drafts or could not send them."
        )
    if reading.unknown_boxes:
        said.append(
            f"{reading.unknown_boxes} messages of a kind the backup did not say (neither "
            "received nor sent) were left out."
        )
    return said


def _left_out_note(reading: Reading) -> str:
    said = _left_out(reading)
    return (" " + " ".join(said)) if said else ""


def _first_time(reading: Reading, key: tuple[Any, ...]) -> bool:
    """False for an exact copy of a record already read: backups made twice into one file,
    or a phone that stored a message twice, repeat it attribute for attribute."""
    if key in reading.seen:
        reading.duplicates += 1
        return False
    reading.seen.add(key)
    return True


def _box(value: str | None, reading: Reading) -> bool | None:
    """True for received, False for sent, None (counted) for anything that was neither."""
    if value == RECEIVED:
        return True
    if value == SENT:
        return False
    if value in NOT_SENT:
        kind = NOT_SENT[value]
        reading.not_sent[kind] = reading.not_sent.get(kind, 0) + 1
    else:
        reading.unknown_boxes += 1
    return None


def _sms(element: Element, index: int, reading: Reading) -> Record | None:
    address = element.get("address") or ""
    body = element.get("body")
    key = ("sms", address, body, element.get("type"), element.get("date"))
    if not _first_time(reading, key):
        return None
    moment = _when(element.get("date"), index)
    incoming = _box(element.get("type"), reading)
    if incoming is None:
        return None
    text = body if body is not None else ""
    facts = []
    if body is None:
        facts.append("no_body")
    if reading.lone and "\ufffd" in text:
        facts.append("lone_surrogate_replaced")
    number = normalise_number(address, reading.region)
    return Record(
        kind="message",
        timestamp=moment,
        sender=number if incoming else "Me",
        recipients=() if incoming else (number,),
        text=text,
        direction="incoming" if incoming else "outgoing",
        facts=tuple(facts),
        thread=number,
        locator=f"record {index}",
        identity=_identity(number, incoming, int(moment.timestamp()), text),
        extra={
            "address": address,
            "type": element.get("type"),
            "contact_name": element.get("contact_name"),
        },
    )


def _mms(element: Element, index: int, reading: Reading) -> Record | None:
    parts = [part for part in element.iter("part") if not _is_layout(part)]
    key = (
        "mms",
        element.get("address"),
        element.get("msg_box"),
        element.get("date"),
        tuple(tuple(sorted(part.attrib.items())) for part in parts),
    )
    if not _first_time(reading, key):
        return None
    moment = _when(element.get("date"), index)
    incoming = _box(element.get("msg_box"), reading)
    if incoming is None:
        return None
    sender = ""
    recipients = []
    for addr in element.iter("addr"):
        number = normalise_number(addr.get("address") or "", reading.region)
        if addr.get("type") == "137":
            sender = number
        else:
            recipients.append(number)
    texts, attachments, facts = [], [], []
    for part in parts:
        if (part.get("ct") or "").lower().startswith("text/plain"):
            texts.append(part.get("text") or "")
            continue
        attachment = _part_attachment(part, index, reading)
        if attachment.sha256 is None and part.get("data"):
            facts.append("attachment_damaged")
        attachments.append(attachment)
    text = "\n".join(texts)
    sender = sender or normalise_number(element.get("address") or "", reading.region)
    if reading.lone and "\ufffd" in text:
        facts.append("lone_surrogate_replaced")
    return Record(
        kind="message",
        timestamp=moment,
        sender=sender if incoming else "Me",
        recipients=tuple(recipients),
        text=text,
        direction="incoming" if incoming else "outgoing",
        attachments=tuple(attachments),
        facts=tuple(dict.fromkeys(facts)),
        thread=element.get("address") or "",
        locator=f"record {index}",
        identity=_identity(
            sender,
            incoming,
            int(moment.timestamp()),
            text,
            len(attachments),
        ),
    )


def _is_layout(part: Element) -> bool:
    return part.get("seq") == "-1" or (part.get("ct") or "").lower() == "application/smil"


def _part_attachment(part: Element, index: int, reading: Reading) -> Attachment:
    """A picture, video, sound or PDF with its bytes (within the limits), so it can become an
    exhibit; any other part by name, size and hash only."""
    content_type = (part.get("ct") or "").lower()
    name = next(
        (v for k in ("name", "cl", "fn") if (v := part.get(k)) and v != "null"),
        "attachment",
    )
    payload = part.get("data")
    if not payload:
        return Attachment(name=name, content_type=content_type or None)
    limits = reading.limits
    # Base64 is four characters for three bytes: too large is known before decoding.
    if len(payload) // 4 * 3 > limits.max_attachment_bytes:
        reading.warnings.append(
            f"A file in a message (record {index}) is larger than Daybook keeps; its name is "
            "kept and the original backup holds it."
        )
        return Attachment(name=name, content_type=content_type or None)
    try:
        raw = base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        reading.warnings.append(
            f"A picture or file in a message (record {index}) is damaged; its name is kept."
        )
        return Attachment(name=name, content_type=content_type or None)
    kept = content_type.startswith(KEPT_PART_TYPES)
    if kept and reading.attachment_bytes + len(raw) > limits.max_attachments_total_bytes:
        reading.warnings.append(
            f"The files in the messages add up to more than Daybook keeps from one backup; the "
            f"one in record {index} and later ones are named but not kept as exhibits."
        )
        kept = False
    if not kept:
        return Attachment(
            name=name,
            size=len(raw),
            sha256=hashlib.sha256(raw).hexdigest(),
            content_type=content_type or None,
        )
    reading.attachment_bytes += len(raw)
    return Attachment.inline(name, raw, content_type)


def _call(element: Element, index: int, reading: Reading) -> Record | None:
    raw = element.get("number") or ""
    presentation = element.get("presentation") or "1"
    key = ("call", raw, element.get("type"), element.get("date"), element.get("duration"))
    if not _first_time(reading, key):
        return None
    if presentation in WITHHELD or raw in ("", "-1"):
        number = WITHHELD.get(presentation, "Withheld number")
    else:
        number = normalise_number(raw, reading.region)
    direction, outcome = CALL_TYPES.get(element.get("type") or "", ("incoming", "other"))
    try:
        duration = int(element.get("duration") or 0)
    except ValueError:
        duration = 0
    moment = _when(element.get("date"), index)
    return Record(
        kind="call",
        timestamp=moment,
        sender=number if direction == "incoming" else "Me",
        recipients=() if direction == "incoming" else (number,),
        text="",
        direction=direction,
        call_outcome=outcome,
        duration_seconds=duration,
        thread=number,
        locator=f"record {index}",
        identity=_identity(number, direction, int(moment.timestamp()), outcome, duration),
        extra={"type": element.get("type"), "presentation": presentation},
    )
