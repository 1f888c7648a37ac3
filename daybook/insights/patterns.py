"""What a log shows over time, counted in the database: a handful of aggregate queries over the
columns the log keeps in the clear for this purpose (dates, channel, kind of place, behaviour
codes). Nothing here decrypts an entry, so a log of any length costs the same few queries.

Hours and weekdays are read in the service's time zone (settings.TIME_ZONE).
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth, TruncWeek
from django.utils import timezone

from daybook.cases.models import Case
from daybook.incidents.behaviours import BEHAVIOURS, STATUTORY, Category
from daybook.incidents.models import Entry, EntryBehaviour
from daybook.reports import charts

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


# What counts as each milestone, as a filter on logged entries.
HOME_OR_WORK_VISIT = Q(
    place_kind__in=[PlaceKind.HOME, PlaceKind.WORK_OR_SCHOOL], channel=Channel.IN_PERSON
) | Q(behaviour_rows__code="turning_up")
BREACH = Q(behaviour_rows__code="order_breach") | Q(order_breaches__isnull=False)


def milestones(case: Case) -> Milestones:
    found = logged(case).aggregate(
        first=Min("occurred_at"),
        in_person=Min("occurred_at", filter=Q(channel=Channel.IN_PERSON)),
        home_or_work=Min("occurred_at", filter=HOME_OR_WORK_VISIT),
        threat=Min("occurred_at", filter=Q(behaviour_rows__code="threats")),
        violence=Min("occurred_at", filter=Q(behaviour_rows__code="violence")),
    )
    breaches = logged(case).filter(BREACH).values_list("occurred_at", flat=True).distinct()
    return Milestones(**found, breaches=sorted(breaches))


def behaviour_firsts(case: Case) -> dict[str, tuple[dt.datetime, int]]:
    """Each behaviour code in the log: when it first happened and on how many occasions."""
    rows = (
        EntryBehaviour.objects.filter(case=case, entry__status=Entry.Status.LOGGED)
        .values("code")
        .annotate(first=Min("entry__occurred_at"), occasions=Count("entry", distinct=True))
    )
    return {row["code"]: (row["first"], row["occasions"]) for row in rows}


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


def night_contact(case: Case, now: dt.datetime | None = None) -> NightContact:
    """Messages and calls (imported or written down) in the small hours of the last week."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=RECENT_DAYS)
    found = (
        logged(case)
        .filter(occurred_at__gte=since, occurred_at__lte=now)
        .exclude(precision=Entry.Precision.DATE_ONLY)
        .annotate(hour=ExtractHour("occurred_at", tzinfo=zone()))
        .filter(hour__lt=NIGHT_ENDS)
        .aggregate(
            messages=Count("id", filter=Q(channel__in=MESSAGES)),
            calls=Count("id", filter=Q(channel=Channel.PHONE_CALL)),
        )
    )
    return NightContact(found["messages"], found["calls"], since.astimezone(zone()).date())


def rhythm(case: Case) -> list[list[int]]:
    """Incidents with a time by weekday (rows, Monday first) and hour (columns)."""
    grid = [[0] * 24 for _ in charts.WEEKDAYS]
    rows = (
        logged(case)
        .exclude(precision=Entry.Precision.DATE_ONLY)
        .annotate(
            weekday=ExtractIsoWeekDay("occurred_at", tzinfo=zone()),
            hour=ExtractHour("occurred_at", tzinfo=zone()),
        )
        .values("weekday", "hour")
        .annotate(n=Count("id"))
    )
    for row in rows:
        grid[row["weekday"] - 1][row["hour"]] = row["n"]
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
    rows = (
        logged(case).annotate(week=TruncWeek("occurred_on")).values("week").annotate(n=Count("id"))
    )
    return charts.weekly_series({row["week"]: row["n"] for row in rows})


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def by_month(case: Case) -> tuple[list[dt.date], dict[str, list[int]], dict[str, list[int]]]:
    """Months of the log, and per month the occasions of each kind of behaviour (s.2A(3)
    categories) and the incidents by channel."""
    categories = (
        EntryBehaviour.objects.filter(case=case, entry__status=Entry.Status.LOGGED)
        .annotate(month=TruncMonth("entry__occurred_on"))
        .values("month", "category")
        .annotate(n=Count("entry", distinct=True))
    )
    channels = (
        logged(case)
        .annotate(month=TruncMonth("occurred_on"))
        .values("month", "channel")
        .annotate(n=Count("id"))
    )
    seen = [row["month"] for row in channels]
    if not seen:
        return [], {}, {}
    months = _months(min(seen), max(seen))
    index = {month: number for number, month in enumerate(months)}
    by_category: dict[str, list[int]] = {}
    for row in categories:
        label = Category(row["category"]).label.split(" (")[0]
        by_category.setdefault(label, [0] * len(months))[index[row["month"]]] += row["n"]
    by_channel: dict[str, list[int]] = {}
    for row in channels:
        label = Channel(row["channel"]).label
        by_channel.setdefault(label, [0] * len(months))[index[row["month"]]] += row["n"]
    return months, by_category, by_channel


def places(case: Case) -> list[tuple[str, int]]:
    rows = logged(case).values("place_kind").annotate(n=Count("id")).order_by("-n", "place_kind")
    return [(PlaceKind(row["place_kind"]).label, row["n"]) for row in rows]


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


def summary(case: Case) -> Summary:
    found = logged(case).aggregate(
        occasions=Count("id"),
        first=Min("occurred_at"),
        last=Max("occurred_at"),
        feared_violence=Count("id", filter=Q(feared_violence=True)),
        changed_daily_life=Count("id", filter=Q(changed_daily_life=True)),
    )
    categories = (
        EntryBehaviour.objects.filter(case=case, entry__status=Entry.Status.LOGGED)
        .values("category")
        .annotate(n=Count("entry", distinct=True))
    )
    occasions = {row["category"]: row["n"] for row in categories}
    return Summary(
        **found,
        statutory=[(c.label, occasions[c]) for c in Category if c in STATUTORY and c in occasions],
        other=[(c.label, occasions[c]) for c in Category if c not in STATUTORY and c in occasions],
    )


def behaviour_label(code: str) -> str:
    return BEHAVIOURS[code].label if code in BEHAVIOURS else code
