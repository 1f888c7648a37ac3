"""E-mail: one .eml message or an .mbox of many. Each message's raw bytes are hashed; its
authentication results are recorded as the receiving server wrote them."""

import datetime as dt
import email
import email.errors
import email.policy
import email.utils
import hashlib
import io
import mailbox
import os
import tempfile
from collections.abc import Sequence

from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
)

FORMAT = "email"


def parse_eml(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    return _result([(data, "message 1", None)])


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
    return _result(raws)


def _result(raws: Sequence[tuple[bytes, str, str | None]]) -> ParseResult:
    records = [_record(raw, locator, from_line) for raw, locator, from_line in raws]
    participants: dict[str, int] = {}
    for record in records:
        participants[record.sender] = participants.get(record.sender, 0) + 1
    return ParseResult(format=FORMAT, records=records, participants=participants)


def _record(raw: bytes, locator: str, from_line: str | None) -> Record:
    try:
        return _read(raw, locator, from_line)
    except (ValueError, TypeError, LookupError, AttributeError, email.errors.MessageError):
        raise ParseError(f"An e-mail could not be read ({locator}).") from None


def _read(raw: bytes, locator: str, from_line: str | None) -> Record:
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
    try:
        body_part = message.get_body(preferencelist=("plain", "html"))
        body = body_part.get_content() if body_part is not None else ""
    except (LookupError, ValueError, AttributeError):
        body, facts = "", [*facts, "body_unreadable"]
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
        attachments.append(
            Attachment(
                name=part.get_filename() or "attachment",
                size=len(payload),
                sha256=hashlib.sha256(payload).hexdigest(),
            )
        )
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
