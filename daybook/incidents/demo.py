"""A short, invented log for the demo personas, so a newcomer sees Daybook with data in it."""

import datetime as dt
from typing import Any

from django.utils import timezone

from daybook.accounts.models import Organisation, User
from daybook.cases.services import case_open
from daybook.incidents import services

DEMO_ENTRIES: list[dict[str, Any]] = [
    {
        "occurred_on": "2026-09-03",
        "occurred_time": "08:10",
        "channel": "text_message",
        "place_kind": "online",
        "behaviours": ["contacting"],
        "seen": "not_applicable",
        "what_happened": "Six texts before work asking why I blocked him on Instagram.",
        "feelings": "Anxious all morning.",
    },
    {
        "occurred_on": "2026-09-12",
        "occurred_time": "17:45",
        "channel": "in_person",
        "place_kind": "work_or_school",
        "place": "Staff car park",
        "behaviours": ["turning_up", "watching"],
        "seen": "identified",
        "what_happened": "He was sitting in his car opposite the staff exit when I left work.",
        "description": "Silver Vauxhall Corsa, dark jacket",
        "witnesses": "A colleague, Dana",
        "feared_violence": True,
        "changed_daily_life": True,
        "feelings": "Frightened. I now leave by the back door.",
    },
    {
        "occurred_on": "2026-10-01",
        "occurred_time": "22:30",
        "precision": "approximate",
        "channel": "letter_or_gift",
        "place_kind": "home",
        "behaviours": ["letters_gifts", "turning_up"],
        "seen": "not_seen",
        "what_happened": "Flowers left on the doorstep with a card saying 'I know you still care'.",
        "police_reference": "CAD 2210-01",
        "private_details": "I am staying with my sister at weekends.",
    },
]


def recent_entry() -> dict[str, Any]:
    """One entry five days before the demo is set up, so the advocate sees an escalation
    alert (a first threat) whenever the demo is tried."""
    day = timezone.localdate() - dt.timedelta(days=5)
    return {
        "occurred_on": day.isoformat(),
        "occurred_time": "23:40",
        "channel": "text_message",
        "place_kind": "online",
        "behaviours": ["contacting", "threats"],
        "seen": "not_applicable",
        "what_happened": "Text from a new number: 'You'll regret ignoring me.'",
        "feared_violence": True,
        "feelings": "Couldn't sleep.",
    }


def seed_demo_logs(*, victim: User, advocate: User, service: Organisation) -> None:
    if victim.owned_cases.exists():
        return
    case = case_open(created_by=victim, owner=victim, service=service, advocates=(advocate,))
    for values in [*DEMO_ENTRIES, recent_entry()]:
        author, how = (
            (advocate, "advocate") if values.get("police_reference") else (victim, "victim")
        )
        services.entry_record(case=case, author=author, how=how, values=values)
