"""WhatsApp "Export chat" files: Android and iOS, every header style, any locale's clock.

Each message starts on a line with a header (date, time, author); lines without one belong
to the message before. Times are the phone's local wall-clock time, so records carry naive
datetimes and the person confirms the time zone. The day/month order is inferred from the
whole file, or left for the person to choose when the file cannot tell.
"""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from daybook.imports.parsers import archive
from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
    without_cycle_collection,
)
from daybook.imports.parsers.clock import resolve_clock_changes
from daybook.imports.parsers.notices import notices_in
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


ORDERS = ("dmy", "ymd", "mdy")  # also the preference when a file cannot tell (UK first)
ORDER_WORDS = {"dmy": "day first", "mdy": "month first", "ymd": "year first"}
# Where the year, the month and the day are in a date's three parts, for each order.
POSITIONS = {"dmy": (2, 1, 0), "mdy": (2, 0, 1), "ymd": (0, 1, 2)}
# WhatsApp was first released in 2009, so no export holds a message dated earlier: a reading
# that puts a date before then is impossible.
EARLIEST_YEAR = 2009


def _parts(date_text: str) -> list[str]:
    return SPLIT_DATE.split(date_text.replace(" ", ""))


def _reading(date_text: str, order: str) -> dt.date | None:
    """The date `date_text` means in `order`, or None if it cannot mean one in that order.

    WhatsApp writes a year with 2 or 4 digits and a day or month with 1 or 2, and a year
    comes first with two digits only as "24-03-05" or "24. 3. 5." (the short date formats
    of the locales that write the year first: fr-CA yy-MM-dd, ko yy. M. d.)."""
    parts = _parts(date_text)
    year_at, month_at, day_at = POSITIONS[order]
    year_text = parts[year_at]
    if len(year_text) not in (2, 4) or len(parts[month_at]) > 2 or len(parts[day_at]) > 2:
        return None
    if order == "ymd" and len(year_text) == 2 and "-" not in date_text and ". " not in date_text:
        return None
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        value = dt.date(year, int(parts[month_at]), int(parts[day_at]))
    except ValueError:
        return None
    return value if value.year >= EARLIEST_YEAR else None


def _backward_steps(dates: list[str], order: str) -> int:
    """How often, read in `order`, a date is earlier than the one before it in the file."""
    readings = [_reading(text, order) for text in dates]
    return sum(
        1
        for before, after in zip(readings, readings[1:], strict=False)
        if before is not None and after is not None and after < before
    )


def possible_orders(dates: list[str]) -> list[str]:
    """The orders in which every date in the file is a real date WhatsApp could have written."""
    distinct = list(dict.fromkeys(dates))
    return [o for o in ORDERS if all(_reading(text, o) is not None for text in distinct)]


def infer_date_order(dates: list[str]) -> tuple[str | None, bool]:
    """("dmy" | "mdy" | "ymd", ambiguous) from all the dates in a file, in file order.

    An order is decided only when the data proves it: every other order gives some date that
    cannot be (a part over 12 is no month, a 4-digit part is a year, nothing before 2009), or
    reads the dates going back in time where it does not (messages are in the order they were
    sent). Otherwise the result is the likeliest order, flagged for the person to confirm."""
    if not dates:
        return None, True
    distinct = list(dict.fromkeys(dates))
    candidates = possible_orders(distinct)
    if len(candidates) == 1:
        return candidates[0], False
    pool = candidates or list(ORDERS)
    steps = {order: _backward_steps(distinct, order) for order in pool}
    in_order = [order for order in candidates if steps[order] == 0]
    if len(in_order) == 1:
        return in_order[0], False
    return min(pool, key=lambda order: (steps[order], ORDERS.index(order))), True


@dataclass(frozen=True, slots=True)
class DateExample:
    """A date as the export writes it, and what it means in each order it could be in."""

    written: str
    meanings: dict[str, str]  # order -> e.g. "5 March 2024"


def date_examples(dates: list[str], orders: list[str], limit: int = 3) -> list[DateExample]:
    """A few dates from the file that read differently in the given orders, spread through
    it, so the person can recognise which reading is right."""
    distinct = list(dict.fromkeys(dates))
    telling = [
        text for text in distinct if len({_reading(text, order) for order in orders}) > 1
    ] or distinct
    if len(telling) > limit:
        step = (len(telling) - 1) / (limit - 1)
        telling = [telling[round(index * step)] for index in range(limit)]
    return [
        DateExample(
            written=text,
            meanings={order: _in_words(_reading(text, order)) for order in orders},
        )
        for text in telling
    ]


def _in_words(value: dt.date | None) -> str:
    if value is None:
        return "not a real date"
    return f"{value.day} {value:%B %Y}"


def _chat_in_archive(data: bytes, limits: Limits) -> bytes:
    with archive.open_archive(data, limits) as files:
        chats = sorted(name for name in files.names if name.lower().endswith(".txt"))
        if not chats:
            return b""
        return files.read("_chat.txt" if "_chat.txt" in chats else chats[0])


def dates_in(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """Every header date of a chat export (its text, or the chat inside its .zip), in file
    order: what the person is shown when the file cannot tell its date order."""
    if data[:4] == b"PK\x03\x04":
        data = _chat_in_archive(data, limits)
    text = "\n" + decode_utf8(data).replace("\r\n", "\n")
    return SPLIT_HEADERS.split(text)[1::5]


def _date(text: str, order: str | None) -> tuple[dt.date, str]:
    first, second, third = _pieces(text)
    if order == "ymd":
        year, month, day = first, second, third
    elif order == "mdy":
        month, day, year = first, second, third
    else:
        day, month, year = first, second, third
    if year < 100:  # WhatsApp writes two-digit years only for this century
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
    time_zone: str = "Europe/London",
) -> ParseResult:
    """Parse a chat's text. `attachments` maps member names found in the archive to
    (size, sha256), so attachment lines point at the files that came with the chat.
    `time_zone` is the zone the phone was set to: times at its clock changes are resolved
    from the order of the messages, or flagged (see resolve_clock_changes)."""
    if not data:
        raise ParseError("The file is empty.")
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError("Choose the time zone the phone was set to from the list.") from None
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
    unresolved = resolve_clock_changes(records, zone)
    if unresolved:
        warnings.append(
            f"{unresolved} message{'s' if unresolved != 1 else ''} "
            f"{'have times' if unresolved != 1 else 'has a time'} at a change of the clocks "
            "that the chat cannot settle (a time that happened twice, or one that did not "
            "happen). They are marked on their entries: check them against the phone."
        )
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
    call_outcome = None
    first_line = text.partition("\n")[0]
    facts = notices_in(first_line)
    if "missed_call" in facts:
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
