"""Issue 7's benchmarks, each printed beside a baseline measured in the same run.

    .venv/bin/python benchmarks/insights_bench.py [--entries 10000] [--other-entries 990000]

With the defaults the database holds 20,000 cases and 1,000,000 entries: one case of 10,000
entries recorded through the log's own services, and 19,800 others of 50 entries each,
inserted in bulk over three years and four services, with their referrals, consents,
screenings, orders, criminal justice records, MARAC referrals, consultations and outcome
measures (only their plain columns matter to what is measured).

1. The patterns page of the 10,000-entry case, against its log page (target: within 2x), as
   the case's advocate sees both; and the escalation check that follows a change to it.
2. The service statistics for the last year of one service, against running the same
   aggregate SQL alone (the statements the statistics ran, captured and run again with a
   cursor) (target: within 2x).

SQLite by default; set DAYBOOK_DATABASE_URL for PostgreSQL (an empty database).
"""

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.setup import median_seconds, report, start_django

PER_CASE, BATCH = 50, 20_000  # entries in each of the other cases; rows per insert


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--other-entries", type=int, default=990_000)
    arguments = parser.parse_args()
    start_django()
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from daybook.accounts.models import Organisation, Role, User
    from daybook.cases.models import Case
    from daybook.cases.services import case_open
    from daybook.incidents import services
    from daybook.incidents.models import Entry, EntryBehaviour
    from daybook.insights.services import escalation_check
    from daybook.insights.statistics import build

    services_ = Organisation.objects.bulk_create(
        Organisation(name=f"Bench service {n}", kind=Organisation.Kind.SUPPORT_SERVICE)
        for n in range(4)
    )
    service = services_[0]
    victim = User.objects.create_user("bench@example.org", "bench-password-1", role=Role.VICTIM)
    advocate = User.objects.create_user(
        "advocate@example.org", "bench-password-1", role=Role.ADVOCATE, organisation=service
    )
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(advocate, generate_totp_secret())  # staff need a second factor to sign in
    behaviours = [["contacting"], ["following"], ["turning_up", "watching"], ["threats"]]
    channels = ["text_message", "in_person", "phone_call", "social_media"]
    places = ["online", "public_place", "home", "online"]
    start = timezone.now() - dt.timedelta(days=730)

    def values(index: int, count: int) -> dict[str, object]:
        moment = start + dt.timedelta(days=730 * index / count, hours=index % 7)
        return {
            "occurred_on": moment.date().isoformat(),
            "occurred_time": f"{moment:%H:%M}",
            "precision": "exact",
            "time_zone": "Europe/London",
            "place_kind": places[index % 4],
            "channel": channels[index % 4],
            "behaviours": behaviours[index % 4],
            "what_happened": f"Entry {index}: another message saying he is watching.",
        }

    started = time.perf_counter()
    if arguments.other_entries:
        fill_others(arguments.other_entries, services_, victim, Case, Entry, EntryBehaviour)
    case = case_open(created_by=victim, owner=victim, service=service, advocates=(advocate,))
    with transaction.atomic(), services.chain_batch(case):
        for index in range(arguments.entries):
            services.entry_record(
                case=case,
                author=victim,
                how="victim",
                values=values(index, arguments.entries),
            )
    print(
        f"Database: {connection.vendor}; {Entry.objects.count()} entries in all, "
        f"{arguments.entries} in the case; built in {time.perf_counter() - started:.1f} s"
    )
    client = Client()
    client.force_login(advocate)
    log_url = reverse("incidents:log", args=[case.pk])
    patterns_url = reverse("insights:patterns", args=[case.pk])
    assert client.get(patterns_url).status_code == 200
    log_page = median_seconds(lambda: client.get(log_url), runs=15)
    patterns_page = median_seconds(lambda: client.get(patterns_url), runs=15)
    ok = report(f"Patterns page of a {arguments.entries}-entry case", patterns_page, log_page, 2.0)
    check = median_seconds(lambda: escalation_check(case), runs=15)
    print(f"Escalation check after a change to that log: {check * 1000:.2f} ms (informational)")

    from django.db.models import QuerySet
    from django.test.utils import CaptureQueriesContext

    one = Organisation.objects.filter(pk=service.pk)
    today = timezone.localdate()
    year = (today - dt.timedelta(days=364), today)
    with CaptureQueriesContext(connection) as captured:
        found = build(one, *year)
    statements = [query["sql"] for query in captured.captured_queries]

    def sql_alone() -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
                cursor.fetchall()

    assert isinstance(one, QuerySet) and found.tables
    baseline = median_seconds(sql_alone, runs=9)
    ours = median_seconds(lambda: build(one, *year), runs=9)
    people = dict(found.tables[1].rows)
    print(
        f"Statistics cover {Case.objects.filter(service=service).count()} cases of the service; "
        f"{len(statements)} statements; new in the year: {people['New in the period'][0]}"
    )
    ok &= report("Service statistics for a year", ours, baseline, 2.0)
    return 0 if ok else 1


def fill_others(count: int, services, victim, Case, Entry, EntryBehaviour) -> None:
    """Other people's logs and casework, inserted in bulk over three years and the services."""
    import random

    from django.utils import timezone

    from daybook.cases import models as casework
    from daybook.risk.models import MaracReferral, Screening

    rng = random.Random(7)
    now = timezone.now()
    dated = [Case, casework.Referral, casework.Consent, casework.ProtectiveOrder,
             casework.CriminalJustice, casework.Consultation, casework.OutcomeMeasure,
             MaracReferral, Screening]  # fmt: skip
    for model in dated:  # dates spread over the years, for this bulk insert only
        model._meta.get_field("created_at").auto_now_add = False
    try:
        _fill(count, services, victim, Case, Entry, EntryBehaviour, rng, now)
    finally:
        for model in dated:
            model._meta.get_field("created_at").auto_now_add = True


def _fill(count, services, victim, Case, Entry, EntryBehaviour, rng, now) -> None:
    from daybook.cases import models as casework
    from daybook.risk.models import MaracReferral, Screening

    cases = []
    for number in range(-(-count // PER_CASE)):
        referred = now - dt.timedelta(days=rng.uniform(0, 1095))
        closed = referred + dt.timedelta(days=rng.uniform(30, 300))
        cases.append(
            Case(
                owner=victim,
                service=services[number % len(services)],
                wrapped_key=b"x",
                key_id="bench",
                created_at=referred,
                referred_at=referred,
                first_contact_at=referred + dt.timedelta(days=rng.uniform(0, 20)),
                closed_at=closed if closed < now and rng.random() < 0.7 else None,
                status="closed" if closed < now else "open",
                domestic=rng.random() < 0.6,
            )
        )
    cases = Case.objects.bulk_create(cases, batch_size=2000)
    record = {"created_by": victim}

    def many(model, rows) -> None:
        model.objects.bulk_create(rows, batch_size=2000)

    many(casework.Consent, (casework.Consent(case=c, purpose="statistics", how="verbal",
         created_at=c.created_at, **record) for c in cases if rng.random() < 0.9))  # fmt: skip
    many(casework.Referral, (casework.Referral(service=c.service, source=rng.choice(
         ["self_public", "partner", "police"]), status="accepted", case=c, details_sealed=b"x",
         created_at=c.created_at) for c in cases))  # fmt: skip
    many(Screening, (Screening(case=c, yes_count=5, computed_level=level, level=level,
         review_due=c.created_at.date(), created_at=c.created_at, **record) for c in cases
         for level in [rng.choice(["standard", "medium", "high"])]))  # fmt: skip
    many(casework.ProtectiveOrder, (casework.ProtectiveOrder(case=c, kind=rng.choice(
         ["spo", "restraining", "non_molestation"]), status=rng.choice(["applied", "granted"]),
         created_at=c.created_at, **record) for c in cases if rng.random() < 0.2))  # fmt: skip
    many(casework.CriminalJustice, (casework.CriminalJustice(case=c, offence="s2a",
         stage=rng.choice(["reported", "charged", "convicted", "nfa"]), created_at=c.created_at,
         **record) for c in cases if rng.random() < 0.3))  # fmt: skip
    many(MaracReferral, (MaracReferral(case=c, referred_on=c.created_at.date(),
         created_at=c.created_at, **record) for c in cases if rng.random() < 0.1))  # fmt: skip
    many(casework.Consultation, (casework.Consultation(service=c.service,
         organisation_name="GP", organisation_kind="health", created_at=c.created_at)
         for c in cases[::6]))  # fmt: skip
    many(casework.OutcomeMeasure, (casework.OutcomeMeasure(case=c, stage=stage,
         measured_on=c.created_at.date(), coping=score, feeling_safe=score,
         health_wellbeing=score, informed_empowered=score, justice_confidence=score,
         created_at=c.created_at, **record) for c in cases if c.closed_at
         for stage, score in (("intake", 2), ("exit", rng.choice([2, 3, 4])))))  # fmt: skip
    rows = []
    for index in range(count):
        case = cases[index // PER_CASE]
        moment = case.created_at + dt.timedelta(hours=37 * (index % PER_CASE))
        day = moment.date()
        rows.append(
            Entry(
                case=case,
                status="logged",
                occurred_on=day,
                occurred_at=moment,
                occurred_week=day - dt.timedelta(days=day.weekday()),
                occurred_month=day.replace(day=1),
                occurred_weekday=day.isoweekday(),
                occurred_hour=moment.hour,
                precision="exact",
                time_zone="Europe/London",
                place_kind="online",
                channel="text_message",
                seen="not_applicable",
                recorded_at=moment,
                recorded_how="import",
            )
        )
        if len(rows) == BATCH or index == count - 1:
            created = Entry.objects.bulk_create(rows)
            EntryBehaviour.objects.bulk_create(
                EntryBehaviour(entry=entry, case_id=entry.case_id, code="contacting",
                               category="contacting")
                for entry in created
            )  # fmt: skip
            rows = []


if __name__ == "__main__":
    sys.exit(main())
