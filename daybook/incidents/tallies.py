"""The counts a log's pages show, kept per case as the log changes, so a page of a log of
50,000 entries reads the same few dozen rows as one of 1,000.

Every change to an entry says what the entry counted for before and after (`Counted`), in
the transaction of the change and under the case's lock (`change`); an import says it once
for all its entries, as it ends. The cells are:

- `status`: entries with each status (drafts are not counted anywhere);
- `category`: entries with a behaviour of each s.2A(3) category, any status;

and, for entries in the log (status LOGGED) only:

- `place` (channel:kind of place): how many, the first and last, how many with fear of
  violence or a changed daily life;
- `code` (behaviour code): on how many occasions, the first and last;
- `month` (month:category) and `monthchan` (month:channel), `week` (its Monday), `hour`
  (weekday:hour, for entries with a time).

`problem` counts the entries again and names the first cell that differs: `verify_log`
calls it, as the counts are not part of the chain but must follow from what it holds.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Max, Min

from daybook.cases.models import Case
from daybook.incidents.behaviours import BEHAVIOURS
from daybook.incidents.models import Entry, EntryBehaviour, LogTally

Cell = tuple[str, str]
STATUS, CATEGORY, PLACE, CODE = "status", "category", "place", "code"
MONTH, MONTH_CHANNEL, WEEK, HOUR = "month", "monthchan", "week", "hour"
# A change touching more cells than this reads all of its log's cells at once (an import).
FEW_CELLS = 40


class Counted(NamedTuple):
    """What one entry counts for. A named tuple: an import makes one for each of thousands of
    entries, and a frozen dataclass costs several times as much to make."""

    status: str
    channel: str
    place_kind: str
    occurred_at: dt.datetime  # in UTC: instants in a repeated hour compare by what they are
    week: dt.date | None
    month: dt.date | None
    weekday: int | None
    hour: int | None
    feared_violence: bool
    changed_daily_life: bool
    codes: frozenset[str]


def counted(entry: Entry, codes: Iterable[str]) -> Counted | None:
    """What `entry`, with these behaviour codes, counts for: nothing while it is a draft."""
    if entry.status == Entry.Status.DRAFT:
        return None
    return Counted(
        status=entry.status,
        channel=entry.channel,
        place_kind=entry.place_kind,
        occurred_at=entry.occurred_at.astimezone(dt.UTC),
        week=entry.occurred_week,
        month=entry.occurred_month,
        weekday=entry.occurred_weekday,
        hour=entry.occurred_hour,
        feared_violence=bool(entry.feared_violence),
        changed_daily_life=bool(entry.changed_daily_life),
        codes=frozenset(codes),
    )


_CATEGORY_OF = {code: behaviour.category for code, behaviour in BEHAVIOURS.items()}


def _cells(item: Counted) -> tuple[list[Cell], list[Cell]]:
    """The cells an entry counts in: those that keep only a count, and those that also keep
    moments (its channel and place, its behaviour codes). Thousands of entries an import:
    kept to plain operations."""
    categories = {_CATEGORY_OF[code] for code in item.codes if code in _CATEGORY_OF}
    counted: list[Cell] = [(STATUS, item.status)]
    counted += [(CATEGORY, category) for category in categories]
    if item.status != Entry.Status.LOGGED:
        return counted, []
    timed: list[Cell] = [(PLACE, f"{item.channel}:{item.place_kind}")]
    timed += [(CODE, code) for code in item.codes]
    if item.month is not None:
        month = item.month.isoformat()
        counted += [(MONTH, f"{month}:{category}") for category in categories]
        counted.append((MONTH_CHANNEL, f"{month}:{item.channel}"))
    if item.week is not None:
        counted.append((WEEK, item.week.isoformat()))
    if item.weekday is not None and item.hour is not None:
        counted.append((HOUR, f"{item.weekday}:{item.hour}"))
    return counted, timed


@dataclass
class _Delta:
    count: int = 0
    feared_violence: int = 0
    changed_daily_life: int = 0
    added: list[dt.datetime] = field(default_factory=list)
    removed: list[dt.datetime] = field(default_factory=list)


def _deltas(
    removed: Iterable[Counted | None], added: Iterable[Counted | None]
) -> dict[Cell, _Delta]:
    deltas: dict[Cell, _Delta] = {}
    # An import's entries share a few dozen shapes (status, channel, place, week, month,
    # hour, behaviours): each shape's cells are worked out once.
    shapes: dict[tuple[Any, ...], tuple[list[Cell], list[Cell]]] = {}
    for sign, items in ((-1, removed), (1, added)):
        for item in items:
            if item is None:
                continue
            shape: tuple[Any, ...] = (item.status, item.channel, item.place_kind, item.week)
            shape += (item.month, item.weekday, item.hour, item.codes)
            if (cells := shapes.get(shape)) is None:
                cells = shapes[shape] = _cells(item)
            counted, timed = cells
            for cell in counted:
                if (delta := deltas.get(cell)) is None:
                    delta = deltas[cell] = _Delta()
                delta.count += sign
            for cell in timed:
                if (delta := deltas.get(cell)) is None:
                    delta = deltas[cell] = _Delta()
                delta.count += sign
                (delta.added if sign > 0 else delta.removed).append(item.occurred_at)
                if cell[0] == PLACE:
                    delta.feared_violence += sign * item.feared_violence
                    delta.changed_daily_life += sign * item.changed_daily_life
    return deltas


def _settled(delta: _Delta) -> bool:
    """Whether anything is left of a cell's change once an entry counted out and in again at
    the same moment (an amendment of its words only) cancels out."""
    for moment in list(delta.removed):
        if moment in delta.added:
            delta.added.remove(moment)
            delta.removed.remove(moment)
    return bool(
        delta.count
        or delta.feared_violence
        or delta.changed_daily_life
        or delta.removed
        or delta.added
    )


def change(
    case_id: int, *, removed: Iterable[Counted | None], added: Iterable[Counted | None]
) -> None:
    """Count entries out (`removed`: as they were before a change) and in (`added`: as they
    are after it). Call it in the change's transaction, under the case's lock, once the
    entries' rows are written: a cell whose first or last entry was counted out is read again
    from them."""
    deltas = {cell: delta for cell, delta in _deltas(removed, added).items() if _settled(delta)}
    if not deltas:
        return
    rows = LogTally.objects.filter(case_id=case_id)
    if len(deltas) <= FEW_CELLS:  # a few more rows than wanted, found with one index
        rows = rows.filter(kind__in={kind for kind, _key in deltas}, key__in={k for _, k in deltas})
    found = {(row.kind, row.key): row for row in rows}
    new, changed, emptied, reread = [], [], [], []
    for cell, delta in deltas.items():
        row = found.get(cell)
        if row is None:
            row = LogTally(case_id=case_id, kind=cell[0], key=cell[1], count=0)
            new.append(row)
        else:
            changed.append(row)
        row.count += delta.count
        row.feared_violence += delta.feared_violence
        row.changed_daily_life += delta.changed_daily_life
        if row.count < 0 or row.feared_violence < 0 or row.changed_daily_life < 0:
            raise RuntimeError(f"The log's {cell[0]} count would fall below nothing.")
        if row.count == 0:
            emptied.append(row)
            continue
        if delta.added:
            row.first = min([*delta.added, *([row.first] if row.first else [])])
            row.last = max([*delta.added, *([row.last] if row.last else [])])
        if any(moment in (row.first, row.last) for moment in delta.removed):
            reread.append(row)
    LogTally.objects.filter(pk__in=[row.pk for row in emptied if row.pk is not None]).delete()
    for row in reread:
        row.first, row.last = _moments(case_id, row.kind, row.key)
    LogTally.objects.bulk_create([row for row in new if row.count])
    _update([row for row in changed if row.count])


_UPDATED = ("count", "first", "last", "feared_violence", "changed_daily_life")


def _update(rows: list[LogTally]) -> None:
    """Write the rows' counts back in one `executemany`: for the dozen cells an entry changes,
    the ORM's bulk_update would take longer to build its statement than the database to run it."""
    if not rows:
        return
    columns = {field.name: field for field in LogTally._meta.concrete_fields}
    fields = [columns[name] for name in (*_UPDATED, "id")]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields[:-1])
    # Only the model's own table and column names are put into the statement.
    sql = f"UPDATE {quote(LogTally._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [
                    field.get_db_prep_value(getattr(row, field.attname), connection)
                    for field in fields
                ]
                for row in rows
            ],
        )


def _moments(case_id: int, kind: str, key: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The first and last entry a cell counts, read from the entries as they are now."""
    if kind == PLACE:
        channel, place_kind = split(key)
        found = Entry.objects.filter(
            case_id=case_id, status=Entry.Status.LOGGED, channel=channel, place_kind=place_kind
        ).aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    else:
        found = EntryBehaviour.objects.filter(
            case_id=case_id, code=key, entry__status=Entry.Status.LOGGED
        ).aggregate(first=Min("entry__occurred_at"), last=Max("entry__occurred_at"))
    return found["first"], found["last"]


# --- Reading --------------------------------------------------------------------------------


def split(key: str) -> tuple[str, str]:
    """A two-part key's parts: "2024-03-01:contact" is the month and the category."""
    first, second = key.split(":")
    return first, second


def read(case_id: int, *kinds: str) -> dict[str, dict[str, LogTally]]:
    """The cells of these kinds, by kind and key: one query."""
    found: dict[str, dict[str, LogTally]] = {kind: {} for kind in kinds}
    for row in LogTally.objects.filter(case_id=case_id, kind__in=kinds):
        found[row.kind][row.key] = row
    return found


# --- Counting again -------------------------------------------------------------------------


def counted_again(
    case_id: int, entry_model: Any = Entry, behaviour_model: Any = EntryBehaviour
) -> dict[Cell, tuple[Any, ...]]:
    """Every cell as the entries now make it, in the form `stored` gives: from the entries'
    rows, not from the counts. (The models are given by the migration that first counted
    every log: its historical copies of them.)"""
    codes: dict[int, set[str]] = {}
    for entry_id, code in behaviour_model.objects.filter(case_id=case_id).values_list(
        "entry_id", "code"
    ):
        codes.setdefault(entry_id, set()).add(code)
    entries = (
        entry_model.objects.filter(case_id=case_id)
        .exclude(status=Entry.Status.DRAFT)
        .only(
            *("id", "status", "channel", "place_kind", "occurred_at", "occurred_week"),
            *("occurred_month", "occurred_weekday", "occurred_hour", "feared_violence"),
            "changed_daily_life",
        )
    )
    return cells_of(counted(entry, codes.get(entry.pk, ())) for entry in entries.iterator(2000))


def cells_of(items: Iterable[Counted | None]) -> dict[Cell, tuple[Any, ...]]:
    """The cells these entries make: count, first, last, fear of violence, changed daily life."""
    cells: dict[Cell, tuple[Any, ...]] = {}
    for cell, delta in _deltas((), items).items():
        moments = delta.added
        cells[cell] = (
            delta.count,
            min(moments) if moments else None,
            max(moments) if moments else None,
            delta.feared_violence,
            delta.changed_daily_life,
        )
    return cells


def stored(case_id: int) -> dict[Cell, tuple[Any, ...]]:
    return {
        (kind, key): (
            count,
            first and first.astimezone(dt.UTC),
            last and last.astimezone(dt.UTC),
            feared,
            changed,
        )
        for kind, key, count, first, last, feared, changed in LogTally.objects.filter(
            case_id=case_id
        ).values_list(
            *("kind", "key", "count", "first", "last", "feared_violence"), "changed_daily_life"
        )
    }


def problem(case_id: int, entries: Iterable[Counted | None] | None = None) -> str | None:
    """What differs between the counts kept and the entries counted again (`entries`, what
    each entry of the log counts for, if the caller has read them already), in words; None if
    nothing does."""
    kept = stored(case_id)
    again = counted_again(case_id) if entries is None else cells_of(entries)
    for cell in sorted(kept.keys() | again.keys()):
        if kept.get(cell) != again.get(cell):
            return (
                f"The counts its pages show do not match its entries (the {cell[0]} count "
                f"{cell[1]!r}). Its entries are as the chain says."
            )
    return None


def recount(case_id: int) -> None:
    """Put the counts right from the entries: for the migration that introduced them, and
    for an operator after `verify_log` reported them wrong. Under the case's lock, so no
    change is counted twice or not at all."""
    with transaction.atomic():
        Case.objects.select_for_update().only("pk").get(pk=case_id)
        _recount(case_id)


def _recount(case_id: int) -> None:
    LogTally.objects.filter(case_id=case_id).delete()
    LogTally.objects.bulk_create(rows_of(LogTally, case_id, counted_again(case_id)))


def rows_of(model: Any, case_id: int, cells: dict[Cell, tuple[Any, ...]]) -> list[Any]:
    """The rows of `model` (LogTally, or the migration's historical copy of it) holding
    these cells of one log."""
    return [
        model(
            case_id=case_id,
            kind=kind,
            key=key,
            count=count,
            first=first,
            last=last,
            feared_violence=feared,
            changed_daily_life=changed,
        )
        for (kind, key), (count, first, last, feared, changed) in cells.items()
    ]
