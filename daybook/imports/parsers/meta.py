"""Facebook Messenger and Instagram "Download your information" (JSON).

Threads come as message_1.json, message_2.json… (newest first); all are merged. Every string
is written as UTF-8 bytes escaped one by one; each is repaired by re-reading those bytes,
and kept as it is when the repair does not apply.
"""

import datetime as dt
import json
from typing import Any

from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
)

FORMAT = "messenger"
MEDIA = ("photos", "videos", "audio_files", "files", "gifs")


def repair(text: str) -> str:
    """Undo the export's encoding bug exactly, or leave the text alone."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def is_thread(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("messages"), list)
        and "participants" in value
    )


def parse_threads(
    files: list[tuple[str, bytes]], *, limits: Limits = DEFAULT_LIMITS
) -> ParseResult:
    records: list[Record] = []
    for member, data in files:
        try:
            thread = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise ParseError(
                f"{member[:60]} is not complete JSON. Download your information again."
            ) from None
        if not is_thread(thread):
            raise ParseError(f"{member[:60]} is not a Messenger or Instagram conversation.")
        title = repair(str(thread.get("title") or ""))
        for index, message in enumerate(thread["messages"], start=1):
            if len(records) >= limits.max_records:
                raise ParseError("The download has more messages than one import can take.")
            records.append(_record(message, title, member, index))
    if not records:
        raise ParseError("The conversation has no messages in it.")
    records.sort(key=lambda record: record.timestamp)
    participants: dict[str, int] = {}
    for record in records:
        participants[record.sender] = participants.get(record.sender, 0) + 1
    return ParseResult(format=FORMAT, records=records, participants=participants)


def _record(message: Any, title: str, member: str, index: int) -> Record:
    if not isinstance(message, dict):
        raise ParseError("A message in the conversation is damaged.", record=index)
    try:
        moment = dt.datetime.fromtimestamp(int(message["timestamp_ms"]) / 1000, tz=dt.UTC)
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise ParseError("A message has no valid timestamp_ms.", record=index) from None
    sender = repair(str(message.get("sender_name") or "Facebook User"))
    text = repair(str(message.get("content") or ""))
    facts, kind, outcome = [], "message", None
    if message.get("is_unsent"):
        facts.append("unsent")
    if message.get("type") == "Call" or "call_duration" in message:
        kind = "call"
        outcome = "answered" if message.get("call_duration") else "missed"
    attachments = tuple(
        Attachment(name=str(item.get("uri", "")))
        for key in MEDIA
        for item in message.get(key, []) or []
        if isinstance(item, dict)
    )
    duration = (
        message.get("call_duration") if isinstance(message.get("call_duration"), int) else None
    )
    identity = f"{title}|{sender}|{message.get('timestamp_ms')}|{text}"
    return Record(
        kind=kind,
        timestamp=moment,
        sender=sender,
        text=text,
        call_outcome=outcome,
        duration_seconds=duration,
        attachments=attachments,
        facts=tuple(facts),
        thread=title,
        member=member,
        locator=f"{member.rsplit('/', 1)[-1]} message {index}",
        identity=identity,
    )
