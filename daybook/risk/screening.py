"""The stalking screening: 11 topics in Daybook's own words, and the level they point to."""

import datetime as dt

from django.conf import settings

from daybook.risk.models import LEVEL_ORDER, Level

TOPICS = [
    ("frightened", "Is the person very frightened?"),
    ("previous_harassment", "Has the suspect harassed this person or anyone else before?"),
    ("property_damage", "Has the suspect damaged the person's property?"),
    ("turning_up", "Does the suspect turn up at the person's home or work often?"),
    ("loitering", "Does the suspect wait or hang around places the person goes?"),
    ("threats", "Has the suspect threatened physical or sexual violence?"),
    (
        "harassing_others",
        "Has the suspect harassed the person's family, friends, colleagues or partner?",
    ),
    ("violence", "Has the suspect been violent to anyone during this episode?"),
    ("proxies", "Has the suspect got other people to help them?"),
    ("substances", "Does the suspect misuse drugs or alcohol?"),
    ("violent_history", "Is the suspect known to have been violent in the past?"),
]
ANSWERS = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
REVIEW_WEEKS = {Level.HIGH: 2, Level.MEDIUM: 4, Level.STANDARD: 8}


def level_for(yes_count: int) -> Level:
    if yes_count >= settings.DAYBOOK_RISK_HIGH_AT:
        return Level.HIGH
    if yes_count >= settings.DAYBOOK_RISK_MEDIUM_AT:
        return Level.MEDIUM
    return Level.STANDARD


def decided_level(computed: str, judgement: str | None) -> str:
    """Judgement may raise the level, never lower it."""
    if judgement and LEVEL_ORDER[Level(judgement)] < LEVEL_ORDER[Level(computed)]:
        raise ValueError("Professional judgement can raise the risk level but never lower it.")
    return judgement or computed


def default_review(level: str, today: dt.date) -> dt.date:
    return today + dt.timedelta(weeks=REVIEW_WEEKS[Level(level)])
