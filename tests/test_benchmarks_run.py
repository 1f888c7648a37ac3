"""Each benchmark script still runs end to end (on a tiny case): the figures in closing notes
come from them, so one that no longer starts must fail the tests, not the next measurement.
Exit status 1 is a missed target on a tiny case, which says nothing; anything else fails."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
TINY = {
    "log_bench.py": ["--entries", "30"],
    "report_bench.py": ["--entries", "12", "--exhibits", "3"],
    "sharing_bench.py": ["--entries", "60", "--rounds", "2"],
    "insights_bench.py": ["--entries", "30", "--other-entries", "30"],
    "import_bench.py": ["--messages", "200", "--import", "50"],
    "page_bench.py": ["--rounds", "1", "--entries", "5"],
    "load_bench.py": ["--users", "4", "--seconds", "1", "--rounds", "1", "--think", "0.25"],
}


def test_every_benchmark_script_is_listed() -> None:
    assert set(TINY) == {path.name for path in BENCHMARKS.glob("*_bench.py")}


@pytest.mark.parametrize("script", sorted(TINY))
def test_the_benchmark_runs(script: str) -> None:
    # On the embedded database of its own: a benchmark given DAYBOOK_DATABASE_URL uses that
    # database as it is, and the tests' PostgreSQL is not a scratch one.
    environment = {k: v for k, v in os.environ.items() if k != "DAYBOOK_DATABASE_URL"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(BENCHMARKS / script), *TINY[script]],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=environment,
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stdout.strip(), "the benchmark printed no figures"
