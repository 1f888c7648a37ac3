"""Telegram Desktop "Export chat history" in machine-readable JSON (result.json).

One chat or a whole account export. Times come from `date_unixtime` (UTC); `date` is the
exporting computer's local time, used only by older exports, which have no `date_unixtime`:
those times are taken in the zone the person confirms, and a time at a change of the clocks
is settled from the order of the chat's messages or flagged (see clock.py). Calls are service
messages.

Where the export has no words for a message (a call, a sticker, a photo sent alone), the
record gets words saying what it was ("Sticker 😡", "Missed call from Sam Ex") and the fact
"described", so a reader knows those words are Daybook's and not the sender's.
"""

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
    json_nesting,
    without_cycle_collection,
)
from daybook.imports.parsers.clock import resolve_clock_changes, settle

FORMAT = "telegram"
BAD_ESCAPE = re.compile(rb"\\x([0-9A-Fa-f]{2})")
CALL_OUTCOMES = {
    "missed": "missed",
    "busy": "rejected",
    "hangup": "answered",
    "disconnect": "answered",
}
CALL_ACTIONS = ("phone_call", "group_call", "conference_call")
# What each media type is called, and whether its length is worth saying instead of its name
# (a voice message has no name a person chose).
MEDIA_WORDS = {
    "sticker": "Sticker",
    "voice_message": "Voice message",
    "video_message": "Video message",
    "animation": "GIF",
    "video_file": "Video",
    "audio_file": "Audio",
}
TIMED_MEDIA = ("voice_message", "video_message")
# Telegram writes this instead of a path when the person chose not to export that media.
NOT_INCLUDED = "(File not included"


def load(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    if json_nesting(data) > limits.max_nesting:
        raise ParseError(
            "The file is nested far more deeply than a Telegram export is, so it was not read."
        )
    # Telegram writes some control characters as \xNN, which JSON does not allow.
    try:
        return json.loads(BAD_ESCAPE.sub(rb"\\u00\1", data).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ParseError(
            "The file is not complete JSON. Export it again as machine-readable JSON."
        ) from None
    except RecursionError:  # the nesting check above should make this unreachable
        raise ParseError("The file is nested too deeply to be a Telegram export.") from None


def text_of(value: Any) -> str:
    """Plain text exactly: the entities' texts joined with nothing between them."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            _string(part.get("text") if isinstance(part, dict) else part) for part in value
        )
    return ""


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _whole_number(value: Any) -> int | None:
    # bool is an int in Python; a true/false is not a number of seconds.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def length(seconds: int) -> str:
    """ "3 min 20 s" for a call; "0:12" reads better for a short voice message."""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def clock(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


@without_cycle_collection
def parse(
    data: bytes, *, limits: Limits = DEFAULT_LIMITS, time_zone: str = "Europe/London"
) -> ParseResult:
    """`time_zone` is the zone the exporting computer was set to: it matters only for older
    exports, whose times are that computer's local time."""
    if not data.strip():
        raise ParseError("The file is empty.")
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError("Choose the time zone the computer was set to from the list.") from None
    root = load(data, limits)
    if not isinstance(root, dict):
        raise ParseError("This is not a Telegram export (result.json).")
    chats = root.get("chats", {}).get("list") if isinstance(root.get("chats"), dict) else None
    chats = chats if isinstance(chats, list) else [root]
    records: list[Record] = []
    warnings: list[str] = []
    unresolved = 0
    for number, chat in enumerate(chats, start=1):
        if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
            raise ParseError(
                "This is not a Telegram export (result.json): it has no messages.", record=number
            )
        in_chat: list[Record] = []
        for index, message in enumerate(chat["messages"], start=1):
            if len(records) + len(in_chat) >= limits.max_records:
                raise ParseError("The export has more messages than one import can take.")
            in_chat.append(_record(message, chat, index, warnings))
        # A chat's messages are in the order they were sent (by id), which settles most
        # local times at a change of the clocks; another chat's order says nothing of them.
        unresolved += resolve_clock_changes(
            [record for record in in_chat if record.timestamp.tzinfo is None], zone
        )
        records.extend(in_chat)
    if not records:
        raise ParseError("The export has no messages in it.")
    naive = [record for record in records if record.timestamp.tzinfo is None]
    if naive and len(naive) < len(records):
        # Exact and local times cannot be compared or sorted together: the exact ones are
        # written as the local times they were, each with its pass of a repeated hour.
        try:
            for record in records:
                if record.timestamp.tzinfo is not None:
                    settle(record, record.timestamp, zone)
        except OverflowError:  # an instant at the very edge of the calendar, such as year 1
            raise ParseError("A message is dated outside the dates Daybook can record.") from None
    if unresolved:
        warnings.append(
            f"{unresolved} message{'s' if unresolved != 1 else ''} "
            f"{'have times' if unresolved != 1 else 'has a time'} at a change of the clocks "
            "that the export cannot settle (a time that happened twice, or one that did not "
            "happen). They are marked on their entries: check them against the phone."
        )
    participants: dict[str, int] = {}
    for record in records:
        if record.kind != "system":
            participants[record.sender] = participants.get(record.sender, 0) + 1
    return ParseResult(
        format=FORMAT,
        records=records,
        participants=participants,
        naive_times=bool(naive),
        warnings=warnings,
    )


def _moment(message: dict[str, Any], index: int) -> tuple[dt.datetime, str]:
    """When a message was sent, and how its identity writes that: the instant from
    `date_unixtime`, or (in an export older than that field) the local time from `date`."""
    try:
        if "date_unixtime" in message:
            moment = dt.datetime.fromtimestamp(int(message["date_unixtime"]), tz=dt.UTC)
            return moment, str(int(moment.timestamp()))
        written = message["date"]
        moment = dt.datetime.fromisoformat(written)
        if moment.tzinfo is not None:  # not written by Telegram, but exact all the same
            moment = moment.astimezone(dt.UTC)
            return moment, str(int(moment.timestamp()))
        # The text as written: a naive time's instant depends on the zone chosen.
        return moment, written
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise ParseError("A message has no valid date_unixtime or date.", record=index) from None


def _record(message: Any, chat: dict[str, Any], index: int, warnings: list[str]) -> Record:
    if not isinstance(message, dict):
        raise ParseError("A message in the export is damaged.", record=index)
    moment, when = _moment(message, index)
    thread = _string(chat.get("name"))
    kind, outcome, facts = "message", None, []
    sender = _string(message.get("from")) or _string(message.get("actor")) or "Deleted account"
    direction: str | None = None
    recipients: tuple[str, ...] = ()
    duration = _whole_number(message.get("duration_seconds"))
    text = text_of(message.get("text", ""))
    words = ""
    if message.get("type") == "service":
        kind = "system"
        if message.get("action") in CALL_ACTIONS:
            kind = "call"
            outcome = (
                "missed"
                if message.get("is_missed") is True
                else CALL_OUTCOMES.get(_string(message.get("discard_reason")), "answered")
            )
            direction = _call_direction(message, chat, sender)
            other = thread or "the other person"
            if direction == "outgoing":
                recipients = (other,)
            words = _call_words(outcome, direction, other, duration)
    else:
        words = _media_words(message)
    if message.get("type") == "unsupported":
        words = "A message Telegram could not export"
    if not text and words:
        text = words
        facts.append("described")
    attachments = _attachments(message, index, warnings)
    if NOT_INCLUDED in _string(message.get("photo")) + _string(message.get("file")):
        facts.append("media_not_included")
    if message.get("edited"):
        facts.append("edited")
    if message.get("self_destruct_period_seconds"):
        facts.append("view_once")
    locator_id = message.get("id")
    if not isinstance(locator_id, int | str) or isinstance(locator_id, bool):
        locator_id = index
    identity = f"{thread}|{message.get('id')}|{when}"
    return Record(
        kind=kind,
        timestamp=moment,
        sender=sender,
        recipients=recipients,
        text=text,
        direction=direction,
        call_outcome=outcome,
        duration_seconds=duration,
        attachments=attachments,
        facts=tuple(facts),
        thread=thread,
        locator=f"message {locator_id}",
        identity=identity,
    )


def _call_direction(message: dict[str, Any], chat: dict[str, Any], caller: str) -> str | None:
    """Who rang whom. In a one-to-one chat, Telegram's chat id is the other person's user id
    and the chat is named after them: a call whose actor is that person came in."""
    if chat.get("type") not in ("personal_chat", "bot_chat", None):
        return None  # a group call has no one other party
    chat_id, actor_id = chat.get("id"), message.get("actor_id", message.get("from_id"))
    if isinstance(chat_id, int) and isinstance(actor_id, str) and actor_id.startswith("user"):
        return "incoming" if actor_id == f"user{chat_id}" else "outgoing"
    name = _string(chat.get("name"))
    if not name:
        return None
    return "incoming" if caller == name else "outgoing"


def _call_words(outcome: str, direction: str | None, other: str, duration: int | None) -> str:
    if direction is None:
        said = "Missed group call" if outcome == "missed" else "Group call"
        return f"{said} in {other}" + (f", {length(duration)}" if duration else "")
    towards = "from" if direction == "incoming" else "to"
    if outcome == "missed" and direction == "incoming":
        return f"Missed call from {other}"
    if outcome == "missed":
        return f"Unanswered call to {other}"
    if outcome == "rejected":
        return f"Declined call {towards} {other}"
    return f"Call {towards} {other}" + (f", {length(duration)}" if duration else "")


def _media_words(message: dict[str, Any]) -> str:
    """What a message without words showed, in words."""
    media_type = _string(message.get("media_type"))
    path = _string(message.get("file")) or _string(message.get("photo"))
    name = _file_name(path)
    duration = _whole_number(message.get("duration_seconds"))
    if media_type == "sticker":
        emoji = _string(message.get("sticker_emoji"))
        return f"Sticker {emoji}" if emoji else "Sticker"
    if media_type in TIMED_MEDIA:
        return MEDIA_WORDS[media_type] + (f" ({clock(duration)})" if duration is not None else "")
    if media_type in MEDIA_WORDS:
        return f"{MEDIA_WORDS[media_type]}: {name}" if name else MEDIA_WORDS[media_type]
    if isinstance(message.get("photo"), str):
        return f"Photo: {name}" if name else "Photo"
    if isinstance(message.get("file"), str):
        return f"File: {name}" if name else "File"
    if isinstance(message.get("location_information"), dict):
        return "Location shared"
    if isinstance(message.get("poll"), dict):
        question = _string(message["poll"].get("question"))
        return f"Poll: {question}" if question else "Poll"
    if isinstance(message.get("contact_information"), dict):
        return "Contact card"
    return ""


def _file_name(path: str) -> str:
    """The file's own name from its path in the export, or "" if the media was not exported."""
    if not path or path.startswith(NOT_INCLUDED):
        return ""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _attachments(
    message: dict[str, Any], index: int, warnings: list[str]
) -> tuple[Attachment, ...]:
    """Every photo, file, sticker, video or voice message the export holds, by its path in the
    export's folder. A path that points outside the folder names the file but finds nothing."""
    found = []
    for key in ("photo", "file"):
        path = message.get(key)
        if key in message and path is not None and not isinstance(path, str):
            warnings.append(f"A message's {key} was not a file name; it was left out (#{index}).")
            continue
        if not isinstance(path, str) or not path or path.startswith(NOT_INCLUDED):
            continue
        safe = not path.startswith(("/", "\\")) and ".." not in re.split(r"[\\/]", path)
        mime = message.get("mime_type")
        found.append(
            Attachment(
                name=path,
                member=path if safe else None,
                content_type=mime if isinstance(mime, str) else None,
            )
        )
    return tuple(found)
