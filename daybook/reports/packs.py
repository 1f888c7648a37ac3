"""The Stalking Protection Order pack and the victim personal statement draft."""

import datetime as dt
from typing import Any

from django.utils.translation import ngettext

from daybook.incidents.behaviours import BEHAVIOURS, STATUTORY, Category
from daybook.incidents.models import Entry
from daybook.reports import documents, pdf
from daybook.reports.chronology import Chronology, Row

DEFAULT_PROHIBITIONS = [
    "Not to contact the person directly or indirectly, by any means, including through others.",
    "Not to enter the exclusion zone around the person's home and workplace.",
    "Not to monitor the person online or publish any material about them.",
    "To attend and complete a stalking perpetrator programme.",
]
VPS_AREAS = [
    ("physical", "Physical", "Has it affected your sleep, your health or your body?"),
    ("emotional", "Emotional", "How has it made you feel, day to day and at night?"),
    ("financial", "Financial", "Has it cost you money: changing locks, phones, moving, time off?"),
    ("family", "Family", "How has it affected your children, partner or family?"),
    ("work", "Work or study", "Has it changed how you work or study, or where?"),
    ("social", "Social life", "Do you go out less, or see people less?"),
    ("safety", "Safety", "What do you do now to feel safe that you did not do before?"),
    ("support", "Support needs", "What support do you need now and in the future?"),
]


def _categories(row: Row) -> set[str]:
    return {BEHAVIOURS[code].category for code in row.content["behaviours"] if code in BEHAVIOURS}


def facts(chronology: Chronology) -> dict[str, Any]:
    """How long and how often, from the log: the facts a statement or an application cites."""
    logged = [row for row in chronology.rows if row.entry.status == Entry.Status.LOGGED]
    if not logged:
        return {"count": 0}
    first, last = logged[0].entry.occurred_on, logged[-1].entry.occurred_on
    weeks = max((last - first).days / 7, 1)
    return {
        "count": len(logged),
        "first": first,
        "last": last,
        "months": max(round((last - first).days / 30.4), 1),
        "per_week": round(len(logged) / weeks, 1),
        "feared_violence": sum(1 for row in logged if row.entry.feared_violence),
        "daily_life": sum(1 for row in logged if row.entry.changed_daily_life),
    }


def escalation(logged: list[Row]) -> str:
    """Plain words on whether incidents became more frequent: later half against earlier half."""
    if len(logged) < 4:
        return "Too few incidents to compare earlier and later periods."
    middle = (
        logged[0].entry.occurred_on
        + (logged[-1].entry.occurred_on - logged[0].entry.occurred_on) / 2
    )
    earlier = sum(1 for row in logged if row.entry.occurred_on <= middle)
    later = len(logged) - earlier
    halves = ngettext(
        "%(earlier)d incident in the first half of the period, %(later)d in the second.",
        "%(earlier)d incidents in the first half of the period, %(later)d in the second.",
        earlier,
    ) % {"earlier": earlier, "later": later}
    return f"More frequent over time: {halves}" if later > earlier else halves


def breaches_by_entry(chronology: Chronology) -> dict[int, list[str]]:
    """Each breached order's condition, by the incident number of the entry that breached it."""
    found: dict[int, list[str]] = {}
    for order in chronology.orders:
        for breach in order.breaches:
            if breach.number is not None:
                found.setdefault(breach.number, []).append(
                    f"Breach of the {order.kind} ({order.status.lower()}): {breach.condition}"
                )
    return found


def spo_context(chronology: Chronology, options: dict[str, Any]) -> dict[str, Any]:
    """Every act bearing on each of the three tests of the Stalking Protection Act 2019 s.2:
    (a) acts associated with stalking, (b) a risk associated with stalking, (c) why an order
    with these conditions is necessary. A breach of an order already made is all three: an act
    of the same conduct, a sign the risk goes on, and proof that lesser measures did not stop
    it; so every breached entry is listed under (a) and (b) and the breaches under (c)."""
    logged = [row for row in chronology.rows if row.entry.status == Entry.Status.LOGGED]
    breaches = breaches_by_entry(chronology)

    def breached(row: Row) -> list[str]:
        return breaches.get(row.number, []) if row.number is not None else []

    acts = [(row, breached(row)) for row in logged if _categories(row) & STATUTORY or breached(row)]
    risk = [
        (row, breached(row))
        for row in logged
        if row.entry.feared_violence
        or _categories(row) & {Category.THREATS, Category.VIOLENCE}
        or breached(row)
    ]
    return {
        "facts": facts(chronology),
        "acts": acts,
        "risk": risk,
        "escalation": escalation(logged),
        "necessity": options.get("necessity", ""),
        "prohibitions": options.get("prohibitions") or DEFAULT_PROHIBITIONS,
        "today": dt.date.today(),  # noqa: DTZ011  (a document date)
    }


def spo_pdf(chronology: Chronology, options: dict[str, Any]) -> bytes:
    document = documents.spo(chronology, **spo_context(chronology, options))
    return pdf.typeset("spo.typ", document, when=chronology.produced_at)


def vps_pdf(chronology: Chronology, options: dict[str, Any]) -> bytes:
    answers = options.get("answers", {})
    areas = [(label, answers.get(code, "")) for code, label, _prompt in VPS_AREAS]
    document = documents.vps(chronology, facts=facts(chronology), areas=areas)
    return pdf.typeset("vps.typ", document, when=chronology.produced_at)
