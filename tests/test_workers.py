"""Task workers: real `manage.py worker` processes on the test database, several at once, some
killed with SIGKILL part-way through a real import or a real report.

Three workers run a hundred tasks and each task runs exactly once. A worker killed in the
middle of an import leaves no entry in the log and no stored file behind: the next worker
takes the job back and runs it again, and if that run is killed too the job is marked failed
and the person is told so on its page. The same holds for a report. The workers run on the
database the tests run on (SQLite by default, PostgreSQL under `make test-db` in CI) and store
files where the test's storage is.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from daybook.audit.models import Action, AuditEvent
from daybook.imports import abandoned as imports_abandoned
from daybook.imports import services as imports
from daybook.imports.models import ImportJob
from daybook.incidents.models import Entry, Evidence
from daybook.incidents.verify import verify_case
from daybook.reports import abandoned as reports_abandoned
from daybook.reports import services as reports
from daybook.reports.models import Report
from daybook.subject_access import abandoned as subject_access_abandoned
from daybook.subject_access.models import SubjectAccessRequest
from daybook.workers import processes, runner
from daybook.workers.models import WorkerHeartbeat
from daybook.workers.services import (
    WorkerStopped,
    abandoned_tasks_take_back,
    worker_heartbeat_record,
)
from tests.conftest import Personas
from tests.test_import_bulk import chat, queued
from tests.worker_tasks import record_run, wait_for_marker

BASE_DIR = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 180
# Long enough that a worker is still importing well after its first progress figure (written
# every thousand messages): about eight seconds' work on this kind of machine.
MESSAGES = 20_000


# --- Worker processes ----------------------------------------------------------------------


def _database_url() -> str:
    """The test database, as DAYBOOK_DATABASE_URL names a database."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DAYBOOK_DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


class Workers:
    """Worker processes started for one test, each stopped (or killed) by the end of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, worker_id: str) -> subprocess.Popen[bytes]:
        # The worker's storage is VAR_DIR/evidence: this test's storage must be that folder.
        assert django_settings.STORAGES["default"]["OPTIONS"]["location"] == (
            self.folder / "evidence"
        )
        environment = {
            **os.environ,
            "DAYBOOK_DATABASE_URL": _database_url(),
            "DAYBOOK_VAR_DIR": str(self.folder),
            "DAYBOOK_LOG_LEVEL": "WARNING",
        }
        log = (self.folder / f"{worker_id}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 (this interpreter, this project's manage.py)
            [
                sys.executable,
                "manage.py",
                "worker",
                "--worker-id",
                worker_id,
                "--interval",
                "0.1",
                "--heartbeat-seconds",
                "0.5",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started[worker_id] = process
        return process

    def kill(self, worker_id: str) -> None:
        """SIGKILL: no clean-up of any kind runs in the worker."""
        process = self.started[worker_id]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.started.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def output(self, worker_id: str) -> str:
        return (self.folder / f"{worker_id}.log").read_text(errors="replace")


@pytest.fixture
def workers(tmp_path: Path, settings) -> Iterator[Workers]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def wait_for(what: Callable[[], object], *, describe: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:.0f}s for {describe}")
        time.sleep(0.02)


def stored_files(tmp_path: Path, folder: str) -> set[str]:
    """The names of the files in a folder of the test's storage, as storage names them."""
    root = tmp_path / "evidence"
    return {str(path.relative_to(root)) for path in (root / folder).rglob("*") if path.is_file()}


def status_of(model: type[ImportJob] | type[Report], pk: int) -> str:
    return str(model.objects.filter(pk=pk).values_list("status", flat=True).get())


# --- Each task once ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_three_workers_run_a_hundred_tasks_each_exactly_once(
    workers: Workers, tmp_path: Path
) -> None:
    for number in range(3):
        workers.start(f"worker-{number}")
    wait_for(lambda: WorkerHeartbeat.objects.count() == 3, describe="three heartbeats")
    for number in range(100):
        record_run.enqueue(str(tmp_path), number)
    wait_for(
        lambda: DBTaskResult.objects.successful().count() == 100,
        describe="a hundred tasks done",
    )
    # Let any second run of a task happen before counting: none may.
    time.sleep(1)
    lines = (tmp_path / "runs.log").read_text().split()
    numbers = Counter(int(number) for number in lines[0::2])
    assert numbers == Counter(range(100))
    pids = {int(pid) for pid in lines[1::2]}
    assert pids == {process.pid for process in workers.started.values()}
    tasks = DBTaskResult.objects.all()
    assert {len(task.worker_ids) for task in tasks} == {1}
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_told_twice_to_stop_leaves_its_task_to_be_taken_back(
    workers: Workers, tmp_path: Path
) -> None:
    """The first SIGTERM waits for the task in hand; a second stops the worker at once, and
    the task it was running is left for the next worker to run again, not marked failed."""
    wait_for_marker.enqueue(str(tmp_path))
    first = workers.start("first")
    wait_for(
        lambda: DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists(),
        describe="the task running",
    )
    first.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert first.poll() is None, "the first signal lets the task finish"
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 1
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING
    workers.start("second")
    (tmp_path / "finish").touch()
    wait_for(
        lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).exists(),
        describe="the task run again",
    )
    assert DBTaskResult.objects.get().worker_ids == ["first", "second"]


# --- A worker killed in the middle of an import --------------------------------------------


def import_task() -> DBTaskResult:
    return DBTaskResult.objects.get(task_path="daybook.imports.tasks.run_import")


def import_under_way(tmp_path: Path, job: ImportJob) -> bool:
    """The import has written its progress, so it is past its first thousand messages and has
    stored the export as the first entry's exhibit: files exist that no committed row names."""
    return (tmp_path / "evidence" / imports._progress_name(job)).exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_is_killed_runs_again_and_adds_everything_once(
    workers: Workers, tmp_path: Path, case, personas: Personas
) -> None:
    job = queued(case, personas, chat(MESSAGES))
    workers.start("first")
    wait_for(lambda: import_under_way(tmp_path, job), describe="the import under way")
    workers.kill("first")
    assert status_of(ImportJob, job.pk) == ImportJob.Status.RUNNING
    assert Entry.objects.filter(case=case).count() == 0  # never committed
    assert stored_files(tmp_path, case.uid), "the export's exhibit was stored before the kill"

    workers.start("second")
    wait_for(lambda: status_of(ImportJob, job.pk) == ImportJob.Status.DONE, describe="done")
    job.refresh_from_db()
    assert job.added == MESSAGES * 4 // 5
    assert Entry.objects.filter(case=case).count() == job.added
    case.refresh_from_db()
    result = verify_case(case)
    assert result.ok, result.problem
    # Exactly the files the log names: the first run's are gone.
    kept = set(Evidence.objects.filter(entry__case=case).values_list("storage_name", flat=True))
    assert stored_files(tmp_path, case.uid) == kept
    assert not (tmp_path / "evidence" / imports._progress_name(job)).exists()
    task = import_task()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == ["first", "second"]
    attempt = AuditEvent.objects.get(action=Action.IMPORT_FAILED, subject_id=str(job.pk))
    assert attempt.extra["failure"] == "WorkerStopped"
    assert attempt.extra["retrying"] is True


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_twice_is_marked_failed_with_nothing_added_and_the_person_is_told(
    workers: Workers, tmp_path: Path, case, personas: Personas, client: Client
) -> None:
    job = queued(case, personas, chat(MESSAGES))
    progress = tmp_path / "evidence" / imports._progress_name(job)
    workers.start("first")
    wait_for(lambda: import_under_way(tmp_path, job), describe="the first run under way")
    workers.kill("first")
    workers.start("second")
    # The second worker took the job back (removing the first run's progress) and runs it.
    wait_for(
        lambda: import_task().worker_ids == ["first", "second"] and progress.exists(),
        describe="the second run under way",
    )
    workers.kill("second")
    workers.start("third")
    wait_for(lambda: status_of(ImportJob, job.pk) == ImportJob.Status.FAILED, describe="failed")

    job.refresh_from_db()
    assert job.error == imports_abandoned.STOPPED
    assert job.added == 0
    assert Entry.objects.filter(case=case).count() == 0
    assert stored_files(tmp_path, case.uid) == set()
    assert not progress.exists()
    # The uploaded export itself is kept, for the person to import again.
    assert stored_files(tmp_path, "imports") == {job.storage_name}
    task = import_task()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == f"{WorkerStopped.__module__}.WorkerStopped"
    # The third worker never ran it.
    assert task.worker_ids == ["first", "second"]

    client.force_login(personas.victim)
    page = client.get(reverse("imports:job", args=[case.pk, job.pk]))
    assert page.status_code == 200
    assert imports_abandoned.STOPPED in page.content.decode()


# --- A worker killed in the middle of a report ---------------------------------------------


@pytest.fixture
def long_log(case, personas: Personas):
    """A log of thousands of entries, imported before any worker starts, so a chronology of
    it takes seconds to build."""
    job = queued(case, personas, chat(5_000))
    imports.import_run(job)
    assert status_of(ImportJob, job.pk) == ImportJob.Status.DONE
    return case


@pytest.mark.django_db(transaction=True)
def test_a_report_whose_worker_is_killed_is_built_again_and_kept_once(
    long_log, personas: Personas, tmp_path: Path, settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    workers = Workers(tmp_path)
    try:
        report = reports.report_request(
            case=long_log, actor=personas.advocate, kind=Report.Kind.CHRONOLOGY, profile="police"
        )
        workers.start("first")
        wait_for(
            lambda: status_of(Report, report.pk) == Report.Status.RUNNING,
            describe="the report being built",
        )
        workers.kill("first")
        assert status_of(Report, report.pk) == Report.Status.RUNNING
        workers.start("second")
        wait_for(lambda: status_of(Report, report.pk) == Report.Status.DONE, describe="built")
    finally:
        workers.stop_all()
    report.refresh_from_db()
    assert stored_files(tmp_path, f"reports/{long_log.uid}") == {report.storage_name}
    pdf = reports.report_bytes(report, actor=personas.advocate)
    assert pdf.startswith(b"%PDF")
    task = DBTaskResult.objects.get(task_path="daybook.reports.tasks.build_report")
    assert task.worker_ids == ["first", "second"]
    assert task.status == TaskResultStatus.SUCCESSFUL


# --- Taking back, without processes ---------------------------------------------------------


def _running_task(task_path: str, args: list[object], worker_ids: list[str]) -> DBTaskResult:
    """A task claimed by workers that are gone, as a killed worker leaves it."""
    return DBTaskResult.objects.create(
        task_path=task_path,
        args_kwargs={"args": args, "kwargs": {}},
        backend_name="default",
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=5),
        worker_ids=worker_ids,
        run_after=timezone.now(),
    )


def test_a_report_left_running_twice_fails_its_stored_file_goes_and_its_page_says_so(
    db, case, personas: Personas, tmp_path: Path
) -> None:
    report = reports.report_request(
        case=case, actor=personas.advocate, kind=Report.Kind.CHRONOLOGY, profile="police"
    )
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING)
    # Stored, then killed before the row that names it was committed.
    default_storage.save(f"reports/{case.uid}/{report.uid}", ContentFile(b"sealed bytes"))
    _running_task("daybook.reports.tasks.build_report", [report.pk], ["gone", "gone-too"])
    taken = abandoned_tasks_take_back(stale_after=dt.timedelta(seconds=60))
    assert [t.retrying for t in taken] == [False]
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == reports_abandoned.STOPPED
    assert stored_files(tmp_path, f"reports/{case.uid}") == set()
    client = Client()
    client.force_login(personas.advocate)
    page = client.get(reverse("reports:status", args=[case.pk, report.pk]))
    assert reports_abandoned.STOPPED in page.content.decode()


def test_a_copy_of_everything_held_left_running_is_queued_again_without_its_file(
    db, personas: Personas, tmp_path: Path
) -> None:
    copy = SubjectAccessRequest.objects.create(
        via=SubjectAccessRequest.Via.ACCOUNT,
        person=personas.victim,
        requested_by=personas.victim,
        status=SubjectAccessRequest.Status.RUNNING,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    default_storage.save(f"subject_access/{copy.uid}", ContentFile(b"sealed bytes"))
    _running_task("daybook.subject_access.tasks.build_copy", [copy.pk], ["gone"])
    assert [
        t.retrying for t in abandoned_tasks_take_back(stale_after=dt.timedelta(seconds=60))
    ] == [True]
    copy.refresh_from_db()
    assert copy.status == SubjectAccessRequest.Status.QUEUED
    assert stored_files(tmp_path, "subject_access") == set()
    task = DBTaskResult.objects.get(task_path="daybook.subject_access.tasks.build_copy")
    assert task.status == TaskResultStatus.READY


def test_a_copy_left_running_twice_fails_and_the_person_is_told(db, personas: Personas) -> None:
    copy = SubjectAccessRequest.objects.create(
        via=SubjectAccessRequest.Via.ACCOUNT,
        person=personas.victim,
        requested_by=personas.victim,
        status=SubjectAccessRequest.Status.RUNNING,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    _running_task("daybook.subject_access.tasks.build_copy", [copy.pk], ["gone", "gone-too"])
    abandoned_tasks_take_back(stale_after=dt.timedelta(seconds=60))
    copy.refresh_from_db()
    assert copy.status == SubjectAccessRequest.Status.FAILED
    client = Client()
    client.force_login(personas.victim)
    page = client.get(reverse("subject_access:mine_status", args=[copy.pk]))
    assert subject_access_abandoned.STOPPED in page.content.decode()


def test_a_live_workers_task_is_left_alone(db) -> None:
    """Its process is running on this machine (the test's own): however long since its last
    heartbeat, a worker whose process is there is not dead."""
    worker_heartbeat_record(worker_id="alive", now=timezone.now() - dt.timedelta(hours=1))
    task = _running_task("tests.worker_tasks.record_run", ["/nowhere", 1], ["alive"])
    assert abandoned_tasks_take_back(stale_after=dt.timedelta(seconds=60)) == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
    assert WorkerHeartbeat.objects.filter(worker_id="alive").exists()


def test_a_worker_on_another_machine_is_dead_only_once_silent_for_long(db) -> None:
    worker_heartbeat_record(worker_id="elsewhere")
    WorkerHeartbeat.objects.update(machine="another-machine", pid=1)
    task = _running_task("tests.worker_tasks.record_run", ["/nowhere", 1], ["elsewhere"])
    assert abandoned_tasks_take_back(stale_after=dt.timedelta(seconds=60)) == []
    WorkerHeartbeat.objects.update(last_seen_at=timezone.now() - dt.timedelta(seconds=61))
    assert [t.task_id for t in abandoned_tasks_take_back(stale_after=dt.timedelta(seconds=60))] == [
        str(task.id)
    ]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    # The dead worker is forgotten once it names no running task.
    assert not WorkerHeartbeat.objects.exists()


def test_a_dead_process_on_this_machine_is_dead_at_once(db) -> None:
    """A pid that is not the process that recorded the heartbeat (here: a start time that no
    process has) is a dead worker, however fresh its heartbeat."""
    worker_heartbeat_record(worker_id="killed")
    WorkerHeartbeat.objects.update(process_started="1")
    assert processes.machine(), "this test needs /proc"
    task = _running_task("tests.worker_tasks.record_run", ["/nowhere", 1], ["killed"])
    taken = abandoned_tasks_take_back(stale_after=dt.timedelta(seconds=60))
    assert [t.task_id for t in taken] == [str(task.id)]


def test_a_task_of_a_worker_without_a_heartbeat_is_given_time(db) -> None:
    task = _running_task("tests.worker_tasks.record_run", ["/nowhere", 1], ["unknown"])
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now())
    assert abandoned_tasks_take_back(stale_after=dt.timedelta(seconds=60)) == []


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_the_database_cannot_take_is_tried_again_later(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """On SQLite another worker's import holds every write back for as long as it runs: a
    worker starting meanwhile carries on (and beats later) rather than stopping."""

    def locked(**kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(runner, "worker_heartbeat_record", locked)
    worker = runner.HeartbeatWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="starting",
        excluded_queue_names=[],
    )
    worker.run()  # a batch worker with nothing to do: returns once it has looked
    assert "Heartbeat not recorded (OperationalError)" in caplog.text
