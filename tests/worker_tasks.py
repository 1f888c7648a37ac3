"""Tasks for the worker tests, importable by a worker process as a real task is."""

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def record_run(folder: str, number: int) -> None:
    """Append which task ran and in which worker process: one short line, written in one
    call to a file opened for appending, so lines from several workers never mix."""
    time.sleep(0.05)  # long enough for every worker to take a share
    with Path(folder, "runs.log").open("a") as runs:
        runs.write(f"{number} {os.getpid()}\n")


@task()
def wait_for_marker(folder: str) -> None:
    """Run until the test lets it finish, so that a worker can be stopped while it runs."""
    while not Path(folder, "finish").exists():
        time.sleep(0.05)
