"""WhatsApp "Export chat" files: Android and iOS, every header style, any locale's clock.

Each message starts on a line with a header (date, time, author); lines without one belong
to the message before. Times are the phone's local wall-clock time, so records carry naive
datetimes and the person confirms the time zone. The day/month order is inferred from the
whole file, or left for the person to choose when the file cannot tell.
"""

import datetime as dt
import re
from collections import Counter

from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
    without_cycle_collection,
)
from daybook.imports.parsers.text import decode_utf8

FORMAT = "whatsapp"
MARKS = "\u200e\u200f"
# After the reference parser's header pattern (Pustur/whatsapp-chat-parser), anchored at the
# start of the line so that a date quoted inside a message never starts a new one.
HEADER = re.compile(
    r"^[\u200e\u200f]*\[?(\d{1,4}[-/.]\s?\d{1,4}[-/.]\s?\d{1,4})[,.]?\s(\D*?)"
    r"(\d{1,2}[.:]\d{1,2}(?:[.:]\d{1,2})?)"
    r"(?:\s?([ap]\.?\s?m\.?|上午|下午|午前|午後|오전|오후))?\]?(?:\s-|:)?\s",
    re.IGNORECASE,
)
SPLIT_HEADERS = re.compile("\n" + HEADER.pattern.removeprefix("^"), re.IGNORECASE)
PM = {"pm", "p.m.", "p. m.", "p.m", "下午", "午後", "오후"}
AM = {"am", "a.m.", "a. m.", "a.m", "上午", "午前", "오전"}
SPLIT_DATE = re.compile(r"[-/.]\s?")
SPLIT_TIME = re.compile(r"[.:]")
ATTACHED = re.compile(r"^[\u200e\u200f]*(?:<[^<>]+?[:：]\s*([^<>]+)>|([\w-]+\.\w+)\s[(<].+[)>])")
OMITTED = re.compile(
    r"^[\u200e\u200f]*(?:<Media omitted>|(?:image|video|audio|sticker|GIF|document) omitted|"
    r"Contact card omitted)\s*$",
    re.IGNORECASE,
)
DELETED = re.compile(r"^[\u200e\u200f]*(?:This message was deleted|You deleted this message)\.?$")
EDITED = re.compile(
    r"\s<[^<>]*(?:edited|modificato|bearbeitet|editado|modifié)[^<>]*>$", re.IGNORECASE
)
VIEW_ONCE = "view once message"
MISSED_CALL = re.compile(r"^[\u200e\u200f]*Missed (voice|video) call", re.IGNORECASE)
E2E_NOTICES = (
    "Messages and calls are end-to-end encrypted",
    "Messages to this group are now secured with end-to-end encryption",
)
# Phrases of WhatsApp's own notices. iOS puts the chat's name in front of them, so they count
# only when the text also starts with an invisible mark, as those notices do.
SYSTEM_PHRASES = (
    "security code with",
    "joined using this group's invite link",
    "created group",
    "You were added",
    "changed the subject",
    "changed this group's icon",
    "blocked this contact",
)


def _pieces(date_text: str) -> tuple[int, int, int]:
    first, second, third = (int(part) for part in SPLIT_DATE.split(date_text.replace(" ", "")))
    return first, second, third


def infer_date_order(dates: list[str]) -> tuple[str | None, bool]:
    """("dmy" | "mdy" | "ymd", ambiguous) from all the dates in a file, in file order."""
    if not dates:
        return None, True
    triples = [_pieces(text) for text in dict.fromkeys(dates)]
    if any(len(part) == 4 for part in SPLIT_DATE.split(dates[0].replace(" ", ""))[:1]):
        return "ymd", False
    if any(first > 12 for first, _second, _third in triples):
        return "dmy", False
    if any(second > 12 for _first, second, _third in triples):
        return "mdy", False
    # Within one year only the day can go down (when the month turns over).
    for (a1, b1, y1), (a2, b2, y2) in zip(triples, triples[1:], strict=False):
        if y1 == y2 and a2 < a1 and b2 != b1:
            return "dmy", False
        if y1 == y2 and b2 < b1 and a2 != a1:
            return "mdy", False
    changes_first = sum(1 for x, y in zip(triples, triples[1:], strict=False) if x[0] != y[0])
    changes_second = sum(1 for x, y in zip(triples, triples[1:], strict=False) if x[1] != y[1])
    if changes_first != changes_second:
        return ("dmy" if changes_first > changes_second else "mdy"), True
    return "dmy", True


def _date(text: str, order: str | None) -> tuple[dt.date, str]:
    first, second, third = _pieces(text)
    if order == "ymd":
        year, month, day = first, second, third
    elif order == "mdy":
        month, day, year = first, second, third
    else:
        day, month, year = first, second, third
    if year < 100:
        year += 2000
    value = dt.date(year, month, day)
    return value, value.isoformat()


MARKERS = tuple(PM | AM)


def _time(text: str, meridiem: str | None, skipped: str) -> tuple[dt.time, str]:
    parts = [int(part) for part in SPLIT_TIME.split(text)]
    hour, minute, second = parts[0], parts[1], parts[2] if len(parts) > 2 else 0
    marker = (meridiem or "").lower().replace("\xa0", " ").replace("\u202f", " ").strip()
    if not marker and skipped:
        lowered = skipped.lower()
        marker = next((m for m in MARKERS if m in lowered), "")
    if marker in PM and hour < 12:
        hour += 12
    elif marker in AM and hour == 12:
        hour = 0
    value = dt.time(hour, minute, second)
    return value, value.isoformat()


@without_cycle_collection
def parse(
    data: bytes,
    *,
    date_order: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    member: str | None = None,
    attachments: dict[str, tuple[int, str]] | None = None,
) -> ParseResult:
    """Parse a chat's text. `attachments` maps member names found in the archive to
    (size, sha256), so attachment lines point at the files that came with the chat."""
    if not data:
        raise ParseError("The file is empty.")
    # A line feed in front lets one split, in C, find every header: the pattern starts with
    # a literal "\n", which the regex engine scans for quickly, and only "\n" ends a line.
    text = "\n" + decode_utf8(data).replace("\r\n", "\n")
    parts = SPLIT_HEADERS.split(text)
    if max(map(len, parts[::5])) > limits.max_line_bytes:  # the preamble and the bodies
        _refuse_long_lines(text, limits)
    count = len(parts) // 5
    if not count:
        raise ParseError(
            "This does not look like a WhatsApp chat export: no line starts with a date and time."
        )
    if count > limits.max_records:
        raise ParseError("The chat has more messages than one import can take. Split the export.")
    order, ambiguous = infer_date_order(parts[1::5])
    if date_order is not None:
        if date_order not in ("dmy", "mdy", "ymd"):
            raise ParseError(
                "Choose the date order: day/month/year, month/day/year or year/month/day."
            )
        order, ambiguous = date_order, False
    warnings = []
    if parts[0]:
        warnings.append("The file starts with text before the first message; it was not imported.")
    parts[-1] = parts[-1].rstrip("\n")
    records, attachments = [], attachments or {}
    days: dict[str, tuple[dt.date, str]] = {}
    clocks: dict[tuple[str, str | None, str], tuple[dt.time, str]] = {}
    line = parts[0].count("\n") + 1
    pieces = iter(parts)
    next(pieces)
    for date_text, skipped, time_text, meridiem, body in zip(*[pieces] * 5, strict=True):
        # Headers repeat their date and their time of day, so each is worked out once.
        day = days.get(date_text)
        clock = clocks.get((time_text, meridiem, skipped))
        try:
            if day is None:
                day = days[date_text] = _date(date_text, order)
            if clock is None:
                clock = clocks[(time_text, meridiem, skipped)] = _time(time_text, meridiem, skipped)
        except ValueError:
            raise ParseError(
                "A message has a date or time that does not exist. Check the date order you chose.",
                line=line,
            ) from None
        span = body.count("\n") + 1
        records.append(_record(day, clock, body, line, span, member, attachments))
        line += span
    participants = Counter(record.sender for record in records if record.kind != "system")
    warnings.append(
        "WhatsApp may leave out the oldest messages of a long chat: check the first date here."
    )
    return ParseResult(
        format=FORMAT,
        records=records,
        participants=dict(participants),
        date_order=order,
        date_order_ambiguous=ambiguous,
        naive_times=True,
        warnings=warnings,
    )


def _refuse_long_lines(text: str, limits: Limits) -> None:
    too_long = re.search(f"[^\n]{{{limits.max_line_bytes + 1}}}", text)
    if too_long:
        raise ParseError(
            "A line in the file is far longer than any message could be.",
            line=text.count("\n", 0, too_long.start()),
        )


# The notices start with "M" (the end-to-end notices) or an invisible mark (iOS).
SYSTEM_STARTS = "M\u200e\u200f"


def _is_system(text: str) -> bool:
    stripped = text.lstrip(MARKS)
    if stripped.startswith(E2E_NOTICES):
        return True
    return stripped != text and any(phrase in stripped for phrase in SYSTEM_PHRASES)


def _record(
    day: tuple[dt.date, str],
    clock: tuple[dt.time, str],
    body: str,
    line: int,
    span: int,
    member: str | None,
    attachments: dict[str, tuple[int, str]],
) -> Record:
    sender, separator, text = body.partition(": ")
    kind = "message"
    if not separator:
        sender, text, kind = "", body, "system"
    elif text[:1] in SYSTEM_STARTS and _is_system(text):
        kind = "system"
    found: tuple[Attachment, ...] = ()
    facts, call_outcome = [], None
    first_line = text.partition("\n")[0]
    # Cheap substring checks first: most messages are plain text and skip every pattern.
    if "deleted" in first_line and DELETED.match(first_line):
        facts.append("deleted")
    if first_line.endswith(">") and EDITED.search(first_line):
        facts.append("edited")
    if "omitted" in first_line and OMITTED.match(first_line):
        facts.append("media_omitted")
    if VIEW_ONCE in first_line:
        facts.append("view_once")
    if "call" in first_line and MISSED_CALL.match(first_line):
        kind, call_outcome = "call", "missed"
    attached = ATTACHED.match(first_line) if ("<" in first_line or "(" in first_line) else None
    if attached and "media_omitted" not in facts:
        name = (attached.group(1) or attached.group(2)).strip()
        size, sha = attachments.get(name, (None, None))
        found = (
            Attachment(
                name=name, member=name if name in attachments else None, size=size, sha256=sha
            ),
        )
        if name not in attachments:
            facts.append("attachment_missing")
    return Record(
        kind=kind,
        timestamp=dt.datetime.combine(day[0], clock[0]),
        sender=sender,
        text=text,
        locator=f"line {line}" if span == 1 else f"lines {line}-{line + span - 1}",
        identity=f"{day[1]}T{clock[1]}|{sender}|{text}",
        call_outcome=call_outcome,
        attachments=found,
        facts=tuple(facts) if facts else (),
        member=member,
    )
