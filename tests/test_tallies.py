"""The counts a log's pages show are kept as the log changes (daybook/incidents/tallies.py):
whatever is recorded, amended, withdrawn or imported, the pages show what counting the
entries in the database shows, `verify_log` notices counts that do not match, and a page
costs the same queries for a log of any length."""

import contextlib
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, IntegerField, Max, Min, Sum
from django.db.models.functions import Cast
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daybook.cases.services import case_open
from daybook.incidents import services, tallies
from daybook.incidents.behaviours import BEHAVIOURS
from daybook.incidents.models import Entry, EntryBehaviour, LogTally
from daybook.insights import patterns
from tests.conftest import Personas, entry_values

CHANNELS = ["in_person", "text_message", "phone_call", "social_media"]
PLACES = ["home", "online", "work_or_school", "public_place"]
CODES = ["contacting", "following", "turning_up", "watching", "threats", "violence"]
THEIRS = {"said": "WhatsApp message", "from": {"name": "Sam Ex"}, "from_stalker": True}
MINE = {"said": "WhatsApp message", "from": {"name": "Me"}, "from_stalker": False}

answers = st.fixed_dictionaries(
    {
        "occurred_on": st.dates(dt.date(2024, 1, 1), dt.date(2026, 6, 30)).map(str),
        # None: a date without a time. 01:30 falls twice on the last Sunday of October.
        "occurred_time": st.sampled_from([None, "01:30", "09:05", "23:59", "13:00"]),
        "channel": st.sampled_from(CHANNELS),
        "place_kind": st.sampled_from(PLACES),
        "behaviours": st.lists(st.sampled_from(CODES), unique=True, max_size=3),
        "feared_violence": st.booleans(),
        "changed_daily_life": st.booleans(),
    }
)


def values_of(answer: dict) -> dict:
    time = answer.get("occurred_time", "21:30")
    return entry_values(
        **{
            **answer,
            "occurred_time": time or "",
            "precision": "exact" if time else "date_only",
        }
    )


steps = st.lists(
    st.one_of(
        st.tuples(st.just("record"), answers),
        st.tuples(st.just("amend"), st.integers(0, 50), answers),
        st.tuples(st.just("withdraw"), st.integers(0, 50)),
        st.tuples(st.just("import"), st.lists(st.tuples(answers, st.booleans()), max_size=4)),
    ),
    min_size=1,
    max_size=12,
)


def run(case, personas: Personas, plan: list) -> None:
    for step in plan:
        live = list(Entry.objects.filter(case=case, status__in=Entry.IN_LOG).order_by("pk"))
        if step[0] == "record":
            services.entry_record(
                case=case, author=personas.victim, how="victim", values=values_of(step[1])
            )
        elif step[0] == "amend" and live:
            answer = values_of(step[2])
            changes = {name: answer[name] for name in (*step[2], "precision")}
            with contextlib.suppress(ValueError):  # nothing changed
                services.entry_amend(
                    entry=live[step[1] % len(live)],
                    author=personas.victim,
                    how="victim",
                    changes=changes,
                    reason="Got it wrong",
                )
        elif step[0] == "withdraw" and live:
            services.entry_withdraw(
                entry=live[step[1] % len(live)], author=personas.victim, how="victim", reason="No"
            )
        elif step[0] == "import":
            with services.entries_import(case=case, author=personas.victim, extra={}) as batch:
                for answer, theirs in step[1]:
                    batch.entry(values={**values_of(answer), "source": THEIRS if theirs else MINE})


def counted_in_the_database(case) -> dict:
    """What the pages showed when they counted the entries for every view: the queries
    they made, kept here as the oracle."""
    logged = Entry.objects.filter(case=case, status=Entry.Status.LOGGED)
    behaviours = EntryBehaviour.objects.filter(case=case, entry__status=Entry.Status.LOGGED)
    places = logged.values_list("channel", "place_kind").annotate(
        n=Count("id"),
        first=Min("occurred_at"),
        last=Max("occurred_at"),
        feared=Sum(Cast("feared_violence", IntegerField())),
        changed=Sum(Cast("changed_daily_life", IntegerField())),
    )
    firsts = behaviours.values_list("code").annotate(
        first=Min("entry__occurred_at"), n=Count("entry", distinct=True)
    )
    months = behaviours.values_list("entry__occurred_month", "category").annotate(
        n=Count("entry", distinct=True)
    )
    statuses = Entry.objects.filter(case=case).exclude(status=Entry.Status.DRAFT)
    return {
        "statuses": dict(statuses.values_list("status").annotate(n=Count("id")).order_by()),
        "categories": dict(
            EntryBehaviour.objects.filter(case=case)
            .values_list("category")
            .annotate(n=Count("entry", distinct=True))
            .order_by()
        ),
        "places": {
            (channel, place): (n, first, last, feared, changed)
            for channel, place, n, first, last, feared, changed in places.order_by()
        },
        "firsts": {code: (first, n) for code, first, n in firsts.order_by()},
        "months": {(month, category): n for month, category, n in months.order_by()},
        "weeks": dict(logged.values_list("occurred_week").annotate(n=Count("id")).order_by()),
        "rhythm": {
            (weekday, hour): n
            for weekday, hour, n in logged.filter(occurred_hour__isnull=False)
            .values_list("occurred_weekday", "occurred_hour")
            .annotate(n=Count("id"))
            .order_by()
        },
    }


def shown_by_the_pages(case) -> dict:
    """The same figures, as the log and patterns pages now read them."""
    kept = tallies.read(case.pk, tallies.STATUS, tallies.CATEGORY, tallies.PLACE, tallies.MONTH)
    grid = patterns.rhythm(case)
    return {
        "statuses": {status: row.count for status, row in kept[tallies.STATUS].items()},
        "categories": {code: row.count for code, row in kept[tallies.CATEGORY].items()},
        "places": {
            tallies.split(key): (
                row.count,
                row.first,
                row.last,
                row.feared_violence,
                row.changed_daily_life,
            )
            for key, row in kept[tallies.PLACE].items()
        },
        "firsts": patterns.behaviour_firsts(case),
        "months": {
            (dt.date.fromisoformat(month), category): row.count
            for month, category in map(tallies.split, kept[tallies.MONTH])
            for row in [kept[tallies.MONTH][f"{month}:{category}"]]
        },
        "weeks": {week: n for week, n in patterns.weekly(case) if n},
        "rhythm": {
            (weekday + 1, hour): n
            for weekday, hours in enumerate(grid)
            for hour, n in enumerate(hours)
            if n
        },
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=steps)
def test_the_pages_show_what_counting_the_entries_shows(personas: Personas, plan: list) -> None:
    case = case_open(created_by=personas.victim, owner=personas.victim)
    run(case, personas, plan)
    assert shown_by_the_pages(case) == counted_in_the_database(case)
    assert tallies.problem(case.pk) is None


def test_an_import_of_many_flushes_is_counted_once_and_exactly(
    case, personas: Personas, monkeypatch
) -> None:
    """An import writes its entries a chunk at a time and counts them all as it ends: every
    chunk's entries are counted, once, and an import that fails counts nothing."""
    monkeypatch.setattr(services.ImportBatch, "FLUSH_EVERY", 3)
    plan = [
        {
            "occurred_on": f"2025-{1 + n % 12:02d}-{1 + n % 27:02d}",
            "occurred_time": ["01:30", None, "23:59"][n % 3],
            "channel": CHANNELS[n % 4],
            "place_kind": PLACES[n % 3],
            "behaviours": [CODES[n % 6]] if n % 5 else [],
            "feared_violence": n % 2 == 0,
            "changed_daily_life": n % 3 == 0,
        }
        for n in range(14)
    ]
    run(case, personas, [("import", [(answer, True) for answer in plan])])
    assert Entry.objects.filter(case=case).count() == 14
    assert shown_by_the_pages(case) == counted_in_the_database(case)
    assert tallies.problem(case.pk) is None

    before = list(LogTally.objects.filter(case=case).values_list("kind", "key", "count"))
    with (
        contextlib.suppress(RuntimeError),
        services.entries_import(case=case, author=personas.victim, extra={}) as batch,
    ):
        for answer in plan[:7]:
            batch.entry(values=values_of(answer))
        raise RuntimeError("the export ended part-way")
    assert list(LogTally.objects.filter(case=case).values_list("kind", "key", "count")) == before


def test_the_overview_and_months_agree_with_the_entries(case, personas: Personas) -> None:
    run(
        case,
        personas,
        [
            ("record", {"occurred_on": "2026-10-02", "occurred_time": "21:30"}),
            ("record", {"channel": "text_message", "place_kind": "online"}),
            ("record", {"occurred_on": "2026-09-01", "behaviours": ["threats"]}),
        ],
    )
    first = Entry.objects.filter(case=case).order_by("occurred_at").first()
    services.entry_withdraw(entry=first, author=personas.victim, how="victim", reason="Mistake")
    found = patterns.overview(case)
    assert found.occasions == 2
    assert (
        found.first
        == Entry.objects.filter(case=case, status="logged").aggregate(first=Min("occurred_at"))[
            "first"
        ]
    )
    months = patterns.by_month(case)
    assert months.months == [dt.date(2026, 10, 1)]
    assert sum(months.by_channel["In person"]) == 1


def test_verify_log_notices_counts_that_do_not_match_and_recount_repairs(
    case, personas: Personas
) -> None:
    for day in ("2026-10-01", "2026-10-08"):
        services.entry_record(
            case=case, author=personas.victim, how="victim", values=entry_values(occurred_on=day)
        )
    out = io.StringIO()
    call_command("verify_log", case.reference, stdout=out)
    assert "verified" in out.getvalue()
    LogTally.objects.filter(case=case, kind=tallies.WEEK).update(count=7)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_log", case.reference, stdout=out)
    assert "The counts its pages show do not match its entries (the week count" in out.getvalue()
    out = io.StringIO()
    call_command("verify_log", "--recount", case.reference, stdout=out)
    assert "verified" in out.getvalue()
    assert [n for _week, n in patterns.weekly(case) if n] == [1, 1]


def test_a_missing_or_extra_cell_is_noticed(case, personas: Personas) -> None:
    services.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    assert tallies.problem(case.pk) is None
    LogTally.objects.filter(case=case, kind=tallies.CODE, key="watching").delete()
    assert "code count 'watching'" in str(tallies.problem(case.pk))
    tallies.recount(case.pk)
    LogTally.objects.create(case=case, kind=tallies.HOUR, key="3:4", count=1)
    assert "hour count '3:4'" in str(tallies.problem(case.pk))


def test_every_behaviour_code_fits_a_cell() -> None:
    longest = max(len(f"2026-10-01:{behaviour.category}") for behaviour in BEHAVIOURS.values())
    assert longest <= LogTally._meta.get_field("key").max_length
    assert max(map(len, BEHAVIOURS)) <= LogTally._meta.get_field("key").max_length


def fill(case, personas: Personas, count: int) -> None:
    with services.chain_batch(case):
        for index in range(count):
            services.entry_record(
                case=case,
                author=personas.victim,
                how="victim",
                values=entry_values(
                    occurred_on=f"20{20 + index % 6}-{1 + index % 12:02d}-{1 + index % 28:02d}",
                    channel=CHANNELS[index % 4],
                    behaviours=[CODES[index % 6]],
                ),
            )


@pytest.mark.parametrize("page", ["incidents:log", "insights:patterns"])
@pytest.mark.parametrize("reader", ["victim", "advocate"])
def test_a_page_makes_the_same_queries_for_a_short_log_and_a_long_one(
    personas: Personas, page: str, reader: str
) -> None:
    short, long = (
        case_open(
            created_by=personas.victim,
            owner=personas.victim,
            service=personas.service,
            advocates=(personas.advocate,),
        )
        for _ in range(2)
    )
    fill(short, personas, 5)
    fill(long, personas, 300)
    client = Client()
    client.force_login(getattr(personas, reader))
    made = []
    for case in (short, long, short, long):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(page, args=[case.pk])).status_code == 200
        made.append([q["sql"] for q in queries.captured_queries])
    assert len(made[2]) == len(made[3]), "\n".join(made[3])
    # No query of either page counts the log's entries: only the last week's are counted.
    for sql in made[3]:
        if "COUNT(" in sql and "incidents_entry" in sql:
            assert "occurred_at" in sql and "occurred_hour" in sql, sql


def test_the_filters_still_count_in_the_database(case, personas: Personas) -> None:
    fill(case, personas, 8)
    client = Client()
    client.force_login(personas.victim)
    page = client.get(reverse("incidents:log", args=[case.pk]), {"channel": "in_person"})
    assert page.context["counts"].entries == 2
    assert (
        page.context["counts"].entries
        == Entry.objects.filter(case=case, channel="in_person").exclude(status="draft").count()
    )


def test_the_migration_counts_the_logs_already_kept(case, personas: Personas) -> None:
    """The logs kept before the counts existed are counted when the counts' table is made."""
    from importlib import import_module

    from django.apps import apps

    fill(case, personas, 12)
    expected = tallies.stored(case.pk)
    LogTally.objects.all().delete()
    migration = import_module("daybook.incidents.migrations.0006_log_tally")
    migration.count_every_log(apps, None)
    assert tallies.stored(case.pk) == expected
    assert expected[(tallies.STATUS, "logged")][0] == 12
