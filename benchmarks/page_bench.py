"""Where the time of each page of the throughput mix goes, measured inside one process.

    .venv/bin/python benchmarks/page_bench.py [--rounds 30] [--entries 30]

For each page load_bench.py's people open (the same seeded service, the same requests), three
figures from alternating rounds: the whole request; the same request with its templates
rendering nothing (the view, its queries, the middleware and the context processors still
run, so this is what the page costs before any markup); and load_bench's baseline page, the
least a signed-in request costs. Each is printed as a multiple of the baseline: issue 17's
throughput target asks the mix for at least half the baseline's requests a second, so pages
at about twice the baseline on average.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.load_settings"

from benchmarks.setup import entry_values, start_django


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--entries", type=int, default=30, help="entries in each victim's log")
    arguments = parser.parse_args()
    start_django()
    from django.conf import settings
    from django.template import base as template_base
    from django.test import Client
    from django.urls import reverse

    from benchmarks.load_bench import seed
    from benchmarks.load_urls import BASELINE_PATH

    settings.ALLOWED_HOSTS = ["testserver"]
    victims, staff = seed(victims=5, advocates=2, entries=arguments.entries)
    (victim, own_case), (advocate, held) = victims[0], staff[0]
    as_victim, as_advocate = Client(), Client()
    as_victim.force_login(victim)
    as_advocate.force_login(advocate)
    entry_id = own_case.entries.order_by("-pk").values_list("pk", flat=True).first()
    counter = iter(range(10**9))

    def get(client: Client, url: str):
        return lambda: client.get(url)

    def send_entry() -> object:
        return as_victim.post(
            reverse("incidents:record", args=[own_case.pk]), entry_values(next(counter))
        )

    pages = {
        "baseline": get(as_victim, "/" + BASELINE_PATH),
        "victim's dashboard": get(as_victim, reverse("home")),
        "victim's log page": get(as_victim, reverse("incidents:log", args=[own_case.pk])),
        "the form to record an entry": get(
            as_victim, reverse("incidents:record", args=[own_case.pk])
        ),
        "the entry sent": send_entry,
        "the entry page": get(as_victim, reverse("incidents:entry", args=[own_case.pk, entry_id])),
        "staff dashboard": get(as_advocate, reverse("home")),
        "case record": get(as_advocate, reverse("cases:record", args=[held[0].pk])),
        "staff log page": get(as_advocate, reverse("incidents:log", args=[held[0].pk])),
    }
    rendering = template_base.Template._render

    def without_templates(action):
        def run() -> object:
            template_base.Template._render = lambda self, context: ""  # type: ignore[method-assign]
            try:
                return action()
            finally:
                template_base.Template._render = rendering  # type: ignore[method-assign]

        return run

    for action in pages.values():  # warm up: compiled templates, connections, caches
        for _ in range(3):
            action()
    timings: dict[tuple[str, str], list[float]] = {}
    for _ in range(arguments.rounds):
        for name, action in pages.items():
            for how, run in (("whole", action), ("bare", without_templates(action))):
                started = time.perf_counter()
                run()
                timings.setdefault((name, how), []).append(time.perf_counter() - started)

    baseline = statistics.median(timings["baseline", "whole"])
    print(
        f"Each page of the mix inside one process, {arguments.rounds} alternating rounds, "
        "median ms (and as a multiple of the baseline page)"
    )
    print(f"{'page':30} {'whole request':>22} {'templates rendering nothing':>30}")
    mix_whole, mix_bare = [], []
    for name in pages:
        whole = statistics.median(timings[name, "whole"])
        bare = statistics.median(timings[name, "bare"])
        if name != "baseline":
            mix_whole.append(whole)
            mix_bare.append(bare)
        print(
            f"{name:30} {whole * 1000:12.2f} ({whole / baseline:5.1f}x) "
            f"{bare * 1000:20.2f} ({bare / baseline:5.1f}x)"
        )
    whole, bare = statistics.mean(mix_whole), statistics.mean(mix_bare)
    print(
        f"{'mean of the mix':30} {whole * 1000:12.2f} ({whole / baseline:5.1f}x) "
        f"{bare * 1000:20.2f} ({bare / baseline:5.1f}x)"
    )
    print(
        "Spread over the rounds, min / median / max ms "
        "(whole request; templates rendering nothing):"
    )
    for name in pages:
        spreads = [
            " / ".join(f"{f(timings[name, how]) * 1000:.2f}" for f in (min, statistics.median, max))
            for how in ("whole", "bare")
        ]
        print(f"    {name:30} {spreads[0]};  {spreads[1]}")
    print(
        "Half the baseline's requests a second needs the mix at about 2x the baseline; "
        f"with its templates rendering nothing it is {bare / baseline:.1f}x."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
