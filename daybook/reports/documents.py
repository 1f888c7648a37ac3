"""What each PDF says, as plain JSON-ready data for its Typst template.

A template receives this data as a `sys.inputs` value and reads it with `json(...)`: every
text arrives as a string value, never as markup, so nothing the person wrote (a `#`, a `[`
or a `$`) can change the document. Dates are formatted here, in the service's time zone, for
people to read; no model object crosses over.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import ngettext

from daybook.incidents.checkpoints import Signed
from daybook.incidents.models import Entry
from daybook.reports.chronology import DISCLOSABLE, Chronology, Row
from daybook.reports.statement import Statement
from daybook.ui import charts

Document = dict[str, Any]


class StatisticsTable(Protocol):
    """One table of the service statistics (insights.statistics.Table), as printed."""

    @property
    def title(self) -> str: ...
    @property
    def head(self) -> Sequence[str]: ...
    @property
    def rows(self) -> Sequence[tuple[str, Sequence[object]]]: ...
    @property
    def note(self) -> str: ...


class ServiceStatistics(Protocol):
    """The service statistics (insights.statistics.Statistics): insights sits above reports,
    so its types are described here rather than imported."""

    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date: ...
    @property
    def services(self) -> Sequence[str]: ...
    @property
    def left_out_sentence(self) -> str: ...


DRAFT_MARK = "DRAFT — for the officer to take and the witness to check"


def day(value: dt.date | None) -> str:
    """2 October 2026."""
    return f"{value.day} {value:%B %Y}" if value else ""


def moment(value: dt.datetime | None) -> str:
    """2 Oct 2026 21:30, in the service's time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.day} {local:%b %Y %H:%M}"


def long_moment(value: dt.datetime) -> str:
    """2 October 2026 21:30, in the service's time zone."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.day} {local:%B %Y %H:%M}"


def plural(count: int, one: str, many: str) -> str:
    return ngettext(one, many, count) % {"count": count}


def chart(picture: charts.Chart | None, heading: str) -> Document | None:
    if picture is None:
        return None
    return {
        "heading": heading,
        "alt": f"{picture.title}: {picture.description}",
        "svg": str(picture.svg),
    }


def checkpoint(signed: Signed | None) -> Document | None:
    """The signed checkpoint a report ends at (see `reports/typst/common.typ`)."""
    if signed is None:
        return None
    statement = signed.statement
    sequence = int(statement["sequence"])
    return {
        "case": str(statement["case"]),
        "sequence": str(sequence),
        "records": plural(sequence, "%(count)d record", "%(count)d records"),
        "key_id": signed.key_id,
        "published_at": signed.published_at,
        "head": str(statement["head"]),
        "issued_at": str(statement["issued_at"]),
        "signature": signed.signature,
        "public_key": signed.public_key,
        "text": signed.text,
    }


def _marks(row: Row) -> str:
    marks = []
    if row.entry.status == Entry.Status.WITHDRAWN:
        marks.append("Withdrawn")
    if row.entry.amended:
        marks.append("Amended")
    if row.is_context:
        marks.append("Context: not counted as an incident")
    return " ".join(marks)


def row(item: Row) -> Document:
    content = item.content
    private = "" if item.withheld else (content.get("private_details") or "")
    place = item.entry.get_place_kind_display()
    if content.get("place"):
        place = f"{place}: {content['place']}"
    return {
        "number": "Context" if item.is_context else str(item.number),
        "context": item.is_context,
        "when": item.when,
        "time_uncertain": item.time_uncertain,
        "recorded": (
            f"Recorded {moment(item.entry.recorded_at)}, "
            f"{item.entry.get_recorded_how_display().lower()}"
        ),
        "place": place,
        "said": item.said,
        "what_happened": content.get("what_happened") or "",
        "description": content.get("description") or "",
        "feelings": content.get("feelings") or "",
        "feared_violence": bool(item.entry.feared_violence),
        "changed_daily_life": bool(item.entry.changed_daily_life),
        "withheld": item.withheld,
        "private": private,
        "behaviours": ", ".join(item.behaviours),
        "witnesses": content.get("witnesses") or "",
        "exhibits": ", ".join(item.exhibits),
        "police_reference": content.get("police_reference") or "",
        "police_officer": content.get("police_officer") or "",
        "marks": _marks(item),
    }


def suspects(chronology: Chronology) -> list[Document]:
    return [
        {
            "name": suspect.name,
            "identifiers": [{"kind": kind, "value": value} for kind, value in suspect.identifiers],
            "details": suspect.details,
        }
        for suspect in chronology.suspects
    ]


def orders(chronology: Chronology) -> list[Document]:
    return [
        {
            "kind": order.kind,
            "status": order.status,
            "court": order.court,
            "made_on": day(order.made_on),
            "expires_on": day(order.expires_on),
            "conditions": list(order.conditions),
            "breaches": [
                {
                    "number": "" if breach.number is None else str(breach.number),
                    "when": breach.when,
                    "condition": breach.condition,
                }
                for breach in order.breaches
            ],
        }
        for order in chronology.orders
    ]


def _cover(chronology: Chronology) -> Document:
    summary = chronology.summary
    rows, exhibits = len(chronology.rows), len(chronology.exhibits)
    context = (
        f", {summary['context']} kept as context and not counted" if summary.get("context") else ""
    )
    profile = chronology.profile_label
    if chronology.profile == DISCLOSABLE:
        profile += ": details the person asked to keep out of disclosure are withheld and marked"
    first, last = summary.get("first"), summary.get("last")
    service = chronology.case.service
    return {
        "service": service.name if service else "Kept by the person",
        "period": f"{day(first)} to {day(last)}" if first else "No incidents",
        "entries": (
            f"{rows} ({summary.get('occasions', 0)} in the log, {summary.get('withdrawn', 0)} "
            f"withdrawn{context}), " + plural(exhibits, "%(count)d exhibit", "%(count)d exhibits")
        ),
        "profile": profile,
        "produced": f"{chronology.produced_by}, {long_moment(chronology.produced_at)}",
    }


def _summary(chronology: Chronology) -> Document:
    summary = chronology.summary
    occasions = summary.get("occasions", 0)
    first, last = summary.get("first"), summary.get("last")
    return {
        "occasions": str(occasions)
        + (
            " (a course of conduct: two or more occasions)"
            if summary.get("course_of_conduct")
            else ""
        ),
        "first_last": f"{day(first) or '—'} to {day(last) or '—'}",
        "statutory": [f"{label}: {count}" for label, count in summary.get("statutory", [])],
        "other": [f"{label}: {count}" for label, count in summary.get("other", [])],
        "breaches": [f"{label}: {count}" for label, count in summary.get("breaches", [])],
        "feared_violence": str(summary.get("feared_violence", 0)),
        "daily_life": str(summary.get("daily_life", 0)),
        "channels": "; ".join(f"{label}: {count}" for label, count in summary.get("channels", [])),
    }


def _amendment(item: dict[str, Any]) -> Document:
    return {
        "entry": str(item["entry"]),
        "what": f"{item['kind']} (record {item['seq']})",
        "when": moment(item["at"]),
        "why": str(item.get("reason") or ""),
        "changed": "; ".join(f"{name}: {value}" for name, value in item["changes"].items()),
    }


def chronology(chronology: Chronology) -> Document:
    """Everything the chronology PDF shows."""
    case = chronology.case
    numbers = {
        item.entry.pk: ("context" if item.number is None else str(item.number))
        for item in chronology.rows
    }
    return {
        "title": f"Chronology {case.reference} ({chronology.profile_label})",
        "author": chronology.produced_by,
        "reference": case.reference,
        "profile": chronology.profile,
        "profile_label": chronology.profile_label,
        "subject": chronology.subject,
        "cover": _cover(chronology),
        "summary": _summary(chronology),
        "charts": [
            found
            for found in (
                chart(chronology.weekly_chart, "Incidents per week"),
                chart(chronology.rhythm_chart, "Hour of day and weekday"),
            )
            if found
        ],
        "suspects": suspects(chronology),
        "orders": orders(chronology),
        "rows": [row(item) for item in chronology.rows],
        "exhibits": [
            {
                "reference": exhibit.reference,
                "name": exhibit.name,
                "entry": numbers.get(exhibit.entry_id, ""),
                "size": filesizeformat(exhibit.evidence.size).replace("\xa0", " "),
                "sha256": exhibit.evidence.sha256,
            }
            for exhibit in chronology.exhibits
        ],
        "amendments": [_amendment(item) for item in chronology.amendments],
        "checkpoint": checkpoint(chronology.checkpoint),
    }


def act(item: Row, *, breaches: list[str] | None = None) -> Document:
    """One act as a pack lists it: the entry's number, when, what happened and why it counts."""
    said = f"{item.said}: " if item.said else ""
    return {
        "number": "" if item.number is None else str(item.number),
        "when": item.when,
        "what_happened": said + (item.content.get("what_happened") or ""),
        "behaviours": ", ".join(item.behaviours),
        "feared_violence": bool(item.entry.feared_violence),
        "breaches": breaches or [],
    }


def spo(
    chronology: Chronology,
    *,
    facts: dict[str, Any],
    acts: list[tuple[Row, list[str]]],
    risk: list[tuple[Row, list[str]]],
    escalation: str,
    necessity: str,
    prohibitions: list[str],
    today: dt.date,
) -> Document:
    """The Stalking Protection Order pack: each act listed under each test it bears on."""
    count = facts.get("count", 0)
    logged = plural(count, "%(count)d incident", "%(count)d incidents")
    if count:
        logged += (
            f" from {day(facts['first'])} to {day(facts['last'])}, about {facts['per_week']} a week"
        )
    breaches = [
        {
            "order": order["kind"],
            "status": order["status"],
            "number": breach["number"],
            "when": breach["when"],
            "condition": breach["condition"],
        }
        for order in orders(chronology)
        for breach in order["breaches"]
    ]
    feared = facts.get("feared_violence", 0)
    return {
        "title": f"Stalking Protection Order support pack {chronology.case.reference}",
        "author": chronology.produced_by,
        "reference": chronology.case.reference,
        "subject": chronology.subject,
        "produced_by": chronology.produced_by,
        "today": day(today),
        "logged": logged,
        "suspects": suspects(chronology),
        "orders": orders(chronology),
        "breaches": breaches,
        "acts": [act(item, breaches=found) for item, found in acts],
        "risk": [act(item, breaches=found) for item, found in risk],
        "escalation": escalation,
        "fear": (
            "The person feared violence on "
            + plural(feared, "%(count)d occasion", "%(count)d occasions")
            + f"; it changed their day-to-day life on {facts.get('daily_life', 0)}."
        ),
        "necessity": necessity,
        "prohibitions": prohibitions,
        "checkpoint": checkpoint(chronology.checkpoint),
    }


def vps(chronology: Chronology, *, facts: dict[str, Any], areas: list[tuple[str, str]]) -> Document:
    count = facts.get("count", 0)
    recorded = ""
    if count:
        recorded = (
            "What I have recorded: "
            + plural(count, "%(count)d incident", "%(count)d incidents")
            + " over about "
            + plural(facts["months"], "%(count)d month", "%(count)d months")
            + f", from {day(facts['first'])} to {day(facts['last'])}, "
            f"about {facts['per_week']} a week."
        )
    return {
        "title": f"Victim personal statement draft {chronology.case.reference}",
        "author": chronology.produced_by,
        "recorded": recorded,
        "areas": [{"label": label, "text": text} for label, text in areas if text],
        "checkpoint": checkpoint(chronology.checkpoint),
    }


def statistics(
    found: ServiceStatistics,
    figures: Sequence[tuple[StatisticsTable, charts.Chart | None]],
    produced_at: dt.datetime,
) -> Document:
    return {
        "title": f"Service statistics {found.start.day} {found.start:%b %Y} to "
        f"{found.end.day} {found.end:%b %Y}",
        "author": ", ".join(found.services),
        "services": ", ".join(found.services),
        "period": f"From {day(found.start)} to {day(found.end)}. "
        f"Produced {long_moment(produced_at)}.",
        "left_out": found.left_out_sentence,
        "tables": [
            {
                "title": table.title,
                "head": [str(heading) for heading in table.head],
                "rows": [
                    [str(label), *(str(value) for value in values)] for label, values in table.rows
                ],
                "note": table.note,
                "chart": chart(picture, table.title),
            }
            for table, picture in figures
        ],
    }


def statement(statement: Statement) -> Document:
    """The witness statement draft, MG11 layout."""
    return {
        "title": f"Witness statement draft: {statement.name}",
        "author": statement.produced_by,
        "mark": DRAFT_MARK,
        "name": statement.name,
        "age": statement.age or "Over 18",
        "occupation": statement.occupation,
        "paragraphs": [
            {"text": paragraph.text, "exhibits": ", ".join(paragraph.exhibits)}
            for paragraph in statement.paragraphs
        ],
        "exhibits": [
            {"reference": reference, "description": description}
            for reference, description in statement.exhibits
        ],
        "produced": f"{statement.produced_by}, {long_moment(statement.produced_at)}",
        "checkpoint": checkpoint(statement.checkpoint),
    }
