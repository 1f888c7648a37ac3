"""A generic CSV, such as a phone company's call log: the person says which column is which.

Column names differ between providers, so Daybook suggests a mapping from the header row and
the person confirms or changes it. Times are read with the format given (or ISO 8601) and are
local to the zone the person confirms, unless a time carries its own offset. A local time at a
change of the clocks is settled from the order of the rows (oldest or newest first, as the
file's times show) or flagged (see clock.py).
"""

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Limits,
    ParseError,
    ParseResult,
    Record,
    without_cycle_collection,
)
from daybook.imports.parsers.clock import resolve_clock_changes, settle
from daybook.imports.parsers.text import decode_utf8

FORMAT = "csv"
HINTS = {
    "timestamp": ("date", "time", "datetime", "timestamp", "when", "start"),
    "number": ("number", "from", "caller", "phone", "sender", "contact", "other party"),
    "direction": ("direction", "type", "in/out", "call type"),
    "duration": ("duration", "length", "seconds", "mins"),
    "text": ("text", "message", "body", "content", "description"),
}


@dataclass(frozen=True)
class CsvMapping:
    timestamp: str
    number: str
    direction: str = ""
    duration: str = ""
    text: str = ""
    time_format: str = ""  # strptime format; empty means ISO 8601

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def rows(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    text = decode_utf8(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        found = list(reader)
    except csv.Error as error:  # also a field longer than csv.field_size_limit()
        raise ParseError(f"The CSV file is damaged: {error}.", line=reader.line_num) from None
    header = [name for name in (reader.fieldnames or []) if name]
    if not header or not found:
        raise ParseError("The CSV file has no header row or no rows.")
    return header, found


def suggest(header: list[str]) -> CsvMapping | None:
    picked = {}
    for field, hints in HINTS.items():
        picked[field] = next(
            (name for name in header if any(hint in name.lower() for hint in hints)), ""
        )
    if not picked["timestamp"] or not picked["number"]:
        return None
    return CsvMapping(**picked)


@without_cycle_collection
def parse(
    data: bytes,
    *,
    mapping: CsvMapping | None = None,
    limits: Limits = DEFAULT_LIMITS,
    time_zone: str = "Europe/London",
) -> ParseResult:
    """`time_zone` is where the log's local times were written."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError("Choose the time zone the log's times are in from the list.") from None
    header, found = rows(data)
    mapping = mapping or suggest(header)
    if mapping is None:
        raise ParseError("Daybook could not tell which columns hold the date and the number.")
    for column in (
        mapping.timestamp,
        mapping.number,
        mapping.direction,
        mapping.duration,
        mapping.text,
    ):
        if column and column not in header:
            raise ParseError(f"The CSV has no column called “{column}”.")
    if len(found) > limits.max_records:
        raise ParseError("The CSV has more rows than one import can take.")
    records = [_record(row, mapping, number, zone) for number, row in enumerate(found, start=2)]
    used = ", ".join(f"{k}={v}" for k, v in mapping.as_dict().items() if v)
    warnings = [f"Columns used: {used}"]
    newest_first = _newest_first(records)
    unresolved = resolve_clock_changes(
        records[::-1] if newest_first else records,
        zone,
        source="file",
        in_order=newest_first is not None,
    )
    if unresolved:
        warnings.append(
            f"{unresolved} row{'s' if unresolved != 1 else ''} "
            f"{'have times' if unresolved != 1 else 'has a time'} at a change of the clocks "
            "that the file cannot settle (a time that happened twice, or one that did not "
            "happen). They are marked on their entries: check them against the bill."
        )
    participants: dict[str, int] = {}
    for record in records:
        participants[record.sender] = participants.get(record.sender, 0) + 1
    return ParseResult(
        format=FORMAT,
        records=records,
        participants=participants,
        naive_times=True,
        warnings=warnings,
    )


def _newest_first(records: list[Record]) -> bool | None:
    """Whether the rows go back in time (a bill often lists the latest call first), from how
    their times step from one row to the next; None where the times do not tell."""
    forward = backward = 0
    for before, after in zip(records, records[1:], strict=False):
        if after.timestamp > before.timestamp:
            forward += 1
        elif after.timestamp < before.timestamp:
            backward += 1
    if forward == backward:
        return None
    return backward > forward


def _record(row: dict[str, str], mapping: CsvMapping, line: int, zone: ZoneInfo) -> Record:
    raw_time = (row.get(mapping.timestamp) or "").strip()
    try:
        if mapping.time_format:
            moment = dt.datetime.strptime(raw_time, mapping.time_format)  # noqa: DTZ007  (local, zone confirmed by the person)
        else:
            moment = dt.datetime.fromisoformat(raw_time)
    except ValueError:
        raise ParseError(
            f"The date “{raw_time[:40]}” does not match the date format.", line=line
        ) from None
    instant = None
    if moment.tzinfo is not None:
        try:
            instant = moment.astimezone(dt.UTC)
            # Checked here: the local time is written from it once the record is made.
            instant.astimezone(zone)
        except OverflowError:  # a date at the very edge of the calendar, such as year 1
            raise ParseError(
                f"The date “{raw_time[:40]}” is outside the dates Daybook can record.", line=line
            ) from None
        moment = instant.replace(tzinfo=None)  # as UTC, for the identity as it always was
    number = (row.get(mapping.number) or "").strip() or "Unknown number"
    direction_text = (row.get(mapping.direction) or "").lower() if mapping.direction else ""
    outgoing = any(word in direction_text for word in ("out", "dialled", "dialed", "sent"))
    missed = "miss" in direction_text
    try:
        duration = int(float(row.get(mapping.duration) or 0)) if mapping.duration else None
    except (ValueError, OverflowError):  # not a number, or "inf"
        duration = None
    # A row shorter than the header has no value (None) for its last columns.
    text = (row.get(mapping.text) or "") if mapping.text else ""
    kind = "message" if text else "call"
    identity = f"{moment.isoformat()}|{number}|{direction_text}|{text}"
    record = Record(
        kind=kind,
        timestamp=moment,
        sender="Me" if outgoing else number,
        recipients=(number,) if outgoing else (),
        text=text,
        direction="outgoing" if outgoing else "incoming",
        call_outcome=("missed" if missed else "answered") if kind == "call" else None,
        duration_seconds=duration,
        locator=f"line {line}",
        identity=identity,
        extra={"row": row},
    )
    if instant is not None:
        # A time with its own offset is an exact instant: kept as the local time it was in
        # the zone, with its pass of a repeated hour, like every other row's local time.
        settle(record, instant, zone)
    return record
