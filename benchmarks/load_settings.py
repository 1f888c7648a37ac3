"""Daybook's settings with one page added for the throughput benchmark's baseline.

Only benchmarks/load_bench.py starts gunicorn with this module; a deployment runs
daybook.settings, whose URLs have no such page.
"""

from daybook.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load_urls"
