"""Reading a log: the filtered, paginated list, its counts, and an entry's history."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from daybook.cases.models import Case
from daybook.incidents import checks, keys, tallies
from daybook.incidents.behaviours import BEHAVIOURS, Category
from daybook.incidents.models import ChainRecord, Entry, EntryBehaviour, Evidence, LogVerification
from daybook.incidents.services import current_contents, readable_contents
from daybook.incidents.verify import Verification

FILTERS = ("behaviour", "channel", "date_from", "date_to")


def log_entries(case: Case, filters: dict[str, Any]) -> QuerySet[Entry]:
    entries = Entry.objects.filter(case=case).exclude(status=Entry.Status.DRAFT)
    if filters.get("behaviour"):
        entries = entries.filter(
            pk__in=EntryBehaviour.objects.filter(case=case, code=filters["behaviour"]).values(
                "entry_id"
            )
        )
    if filters.get("channel"):
        entries = entries.filter(channel=filters["channel"])
    if filters.get("date_from"):
        entries = entries.filter(occurred_on__gte=filters["date_from"])
    if filters.get("date_to"):
        entries = entries.filter(occurred_on__lte=filters["date_to"])
    order = "occurred_at" if filters.get("order") == "oldest" else "-occurred_at"
    return entries.order_by(order, "-pk" if order.startswith("-") else "pk")


def drafts(case: Case) -> QuerySet[Entry]:
    return Entry.objects.filter(case=case, status=Entry.Status.DRAFT).order_by("-recorded_at")


@dataclass
class LogCounts:
    entries: int
    withdrawn: int
    context: int  # imported messages kept as context, not counted as incidents
    by_category: list[tuple[str, int]]


def log_counts(case: Case, entries: QuerySet[Entry], filters: dict[str, Any]) -> LogCounts:
    """The whole log's counts from those kept as it changes (one query, whatever its length);
    a filtered log's counted in the database."""
    labels = dict(Category.choices)
    if not any(filters.get(name) for name in FILTERS):
        kept = tallies.read(case.pk, tallies.STATUS, tallies.CATEGORY)
        statuses = {status: row.count for status, row in kept[tallies.STATUS].items()}
        categories = sorted(
            kept[tallies.CATEGORY].items(), key=lambda item: (-item[1].count, item[0])
        )
        return LogCounts(
            entries=sum(statuses.values()),
            withdrawn=statuses.get(Entry.Status.WITHDRAWN, 0),
            context=statuses.get(Entry.Status.CONTEXT, 0),
            by_category=[(labels.get(code, code), row.count) for code, row in categories],
        )
    totals = entries.order_by().aggregate(
        total=Count("pk"),
        withdrawn=Count("pk", filter=Q(status=Entry.Status.WITHDRAWN)),
        context=Count("pk", filter=Q(status=Entry.Status.CONTEXT)),
    )
    behaviours = EntryBehaviour.objects.filter(case=case, entry__in=entries.order_by().values("pk"))
    rows = behaviours.values("category").annotate(n=Count("entry_id", distinct=True)).order_by("-n")
    return LogCounts(
        entries=totals["total"],
        withdrawn=totals["withdrawn"],
        context=totals["context"],
        by_category=[(labels.get(row["category"], row["category"]), row["n"]) for row in rows],
    )


def with_content(entries: list[Entry], case: Case) -> list[tuple[Entry, dict[str, Any]]]:
    contents = current_contents(entries, case)
    return [(entry, contents[entry.pk]) for entry in entries]


def log_rows(entries: list[Entry], case: Case) -> list[tuple[Entry, dict[str, Any] | None]]:
    """The log page's entries with what each says now; None for one whose record has been
    altered and no longer opens: the page says so, beside the check that names the record,
    rather than failing for the whole log."""
    contents = readable_contents(entries, case)
    return [(entry, contents[entry.pk]) for entry in entries]


def behaviour_labels(codes: list[str]) -> list[str]:
    return [BEHAVIOURS[code].label for code in codes if code in BEHAVIOURS]


@dataclass
class HistoryItem:
    record: ChainRecord
    body: dict[str, Any]


def entry_history(entry: Entry) -> list[HistoryItem]:
    key = keys.case_key(entry.case)
    records = ChainRecord.objects.filter(entry=entry).select_related("recorded_by").order_by("seq")
    return [
        HistoryItem(record, keys.open_json(key, record.body_sealed, keys.chain_body_ad(record.rid)))
        for record in records
    ]


def evidence_with_meta(entry: Entry) -> list[tuple[Evidence, dict[str, Any]]]:
    key = keys.case_key(entry.case)
    return [
        (item, keys.open_json(key, item.meta_sealed, keys.evidence_meta_ad(item.uid)))
        for item in entry.evidence.all()
    ]


def verification_for_page(case: Case) -> LogVerification | None:
    """What the last check of the whole log found (None if it has not been checked yet)."""
    return checks.last_check(case)


def verify_now(case: Case) -> Verification:
    """A check asked for on the log page: the chain, the entries and every file."""
    return checks.check_and_keep(case, check_files=True)
