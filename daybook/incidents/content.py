"""What an entry says, as one plain dict: the shape that is sealed, hashed and replayed."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError

from daybook.incidents.behaviours import BEHAVIOURS
from daybook.incidents.models import Entry

TEXT_FIELDS = (
    "place",
    "what_happened",
    "description",
    "witnesses",
    "feelings",
    "police_reference",
    "police_officer",
    "private_details",
)
FIELDS = (
    "occurred_on",
    "occurred_time",
    "ended_time",
    "precision",
    "time_zone",
    "place_kind",
    "channel",
    "behaviours",
    "seen",
    "feared_violence",
    "changed_daily_life",
    *TEXT_FIELDS,
)
# Where an imported entry came from: format, file SHA-256, archive member, position, sender,
# the exact timestamp with its zone, and facts such as "deleted". Only imports set it.
SOURCE_FIELD = "source"
# Left out of anything disclosed to the defence (the disclosable chronology, the VPS).
PRIVATE_FIELDS = ("private_details",)
# The rule for those details, in the words every page and document that mentions them uses
# (tests/test_private_details.py holds these words and the behaviour together).
PRIVATE_PROMISE = (
    "Details to keep private reach no one outside the service unless you choose, when you "
    "share your log with the police, to let the police see them. If you do, they are marked "
    "for the police as not for disclosure and left out of anything the defence sees."
)
# The question the sharing page asks (default no), and how the police see them if yes.
PRIVATE_SHARE_QUESTION = "Let the police see the details to keep private too?"
PRIVATE_SHARE_HINT = (
    "They will be marked as not for disclosure and left out of anything the defence sees."
)
PRIVATE_MARK = "Private (not for disclosure)"

_CHOICES = {
    "precision": frozenset(Entry.Precision.values),
    "place_kind": frozenset(Entry.PlaceKind.values),
    "channel": frozenset(Entry.Channel.values),
    "seen": frozenset(Entry.Seen.values),
}
_KNOWN = frozenset(FIELDS) | {SOURCE_FIELD}


_BLANK: dict[str, Any] = {
    "occurred_on": None,
    "occurred_time": None,
    "ended_time": None,
    "precision": Entry.Precision.EXACT,
    "time_zone": "Europe/London",
    "place_kind": Entry.PlaceKind.OTHER,
    "channel": Entry.Channel.OTHER,
    "behaviours": (),
    "seen": Entry.Seen.NOT_APPLICABLE,
    "feared_violence": False,
    "changed_daily_life": False,
    **dict.fromkeys(TEXT_FIELDS, ""),
}


def normalise(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and put an entry's values in their stored, JSON-ready form.

    Dates are ISO strings, times "HH:MM" (or "HH:MM:SS"), behaviours a sorted list of codes.
    Raises ValidationError naming the field at fault; never guesses.
    """
    if not values.keys() <= _KNOWN:
        raise ValidationError(f"Unknown field: {sorted(values.keys() - _KNOWN)[0]}")
    content = {**_BLANK, **values}
    for field, allowed in _CHOICES.items():
        if not isinstance(content[field], str) or content[field] not in allowed:
            raise ValidationError({field: "Choose one of the options"})
    if not isinstance(content["behaviours"], (list, tuple)) or any(
        code not in BEHAVIOURS for code in content["behaviours"]
    ):
        raise ValidationError({"behaviours": "Choose behaviours from the list"})
    content["behaviours"] = sorted(set(content["behaviours"]))
    if SOURCE_FIELD in content and not isinstance(content[SOURCE_FIELD], dict):
        raise ValidationError({SOURCE_FIELD: "The source of an imported entry is a record"})
    for flag in ("feared_violence", "changed_daily_life"):
        content[flag] = bool(content[flag])
    for field in TEXT_FIELDS:
        if type(content[field]) is not str:
            content[field] = str(content[field] or "")
    content["occurred_on"] = _iso_date(content["occurred_on"])
    content["occurred_time"] = _iso_time(content["occurred_time"], "occurred_time")
    content["ended_time"] = _iso_time(content["ended_time"], "ended_time")
    if content["precision"] == Entry.Precision.DATE_ONLY:
        content["occurred_time"] = content["ended_time"] = None
    elif content["occurred_time"] is None:
        raise ValidationError({"occurred_time": "Enter the time, or choose 'Date only'"})
    try:
        ZoneInfo(content["time_zone"])
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError({"time_zone": "Choose a time zone from the list"}) from None
    return content


def _iso_date(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValidationError({"occurred_on": "Enter the date it happened"}) from None


def _iso_time(value: Any, field: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    try:
        parsed = dt.time.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: "Enter a time like 21:30"}) from None
    return parsed.isoformat(timespec="seconds" if parsed.second else "minutes")


def moments(content: dict[str, Any]) -> tuple[dt.date, dt.datetime, dt.datetime | None]:
    """The date, the start instant and the end instant (or None) in the entry's own zone."""
    zone = ZoneInfo(content["time_zone"])
    day = dt.date.fromisoformat(content["occurred_on"])
    start_time = dt.time.fromisoformat(content["occurred_time"] or "00:00")
    start = dt.datetime.combine(day, start_time, tzinfo=zone)
    if start.replace(fold=1).utcoffset() != start.utcoffset():  # a time the clocks repeat
        start = start.replace(fold=_fold(content, zone))
    end = None
    if content["ended_time"]:
        end = dt.datetime.combine(day, dt.time.fromisoformat(content["ended_time"]), tzinfo=zone)
        if end < start:
            end += dt.timedelta(days=1)  # an episode that ran past midnight
    return day, start, end


def _fold(content: dict[str, Any], zone: ZoneInfo) -> int:
    """Which of a repeated local time an entry means, in the hour the clocks go back: the
    second (1) only where an import recorded the exact instant and it is the second. A local
    time alone says nothing of it, so the first is taken, as everywhere else."""
    source = content.get(SOURCE_FIELD)
    stamp = source.get("timestamp") if isinstance(source, dict) else None
    if not isinstance(stamp, str) or not content["occurred_time"]:
        return 0
    try:
        instant = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return 0
    if instant.tzinfo is None:
        return 0
    local = instant.astimezone(zone)
    written = dt.time.fromisoformat(content["occurred_time"])
    same = local.date().isoformat() == content["occurred_on"] and (
        local.time().replace(microsecond=0) == written.replace(microsecond=0)
    )
    return local.fold if same else 0


def time_uncertain(content: dict[str, Any]) -> str:
    """Why an imported time cannot be settled (the clocks changed and the export does not say
    which side of the change it was), or empty."""
    source = content.get(SOURCE_FIELD)
    if not isinstance(source, dict) or "time_ambiguous" not in (source.get("facts") or []):
        return ""
    details = source.get("details")
    said = details.get("time_ambiguous") if isinstance(details, dict) else None
    return str(said or "The clocks changed around this time: it may be an hour out.")


def is_context(content: dict[str, Any]) -> bool:
    """Whether an entry is an imported message kept only as context (not the other person's)."""
    source = content.get(SOURCE_FIELD)
    return isinstance(source, dict) and source.get("from_stalker") is False


def said_by(content: dict[str, Any]) -> str:
    """Who an imported message or call was from and to, as an officer reads it: "WhatsApp
    message from Sam Ex (+447700900123) to the person". Empty for what the person wrote."""
    source = content.get(SOURCE_FIELD)
    if not isinstance(source, dict) or not isinstance(source.get("from"), dict):
        return ""

    def who(party: Any) -> str:
        if not isinstance(party, dict):
            return ""
        name, address = str(party.get("name") or ""), party.get("address")
        return f"{name} ({address})" if address else name

    sender = who(source["from"])
    if source.get("party") == "the_person":
        sender = "the person" + (f" ({sender})" if sender and sender != "Me" else "")
    recipients = [who(party) for party in source.get("to") or []]
    if source.get("direction") == "incoming" and not recipients:
        recipients = ["the person"]
    line = f"{source.get('said') or 'Message'} from {sender}"
    return f"{line} to {', '.join(recipients)}" if recipients else line


def status_of(content: dict[str, Any]) -> str:
    """The status an entry enters the log with."""
    return Entry.Status.CONTEXT if is_context(content) else Entry.Status.LOGGED


def projection(content: dict[str, Any]) -> dict[str, Any]:
    """The Entry columns that mirror `content`, for SQL lists, filters and statistics."""
    day, start, end = moments(content)
    return {
        "occurred_on": day,
        "occurred_at": start,
        "ended_at": end,
        "precision": content["precision"],
        "time_zone": content["time_zone"],
        "place_kind": content["place_kind"],
        "channel": content["channel"],
        "seen": content["seen"],
        "feared_violence": content["feared_violence"],
        "changed_daily_life": content["changed_daily_life"],
        **calendar(day, None if content["precision"] == "date_only" else start.hour),
    }


def calendar(day: dt.date, hour: int | None) -> dict[str, Any]:
    """Where an entry falls in the calendar of its own time zone, kept as plain columns so
    patterns are counted with GROUP BY on both databases (SQLite has no time zone functions)."""
    return {
        "occurred_week": day - dt.timedelta(days=day.weekday()),
        "occurred_month": day.replace(day=1),
        "occurred_weekday": day.isoweekday(),
        "occurred_hour": hour,
    }


def apply_amendment(content: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return normalise({**content, **changes})


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {field: after[field] for field in FIELDS if before.get(field) != after.get(field)}
