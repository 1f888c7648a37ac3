"""What a log shows over time, counted in the database: a handful of aggregate queries over the
columns the log keeps in the clear for this purpose (dates, channel, kind of place, behaviour
codes). Nothing here decrypts an entry, so a log of any length costs the same few queries.

Weeks, months, weekdays and hours are those of each entry's own time zone, kept as columns
(see incidents.content.calendar). "Now" and "the last seven days" are the service's
(settings.TIME_ZONE).
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from daybook.cases.models import Case, OrderBreach
from daybook.incidents import tallies
from daybook.incidents.behaviours import BEHAVIOURS, STATUTORY, Category, serious_codes
from daybook.incidents.models import Entry, EntryBehaviour
from daybook.ui import charts

Channel, PlaceKind = Entry.Channel, Entry.PlaceKind
MESSAGES = (
    Channel.TEXT_MESSAGE,
    Channel.MESSAGING_APP,
    Channel.EMAIL,
    Channel.SOCIAL_MEDIA,
)
NIGHT_ENDS = 5  # "at night": from midnight to 05:00
RECENT_DAYS = 7


def zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def logged(case: Case) -> QuerySet[Entry]:
    return Entry.objects.filter(case=case, status=Entry.Status.LOGGED)


@dataclass
class Milestones:
    """When each more serious kind of thing first happened (None if it has not)."""

    first: dt.datetime | None = None
    in_person: dt.datetime | None = None
    home_or_work: dt.datetime | None = None
    threat: dt.datetime | None = None
    violence: dt.datetime | None = None
    breaches: list[dt.datetime] = field(default_factory=list)
    # Every other serious behaviour (one without a milestone of its own above): its code and
    # when it first happened.
    others: dict[str, dt.datetime | None] = field(default_factory=dict)

    @property
    def other_firsts(self) -> list[tuple[str, dt.datetime | None]]:
        """The other serious behaviours by label, for a page."""
        return [(behaviour_label(code), moment) for code, moment in self.others.items()]


# Visits in person to home, work or school; "turning up" counts too (see `milestones`).
HOME_OR_WORK = (PlaceKind.HOME, PlaceKind.WORK_OR_SCHOOL)
# The serious behaviours (behaviours.BEHAVIOURS) that mark a milestone with a meaning of its
# own: the first visit to home or work, the first threat, the first violence, each breach.
WITH_OWN_MILESTONE = ("turning_up", "threats", "violence", "order_breach")


def milestones(
    case: Case,
    found: "Overview | None" = None,
    firsts: dict[str, tuple[dt.datetime, int]] | None = None,
) -> Milestones:
    """From the overview and the behaviours' first dates, if the caller has them already."""
    found = found or overview(case)
    serious = serious_codes()
    firsts = firsts if firsts is not None else behaviour_firsts(case, serious)

    def first(*moments: dt.datetime | None) -> dt.datetime | None:
        return min((moment for moment in moments if moment is not None), default=None)

    def of(code: str) -> dt.datetime | None:
        return firsts[code][0] if code in firsts else None

    linked = OrderBreach.objects.filter(
        protectiveorder__case=case, entry__status=Entry.Status.LOGGED
    ).values_list("entry__occurred_at", flat=True)
    by_behaviour = (
        EntryBehaviour.objects.filter(
            case=case, entry__status=Entry.Status.LOGGED, code="order_breach"
        ).values_list("entry__occurred_at", flat=True)
        if "order_breach" in firsts
        else []
    )
    return Milestones(
        first=found.first,
        in_person=found.first_in_person,
        home_or_work=first(found.first_home_or_work, of("turning_up")),
        threat=of("threats"),
        violence=of("violence"),
        breaches=sorted(set(linked) | set(by_behaviour)),
        others={code: of(code) for code in serious if code not in WITH_OWN_MILESTONE},
    )


def behaviour_firsts(
    case: Case, codes: tuple[str, ...] | None = None
) -> dict[str, tuple[dt.datetime, int]]:
    """Each behaviour code in the log (or only `codes`): when it first happened and on how
    many occasions."""
    kept = tallies.read(case.pk, tallies.CODE)[tallies.CODE]
    return {
        code: (row.first, row.count)
        for code, row in kept.items()
        if (codes is None or code in codes) and row.first is not None
    }


def counts_between(case: Case, start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """(incidents before `start`, incidents from `start` up to `end`)."""
    found = logged(case).aggregate(
        before=Count("id", filter=Q(occurred_at__lt=start)),
        recent=Count("id", filter=Q(occurred_at__gte=start, occurred_at__lt=end)),
    )
    return found["before"], found["recent"]


@dataclass
class NightContact:
    messages: int
    calls: int
    since: dt.date

    @property
    def total(self) -> int:
        return self.messages + self.calls

    def sentence(self) -> str:
        parts = [
            f"{count} {word}{'' if count == 1 else 's'}"
            for count, word in ((self.messages, "message"), (self.calls, "call"))
            if count
        ]
        return (
            f"{' and '.join(parts)} between 00:00 and {NIGHT_ENDS:02d}:00 "
            f"in the last {RECENT_DAYS} days (since {self.since:%-d %B})"
        )


@dataclass
class Overview:
    """One pass over a log's entries: the totals, where, the first serious kinds, and the
    messages and calls of the last nights."""

    occasions: int
    first: dt.datetime | None
    last: dt.datetime | None
    feared_violence: int
    changed_daily_life: int
    first_in_person: dt.datetime | None
    first_home_or_work: dt.datetime | None
    places: list[tuple[str, int]]
    night: NightContact


def overview(case: Case, now: dt.datetime | None = None) -> Overview:
    """Two queries: the log's counts by channel and kind of place (a few dozen, kept as the log
    changes), and the messages and calls of the last nights."""
    now = now or timezone.now()
    kept = tallies.read(case.pk, tallies.PLACE)[tallies.PLACE]
    # (channel, kind of place, count, first, last, fear of violence, changed daily life)
    groups: list[tuple[str, str, int, dt.datetime, dt.datetime, int, int]] = [
        (
            *tallies.split(key),
            row.count,
            row.first,
            row.last,
            row.feared_violence,
            row.changed_daily_life,
        )
        for key, row in kept.items()
        if row.first is not None and row.last is not None  # always, for these cells
    ]
    places: dict[str, int] = {}
    for _channel, place, count, *_rest in groups:
        places[place] = places.get(place, 0) + count
    in_person = [group for group in groups if group[0] == Channel.IN_PERSON]
    since = now - dt.timedelta(days=RECENT_DAYS)
    night = (
        logged(case)
        .filter(occurred_at__gte=since, occurred_at__lte=now, occurred_hour__lt=NIGHT_ENDS)
        .aggregate(
            messages=Count("id", filter=Q(channel__in=MESSAGES)),
            calls=Count("id", filter=Q(channel=Channel.PHONE_CALL)),
        )
    )
    return Overview(
        occasions=sum(group[2] for group in groups),
        first=min((group[3] for group in groups), default=None),
        last=max((group[4] for group in groups), default=None),
        feared_violence=sum(group[5] or 0 for group in groups),
        changed_daily_life=sum(group[6] or 0 for group in groups),
        first_in_person=min((group[3] for group in in_person), default=None),
        first_home_or_work=min(
            (group[3] for group in in_person if group[1] in HOME_OR_WORK), default=None
        ),
        places=sorted(
            ((PlaceKind(place).label, count) for place, count in places.items()),
            key=lambda item: -item[1],
        ),
        night=NightContact(night["messages"], night["calls"], since.astimezone(zone()).date()),
    )


def rhythm(case: Case) -> list[list[int]]:
    """Incidents with a time by weekday (rows, Monday first) and hour (columns)."""
    grid = [[0] * 24 for _ in charts.WEEKDAYS]
    for key, row in tallies.read(case.pk, tallies.HOUR)[tallies.HOUR].items():
        weekday, hour = map(int, key.split(":"))
        grid[weekday - 1][hour] = row.count
    return grid


def rhythm_finding(grid: list[list[int]]) -> str | None:
    """A weekday and four-hour stretch (which may run past midnight) holding at least a third
    of the incidents with a time, and at least five of them: "Fridays between 22:00 and 02:00"."""
    timed = sum(map(sum, grid))
    if timed < 5:
        return None
    best = max(
        (
            sum(grid[(day + (hour + step) // 24) % 7][(hour + step) % 24] for step in range(4)),
            day,
            hour,
        )
        for day in range(7)
        for hour in range(24)
    )
    count, day, hour = best
    if count < 5 or count * 3 < timed:
        return None
    names = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]
    return (
        f"{count} of the {timed} incidents with a time ({round(100 * count / timed)}%) happened on "
        f"{names[day]} between {hour:02d}:00 and {(hour + 4) % 24:02d}:00."
    )


def weekly(case: Case) -> list[tuple[dt.date, int]]:
    kept = tallies.read(case.pk, tallies.WEEK)[tallies.WEEK]
    return charts.weekly_series(
        {dt.date.fromisoformat(week): row.count for week, row in kept.items()}
    )


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


@dataclass
class Months:
    months: list[dt.date]
    by_category: dict[str, list[int]]  # short category label: occasions each month
    by_channel: dict[str, list[int]]
    occasions_by_category: dict[str, int]  # category code: occasions over the whole log


def by_month(case: Case) -> Months:
    """Months of the log, and per month the occasions of each kind of behaviour (s.2A(3)
    categories: an entry with two codes of one category is one occasion) and the incidents
    by channel."""
    kept = tallies.read(case.pk, tallies.MONTH, tallies.MONTH_CHANNEL)

    def cells(kind: str) -> list[tuple[dt.date, str, int]]:
        """(month, category or channel, count) of each cell of this kind."""
        found = []
        for key, row in kept[kind].items():
            month, what = tallies.split(key)
            found.append((dt.date.fromisoformat(month), what, row.count))
        return found

    categories, channels = cells(tallies.MONTH), cells(tallies.MONTH_CHANNEL)
    if not channels:
        return Months([], {}, {}, {})
    months = _months(min(row[0] for row in channels), max(row[0] for row in channels))
    index = {month: number for number, month in enumerate(months)}
    found = Months(months, {}, {}, {})
    for month, category, count in categories:
        label = Category(category).label.split(" (")[0]
        found.by_category.setdefault(label, [0] * len(months))[index[month]] += count
        found.occasions_by_category[category] = found.occasions_by_category.get(category, 0) + count
    for month, channel, count in channels:
        label = Channel(channel).label
        found.by_channel.setdefault(label, [0] * len(months))[index[month]] += count
    return found


@dataclass
class Summary:
    """The course of conduct in the terms of the law, as the chronology's summary gives it."""

    occasions: int
    first: dt.datetime | None
    last: dt.datetime | None
    feared_violence: int
    changed_daily_life: int
    statutory: list[tuple[str, int]]
    other: list[tuple[str, int]]

    @property
    def course_of_conduct(self) -> bool:
        return self.occasions >= 2


def summary(found: Overview, occasions_by_category: dict[str, int]) -> Summary:
    """`occasions_by_category` as `by_month` gives it: entries per s.2A(3) category."""
    totals = occasions_by_category
    return Summary(
        occasions=found.occasions,
        first=found.first,
        last=found.last,
        feared_violence=found.feared_violence,
        changed_daily_life=found.changed_daily_life,
        statutory=[(c.label, totals[c]) for c in Category if c in STATUTORY and c in totals],
        other=[(c.label, totals[c]) for c in Category if c not in STATUTORY and c in totals],
    )


def behaviour_label(code: str) -> str:
    return BEHAVIOURS[code].label if code in BEHAVIOURS else code
