"""Start Django on a throwaway database for a benchmark: SQLite by default, or PostgreSQL
when DAYBOOK_DATABASE_URL is set (its database is used as given, so point it at a scratch one)."""

import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_django() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="daybook-bench-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daybook.settings")
    os.environ["DAYBOOK_VAR_DIR"] = str(scratch)
    os.environ.setdefault("DAYBOOK_SECRET_KEY_FILE", str(ROOT / "var" / "secret_key"))
    os.environ.setdefault("DAYBOOK_MASTER_KEY_FILE", str(ROOT / "var" / "master_key"))
    os.environ.setdefault("DAYBOOK_IDENTIFIER_KEY_FILE", str(ROOT / "var" / "identifier_key"))
    os.environ.setdefault("DAYBOOK_SIGNING_KEY_FILE", str(ROOT / "var" / "signing_key"))
    os.environ["DAYBOOK_HTTPS"] = "false"
    os.environ["DAYBOOK_EMAIL"] = "console"
    os.environ["DAYBOOK_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    return scratch


def median_seconds(action: Callable[[], object], *, runs: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def compare(
    name: str,
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    target: float | None,
    rounds: int,
    warmup: int = 1,
) -> bool:
    """Time `ours` and `baseline` alternately, `rounds` times each after `warmup` of each, so
    both see the same machine; print min/median/max of both and the ratio of the medians
    against `target` (None: informational). Returns whether the target is met."""
    for _ in range(warmup):
        ours()
        baseline()
    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    for _ in range(rounds):
        for label, action in (("ours", ours), ("baseline", baseline)):
            started = time.perf_counter()
            action()
            times[label].append(time.perf_counter() - started)

    def spread(values: list[float]) -> str:
        return (
            f"min {min(values) * 1000:.2f} / median {statistics.median(values) * 1000:.2f} / "
            f"max {max(values) * 1000:.2f} ms"
        )

    ratio = statistics.median(times["ours"]) / statistics.median(times["baseline"])
    verdict = (
        "informational"
        if target is None
        else (f"target <= {target}x: {'meets' if ratio <= target else 'MISSES'}")
    )
    print(f"{name}: {ratio:.2f}x ({verdict}, {rounds} alternating rounds)")
    print(f"    measured: {spread(times['ours'])}")
    print(f"    baseline: {spread(times['baseline'])}")
    return target is None or ratio <= target


def report(name: str, ours: float, baseline: float, target: float, unit: str = "ms") -> bool:
    scale = 1000 if unit == "ms" else 1
    ratio = ours / baseline if baseline else float("inf")
    verdict = "meets" if ratio <= target else "MISSES"
    print(
        f"{name}: {ours * scale:.2f} {unit} vs baseline {baseline * scale:.2f} {unit} "
        f"= {ratio:.2f}x (target <= {target}x: {verdict})"
    )
    return ratio <= target


def entry_values(index: int) -> dict[str, object]:
    """The answers of the `index`th entry of a benchmark log: spread over ten years, every
    hour and four kinds of behaviour and channel."""
    behaviours = [["contacting"], ["following"], ["turning_up", "watching"], ["threats"]]
    channels = ["text_message", "in_person", "phone_call", "social_media"]
    return {
        "occurred_on": f"20{16 + index % 10}-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "occurred_time": f"{index % 24:02d}:{index % 60:02d}",
        "precision": "exact",
        "time_zone": "Europe/London",
        "place_kind": "home",
        "channel": channels[index % 4],
        "behaviours": behaviours[index % 4],
        "what_happened": f"Entry {index}: another message saying he is watching the house.",
        "witnesses": "A neighbour",
    }


def fill_log(case, author, count: int) -> None:
    """Record `count` entries through the log's own service, as one batch."""
    from django.db import transaction

    from daybook.incidents import services

    with transaction.atomic(), services.chain_batch(case):
        for index in range(count):
            services.entry_record(
                case=case, author=author, how="victim", values=entry_values(index)
            )


def rows_after(models: list[type], marks: dict[type, int]) -> list[tuple[str, list[str], list]]:
    """The rows of each model's table with a primary key above its mark, as the database holds
    them (column names and values), ready to be inserted again with `insert_rows`."""
    from django.db import connection

    tables = []
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id", [marks[model]])  # noqa: S608
            columns = [column[0] for column in cursor.description]
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            ]
            tables.append((table, columns, rows))
    return tables


def insert_rows(tables: list[tuple[str, list[str], list]]) -> None:
    """Insert precomputed rows with `cursor.executemany`, one statement per table, and nothing
    else: the baseline a bulk write is compared with."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table, columns, rows in tables:
            names = ", ".join(connection.ops.quote_name(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def highest_pks(models: list[type]) -> dict[type, int]:
    from django.db.models import Max

    return {model: model.objects.aggregate(top=Max("pk"))["top"] or 0 for model in models}
