"""Issue 7's patterns benchmark, printed beside a baseline measured in the same run.

    .venv/bin/python benchmarks/insights_bench.py [--entries 10000] [--other-entries 0]

The patterns page of a 10,000-entry case (target: within 2x of its log page), as the case's
advocate sees both. `--other-entries` first fills the database with that many entries in
other cases (in bulk, 50 to a case), so that the indexes are exercised at scale; the escalation
check that runs after each change to a log is timed too. SQLite by default; set
DAYBOOK_DATABASE_URL for PostgreSQL.
"""

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.setup import median_seconds, report, start_django  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--other-entries", type=int, default=0)
    arguments = parser.parse_args()
    start_django()

    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from daybook.accounts.models import Organisation, Role, User
    from daybook.cases.models import Case
    from daybook.incidents import services
    from daybook.incidents.models import Entry, EntryBehaviour
    from daybook.insights.services import escalation_check

    service = Organisation.objects.create(
        name="Bench service", kind=Organisation.Kind.SUPPORT_SERVICE
    )
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
        fill_others(arguments.other_entries, service, victim, Case, Entry, EntryBehaviour)
    case = services.case_open(
        created_by=victim, owner=victim, service=service, advocates=(advocate,)
    )
    with transaction.atomic(), services.chain_batch(case):
        for index in range(arguments.entries):
            services.entry_record(
                case=case,
                author=victim,
                how="victim",
                values=values(index, arguments.entries),
                audit=False,
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
    return 0 if ok else 1


def fill_others(count: int, service, victim, Case, Entry, EntryBehaviour) -> None:  # noqa: ANN001, N803
    """Other people's logs, inserted in bulk: only their plaintext columns matter here."""
    from django.utils import timezone

    now = timezone.now()
    per_case, batch = 50, 20_000
    cases = Case.objects.bulk_create(
        Case(owner=victim, service=service, wrapped_key=b"x", key_id="bench")
        for _ in range(-(-count // per_case))
    )
    rows = []
    for index in range(count):
        moment = now - dt.timedelta(minutes=37 * index)
        rows.append(
            Entry(
                case=cases[index // per_case],
                status="logged",
                occurred_on=moment.date(),
                occurred_at=moment,
                precision="exact",
                time_zone="Europe/London",
                place_kind="online",
                channel="text_message",
                seen="not_applicable",
                recorded_at=moment,
                recorded_how="import",
            )
        )
        if len(rows) == batch or index == count - 1:
            created = Entry.objects.bulk_create(rows)
            EntryBehaviour.objects.bulk_create(
                EntryBehaviour(entry=entry, case_id=entry.case_id, code="contacting",
                               category="contacting")
                for entry in created
            )  # fmt: skip
            rows = []


if __name__ == "__main__":
    sys.exit(main())
