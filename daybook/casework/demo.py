"""Invented casework for the demo personas, so the dashboards and case record have content."""

import datetime as dt

from django.utils import timezone

from daybook.accounts.models import Organisation, User
from daybook.cases import services
from daybook.cases.models import Case, Referral
from daybook.casework import services as casework_services
from daybook.casework.sections import SECTIONS
from daybook.risk.screening import TOPICS
from daybook.risk.services import screening_record


def seed_demo_casework(*, case: Case, advocate: User, manager: User, service: Organisation) -> None:
    if case.client_sealed:
        return
    services.case_details_save(
        case=case,
        actor=advocate,
        client={"name": "Sam Taylor", "pronouns": "she/her", "phone": "07700 900461"},
        safe_contact={
            "safe_channels": ["phone", "email"],
            "safe_times": "Weekdays 12:00 to 13:00",
            "voicemail_safe": "no",
            "code_word": "lighthouse",
            "never_channels": ["letter"],
        },
    )
    services.case_status_set(
        case=case, actor=advocate, status="active", domestic=True, relationship="ex_partner"
    )
    yes = {"frightened", "turning_up", "loitering", "harassing_others"}
    answers = {
        code: {"answer": "yes" if code in yes else "no", "comment": ""} for code, _q in TOPICS
    }
    screening_record(case=case, author=advocate, answers=answers)
    now = timezone.now()
    save = casework_services.casework_save
    save(
        case=case,
        section=SECTIONS["contact"],
        author=advocate,
        values={
            "happened_at": now - dt.timedelta(days=3),
            "channel": "phone",
            "direction": "outgoing",
            "duration_minutes": 25,
            "safe_contact_checked": True,
            "note": "Talked through the log and the safety plan.",
        },
    )
    save(
        case=case,
        section=SECTIONS["safety-plan"],
        author=advocate,
        values={
            "area": "work_or_school",
            "action": "Ask work to walk Sam to her car",
            "owner": "advocate",
            "status": "in_progress",
            "due_on": timezone.localdate() + dt.timedelta(days=7),
            "internal_note": "Manager at work is supportive.",
        },
    )
    save(
        case=case,
        section=SECTIONS["orders"],
        author=advocate,
        values={
            "kind": "spo",
            "status": "police_considering",
            "terms": "No contact, direct or indirect",
            "breaches": [],
        },
    )
    save(
        case=case,
        section=SECTIONS["tasks"],
        author=advocate,
        values={
            "title": "Chase the officer about the SPO",
            "due_on": timezone.localdate(),
            "assignee": advocate,
        },
    )
    if not Referral.objects.filter(service=service).exists():
        casework_services.referral_make(
            service=service,
            source=Referral.Source.SELF_PUBLIC,
            urgency=Referral.Urgency.SOON,
            details={
                "name": "Alex",
                "safe_channels": ["phone"],
                "phone": "07700 900777",
                "safe_times": "Evenings",
                "voicemail_safe": "no",
                "what_is_happening": "A neighbour follows me to the bus stop.",
            },
        )
