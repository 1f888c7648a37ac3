"""Local times at the changes of the clocks, for exports that write times without an offset.

After the clocks go back, an hour happens twice (01:00-02:00 on the last Sunday of October in
the UK); after they go forward, an hour does not happen at all. A naive local time in either
hour says nothing of which instant it was, so it is settled from the order of the records
where the export's order tells, and otherwise flagged on its record as "time_ambiguous".

Records carry naive local times. One whose instant is known exactly (from an offset or an
epoch) is written by `settle` as its naive local time with `fold` set (which pass of a
repeated hour it was in), so taking that time in the zone gives back the instant; it is never
flagged or moved.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from daybook.imports.parsers.base import Record

ONE_DAY = dt.timedelta(days=1)


def offset_text(moment: dt.datetime) -> str:
    """ "+01:00" for an aware time, as the import's records of a time's offset are written."""
    offset = moment.utcoffset() or dt.timedelta()
    sign = "-" if offset < dt.timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def settle(record: Record, instant: dt.datetime, zone: ZoneInfo) -> None:
    """Give `record` the local time of an instant known exactly, and mark it settled."""
    local = instant.astimezone(zone)
    record.timestamp = local.replace(tzinfo=None)
    record.extra["utc_offset"] = offset_text(local)


def _clock_change_days(records: list[Record], zone: ZoneInfo) -> set[dt.date]:
    """The days of the records on which the zone's clocks change."""
    days = {record.timestamp.date() for record in records}
    return {
        day
        for day in days
        # The last day of the calendar has no next day to compare with; no clocks change then.
        if day < dt.date.max
        and dt.datetime.combine(day, dt.time(), tzinfo=zone).utcoffset()
        != dt.datetime.combine(day + ONE_DAY, dt.time(), tzinfo=zone).utcoffset()
    }


def resolve_clock_changes(
    records: list[Record], zone: ZoneInfo, *, source: str = "chat", in_order: bool = True
) -> int:
    """Settle which side of a clock change each naive time is on; return how many could not be.

    `records` are in the order they happened (`in_order`). Where the time of day goes back
    inside the repeated hour, the records before are from the first pass (summer time) and
    those from there on are from the second: their naive time gets fold=1, which Python time
    zones read as the later of the two, and "utc_offset" records the reading. Where no such
    step back shows, or the order of the records is not known, nothing in the export says
    which pass a record was in, so it is flagged "time_ambiguous" and left as the first pass.
    A time in the hour that did not happen is flagged the same way and kept as written.
    Records already settled (with a "utc_offset") are left alone. `source` names the export
    in the explanation ("the chat does not show which")."""
    unsettled = [record for record in records if "utc_offset" not in record.extra]
    change_days = _clock_change_days(unsettled, zone)
    if not change_days:
        return 0
    repeated: dict[dt.date, list[Record]] = {}
    unresolved = 0
    for record in unsettled:
        moment = record.timestamp
        if moment.date() not in change_days:
            continue
        first = moment.replace(tzinfo=zone, fold=0).utcoffset()
        second = moment.replace(tzinfo=zone, fold=1).utcoffset()
        if first is None or second is None or first == second:
            continue
        if first > second:  # clocks went back: this time of day happened twice
            repeated.setdefault(moment.date(), []).append(record)
        else:
            _flag(record, f"This time did not happen in {zone.key}: the clocks went forward.")
            unresolved += 1
    for twice in repeated.values():
        step_back = next(
            (
                index
                for index in range(1, len(twice))
                if twice[index].timestamp < twice[index - 1].timestamp
            ),
            None,
        )
        if step_back is None or not in_order:
            for record in twice:
                _flag(
                    record,
                    f"This time happened twice in {zone.key} (the clocks went back) and the "
                    f"{source} does not show which.",
                )
            unresolved += len(twice)
            continue
        for index, record in enumerate(twice):
            fold = 0 if index < step_back else 1
            record.timestamp = record.timestamp.replace(fold=fold)
            record.extra["utc_offset"] = offset_text(
                record.timestamp.replace(tzinfo=zone, fold=fold)
            )
    return unresolved


def _flag(record: Record, explanation: str) -> None:
    record.facts = (*record.facts, "time_ambiguous")
    record.extra["time_ambiguous"] = explanation
