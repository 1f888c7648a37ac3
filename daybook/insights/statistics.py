"""Service statistics for managers and the commissioner: aggregates in SQL, anonymised here.

Anonymised in one place, before anything is shown or downloaded:
- only people who consented to statistics (or whose case records a lawful basis for them)
  are counted; referrals never linked to a case are counted as referrals only; how many
  people supported in the period were left out for want of consent is said, suppressed
  like any other count;
- a count from 1 to 4 is shown as "fewer than 5", and a median, percentile or average worked
  out from fewer than 5 people is not shown at all.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from daybook.accounts.models import Organisation
from daybook.cases.models import (
    Case,
    Consent,
    Consultation,
    CriminalJustice,
    LawfulBasis,
    OutcomeMeasure,
    ProtectiveOrder,
    Referral,
)
from daybook.risk.models import Level, MaracReferral, Screening

SMALLEST = 5
SUPPRESSED = "fewer than 5"
GRANTED = (
    ProtectiveOrder.Status.GRANTED,
    ProtectiveOrder.Status.INTERIM,
    ProtectiveOrder.Status.VARIED,
    ProtectiveOrder.Status.RENEWED,
)
DOMAINS = [
    ("coping", "Coping"),
    ("feeling_safe", "Feeling safe"),
    ("health_wellbeing", "Health and wellbeing"),
    ("informed_empowered", "Informed and empowered"),
    ("justice_confidence", "Confidence in the justice system"),
]


def shown(count: int) -> int | str:
    """A count as it may be published."""
    return SUPPRESSED if 0 < count < SMALLEST else count


@dataclass
class Table:
    title: str
    head: list[str]  # the first heading names the rows
    rows: list[tuple[str, list[int | float | str]]] = field(default_factory=list)
    note: str = ""
    chart_column: int | None = 0  # the column drawn as bars in the PDF, if any

    def add(self, label: str, *counts: int) -> None:
        self.rows.append((label, [shown(count) for count in counts]))


@dataclass
class Statistics:
    start: dt.date
    end: dt.date
    services: list[str]
    tables: list[Table]
    left_out: int | str = 0  # people supported in the period but not counted (no consent)

    @property
    def left_out_sentence(self) -> str:
        """Said on the page, in the CSV and in the PDF, so a zero is never read as "nobody"."""
        if self.left_out == 0:
            return (
                "Nobody supported in the period was left out for want of agreement to be counted."
            )
        # Never 1 to 4: those show as "fewer than 5", so the count is always plural.
        return (
            f"{str(self.left_out).capitalize()} people were left out because they have not "
            "agreed to be counted in statistics."
        )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def consenting(services: QuerySet[Organisation]) -> QuerySet[Case]:
    """The cases that may be counted: held by these services, not erased, and with consent to
    statistics (not withdrawn) or a lawful basis for them (the rule of cases.consent)."""
    purpose = Consent.Purpose.STATISTICS
    consent = Consent.objects.filter(
        case=OuterRef("pk"), purpose=purpose, withdrawn_at__isnull=True
    )
    basis = LawfulBasis.objects.filter(case=OuterRef("pk"), purpose=purpose)
    return Case.objects.filter(service__in=services, erased_at__isnull=True).filter(
        Exists(consent) | Exists(basis)
    )


def left_out(services: QuerySet[Organisation], begins: dt.datetime, ends: dt.datetime) -> int:
    """People supported by these services at some time in the period (as the "People
    supported" table counts them) whose case gives no consent or lawful basis for statistics."""
    counted = consenting(services).values("pk")
    return (
        Case.objects.filter(service__in=services, erased_at__isnull=True)
        .exclude(pk__in=counted)
        .annotate(opened=Coalesce("referred_at", "created_at"))
        .filter(opened__lt=ends)
        .exclude(closed_at__lt=begins)
        .count()
    )


def build(services: QuerySet[Organisation], start: dt.date, end: dt.date) -> Statistics:
    """Every figure for the services over the days from `start` to `end`, both included."""
    begins, ends = _day_start(start), _day_start(end + dt.timedelta(days=1))
    people = consenting(services)
    in_period = Q(created_at__gte=begins, created_at__lt=ends)
    opened = Coalesce("referred_at", "created_at")
    cases = people.annotate(opened=opened)
    new = cases.filter(opened__gte=begins, opened__lt=ends)
    supported = cases.filter(opened__lt=ends).exclude(closed_at__lt=begins)
    closed = people.filter(closed_at__gte=begins, closed_at__lt=ends)
    tables = [
        _referrals(services, people, in_period),
        _people(cases, begins, ends),
        _waits(people, begins, ends),
        _domestic(supported),
        _risk(new, closed),
        _marac(people, start, end),
        _orders(people, in_period),
        _justice(people, in_period),
        _consultations(services, in_period),
        _outcomes(closed),
    ]
    return Statistics(
        start,
        end,
        [service.name for service in services],
        tables,
        left_out=shown(left_out(services, begins, ends)),
    )


def _referrals(services: QuerySet[Organisation], people: QuerySet[Case], period: Q) -> Table:
    found = (
        Referral.objects.filter(period, service__in=services)
        .filter(Q(case__isnull=True) | Q(case__in=people))
        .values_list("source", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(source, status): n for source, status, n in found}
    table = Table(
        "Referrals by source and outcome",
        ["Source", *Referral.Status.labels, "All"],
        chart_column=len(Referral.Status.labels),
    )
    for source, label in Referral.Source.choices:
        row = [counts.get((source, status), 0) for status in Referral.Status.values]
        table.add(label, *row, sum(row))
    return table


def _people(cases: QuerySet[Case], begins: dt.datetime, ends: dt.datetime) -> Table:
    found = cases.aggregate(
        new=Count("id", filter=Q(opened__gte=begins, opened__lt=ends)),
        ongoing=Count(
            "id",
            filter=Q(opened__lt=begins) & (Q(closed_at__isnull=True) | Q(closed_at__gte=begins)),
        ),
        closed=Count("id", filter=Q(closed_at__gte=begins, closed_at__lt=ends)),
    )
    table = Table("People supported", ["", "People"])
    table.add("New in the period", found["new"])
    table.add("Supported from before the period", found["ongoing"])
    table.add("Closed in the period", found["closed"])
    return table


def _nth(values: QuerySet, index: int) -> dt.timedelta:
    return values[index : index + 1].get()


def _waits(people: QuerySet[Case], begins: dt.datetime, ends: dt.datetime) -> Table:
    """Days from referral to first contact, for first contacts made in the period: the
    median and the 90th percentile (nearest rank), read from the ordered list in SQL."""
    waits = (
        people.filter(
            first_contact_at__gte=begins, first_contact_at__lt=ends, referred_at__isnull=False
        )
        .annotate(
            wait=ExpressionWrapper(
                F("first_contact_at") - F("referred_at"), output_field=DurationField()
            )
        )
        .order_by("wait")
        .values_list("wait", flat=True)
    )
    count = waits.count()
    table = Table("Days from referral to first contact", ["", "Days"], chart_column=None)
    table.rows.append(("People first contacted in the period", [shown(count)]))
    if count < SMALLEST:
        table.note = "The median and 90th percentile are not shown for fewer than 5 people."
        return table
    middle = (count - 1) // 2
    median = (
        _nth(waits, middle) if count % 2 else (_nth(waits, middle) + _nth(waits, middle + 1)) / 2
    )
    ninetieth = _nth(waits, math.ceil(0.9 * count) - 1)
    table.rows.append(("Median", [round(median.total_seconds() / 86400, 1)]))
    table.rows.append(("90th percentile", [round(ninetieth.total_seconds() / 86400, 1)]))
    return table


def _domestic(supported: QuerySet[Case]) -> Table:
    found = supported.aggregate(
        yes=Count("id", filter=Q(domestic=True)),
        no=Count("id", filter=Q(domestic=False)),
        unknown=Count("id", filter=Q(domestic__isnull=True)),
    )
    table = Table("Domestic and non-domestic stalking (people supported)", ["", "People"])
    table.add("Domestic (an ex-partner or family member)", found["yes"])
    table.add("Non-domestic", found["no"])
    table.add("Not recorded", found["unknown"])
    return table


def _risk(new: QuerySet[Case], closed: QuerySet[Case]) -> Table:
    """The first screening of each person who came in during the period, and the last of
    each person who left."""
    screenings = Screening.objects.filter(case=OuterRef("pk"))
    intake = dict(
        new.annotate(level=Subquery(screenings.order_by("created_at", "pk").values("level")[:1]))
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    exit_ = dict(
        closed.annotate(
            level=Subquery(screenings.order_by("-created_at", "-pk").values("level")[:1])
        )
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    table = Table("Risk at intake and at exit", ["Risk", "At intake", "At exit"])
    for level, label in [*Level.choices, (None, "Not screened")]:
        table.add(label, intake.get(level, 0), exit_.get(level, 0))
    return table


def _marac(people: QuerySet[Case], start: dt.date, end: dt.date) -> Table:
    found = MaracReferral.objects.filter(
        case__in=people, referred_on__gte=start, referred_on__lte=end
    ).aggregate(referrals=Count("id"), people=Count("case", distinct=True))
    table = Table("MARAC referrals", ["", "Number"])
    table.add("Referrals made", found["referrals"])
    table.add("People referred", found["people"])
    return table


def _orders(people: QuerySet[Case], period: Q) -> Table:
    found = (
        ProtectiveOrder.objects.filter(period, case__in=people)
        .values_list("kind")
        .annotate(sought=Count("id"), granted=Count("id", filter=Q(status__in=GRANTED)))
        .order_by()
    )
    counts = {kind: (sought, granted) for kind, sought, granted in found}
    table = Table(
        "Protective orders sought and granted", ["Order", "Sought", "Granted"],
        note="Orders recorded in the period; granted includes interim, varied and renewed orders.",
    )  # fmt: skip
    for kind, label in ProtectiveOrder.Kind.choices:
        table.add(label, *counts.get(kind, (0, 0)))
    return table


def _justice(people: QuerySet[Case], period: Q) -> Table:
    found = (
        CriminalJustice.objects.filter(period, case__in=people)
        .values_list("stage", "offence")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(stage, offence): n for stage, offence, n in found}
    table = Table(
        "Criminal justice outcomes",
        ["Stage", *CriminalJustice.Offence.labels, "All"],
        note="Criminal justice records made in the period, by where they stand now.",
        chart_column=len(CriminalJustice.Offence.labels),
    )
    for stage, label in CriminalJustice.Stage.choices:
        row = [counts.get((stage, offence), 0) for offence in CriminalJustice.Offence.values]
        table.add(label, *row, sum(row))
    return table


def _consultations(services: QuerySet[Organisation], period: Q) -> Table:
    counts = dict(
        Consultation.objects.filter(period, service__in=services)
        .values_list("organisation_kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    table = Table("Consultations by kind of organisation", ["Organisation", "Consultations"])
    for kind, label in Consultation.OrganisationKind.choices:
        table.add(label, counts.get(kind, 0))
    return table


def _outcomes(closed: QuerySet[Case]) -> Table:
    """For people who left in the period with measures at intake and at exit: the average
    change in each domain (scores from 1 to 5) and how many improved."""
    # Each person's scores on one row (a person has one intake and one exit measure; if one
    # was taken twice, the lower intake and the higher exit score count), then averaged.
    per_person = (
        OutcomeMeasure.objects.filter(case__in=closed)
        .values("case")
        .annotate(
            **{
                f"{name}_{when}": aggregate(name, filter=Q(stage=stage))
                for name, _label in DOMAINS
                for when, stage, aggregate in (
                    ("in", OutcomeMeasure.Stage.INTAKE, Min),
                    ("out", OutcomeMeasure.Stage.EXIT, Max),
                )
            }
        )
        .filter(**{f"{DOMAINS[0][0]}_in__isnull": False, f"{DOMAINS[0][0]}_out__isnull": False})
    )
    found = per_person.aggregate(
        people=Count("case"),
        **{f"{name}_change": Avg(F(f"{name}_out") - F(f"{name}_in")) for name, _l in DOMAINS},
        **{
            f"{name}_better": Count("case", filter=Q(**{f"{name}_out__gt": F(f"{name}_in")}))
            for name, _label in DOMAINS
        },
    )
    people = found["people"]
    table = Table(
        "Outcome measures from intake to exit",
        ["Domain", "Average change", "People who improved"],
        note=f"People who left in the period with measures at intake and at exit: {shown(people)}.",
        chart_column=None,
    )
    for name, label in DOMAINS:
        if people < SMALLEST:
            table.rows.append((label, ["not shown", SUPPRESSED if people else 0]))
        else:
            change = found[f"{name}_change"] or 0
            table.rows.append((label, [f"{change:+.1f}", shown(found[f"{name}_better"])]))
    return table
