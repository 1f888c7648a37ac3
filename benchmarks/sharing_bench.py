"""Issue 11's sharing benchmark, printed beside its baseline measured in the same run.

    .venv/bin/python benchmarks/sharing_bench.py [--entries 10000] [--rounds 15]

The sharing page with its entry chooser, against the first page of the log, for the same
10,000-entry case and the same person; then both filtered to the same year of dates. The
pages are requested in turn, round after round, so all see the same machine load; min,
median and max of each are printed.
Target: the chooser's median within 2x of the log page's.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.setup import fill_log, report, start_django


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    arguments = parser.parse_args()
    start_django()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from daybook.accounts.models import Role, User
    from daybook.cases.services import case_open

    victim = User.objects.create_user("bench@example.org", "bench-password-1", role=Role.VICTIM)
    case = case_open(created_by=victim, owner=victim)
    started = time.perf_counter()
    fill_log(case, victim, arguments.entries)
    built = time.perf_counter() - started
    print(f"Database: {connection.vendor}; built {arguments.entries} entries in {built:.1f} s")

    client = Client()
    client.force_login(victim)
    one_year = "?date_from=2020-01-01&date_to=2020-12-31"
    pages = {
        "log": reverse("incidents:log", args=[case.pk]),
        "sharing": reverse("sharing:case", args=[case.pk]),
        "log, one year": reverse("incidents:log", args=[case.pk]) + one_year,
        "sharing, one year": reverse("sharing:case", args=[case.pk]) + one_year,
    }
    for url in pages.values():  # warm up, and check every page answers
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    chooser = client.get(pages["sharing"]).content.decode()
    assert chooser.count('name="entries"') == min(50, arguments.entries)

    timings: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(arguments.rounds):
        for name, url in pages.items():
            started = time.perf_counter()
            client.get(url)
            timings[name].append(time.perf_counter() - started)
    for name, values_ in timings.items():
        print(
            f"  {name}: min {min(values_) * 1000:.1f} ms, "
            f"median {statistics.median(values_) * 1000:.1f} ms, "
            f"max {max(values_) * 1000:.1f} ms ({arguments.rounds} rounds)"
        )
    log_median = statistics.median(timings["log"])
    ok = report(
        f"Sharing page with its chooser (50 entries a page), {arguments.entries}-entry log",
        statistics.median(timings["sharing"]),
        log_median,
        2.0,
    )
    ok &= report(
        "Sharing page filtered to one year (1,000 entries), against the log page so filtered",
        statistics.median(timings["sharing, one year"]),
        statistics.median(timings["log, one year"]),
        2.0,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
