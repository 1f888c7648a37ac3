"""Reading for the sharing pages: the entry chooser's rows and what a share will contain."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.text import Truncator

from daybook.cases.models import Case
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
