"""Reading for the sharing pages: the entry chooser's rows, what a share will contain, and what
the police have seen of it."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.text import Truncator

from daybook.audit.models import AuditEvent
from daybook.cases.models import Case
from daybook.incidents import keys
from daybook.incidents.models import Entry, Evidence
from daybook.incidents.selectors import behaviour_labels, with_content

FIRST_WORDS = 14


@dataclass
class ChooserRow:
    entry: Entry
    time: str
    behaviours: list[str]
    first_words: str


def chooser_rows(entries: list[Entry], case: Case) -> list[ChooserRow]:
    """Date, time, behaviours and the first words of each entry. Only the entries given are
    decrypted, so a page of the chooser costs the same however long the log is."""
    return [
        ChooserRow(
            entry=entry,
            time=content.get("occurred_time") or "",
            behaviours=behaviour_labels(content.get("behaviours", [])),
            first_words=Truncator(content.get("what_happened", "")).words(FIRST_WORDS),
        )
        for entry, content in with_content(entries, case)
    ]


@dataclass
class Scope:
    """What a share covers, in the numbers the check page states."""

    entries: int
    withdrawn: int
    first: dt.date | None
    last: dt.date | None
    files: int


def scope_summary(entries: QuerySet[Entry]) -> Scope:
    totals = entries.order_by().aggregate(
        n=Count("pk"),
        withdrawn=Count("pk", filter=Q(status=Entry.Status.WITHDRAWN)),
        first=Min("occurred_on"),
        last=Max("occurred_on"),
    )
    files = Evidence.objects.filter(
        entry__in=entries.order_by().values("pk"), withdrawn=False
    ).count()
    return Scope(
        entries=totals["n"],
        withdrawn=totals["withdrawn"],
        first=totals["first"],
        last=totals["last"],
        files=files,
    )


@dataclass
class Seen:
    """One time the police looked at or took something the person shared."""

    event: AuditEvent
    what: str  # the file or entry, in the person's own words; empty for the whole log


def seen_rows(case: Case, events: list[AuditEvent]) -> list[Seen]:
    """Who in the police opened which entry or viewed or downloaded which file, and when. The
    audit rows hold only ids; the entries' dates and the files' names are read here, for the
    person's own page, and only those of this log."""
    entry_ids = {event.extra.get("entry") for event in events} - {None}
    file_ids = {event.extra.get("evidence") for event in events} - {None}
    entries = {entry.pk: entry for entry in Entry.objects.filter(case=case, pk__in=entry_ids)}
    files = Evidence.objects.filter(entry__case=case, pk__in=file_ids).select_related("entry")
    key = keys.case_key(case) if files else b""
    names = {
        item.pk: str(
            keys.open_json(key, item.meta_sealed, keys.evidence_meta_ad(item.uid)).get("name")
            or "a file"
        )
        for item in files
    }
    rows = []
    for event in events:
        what = ""
        if event.extra.get("evidence") in names:
            what = names[event.extra["evidence"]]
            if event.extra.get("copy") == "clean":
                what += " (a copy without its location and device details)"
        elif event.extra.get("entry") in entries:
            what = f"the entry of {entries[event.extra['entry']]}"
        rows.append(Seen(event=event, what=what))
    return rows
