"""The national helplines listed on "Get help", from one setting an operator can change.

The defaults are the numbers and hours the charities publish. Numbers and hours change, so a
service should check them and can replace the whole list with a JSON file named by
`DAYBOOK_HELPLINES_FILE`: a list of objects with "name", "phone", "hours" and "about" (who it
is for), and optionally "text" (a number for text messages) and "website". The file is read
once, when settings load, so a mistake in it stops start-up with a message saying what is
wrong instead of leaving a page without help on it.
"""

import json
from pathlib import Path
from typing import TypedDict, cast

from django.core.exceptions import ImproperlyConfigured

REQUIRED = ("name", "phone", "hours", "about")
OPTIONAL = ("text", "website")


class Helpline(TypedDict, total=False):
    name: str
    phone: str
    hours: str
    about: str
    text: str
    website: str


DEFAULT: list[Helpline] = [
    {
        "name": "National Stalking Helpline",
        "phone": "0808 802 0300",
        "hours": "Monday to Friday, 9:30am to 4pm (Wednesday 1pm to 4pm)",
        "about": "For anyone affected by stalking, and their family, friends and the "
        "professionals helping them. Run by the Suzy Lamplugh Trust.",
    },
    {
        "name": "National Domestic Abuse Helpline",
        "phone": "0808 2000 247",
        "hours": "Free, 24 hours a day, every day",
        "about": "For anyone experiencing domestic abuse, including stalking by a partner or "
        "ex-partner, and the people supporting them. Run by Refuge.",
    },
    {
        "name": "Victim Support",
        "phone": "0808 16 89 111",
        "hours": "Free, 24 hours a day, every day",
        "about": "For anyone affected by a crime, whether or not it has been reported to "
        "the police.",
    },
    {
        "name": "Galop",
        "phone": "0800 999 5428",
        "hours": "Monday to Friday, 10am to 5pm (until 8pm on Wednesday and Thursday)",
        "about": "For lesbian, gay, bisexual, trans and queer people experiencing abuse, "
        "including domestic abuse, stalking and hate crime.",
    },
    {
        "name": "Karma Nirvana",
        "phone": "0800 5999 247",
        "hours": "Monday to Friday, 9am to 5pm",
        "about": "For anyone affected by so-called honour-based abuse or forced marriage.",
    },
    {
        "name": "Paladin, the National Stalking Advocacy Service",
        "phone": "020 3866 4107",
        "hours": "Monday to Friday, 9am to 5pm",
        "about": "Specialist stalking advocates for people at high risk of harm from stalking.",
    },
]


def load(path: str) -> list[Helpline]:
    """The helplines from the JSON file at `path`, or the defaults when no file is named."""
    if not path:
        return DEFAULT
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ImproperlyConfigured(
            f"DAYBOOK_HELPLINES_FILE: cannot read {path} ({error.strerror})."
        ) from None
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DAYBOOK_HELPLINES_FILE: {path} is not valid JSON ({error})."
        ) from None
    return validate(found)


def validate(found: object) -> list[Helpline]:
    if not isinstance(found, list):
        raise ImproperlyConfigured("DAYBOOK_HELPLINES_FILE must hold a JSON list of helplines.")
    helplines: list[Helpline] = []
    for number, item in enumerate(found, start=1):
        if not isinstance(item, dict):
            raise ImproperlyConfigured(
                f"DAYBOOK_HELPLINES_FILE: helpline {number} is not an object."
            )
        missing = [key for key in REQUIRED if not isinstance(item.get(key), str) or not item[key]]
        if missing:
            raise ImproperlyConfigured(
                f"DAYBOOK_HELPLINES_FILE: helpline {number} needs {', '.join(missing)}."
            )
        unknown = sorted(set(item) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise ImproperlyConfigured(
                f"DAYBOOK_HELPLINES_FILE: helpline {number} has unknown keys: {', '.join(unknown)}."
            )
        website = item.get("website", "")
        if website and not website.startswith("https://"):
            raise ImproperlyConfigured(
                f"DAYBOOK_HELPLINES_FILE: helpline {number}'s website must start with https://."
            )
        helplines.append(cast(Helpline, {key: str(value) for key, value in item.items()}))
    return helplines


def dial(phone: str) -> str:
    """The number as a tel: link needs it: digits and a leading +, nothing else."""
    return "".join(char for char in phone if char.isdigit() or char == "+")
