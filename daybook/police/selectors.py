"""Reading a shared log as the police see it: what each entry shows through the share, the
search and filters of the shared log page, and an entry's history through the share."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from daybook.incidents import keys
from daybook.incidents.behaviours import BEHAVIOURS
from daybook.incidents.content import PRIVATE_FIELDS, PRIVATE_MARK, TEXT_FIELDS, said_by
from daybook.incidents.models import ChainRecord, Entry, EntryBehaviour, Evidence
from daybook.incidents.services import current_contents
from daybook.incidents.templatetags.incidents import display_value, field_label
from daybook.sharing.models import Share

# Words are searched in the decrypted text (each log is sealed with its own key, so no index
# can hold it): at most this many entries, oldest first, are opened for one search. Opening
# and searching an entry takes under 0.1 ms (a search of 5,000 entries answered in about
# 0.45 s on SQLite), so the page stays usable; on a bigger log it says how many were searched
# and asks for dates to narrow it.
SEARCH_LIMIT = 5000
SEARCH_BATCH = 500
WITHHELD = "Withheld: the person keeps these details private"


def shared_content(share: Share, content: dict[str, Any]) -> dict[str, Any]:
    """An entry as the police see it through the share: without the details to keep private
    unless the person chose to include them."""
    if share.include_private:
        return content
    return {key: value for key, value in content.items() if key not in PRIVATE_FIELDS}


def police_may_see(share: Share, name: str, value: Any, current: dict[str, Any]) -> bool:
    """Whether a value from any version of an entry reaches the police through the share
    (`current` is what the entry says now). Without the details to keep private: never those
    details, nor a photo's location and device data, and, where the entry keeps details
    private now, none of its earlier wording, since text the person moved into those details
    by amending the entry was, until then, in another field."""
    if share.include_private:
        return True
    if name in PRIVATE_FIELDS or name == "exif":
        return False
    if name in TEXT_FIELDS and any(current.get(private) for private in PRIVATE_FIELDS):
        return bool(value == current.get(name))
    return True


def police_labels(codes: list[str]) -> list[str]:
    """Behaviours in the third person ("Following"): the person's own words ("Following me")
    would read as the officer's."""
    return [BEHAVIOURS[code].neutral_label for code in codes if code in BEHAVIOURS]


def behaviour_choices() -> list[tuple[str, str]]:
    return [(code, police_labels([code])[0]) for code in BEHAVIOURS]


# --- Search and filters ------------------------------------------------------------------


@dataclass
class Filters:
    words: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    behaviour: str = ""

    @property
    def any(self) -> bool:
        return bool(self.words or self.date_from or self.date_to or self.behaviour)


@dataclass
class Found:
    """The entries of a shared log that match the filters, as ids oldest first, and how many
    the words were looked for in (`searched` of `candidates`)."""

    ids: list[int] | QuerySet[Entry, int]
    candidates: int = 0
    searched: int = 0
    limited: bool = field(default=False)


def filtered_entries(entries: QuerySet[Entry], share: Share, filters: Filters) -> QuerySet[Entry]:
    """The dates and behaviour, in SQL over the (case, occurred_at) and behaviour indexes."""
    if filters.date_from:
        entries = entries.filter(occurred_on__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(occurred_on__lte=filters.date_to)
    if filters.behaviour:
        entries = entries.filter(
            pk__in=EntryBehaviour.objects.filter(case=share.case_id, code=filters.behaviour).values(
                "entry_id"
            )
        )
    return entries


def searchable_text(share: Share, content: dict[str, Any]) -> str:
    """What words are looked for in: every text the police see of the entry, and who sent an
    imported message. Never the details kept private unless the share includes them, so a
    search cannot reveal them either."""
    seen = shared_content(share, content)
    texts = [str(seen.get(name) or "") for name in TEXT_FIELDS]
    behaviours = police_labels(seen.get("behaviours") or [])
    return " ".join([*texts, said_by(seen), *behaviours]).casefold()


def find(entries: QuerySet[Entry], share: Share, filters: Filters) -> Found:
    """The matching entries' ids. Without words, a query the page paginates in SQL; with
    words, the first SEARCH_LIMIT candidates are opened in batches and their text searched
    for every word."""
    entries = filtered_entries(entries, share, filters)
    if not filters.words:
        return Found(ids=entries.values_list("pk", flat=True))
    words = filters.words.casefold().split()
    candidates = entries.count()
    opened = list(entries.only("pk", "status", "case_id")[:SEARCH_LIMIT])
    matched: list[int] = []
    for start in range(0, len(opened), SEARCH_BATCH):
        batch = opened[start : start + SEARCH_BATCH]
        contents = current_contents(batch, share.case)
        for entry in batch:
            text = searchable_text(share, contents[entry.pk])
            if all(word in text for word in words):
                matched.append(entry.pk)
    return Found(
        ids=matched,
        candidates=candidates,
        searched=len(opened),
        limited=candidates > len(opened),
    )


# --- An entry's history --------------------------------------------------------------------


# The names the entry page gives each field, for an officer rather than the person's own
# questions ("Did anyone else see or hear it?").
FIELD_LABELS = {
    "occurred_on": "Date",
    "occurred_time": "Time",
    "ended_time": "Until",
    "precision": "Time",
    "time_zone": "Time zone",
    "place_kind": "Where",
    "place": "Place",
    "channel": "How",
    "behaviours": "What they did",
    "seen": "Saw them",
    "feared_violence": "Feared violence",
    "changed_daily_life": "Changed day-to-day life",
    "what_happened": "What happened",
    "description": "What they looked like",
    "witnesses": "Witnesses",
    "feelings": "Effect on the person",
    "police_reference": "Police reference",
    "police_officer": "Police officer",
    "private_details": "Details the person keeps private",
}
_CHOICES = {
    "precision": dict(Entry.Precision.choices),
    "place_kind": dict(Entry.PlaceKind.choices),
    "channel": dict(Entry.Channel.choices),
    "seen": dict(Entry.Seen.choices),
}


def police_value(name: str, value: Any) -> str:
    """A value of an amendment as the entry page shows it: labels, not codes."""
    if name == "behaviours" and isinstance(value, list):
        return ", ".join(police_labels(value)) or "none"
    if name in _CHOICES and isinstance(value, str):
        return str(_CHOICES[name].get(value, value))
    return display_value(value)


@dataclass
class HistoryLine:
    record: ChainRecord
    reason: str = ""
    changes: list[tuple[str, str]] = field(default_factory=list)
    original: str = ""
    file: str = ""


def shared_history(share: Share, entry: Entry, current: dict[str, Any]) -> list[HistoryLine]:
    """The entry's records (the original, each amendment, withdrawal and file) as the police
    see them through the share: a value they may not see is named and shown as withheld."""
    key = keys.case_key(share.case)
    records = ChainRecord.objects.filter(entry=entry).select_related("recorded_by").order_by("seq")
    lines = []
    for record in records:
        body = keys.open_json(key, record.body_sealed, keys.chain_body_ad(record.rid))
        line = HistoryLine(record=record, reason=str(body.get("reason") or ""))
        if record.kind == ChainRecord.Kind.AMENDMENT:
            line.changes = [
                (
                    PRIVATE_MARK
                    if name in PRIVATE_FIELDS and share.include_private
                    else FIELD_LABELS.get(name) or field_label(name),
                    police_value(name, value)
                    if police_may_see(share, name, value, current)
                    else WITHHELD,
                )
                for name, value in body.get("changes", {}).items()
            ]
        elif record.kind == ChainRecord.Kind.ENTRY:
            said = body.get("what_happened", "")
            line.original = (
                str(said) if police_may_see(share, "what_happened", said, current) else WITHHELD
            )
        elif record.kind == ChainRecord.Kind.EVIDENCE:
            line.file = f"{body.get('name', '')}, SHA-256 {body.get('sha256', '')}"
        lines.append(line)
    return lines


def shared_files(entry: Entry) -> list[tuple[Evidence, dict[str, Any]]]:
    """The entry's files with their sealed descriptions (name, and a photo's own data)."""
    key = keys.case_key(entry.case)
    return [
        (item, keys.open_json(key, item.meta_sealed, keys.evidence_meta_ad(item.uid)))
        for item in Evidence.objects.filter(entry=entry).order_by("uploaded_at", "pk")
    ]
