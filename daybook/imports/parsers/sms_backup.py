"""SMS Backup & Restore (Android) XML: texts, MMS with parts, and call logs.

The file is read as a stream of elements (each cleared once read), through defusedxml, so a
large backup stays small in memory and entity tricks are refused. Emoji written as pairs of
UTF-16 surrogate references (`&#55357;&#56834;`) are joined before parsing; a lone one
becomes U+FFFD and the record says so.
"""

import base64
import binascii
import datetime as dt
import hashlib
import io
import re
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


def normalise_number(raw: str) -> str:
    """E.164 where the number allows it (UK by default), else the number as given."""
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return raw.strip()
    if not phonenumbers.is_possible_number(number):
        return raw.strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _when(milliseconds: str | None, index: int) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(milliseconds or "") / 1000, tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ParseError("A record has no valid date.", record=index) from None


def _identity(*parts: object) -> str:
    return "|".join(str(part) for part in parts)


@without_cycle_collection
def parse(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    if not data.strip():
        raise ParseError("The file is empty.")
    fixed, lone = _join_surrogates(data)
    records: list[Record] = []
    warnings = []
    if lone:
        warnings.append(
            f"{lone} emoji could not be read and show as \ufffd; the original file is kept."
        )
    index = 0
    try:
        for _event, element in iterparse(io.BytesIO(fixed), events=("end",), forbid_dtd=True):
            if element.tag not in ("sms", "mms", "call"):
                continue
            index += 1
            if index > limits.max_records:
                raise ParseError("The backup has more records than one import can take.")
            builder = {"sms": _sms, "mms": _mms, "call": _call}[element.tag]
            records.append(builder(element, index, lone > 0))
            element.clear()
    except (XMLParseError, DefusedXmlException, ValueError, LookupError) as error:
        if isinstance(error, ParseError):
            raise
        raise ParseError(
            "The backup file is damaged or incomplete, or is not an SMS Backup & Restore file.",
            record=index + 1,
        ) from None
    if not records:
        raise ParseError("The file has no messages or calls in it.")
    participants: dict[str, int] = {}
    for record in records:
        participants[record.sender] = participants.get(record.sender, 0) + 1
    return ParseResult(format=FORMAT, records=records, participants=participants, warnings=warnings)


def _sms(element: Element, index: int, lone: bool) -> Record:
    address = element.get("address") or ""
    incoming = element.get("type") == "1"
    body = element.get("body")
    text = body if body is not None else ""
    facts = []
    if body is None:
        facts.append("no_body")
    if lone and "\ufffd" in text:
        facts.append("lone_surrogate_replaced")
    number = normalise_number(address)
    moment = _when(element.get("date"), index)
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


def _mms(element: Element, index: int, lone: bool) -> Record:
    incoming = element.get("msg_box") == "1"
    sender = ""
    recipients = []
    for addr in element.iter("addr"):
        number = normalise_number(addr.get("address") or "")
        if addr.get("type") == "137":
            sender = number
        else:
            recipients.append(number)
    texts, attachments = [], []
    for part in element.iter("part"):
        if part.get("seq") == "-1" or part.get("ct") == "application/smil":
            continue
        if part.get("ct") == "text/plain":
            texts.append(part.get("text") or "")
            continue
        name = next(
            (v for k in ("name", "cl", "fn") if (v := part.get(k)) is not None and v != "null"),
            "attachment",
        )
        payload = part.get("data")
        size = digest = None
        if payload:
            try:
                raw = base64.b64decode(payload, validate=False)
            except (binascii.Error, ValueError):
                raise ParseError(
                    "A picture or file in a message is damaged.", record=index
                ) from None
            size, digest = len(raw), hashlib.sha256(raw).hexdigest()
        attachments.append(Attachment(name=name, size=size, sha256=digest))
    text = "\n".join(texts)
    moment = _when(element.get("date"), index)
    sender = sender or (normalise_number(element.get("address") or "") if incoming else "Me")
    return Record(
        kind="message",
        timestamp=moment,
        sender=sender if incoming else "Me",
        recipients=tuple(recipients),
        text=text,
        direction="incoming" if incoming else "outgoing",
        attachments=tuple(attachments),
        facts=("lone_surrogate_replaced",) if lone and "\ufffd" in text else (),
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


def _call(element: Element, index: int, lone: bool) -> Record:
    raw = element.get("number") or ""
    presentation = element.get("presentation") or "1"
    if presentation in WITHHELD or raw in ("", "-1"):
        number = WITHHELD.get(presentation, "Withheld number")
    else:
        number = normalise_number(raw)
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
