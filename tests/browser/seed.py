"""Realistic casework for the personas, so a crawl of every page meets real content.

One victim's log with several entries (one with a long, unbroken link as people paste them,
photos with their hashes and metadata, an amendment), held by the service and allocated to
the advocate; safe contact, screening, a safety plan, an order with breaches, criminal
justice, statement support, MARAC and outcome measures; consent to share with the police and
to statistics; the log shared with the police, who produced a bundle from it; a referral from
the partner and one from the public form; a consultation; a report; an import done and one
waiting for its preview; and a perpetrator whose number turns up on another case, so repeat
alerts are shown.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from daybook.accounts.models import Invitation, Organisation, Role, User
from daybook.accounts.services import token_hash
from daybook.cases import services as casework
from daybook.cases.models import Case, Consent, Referral
from daybook.cases.services import case_open
from daybook.casework import services as casework_services
from daybook.casework.sections import SECTIONS
from daybook.imports.services import import_configure, import_upload
from daybook.incidents import services as log
from daybook.incidents.demo import DEMO_ENTRIES, recent_entry
from daybook.incidents.evidence import check_upload
from daybook.incidents.models import Entry
from daybook.insights.services import escalation_check
from daybook.police.views import SHARED_REPORT_PROFILE
from daybook.reports.models import Report
from daybook.reports.services import report_request
from daybook.risk.screening import TOPICS
from daybook.risk.services import screening_record
from daybook.sharing.models import Share
from daybook.sharing.services import share_create
from tests.conftest import Personas, entry_values, make_user
from tests.test_evidence import PNG, jpeg_with_exif

# What people really paste into a log: a link with no place to break a line.
LONG_LINK = (
    "https://www.instagram.com/stories/the_real_markthompson_1987_official/"
    "3312345678901234567?igsh=MWZ0bXo4c3RhbGtlcg%3D%3D&utm_source=ig_story_item_share"
)
CHAT = (
    "12/01/24, 21:05 - Mark Thompson: I know you\u2019re home\n"
    "12/01/24, 21:05 - Mark Thompson: answer me or I'm coming over\n"
    "12/01/24, 21:10 - Sam: Stop contacting me\n"
    "13/01/24, 02:14 - Mark Thompson: Missed voice call\n"
).encode()
PHONE = "07700 900123"
# The link in the pending invitation's e-mail, so the page it opens can be visited too.
INVITATION_TOKEN = "Wq3vJ0bM2yH7nK5sT9xZ4cR8pL1dF6gA0eU3iO7uY2w"


@dataclass
class Seeded:
    case: Case
    entries: list[Entry]
    share: Share
    partner_referral: Referral
    report: Report


def seed_casework(personas: Personas) -> Seeded:
    victim, advocate, manager = personas.victim, personas.advocate, personas.manager
    case = case_open(
        created_by=victim, owner=victim, service=personas.service, advocates=(advocate,)
    )
    entries = [
        log.entry_record(case=case, author=victim, how="victim", values=values)
        for values in [*DEMO_ENTRIES, recent_entry()]
    ]
    pasted = log.entry_record(
        case=case,
        author=victim,
        how="victim",
        values=entry_values(
            occurred_on=(timezone.localdate() - dt.timedelta(days=2)).isoformat(),
            channel="social_media",
            place_kind="online",
            behaviours=["publishing", "monitoring", "contacting"],
            what_happened=f"He posted a story about where I work: {LONG_LINK}",
            description=f"Account {LONG_LINK}",
        ),
    )
    entries.append(pasted)
    log.entry_amend(
        entry=pasted,
        author=victim,
        how="victim",
        changes={"occurred_time": "23:10"},
        reason="Checked the time on my phone",
    )
    log.evidence_add(
        entry=pasted,
        author=victim,
        how="victim",
        checked=check_upload("Screenshot_20261121-220410_Instagram_story.jpg", jpeg_with_exif()),
    )
    log.evidence_add(
        entry=pasted, author=victim, how="victim", checked=check_upload("story.png", PNG)
    )
    log.entry_draft_save(
        case=case,
        author=victim,
        how="victim",
        values=entry_values(
            occurred_on=timezone.localdate().isoformat(),
            what_happened="Half-written: he was at the bus stop again",
        ),
    )

    for purpose in (Consent.Purpose.SUPPORT, Consent.Purpose.POLICE, Consent.Purpose.STATISTICS):
        casework.consent_record(case=case, actor=advocate, purpose=purpose, how="written")
    casework.consent_record(
        case=case,
        actor=advocate,
        purpose=Consent.Purpose.SHARE_ORGANISATION,
        how="verbal",
        detail="Northshire Housing Association",
    )
    casework.case_details_save(
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
    casework.case_status_set(
        case=case, actor=advocate, status="active", domestic=True, relationship="ex_partner"
    )
    yes = {"frightened", "turning_up", "loitering", "harassing_others", "threats"}
    screening_record(
        case=case,
        author=advocate,
        answers={
            code: {"answer": "yes" if code in yes else "no", "comment": ""}
            for code, _question in TOPICS
        },  # fmt: skip
    )
    _casework_sections(case, advocate, entries)
    casework_services.perpetrator_add(
        case=case,
        actor=advocate,
        identifiers={
            "names": ["Mark Thompson"],
            "aliases": ["the_real_markthompson_1987_official"],
            "phones": [PHONE],
            "emails": ["mark.thompson.1987@example.com"],
            "handles": ["@the_real_markthompson_1987_official"],
            "vehicles": ["AB12 CDE"],
            "addresses": [],
            "date_of_birth": "",
        },
    )
    other = case_open(created_by=manager, owner=personas.outsider, service=personas.service)
    casework_services.perpetrator_add(
        case=other,
        actor=advocate,
        identifiers={"names": ["M T"], "phones": ["+44 7700 900123"]},
    )
    escalation_check(case)

    # Addresses and names as long as real ones, on the team page and in lists of advocates.
    make_user(
        "priya.ramaswamy-henderson@northshire-stalking-advocacy.org.uk",
        Role.ADVOCATE,
        personas.service,
        mfa=False,
    )
    Invitation.objects.create(
        organisation=personas.service,
        email="christopher.fitzwilliam-oduya@northshire-stalking-advocacy.org.uk",
        role=Role.ADVOCATE,
        token_hash=token_hash(INVITATION_TOKEN),
        invited_by=manager,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    # Choices are as long as the real names of forces and units.
    Organisation.objects.create(
        name="Northshire and Southshire Constabularies Joint Public Protection Unit",
        kind=Organisation.Kind.POLICE_FORCE,
    )
    share = share_create(case=case, actor=victim, police=personas.police_force)
    report = report_request(case=case, actor=advocate, kind="chronology", profile="police")
    report_request(
        case=case,
        actor=personas.police,
        kind="bundle",
        profile=SHARED_REPORT_PROFILE,
        share=share,
    )
    casework_services.consultation_save(
        service=personas.service,
        actor=advocate,
        values={
            "organisation_name": "Northshire Housing Association",
            "organisation_kind": "housing",
            "role": "Tenancy officer",
            "question": "A tenant is being followed home; what can housing do?",
            "advice": "Log each visit, consider a management transfer, refer to us.",
            "follow_up": "",
            "minutes": 30,
        },
    )
    partner_referral = casework_services.referral_make(
        service=personas.service,
        source=Referral.Source.PARTNER,
        referrer=personas.partner,
        details={
            "name": "Jordan Okafor-Williamson",
            "phone": "07700 900555",
            "email": "jordan.okafor.williamson.safe.address@example.org",
            "safe_channels": ["phone", "text"],
            "safe_times": "Mornings before 10",
            "voicemail_safe": "no",
            "what_is_happening": f"Messages from a former colleague every night: {LONG_LINK}",
        },
    )
    casework_services.referral_make(
        service=personas.service,
        source=Referral.Source.SELF_PUBLIC,
        details={
            "name": "Alex",
            "phone": "07700 900777",
            "safe_times": "Evenings",
            "voicemail_safe": "no",
            "what_is_happening": "A neighbour follows me to the bus stop.",
        },
    )
    done = import_upload(case=case, actor=victim, name="Chat with Mark.txt", data=CHAT)
    import_configure(
        job=done,
        options={"stalkers": ["Mark Thompson"], "time_zone": "Europe/London"},
        actor=victim,
    )
    import_upload(case=case, actor=victim, name="WhatsApp Chat with Mark Thompson.txt", data=CHAT)
    for waited in range(6):
        _counted_person(personas, waited)
    return Seeded(
        case=case, entries=entries, share=share, partner_referral=partner_referral, report=report
    )


def _casework_sections(case: Case, advocate: User, entries: list[Entry]) -> None:
    now, today = timezone.now(), timezone.localdate()
    records = {
        "contact": {
            "happened_at": now - dt.timedelta(days=3),
            "channel": "phone",
            "direction": "outgoing",
            "duration_minutes": 25,
            "safe_contact_checked": True,
            "note": "Talked through the log and the safety plan.",
        },
        "tasks": {
            "title": "Chase the officer about the SPO",
            "due_on": today,
            "assignee": advocate,
        },  # fmt: skip
        "safety-plan": {
            "area": "work_or_school",
            "action": "Ask work to walk Sam to her car",
            "owner": "advocate",
            "status": "in_progress",
            "due_on": today + dt.timedelta(days=7),
            "internal_note": "Manager at work is supportive.",
        },
        "orders": {
            "kind": "spo",
            "status": "granted",
            "expires_on": today + dt.timedelta(days=700),
            "terms": "No contact, direct or indirect; not to enter Elm Road",
            "breaches": entries[-2:],
        },
        "justice": {
            "crime_reference": "NS/2026/0001234567-STALKING-S2A",
            "offence": "s2a",
            "officer": "DC 4471 Priya Ramaswamy-Henderson",
            "stage": "charged",
            "bail_conditions": "Not to contact the victim directly or indirectly.",
        },
        "vps": {"offered_on": today, "read_aloud": "undecided", "updates": "Wants help."},
        "victims-code": {"right": "4", "happened_on": today, "note": "Told of bail."},
        "outcomes": {
            "stage": "intake",
            "measured_on": today,
            "coping": 2,
            "feeling_safe": 1,
            "health_wellbeing": 2,
            "informed_empowered": 3,
            "justice_confidence": 2,
        },  # fmt: skip
        "marac": {"criteria": ["judgement"], "referred_on": today, "outcome": ""},
        "referrals-out": {
            "organisation_name": "Northshire Housing Association",
            "made_on": today,
            "status": "made",
            "reason": "Management transfer",
        },
    }
    for slug, values in records.items():
        casework_services.casework_save(
            case=case, section=SECTIONS[slug], author=advocate, values=values
        )


def _counted_person(personas: Personas, waited: int) -> Case:
    """Someone referred by the partner 30 days ago and contacted `waited` days later, who
    agreed to be counted in statistics (six of them, so no figure is suppressed)."""
    case = case_open(created_by=personas.manager, owner=None, service=personas.service)
    referred = timezone.now() - dt.timedelta(days=30)
    case.referred_at, case.domestic = referred, True
    case.first_contact_at = referred + dt.timedelta(days=waited)
    case.save(update_fields=["referred_at", "domestic", "first_contact_at"])
    casework.consent_record(
        case=case, actor=personas.manager, purpose=Consent.Purpose.STATISTICS, how="verbal"
    )
    return case
