"""E-mail: one .eml message or an .mbox of many. Each message's raw bytes are hashed; its
authentication results are recorded as the receiving server wrote them. Every attached file
(a part with a file name, or marked as an attachment) is carried with its bytes, so the
importer can keep it as an exhibit."""

import datetime as dt
import email
import email.errors
import email.policy
import email.utils
import hashlib
import io
import mailbox
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.message import Message

from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
)

FORMAT = "email"
# A multipart declaration; a message nests no deeper than it has these.
MULTIPART = re.compile(rb"content-type:[ \t]*multipart/", re.IGNORECASE)


@dataclass
class Reading:
    """What reading one upload has counted so far, across all its messages."""

    limits: Limits
    attachment_bytes: int = 0
    warnings: list[str] = field(default_factory=list)


def parse_eml(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    return _result([(data, "message 1", None)], limits)


def parse_mbox(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    # The stdlib mailbox reads from a path; the bytes go to a private temporary file.
    handle, path = tempfile.mkstemp(suffix=".mbox")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        box = mailbox.mbox(path, create=False)
        raws = []
        for number, key in enumerate(box.keys(), start=1):
            if number > limits.max_records:
                raise ParseError("The mailbox has more messages than one import can take.")
            raws.append((box.get_bytes(key), f"message {number}", box[key].get_from()))
        box.close()
    finally:
        os.unlink(path)
    if not raws:
        raise ParseError("The mailbox has no messages in it.")
    return _result(raws, limits)


def _result(raws: Sequence[tuple[bytes, str, str | None]], limits: Limits) -> ParseResult:
    reading = Reading(limits=limits)
    records = [_record(raw, locator, from_line, reading) for raw, locator, from_line in raws]
    participants: dict[str, int] = {}
    for record in records:
        participants[record.sender] = participants.get(record.sender, 0) + 1
    return ParseResult(
        format=FORMAT, records=records, participants=participants, warnings=reading.warnings
    )


def _record(raw: bytes, locator: str, from_line: str | None, reading: Reading) -> Record:
    # The standard library's MIME and header parsers recurse once per nested part or comment;
    # a message built to nest thousands deep is refused before parsing where it can be seen.
    if len(MULTIPART.findall(raw)) > reading.limits.max_nesting:
        raise ParseError(f"An e-mail has far more nested parts than a real one ({locator}).")
    try:
        return _read(raw, locator, from_line, reading)
    except (ValueError, TypeError, LookupError, AttributeError, email.errors.MessageError):
        raise ParseError(f"An e-mail could not be read ({locator}).") from None
    except RecursionError:  # a header nested too deeply; nothing of the message was kept
        raise ParseError(f"An e-mail is nested too deeply to read ({locator}).") from None


def _read(raw: bytes, locator: str, from_line: str | None, reading: Reading) -> Record:
    message = email.message_from_binary_file(io.BytesIO(raw), policy=email.policy.default)
    if not message.keys():
        raise ParseError("This is not an e-mail message.")
    try:
        moment = email.utils.parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError, IndexError):
        raise ParseError(f"An e-mail has no valid date ({locator}).") from None
    facts = []
    if moment.tzinfo is None:  # "-0000": the zone is unknown, not UTC
        facts.append("zone_unknown")
        moment = moment.replace(tzinfo=dt.UTC)
    body_part: Message | None = None
    try:
        body_part = message.get_body(preferencelist=("plain", "html"))
        body = body_part.get_content() if body_part is not None else ""
    except (LookupError, ValueError, AttributeError):
        body, facts = "", [*facts, "body_unreadable"]
    if not isinstance(body, str):
        body = ""
    attachments = [
        _attachment(part, locator, reading)
        for part in _parts(message)
        if part is not body_part and _is_attachment(part)
    ]
    subject = str(message.get("Subject", ""))
    digest = hashlib.sha256(raw).hexdigest()
    return Record(
        kind="message",
        timestamp=moment,
        sender=str(message.get("From", "")),
        recipients=tuple(str(value) for value in message.get_all("To", [])),
        text=f"{subject}\n\n{body}" if subject else body,
        attachments=tuple(attachments),
        facts=tuple(facts),
        locator=locator,
        identity=str(message.get("Message-ID", digest)),
        extra={
            "sha256": digest,
            "message_id": str(message.get("Message-ID", "")),
            "subject": subject,
            "authentication_results": [
                str(value).strip() for value in message.get_all("Authentication-Results", [])
            ],
            "received": [str(value).strip() for value in message.get_all("Received", [])],
            "from_line": from_line,
        },
    )


def _parts(message: Message) -> Iterator[Message]:
    """Every part that is not itself a container, walked without recursion (Message.walk
    recurses once per level)."""
    waiting: list[Message] = [message]
    while waiting:
        part = waiting.pop()
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                waiting.extend(reversed([p for p in payload if isinstance(p, Message)]))
        else:
            yield part


def _is_attachment(part: Message) -> bool:
    return part.get_filename() is not None or part.get_content_disposition() == "attachment"


def _attachment(part: Message, locator: str, reading: Reading) -> Attachment:
    """The file with its bytes, within the size limits; beyond them its name, size and hash."""
    name = part.get_filename() or "attachment"
    content_type = part.get_content_type()
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = b""
    limits = reading.limits
    too_large = len(payload) > limits.max_attachment_bytes
    over_total = reading.attachment_bytes + len(payload) > limits.max_attachments_total_bytes
    if too_large or over_total:
        reading.warnings.append(
            f"The attachment {name[:60]} ({locator}) is larger than Daybook keeps; its name "
            "and fingerprint are kept and the original e-mail holds it."
        )
        return Attachment(
            name=name,
            size=len(payload),
            sha256=hashlib.sha256(payload).hexdigest(),
            content_type=content_type,
        )
    reading.attachment_bytes += len(payload)
    return Attachment.inline(name, payload, content_type)
