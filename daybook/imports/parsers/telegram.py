"""Telegram Desktop "Export chat history" in machine-readable JSON (result.json).

One chat or a whole account export. Times come from `date_unixtime` (UTC); `date` is the
exporting computer's local time and is ignored. Calls are service messages.
"""

import datetime as dt
import json
import re
from typing import Any

from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
    without_cycle_collection,
)

FORMAT = "telegram"
BAD_ESCAPE = re.compile(rb"\\x([0-9A-Fa-f]{2})")
CALL_OUTCOMES = {
    "missed": "missed",
    "busy": "rejected",
    "hangup": "answered",
    "disconnect": "answered",
}


def load(data: bytes) -> Any:
    # Telegram writes some control characters as \xNN, which JSON does not allow.
    try:
        return json.loads(BAD_ESCAPE.sub(rb"\\u00\1", data).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ParseError(
            "The file is not complete JSON. Export it again as machine-readable JSON."
        ) from None


def text_of(value: Any) -> str:
    """Plain text exactly: the entities' texts joined with nothing between them."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in value
            if isinstance(part, str | dict)
        )
    return ""


@without_cycle_collection
def parse(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    if not data.strip():
        raise ParseError("The file is empty.")
    root = load(data)
    if not isinstance(root, dict):
        raise ParseError("This is not a Telegram export (result.json).")
    chats = root.get("chats", {}).get("list") if isinstance(root.get("chats"), dict) else None
    chats = chats if isinstance(chats, list) else [root]
    records: list[Record] = []
    for chat in chats:
        if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
            raise ParseError("This is not a Telegram export (result.json): it has no messages.")
        thread = str(chat.get("name") or "")
        for index, message in enumerate(chat["messages"], start=1):
            if len(records) >= limits.max_records:
                raise ParseError("The export has more messages than one import can take.")
            record = _record(message, thread, index)
            if record is not None:
                records.append(record)
    if not records:
        raise ParseError("The export has no messages in it.")
    participants: dict[str, int] = {}
    for record in records:
        if record.kind != "system":
            participants[record.sender] = participants.get(record.sender, 0) + 1
    return ParseResult(format=FORMAT, records=records, participants=participants)


def _record(message: Any, thread: str, index: int) -> Record | None:
    if not isinstance(message, dict):
        raise ParseError("A message in the export is damaged.", record=index)
    try:
        moment = dt.datetime.fromtimestamp(int(message["date_unixtime"]), tz=dt.UTC)
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise ParseError("A message has no valid date_unixtime.", record=index) from None
    kind, outcome, facts = "message", None, []
    sender = str(message.get("from") or message.get("actor") or "Deleted account")
    if message.get("type") == "service":
        if message.get("action") in ("phone_call", "group_call", "conference_call"):
            kind = "call"
            outcome = (
                "missed"
                if message.get("is_missed")
                else CALL_OUTCOMES.get(message.get("discard_reason") or "", "answered")
            )
        else:
            kind = "system"
    text = text_of(message.get("text", ""))
    attachments = tuple(
        Attachment(name=str(message[key]))
        for key in ("photo", "file")
        if isinstance(message.get(key), str)
    )
    if message.get("edited"):
        facts.append("edited")
    if message.get("self_destruct_period_seconds"):
        facts.append("view_once")
    duration = (
        message.get("duration_seconds")
        if isinstance(message.get("duration_seconds"), int)
        else None
    )
    identity = f"{thread}|{message.get('id')}|{int(moment.timestamp())}"
    return Record(
        kind=kind,
        timestamp=moment,
        sender=sender,
        text=text,
        call_outcome=outcome,
        duration_seconds=duration,
        attachments=attachments,
        facts=tuple(facts),
        thread=thread,
        locator=f"message {message.get('id', index)}",
        identity=identity,
    )
