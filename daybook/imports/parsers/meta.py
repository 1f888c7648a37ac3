"""Facebook Messenger and Instagram "Download your information" (JSON).

Threads come as message_1.json, message_2.json… (newest first); all are merged. Every string
is written as UTF-8 bytes escaped one by one; each is repaired by re-reading those bytes,
and kept as it is when the repair does not apply.

Where a message has no words (a photo sent alone, a sticker, a call, an unsent message), the
record gets words saying what it was and the fact "described": those words are Daybook's.
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
    json_nesting,
)

FORMAT = "messenger"
# Each kind of media a message can hold, and what a message holding only that is called.
MEDIA = {
    "photos": "Photo",
    "videos": "Video",
    "audio_files": "Audio",
    "files": "File",
    "gifs": "GIF",
}


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


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _whole_number(value: Any) -> int | None:
    # bool is an int in Python; a true/false is not a number of seconds.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def length(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def load(member: str, data: bytes, limits: Limits) -> Any:
    name = member[:60]
    if json_nesting(data) > limits.max_nesting:
        raise ParseError(
            f"{name} is nested far more deeply than a Messenger or Instagram download is, "
            "so it was not read."
        )
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ParseError(f"{name} is not complete JSON. Download your information again.") from None
    except RecursionError:  # the nesting check above should make this unreachable
        raise ParseError(f"{name} is nested too deeply to be a conversation.") from None


def parse_threads(
    files: list[tuple[str, bytes]], *, limits: Limits = DEFAULT_LIMITS
) -> ParseResult:
    records: list[Record] = []
    warnings: list[str] = []
    for member, data in files:
        thread = load(member, data, limits)
        if not is_thread(thread):
            raise ParseError(f"{member[:60]} is not a Messenger or Instagram conversation.")
        title = repair(_string(thread.get("title")))
        for index, message in enumerate(thread["messages"], start=1):
            if len(records) >= limits.max_records:
                raise ParseError("The download has more messages than one import can take.")
            records.append(_record(message, title, member, index, warnings))
    if not records:
        raise ParseError("The conversation has no messages in it.")
    records.sort(key=lambda record: record.timestamp)
    participants: dict[str, int] = {}
    for record in records:
        participants[record.sender] = participants.get(record.sender, 0) + 1
    return ParseResult(format=FORMAT, records=records, participants=participants, warnings=warnings)


def _record(message: Any, title: str, member: str, index: int, warnings: list[str]) -> Record:
    where = f"{member.rsplit('/', 1)[-1][:60]} message {index}"
    if not isinstance(message, dict):
        raise ParseError(f"A message in the conversation is damaged ({where}).", record=index)
    try:
        moment = dt.datetime.fromtimestamp(int(message["timestamp_ms"]) / 1000, tz=dt.UTC)
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise ParseError("A message has no valid timestamp_ms.", record=index) from None
    sender = repair(_string(message.get("sender_name")) or "Facebook User")
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        warnings.append(f"The text of {where} was not text; it was left out.")
    original = repair(_string(content))
    facts, kind, outcome = [], "message", None
    duration = _whole_number(message.get("call_duration"))
    if message.get("is_unsent") is True:
        facts.append("unsent")
    if message.get("type") == "Call" or "call_duration" in message:
        kind = "call"
        outcome = "answered" if duration else "missed"
    media = _media(message, where, warnings)
    text = original
    if not text:
        words = _words(message, kind, sender, duration, media)
        if words:
            text = words
            facts.append("described")
    identity = f"{title}|{sender}|{message.get('timestamp_ms')}|{original}"
    return Record(
        kind=kind,
        timestamp=moment,
        sender=sender,
        text=text,
        call_outcome=outcome,
        duration_seconds=duration,
        attachments=tuple(attachment for _kind, attachment in media),
        facts=tuple(facts),
        thread=title,
        member=member,
        locator=where,
        identity=identity,
    )


def _media(
    message: dict[str, Any], where: str, warnings: list[str]
) -> list[tuple[str, Attachment]]:
    """Each photo, video, sound, file, GIF and sticker the message names, by its path in the
    download (which is how the importer finds the file), with the word for its kind."""
    found: list[tuple[str, Attachment]] = []
    for key, word in (*MEDIA.items(), ("sticker", "Sticker")):
        value = message.get(key)
        if value is None:
            continue
        items = [value] if key == "sticker" else value
        if not isinstance(items, list):
            warnings.append(f"The {key} of {where} were not a list; they were left out.")
            continue
        for item in items:
            uri = item.get("uri") if isinstance(item, dict) else None
            if not isinstance(uri, str) or not uri:
                warnings.append(f"One of the {key} of {where} has no file name; left out.")
                continue
            found.append((word, Attachment(name=uri, member=_safe_member(uri))))
    return found


def _safe_member(uri: str) -> str | None:
    """The path to look the file up by, unless it points outside the download."""
    parts = uri.replace("\\", "/").split("/")
    return None if uri.startswith(("/", "\\")) or ".." in parts else uri


def _words(
    message: dict[str, Any],
    kind: str,
    sender: str,
    duration: int | None,
    media: list[tuple[str, Attachment]],
) -> str:
    """What a message without words was, in words."""
    if message.get("is_unsent") is True:
        return "Message unsent"
    if kind == "call":
        if not duration:
            return f"Missed call from {sender}"
        return f"Call from {sender}, {length(duration)}"
    if not media:
        return ""
    said = []
    for word, attachment in media:
        name = attachment.name.replace("\\", "/").rsplit("/", 1)[-1]
        said.append(word if word == "Sticker" or not name else f"{word}: {name}")
    return "; ".join(said)
