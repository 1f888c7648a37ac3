"""A short, invented log for the demo personas, so a newcomer sees Daybook with data in it."""

from daybook.accounts.models import Organisation, User
from daybook.incidents import services

DEMO_ENTRIES = [
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


def seed_demo_logs(*, victim: User, advocate: User, service: Organisation) -> None:
    if victim.owned_cases.exists():
        return
    case = services.case_open(
        created_by=victim, owner=victim, service=service, advocates=(advocate,)
    )
    for values in DEMO_ENTRIES:
        author, how = (
            (advocate, "advocate") if values.get("police_reference") else (victim, "victim")
        )
        services.entry_record(case=case, author=author, how=how, values=values)
