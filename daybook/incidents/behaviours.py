"""Behaviours a log entry can record, each mapped to what the law calls it.

To add a behaviour, add one line to BEHAVIOURS (see docs/developers/adding-a-behaviour.md):
everything that lists behaviours (the form, the log, the counts by category, the patterns and
the signs of escalation) reads them from there.
Codes are stored in the database and in the hash chain: never rename or remove one.
"""

from dataclasses import dataclass

from django.db import models


class Category(models.TextChoices):
    # The statutory examples of acts associated with stalking, s.2A(3) PHA 1997.
    FOLLOWING = "following", "Following (s.2A(3)(a))"
    CONTACTING = "contacting", "Contacting or attempting to contact (s.2A(3)(b))"
    PUBLISHING = "publishing", "Publishing material about or claiming to be the person (s.2A(3)(c))"
    MONITORING = "monitoring", "Monitoring internet, e-mail or other communication (s.2A(3)(d))"
    LOITERING = "loitering", "Loitering (s.2A(3)(e))"
    INTERFERING = "interfering", "Interfering with property (s.2A(3)(f))"
    WATCHING = "watching", "Watching or spying (s.2A(3)(g))"
    # Not s.2A(3) examples, but what police, courts and risk screening ask about.
    THREATS = "threats", "Threats"
    VIOLENCE = "violence", "Violence"
    DAMAGE = "damage", "Damage to property"
    PROXY = "proxy", "Using other people (proxy stalking)"
    OTHER = "other", "Other"


STATUTORY = frozenset(
    {
        Category.FOLLOWING,
        Category.CONTACTING,
        Category.PUBLISHING,
        Category.MONITORING,
        Category.LOITERING,
        Category.INTERFERING,
        Category.WATCHING,
    }
)


@dataclass(frozen=True)
class Behaviour:
    """One kind of behaviour. `label` is in the person's own words ("Following me"), as they
    tick it on an entry and read it on their own pages; `neutral` names the same act in the
    third person for readers outside the log (police outputs, court packs: "Following"), where
    "me" would read as the officer or the court."""

    label: str
    category: Category
    # A more serious kind of incident: its first time is a milestone of the log and a sign
    # of escalation in its own right (see insights.patterns.milestones).
    serious: bool = False
    neutral: str = ""

    @property
    def neutral_label(self) -> str:
        """The third-person wording; the person's own only for a behaviour defined without one
        (a test holds every behaviour listed here to have one)."""
        return self.neutral or self.label


BEHAVIOURS: dict[str, Behaviour] = {
    "following": Behaviour("Following me", Category.FOLLOWING, neutral="Following"),
    "turning_up": Behaviour(
        "Turning up at my home, work or school",
        Category.LOITERING,
        serious=True,
        neutral="Turning up at home, work or school",
    ),
    "loitering": Behaviour(
        "Waiting or hanging around places I go",
        Category.LOITERING,
        neutral="Loitering at places the victim goes",
    ),
    "watching": Behaviour(
        "Watching or spying on me", Category.WATCHING, neutral="Watching or spying"
    ),
    "tracking": Behaviour(
        "Tracking where I am (apps, GPS, tags)",
        Category.WATCHING,
        neutral="Tracking location (apps, GPS, tags)",
    ),
    "contacting": Behaviour(
        "Calling, messaging or e-mailing me",
        Category.CONTACTING,
        neutral="Contacting repeatedly (calls, messages, e-mails)",
    ),
    "letters_gifts": Behaviour(
        "Letters, gifts or things left for me",
        Category.CONTACTING,
        neutral="Sending letters or gifts, leaving items",
    ),
    "contacting_others": Behaviour(
        "Contacting my family, friends or colleagues",
        Category.CONTACTING,
        neutral="Contacting family, friends or colleagues",
    ),
    "monitoring": Behaviour(
        "Getting into or watching my accounts or devices",
        Category.MONITORING,
        neutral="Accessing or monitoring accounts or devices",
    ),
    "publishing": Behaviour(
        "Posting things about me or pretending to be me",
        Category.PUBLISHING,
        neutral="Publishing material about the victim or impersonating them",
    ),
    "interfering": Behaviour(
        "Moving, taking or interfering with my things",
        Category.INTERFERING,
        neutral="Interfering with property",
    ),
    "damage": Behaviour("Damaging my property", Category.DAMAGE, neutral="Damaging property"),
    "threats": Behaviour(
        "Threatening me or people close to me",
        Category.THREATS,
        serious=True,
        neutral="Threats to the victim or people close to them",
    ),
    "violence": Behaviour(
        "Hurting me or touching me",
        Category.VIOLENCE,
        serious=True,
        neutral="Violence or unwanted touching",
    ),
    "proxy": Behaviour(
        "Getting other people to do things to me",
        Category.PROXY,
        neutral="Using other people (proxy stalking)",
    ),
    "order_breach": Behaviour(
        "Breaking a court order or bail conditions",
        Category.OTHER,
        serious=True,
        neutral="Breach of a court order or bail conditions",
    ),
    "other": Behaviour("Something else", Category.OTHER, neutral="Other behaviour"),
}

BEHAVIOUR_CHOICES = [(code, behaviour.label) for code, behaviour in BEHAVIOURS.items()]


def category_of(code: str) -> Category:
    return BEHAVIOURS[code].category


def serious_codes() -> tuple[str, ...]:
    """The codes of the serious behaviours, in the order of BEHAVIOURS."""
    return tuple(code for code, behaviour in BEHAVIOURS.items() if behaviour.serious)
