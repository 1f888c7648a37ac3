"""What a chronology says, for one profile: assembled once and rendered to PDF or previewed.

Profiles: *police* — everything the person consented to share; *disclosable* — the same with
every detail marked "keep out of anything disclosed" left out and visibly marked withheld.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from daybook.accounts.models import User
from daybook.cases.models import Case, OrderBreach, Perpetrator, ProtectiveOrder
from daybook.cases.selectors import client_details
from daybook.incidents import keys
from daybook.incidents.behaviours import BEHAVIOURS, STATUTORY, Category
from daybook.incidents.checkpoints import Signed
from daybook.incidents.content import PRIVATE_FIELDS, TEXT_FIELDS, said_by, time_uncertain
from daybook.incidents.models import ChainRecord, Entry, Evidence
from daybook.incidents.services import current_contents, evidence_meta
from daybook.reports.redaction import Redactor
from daybook.ui import charts

POLICE = "police"
DISCLOSABLE = "disclosable"
PROFILES = {POLICE: "Police", DISCLOSABLE: "Disclosable"}
WITHHELD = "[withheld: not for disclosure]"


@dataclass
class Exhibit:
    reference: str
    evidence: Evidence
    name: str
    entry_id: int
    record: int  # the chain record that added it

    @property
    def filename(self) -> str:
        suffix = self.name.rsplit(".", 1)[-1] if "." in self.name else "bin"
        return f"{self.reference.replace('/', '-')}.{suffix}"


@dataclass
class Row:
    number: int | None  # None for context: never numbered as an incident
    entry: Entry
    content: dict[str, Any]
    when: str
    behaviours: list[str]
    exhibits: list[str]
    withheld: bool
    said: str = ""  # who an imported message was from and to
    time_uncertain: str = ""  # why an imported time may be an hour out

    @property
    def is_context(self) -> bool:
        return self.entry.status == Entry.Status.CONTEXT


@dataclass
class Suspect:
    """Someone the log is about, as the police outputs name them."""

    name: str
    # (kind, value): ("Phone", "+44 7700 900123"), ("Instagram", "@sam.ex"), ("Vehicle", …)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    details: str = ""  # description, date of birth, address known: as recorded


@dataclass
class Breach:
    """An entry that breached a protective order, and the condition it breached."""

    number: int | None  # the entry's incident number in this chronology
    when: str
    condition: str


@dataclass
class Order:
    """A protective order or bail conditions, with every breach recorded against it."""

    kind: str  # "Interim Stalking Protection Order"
    status: str  # "Granted"
    court: str = ""
    made_on: dt.date | None = None
    expires_on: dt.date | None = None
    conditions: list[str] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)


@dataclass
class Chronology:
    case: Case
    profile: str
    subject: str
    produced_by: str
    produced_at: dt.datetime
    rows: list[Row]
    exhibits: list[Exhibit]
    amendments: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)
    # The signed checkpoint of the log the report ends at (reports.services.sign_chronology).
    checkpoint: Signed | None = None
    weekly_chart: charts.Chart | None = None
    rhythm_chart: charts.Chart | None = None
    # Police outputs name the suspects and the orders in place (both profiles).
    suspects: list[Suspect] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    # What a disclosable output replaces (reports.redaction): a bundle opens no logged field
    # that mentions any of it.
    redactor: Redactor | None = None

    @property
    def profile_label(self) -> str:
        return PROFILES[self.profile]


def initials(name: str) -> str:
    letters = "".join(part[0] for part in name.split() if part[:1].isalpha()).upper()
    return letters[:3] or "EX"


def _when(content: dict[str, Any]) -> str:
    day = dt.date.fromisoformat(content["occurred_on"]).strftime("%a %d %b %Y")
    if content.get("occurred_time"):
        end = f"–{content['ended_time']}" if content.get("ended_time") else ""
        rough = " (approx.)" if content.get("precision") == "approximate" else ""
        return f"{day} {content['occurred_time']}{end}{rough}"
    return day


def keeps_private(current: dict[str, Any]) -> bool:
    """Whether an entry has details to keep private now."""
    return any(current.get(name) for name in PRIVATE_FIELDS)


def discloses(field: str, value: Any, current: dict[str, Any]) -> bool:
    """Whether a value from any version of an entry (`current` is what it says now) may reach
    the defence. Never the details to keep private, nor a photo's location and device data.
    And where the entry has details to keep private now, none of its earlier wording: text
    the person moved into those details by amending the entry was, until then, in another
    field, and nothing can tell moved text from other changes (it may have been reworded)."""
    if field in PRIVATE_FIELDS or field == "exif":
        return False
    if field in TEXT_FIELDS and keeps_private(current):
        return bool(value == current.get(field))
    return True


def _redact(content: dict[str, Any], profile: str) -> tuple[dict[str, Any], bool]:
    if profile != DISCLOSABLE:
        return content, False
    withheld = any(content.get(name) for name in PRIVATE_FIELDS)
    return {
        **content,
        **{name: WITHHELD if content.get(name) else "" for name in PRIVATE_FIELDS},
    }, withheld


def producer_label(user: User) -> str:
    """Who produced a report, as printed on it: a name and organisation, never an e-mail
    address (the report may reach the other side)."""
    if user.is_victim:
        return user.name or "The person whose log this is"
    who = user.name or user.get_role_display()
    return f"{who}, {user.organisation}" if user.organisation_id else who


def build(
    case: Case,
    *,
    profile: str,
    produced_by: User,
    pseudonym: str = "",
    entry_ids: set[int] | None = None,
    until: dt.date | None = None,
    charts_wanted: bool = True,
    include_context: bool = False,
) -> Chronology:
    """Everything the chronology shows, in the profile's terms. `entry_ids` and `until`
    narrow it to what was shared. Imported messages kept as context are left out unless
    `include_context`; even then they are shown as context, never numbered or counted."""
    if profile not in PROFILES:
        raise ValueError("Unknown profile")
    key = keys.case_key(case)
    left_out = [Entry.Status.DRAFT] + ([] if include_context else [Entry.Status.CONTEXT])
    entries = list(
        Entry.objects.filter(case=case).exclude(status__in=left_out).order_by("occurred_at", "pk")
    )
    if entry_ids is not None:
        entries = [entry for entry in entries if entry.pk in entry_ids]
    if until is not None:
        entries = [entry for entry in entries if entry.occurred_on <= until]
    contents = current_contents(entries, case, key)
    name = (
        pseudonym
        or client_details(case).get("name")
        or (case.owner.name if case.owner else "")
        or ""
    )
    prefix = initials(name)
    # Without a name, say so plainly ("Person: Not given"), never "Person: Person".
    name = name or "Not given"

    exhibits: list[Exhibit] = []
    by_entry: dict[int, list[str]] = {}
    # Numbered in the order the chain added them, so the numbers are bound by the chain.
    record_of = dict(
        ChainRecord.objects.filter(case=case, kind=ChainRecord.Kind.EVIDENCE).values_list(
            "evidence_uid", "seq"
        )
    )
    evidence = sorted(
        Evidence.objects.filter(entry__in=entries, withdrawn=False),
        key=lambda item: record_of[item.uid],
    )
    for number, item in enumerate(evidence, start=1):
        exhibit = Exhibit(
            f"{prefix}/{number}",
            item,
            evidence_meta(item, key)["name"],
            item.entry_id,
            record_of[item.uid],
        )
        exhibits.append(exhibit)
        by_entry.setdefault(item.entry_id, []).append(exhibit.reference)

    rows = []
    numbers = iter(range(1, len(entries) + 1))
    for entry in entries:
        content, withheld = _redact(contents[entry.pk], profile)
        rows.append(
            Row(
                number=None if entry.status == Entry.Status.CONTEXT else next(numbers),
                said=said_by(content),
                time_uncertain=time_uncertain(content),
                entry=entry,
                content=content,
                when=_when(content),
                behaviours=neutral_labels(content["behaviours"]),
                exhibits=by_entry.get(entry.pk, []),
                withheld=withheld,
            )
        )
    amendments = _amendments(entries, contents, key, profile)
    chronology = Chronology(
        case=case,
        profile=profile,
        subject=name,
        produced_by=producer_label(produced_by),
        produced_at=timezone.now(),
        rows=rows,
        exhibits=exhibits,
        amendments=amendments,
    )
    chronology.suspects = suspects(case)
    # Narrowed to what was shared: no breach of an entry outside it is named, not even its date.
    narrowed = entry_ids is not None or until is not None
    chronology.orders = orders(
        case, rows, limited_to={entry.pk for entry in entries} if narrowed else None
    )
    chronology.summary = summarise(rows, chronology.orders)
    if charts_wanted and rows:
        logged = [row for row in rows if row.entry.status == Entry.Status.LOGGED]
        chronology.weekly_chart = charts.weekly_chart(
            charts.weekly_counts([row.entry.occurred_on for row in logged])
        )
        chronology.rhythm_chart = charts.rhythm_chart(
            charts.rhythm_grid(
                [
                    row.entry.occurred_at.astimezone(ZoneInfo(row.entry.time_zone))
                    for row in logged
                    if row.entry.precision != Entry.Precision.DATE_ONLY
                ]
            )
        )
    return chronology


def neutral_labels(codes: list[str]) -> list[str]:
    """Behaviours in the third person, as outputs for the police and courts name them; the
    person's own words stay in the narrative."""
    return [BEHAVIOURS[code].neutral_label for code in codes if code in BEHAVIOURS]


# A perpetrator record's lists of identifiers, with the kind printed beside each value.
IDENTIFIER_KINDS = (
    ("aliases", "Also known as"),
    ("phones", "Phone"),
    ("emails", "E-mail"),
    ("handles", "Social media"),
    ("vehicles", "Vehicle"),
)


def _identifier(kind: str, value: str) -> tuple[str, str]:
    """A handle recorded as "platform: handle" is printed under its platform's name."""
    if kind == "Social media" and ":" in value:
        platform, handle = (part.strip() for part in value.split(":", 1))
        if platform and handle:
            return platform, handle
    return kind, value


def _values(found: Any) -> list[str]:
    if isinstance(found, list):
        return [str(item).strip() for item in found if str(item).strip()]
    return [line.strip() for line in str(found or "").splitlines() if line.strip()]


def suspects(case: Case) -> list[Suspect]:
    """Everyone the casework records as a perpetrator, with every identifier recorded."""
    found = []
    for record in Perpetrator.objects.filter(case=case).order_by("created_at", "pk"):
        opened = record.opened()
        names = _values(opened.get("names"))
        identifiers = [("Also known as", other) for other in names[1:]]
        for key, kind in IDENTIFIER_KINDS:
            identifiers += [_identifier(kind, value) for value in _values(opened.get(key))]
        details = []
        if opened.get("date_of_birth"):
            born = dt.date.fromisoformat(str(opened["date_of_birth"]))
            details.append(f"Date of birth: {born:%d %B %Y}")
        details += [f"Address: {address}" for address in _values(opened.get("addresses"))]
        if opened.get("description"):
            details.append(str(opened["description"]))
        found.append(
            Suspect(
                name=names[0] if names else "Name not known",
                identifiers=identifiers,
                details="\n".join(details),
            )
        )
    return found


NOT_STATED = "Condition not stated"


def _condition(conditions: list[str], place: int | None) -> str:
    if place is None:
        return NOT_STATED
    if place < len(conditions):
        return conditions[place]
    return f"Condition {place + 1} (no longer on the order as recorded)"


def orders(
    case: Case,
    rows: list[Row],
    *,
    limited_to: set[int] | None = None,
) -> list[Order]:
    """The case's protective orders and bail conditions, each breach with the condition it
    broke and the entry's number in this chronology (None when the entry is not in it). A
    chronology narrowed to what was shared (`limited_to`) names no breach outside it."""
    numbered = {row.entry.pk: row for row in rows}
    found = []
    for order in ProtectiveOrder.objects.filter(case=case).order_by("created_at", "pk"):
        opened = order.opened()
        conditions = order.conditions()
        breaches = []
        links = (
            OrderBreach.objects.filter(protectiveorder=order)
            .select_related("entry")
            .order_by("entry__occurred_at", "entry__pk", "condition")
        )
        for link in links:
            entry = link.entry
            if limited_to is not None and entry.pk not in limited_to:
                continue
            row = numbered.get(entry.pk)
            when = row.when if row else f"{entry.occurred_on:%a %d %b %Y}"
            breaches.append(
                Breach(
                    number=row.number if row else None,
                    when=when,
                    condition=_condition(conditions, link.condition),
                )
            )
        found.append(
            Order(
                kind=order.get_kind_display(),
                status=order.get_status_display(),
                court=str(opened.get("court") or ""),
                made_on=order.made_on,
                expires_on=order.expires_on,
                conditions=conditions,
                breaches=breaches,
            )
        )
    return found


def _amendments(
    entries: list[Entry], contents: dict[int, dict[str, Any]], key: bytes, profile: str
) -> list[dict[str, Any]]:
    counted = [entry for entry in entries if entry.status != Entry.Status.CONTEXT]
    numbers: dict[int, int | str] = {entry.pk: "context" for entry in entries}
    numbers.update({entry.pk: number for number, entry in enumerate(counted, start=1)})
    found = []
    records = ChainRecord.objects.filter(
        entry__in=entries, kind__in=[ChainRecord.Kind.AMENDMENT, ChainRecord.Kind.WITHDRAWAL]
    ).order_by("seq")
    for record in records:
        body = keys.open_json(key, record.body_sealed, keys.chain_body_ad(record.rid))
        changes = body.get("changes", {})
        if profile == DISCLOSABLE:
            current = contents[record.entry_id]
            changes = {
                name: value if discloses(name, value, current) else WITHHELD
                for name, value in changes.items()
            }
        found.append(
            {
                "entry": numbers[record.entry_id],
                "kind": record.get_kind_display(),
                "at": record.recorded_at,
                "reason": body.get("reason", ""),
                "changes": changes,
                "seq": record.seq,
            }
        )
    return found


def summarise(rows: list[Row], orders: list[Order] | None = None) -> dict[str, Any]:
    """The course of conduct in the terms of the law. A breach of an order is counted as a
    breach of that order (`breaches`), never as "Other": the behaviour's own category says
    nothing about which order or condition was broken."""
    logged = [row for row in rows if row.entry.status == Entry.Status.LOGGED]
    categories: Counter[str] = Counter()
    for row in logged:
        for category in {
            BEHAVIOURS[code].category
            for code in row.content["behaviours"]
            if code in BEHAVIOURS and code != BREACH_CODE
        }:
            categories[category] += 1
    labels = dict(Category.choices)
    channels = Counter(row.entry.get_channel_display() for row in logged)
    return {
        "occasions": len(logged),
        "withdrawn": sum(1 for row in rows if row.entry.status == Entry.Status.WITHDRAWN),
        "context": sum(1 for row in rows if row.is_context),
        "first": logged[0].entry.occurred_on if logged else None,
        "last": logged[-1].entry.occurred_on if logged else None,
        "statutory": [
            (labels[c], categories[c]) for c in Category if c in STATUTORY and categories[c]
        ],
        "other": [
            (labels[c], categories[c]) for c in Category if c not in STATUTORY and categories[c]
        ],
        "breaches": breach_counts(logged, orders or []),
        "feared_violence": sum(1 for row in logged if row.entry.feared_violence),
        "daily_life": sum(1 for row in logged if row.entry.changed_daily_life),
        "channels": channels.most_common(),
        "course_of_conduct": len(logged) >= 2,
    }


BREACH_CODE = "order_breach"
ORDER_NOT_NAMED = "A court order or bail conditions (order not named)"


def breach_counts(logged: list[Row], orders: list[Order]) -> list[tuple[str, int]]:
    """(order, incidents that breached it) for each order breached in this chronology, then
    the incidents marked as a breach but not yet linked to any order."""
    counted = {row.number for row in logged}
    found = []
    linked: set[int] = set()
    for order in orders:
        numbers = {b.number for b in order.breaches if b.number is not None} & counted
        linked |= numbers
        if numbers:
            found.append((f"{order.kind} ({order.status.lower()})", len(numbers)))
    unnamed = sum(
        1 for row in logged if BREACH_CODE in row.content["behaviours"] and row.number not in linked
    )
    if unnamed:
        found.append((ORDER_NOT_NAMED, unnamed))
    return found
