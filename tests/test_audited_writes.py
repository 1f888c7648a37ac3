"""Every write is a service with its audit event in the same transaction: imports and reports
included. Each test below fails if a write happens without its audit event, or if the write
and its event can be separated (one committed, the other rolled back).

The rollback tests wrap the service module's `audit_record` so that it writes the event and
then raises: the service must then leave neither its write nor the event behind.
"""

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from daybook.audit import services as audit_services
from daybook.audit.models import Action, AuditEvent
from daybook.imports import services as imports
from daybook.imports.models import ImportedRecord, ImportJob
from daybook.imports.parsers import CsvMapping
from daybook.incidents import services as log
from daybook.incidents.evidence import check_upload
from daybook.incidents.models import ChainRecord, Entry, Evidence
from daybook.reports import services as reports
from daybook.reports.models import Report
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG
from tests.test_imports_flow import CALL_LOG, CHAT


class AfterAudit(Exception):
    """Raised just after an audit event was written, as if the service failed then."""


@contextmanager
def failing_after_audit(module: Any, action: Action) -> Iterator[list[Action]]:
    """Make `module`'s audit_record write the event for `action` and then raise AfterAudit."""
    written: list[Action] = []
    real: Callable[..., AuditEvent] = audit_services.audit_record

    def write_then_fail(**kwargs: Any) -> AuditEvent:
        event = real(**kwargs)
        written.append(kwargs["action"])
        if kwargs["action"] == action:
            raise AfterAudit
        return event

    with mock.patch.object(module, "audit_record", side_effect=write_then_fail):
        yield written


def events(action: Action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# --- No switch that turns auditing off ---------------------------------------------


@pytest.mark.parametrize("module", [log, imports, reports], ids=lambda m: m.__name__)
def test_no_service_takes_a_flag_that_skips_its_audit(module: Any) -> None:
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if function.__module__ == module.__name__:
            assert "audit" not in inspect.signature(function).parameters, name


# --- The log -------------------------------------------------------------------------


def test_an_entry_and_its_audit_event_commit_or_roll_back_together(
    case, personas: Personas
) -> None:
    with failing_after_audit(log, Action.ENTRY_RECORDED) as written, pytest.raises(AfterAudit):
        log.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    assert written == [Action.ENTRY_RECORDED]
    case.refresh_from_db()
    assert not Entry.objects.exists() and not ChainRecord.objects.exists()
    assert case.chain_seq == 0 and not events(Action.ENTRY_RECORDED)

    entry = log.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    [event] = events(Action.ENTRY_RECORDED)
    assert (event.actor, event.subject_id) == (personas.victim, str(entry.pk))


def test_a_file_and_its_audit_event_commit_or_roll_back_together(
    case, entry, personas: Personas
) -> None:
    checked = check_upload("texts.png", PNG)
    with failing_after_audit(log, Action.EVIDENCE_ADDED), pytest.raises(AfterAudit):
        log.evidence_add(entry=entry, author=personas.victim, how="victim", checked=checked)
    assert not Evidence.objects.exists() and not events(Action.EVIDENCE_ADDED)
    assert ChainRecord.objects.filter(kind=ChainRecord.Kind.EVIDENCE).count() == 0
    assert default_storage.listdir(case.uid) == ([], [])

    evidence = log.evidence_add(entry=entry, author=personas.victim, how="victim", checked=checked)
    [event] = events(Action.EVIDENCE_ADDED)
    assert (event.actor, event.subject_id) == (personas.victim, str(evidence.pk))


def test_a_batch_of_imported_entries_has_one_audit_event_in_its_transaction(
    case, personas: Personas
) -> None:
    with log.entries_import(case=case, author=personas.victim, extra={"import": 7}) as batch:
        first = batch.entry(values=entry_values())
        batch.entry(values=entry_values(what_happened="Again"))
        batch.evidence(entry=first, checked=check_upload("texts.png", PNG))
    case.refresh_from_db()
    assert Entry.objects.filter(case=case, recorded_how="import").count() == 2
    [event] = events(Action.ENTRIES_IMPORTED)
    assert event.subject_id == str(case.pk) and event.actor == personas.victim
    assert event.extra == {"import": 7, "entries": 2, "files": 1, "chain_seq": 3}
    assert not events(Action.ENTRY_RECORDED) and not events(Action.EVIDENCE_ADDED)
    with pytest.raises(RuntimeError, match="already been written"):
        batch.entry(values=entry_values())


def test_a_batch_that_fails_after_its_audit_event_leaves_nothing(case, personas: Personas) -> None:
    with (
        failing_after_audit(log, Action.ENTRIES_IMPORTED),
        pytest.raises(AfterAudit),
        log.entries_import(case=case, author=personas.victim, extra={}) as batch,
    ):
        batch.entry(values=entry_values())
    case.refresh_from_db()
    assert case.chain_seq == 0 and not Entry.objects.exists()
    assert not events(Action.ENTRIES_IMPORTED)


def test_a_batch_that_fails_inside_leaves_no_audit_event(case, personas: Personas) -> None:
    with (
        pytest.raises(ValueError, match="boom"),
        log.entries_import(case=case, author=personas.victim, extra={}) as batch,
    ):
        batch.entry(values=entry_values())
        raise ValueError("boom")
    assert not Entry.objects.exists() and not events(Action.ENTRIES_IMPORTED)


# --- Imports -------------------------------------------------------------------------


def uploaded(case, personas: Personas, data: bytes = CHAT, name: str = "chat.txt") -> ImportJob:
    return imports.import_upload(case=case, actor=personas.victim, name=name, data=data)


def queued(case, personas: Personas) -> ImportJob:
    job = uploaded(case, personas)
    imports.import_configure(
        job=job,
        options={"stalkers": ["Sam Ex"], "time_zone": "Europe/London", "date_order": "dmy"},
        actor=personas.victim,
    )
    job.refresh_from_db()
    return job


def test_choosing_csv_columns_is_audited_with_the_change(case, personas: Personas) -> None:
    job = uploaded(case, personas, CALL_LOG.replace(b"Date,Number", b"When it was,Who"), "a.csv")
    mapping = CsvMapping(
        timestamp="When it was", number="Who", direction="Type", duration="Duration (s)"
    )
    with failing_after_audit(imports, Action.IMPORT_COLUMNS_CHOSEN), pytest.raises(AfterAudit):
        imports.import_map_columns(job=job, mapping=mapping, actor=personas.victim)
    assert "csv_mapping" not in ImportJob.objects.get(pk=job.pk).options
    assert not events(Action.IMPORT_COLUMNS_CHOSEN)

    imports.import_map_columns(job=job, mapping=mapping, actor=personas.victim)
    assert ImportJob.objects.get(pk=job.pk).options["csv_mapping"]["number"] == "Who"
    [event] = events(Action.IMPORT_COLUMNS_CHOSEN)
    assert (event.actor, event.subject_id) == (personas.victim, str(job.pk))
    assert event.extra == {"format": job.format, "case": case.pk, "records": 3}


def test_queueing_an_import_is_audited_with_the_change(
    case, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    job = uploaded(case, personas)
    options = {"stalkers": ["Sam Ex"], "time_zone": "Europe/London"}
    with (
        django_capture_on_commit_callbacks() as callbacks,
        failing_after_audit(imports, Action.IMPORT_QUEUED),
        pytest.raises(AfterAudit),
    ):
        imports.import_configure(job=job, options=options, actor=personas.victim)
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.UPLOADED
    assert not events(Action.IMPORT_QUEUED) and callbacks == []  # nor is the import started

    imports.import_configure(
        job=ImportJob.objects.get(pk=job.pk), options=options, actor=personas.victim
    )
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.QUEUED
    [event] = events(Action.IMPORT_QUEUED)
    assert event.actor == personas.victim and "Sam Ex" not in str(event.extra)


def test_asking_to_cancel_is_audited_and_leaves_no_request_if_that_fails(
    case, personas: Personas
) -> None:
    job = queued(case, personas)
    with failing_after_audit(imports, Action.IMPORT_CANCEL_ASKED), pytest.raises(AfterAudit):
        imports.import_cancel(job=job, actor=personas.advocate)
    assert not events(Action.IMPORT_CANCEL_ASKED)
    assert not default_storage.exists(imports._cancel_name(job))

    imports.import_cancel(job=job, actor=personas.advocate)
    [event] = events(Action.IMPORT_CANCEL_ASKED)
    assert event.actor == personas.advocate and default_storage.exists(imports._cancel_name(job))

    done = uploaded(case, personas, name="other.txt")
    imports.import_cancel(job=done, actor=personas.advocate)  # nothing to cancel: no write
    assert len(events(Action.IMPORT_CANCEL_ASKED)) == 1


def test_an_import_audits_its_start_its_batch_and_its_end_and_nothing_per_entry(
    case, personas: Personas
) -> None:
    job = queued(case, personas)
    imports.import_run(job)
    job.refresh_from_db()
    assert (job.status, job.added) == (ImportJob.Status.DONE, 4)
    assert actions()[actions().index(Action.IMPORT_UPLOADED) :] == [
        Action.IMPORT_UPLOADED,
        Action.IMPORT_QUEUED,
        Action.IMPORT_STARTED,
        Action.ENTRIES_IMPORTED,
        Action.IMPORT_FINISHED,
    ]
    [batch] = events(Action.ENTRIES_IMPORTED)
    assert batch.extra == {"import": job.pk, "entries": 4, "files": 1, "chain_seq": 5}
    [finished] = events(Action.IMPORT_FINISHED)
    assert finished.extra == {"case": case.pk, "added": 4, "already_there": 0}
    extras = str(list(AuditEvent.objects.values_list("extra", flat=True)))
    assert "Sam Ex" not in extras and "answer me" not in extras  # codes and ids only

    imports.import_run(job)  # a second worker given the same job: nothing, not even an event
    assert len(events(Action.IMPORT_STARTED)) == 1


@pytest.mark.parametrize(
    ("module", "action"),
    [(log, Action.ENTRIES_IMPORTED), (imports, Action.IMPORT_FINISHED)],
    ids=["batch event", "finished event"],
)
def test_an_import_whose_audit_fails_adds_nothing_and_records_its_failure(
    case, personas: Personas, module: Any, action: Action
) -> None:
    job = queued(case, personas)
    with failing_after_audit(module, action) as written:
        imports.import_run(job)
    assert action in written  # the event was written, then rolled back with everything else
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "nothing was added" in job.error
    case.refresh_from_db()
    assert case.chain_seq == 0 and not Entry.objects.exists()
    assert not ImportedRecord.objects.exists()
    assert not events(Action.ENTRIES_IMPORTED) and not events(Action.IMPORT_FINISHED)
    [failed] = events(Action.IMPORT_FAILED)
    assert failed.subject_id == str(job.pk) and failed.actor == personas.victim
    assert failed.extra == {
        "case": case.pk,
        "added": 0,
        "already_there": 0,
        "failure": "AfterAudit",
    }


def test_a_failed_import_leaves_its_status_and_its_event_together(
    case, personas: Personas, monkeypatch
) -> None:
    def fail(batch: log.ImportBatch, **kwargs: object) -> Entry:
        raise RuntimeError("disk full")

    monkeypatch.setattr(log.ImportBatch, "entry", fail)
    job = queued(case, personas)
    with failing_after_audit(imports, Action.IMPORT_FAILED), pytest.raises(AfterAudit):
        imports.import_run(job)
    job.refresh_from_db()  # the failure could not be audited, so it was not recorded either
    assert job.status == ImportJob.Status.RUNNING and not events(Action.IMPORT_FAILED)

    other = queued(case, personas)
    imports.import_run(other)
    other.refresh_from_db()
    assert other.status == ImportJob.Status.FAILED
    [failed] = events(Action.IMPORT_FAILED)
    assert failed.subject_id == str(other.pk) and failed.extra["failure"] == "RuntimeError"
    assert "disk full" not in str(failed.extra)


def test_a_cancelled_import_audits_its_cancellation(case, personas: Personas, monkeypatch) -> None:
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1)
    job = queued(case, personas)
    imports.import_cancel(job=job, actor=personas.victim)
    imports.import_run(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and not Entry.objects.exists()
    assert not events(Action.ENTRIES_IMPORTED) and not events(Action.IMPORT_FINISHED)
    [cancelled] = events(Action.IMPORT_CANCELLED)
    assert cancelled.subject_id == str(job.pk)


def test_a_small_import_cancelled_before_it_commits_adds_nothing(case, personas: Personas) -> None:
    job = queued(case, personas)  # fewer records than the progress checks count in
    imports.import_cancel(job=job, actor=personas.victim)
    imports.import_run(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and not Entry.objects.exists()
    assert len(events(Action.IMPORT_CANCELLED)) == 1 and not events(Action.ENTRIES_IMPORTED)


def test_an_import_that_cannot_start_its_audit_does_not_start(case, personas: Personas) -> None:
    job = queued(case, personas)
    with failing_after_audit(imports, Action.IMPORT_STARTED), pytest.raises(AfterAudit):
        imports.import_run(job)
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.QUEUED
    assert not events(Action.IMPORT_STARTED) and not Entry.objects.exists()


# --- Reports -------------------------------------------------------------------------


@pytest.fixture
def report(case, entry, personas: Personas) -> Report:
    """A requested chronology; its build is left to the test (nothing runs on commit here)."""
    return reports.report_request(
        case=case, actor=personas.advocate, kind="chronology", profile="police"
    )


def test_a_built_report_is_audited_with_its_file(report: Report, personas: Personas) -> None:
    reports.report_build(report)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and default_storage.exists(report.storage_name)
    [started] = events(Action.REPORT_STARTED)
    [built] = events(Action.REPORT_BUILT)
    for event in (started, built):
        assert (event.actor, event.subject_id) == (personas.advocate, str(report.pk))
        assert event.organisation_id == personas.service.pk
    assert built.extra == {
        "case": report.case_id,
        "kind": "chronology",
        "profile": "police",
        "size": report.size,
    }
    reports.report_build(report)  # built already: not again
    assert len(events(Action.REPORT_STARTED)) == 1


def test_a_report_whose_audit_fails_is_not_done_and_keeps_no_file(report: Report) -> None:
    with failing_after_audit(reports, Action.REPORT_BUILT), pytest.raises(AfterAudit):
        reports.report_build(report)
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING and report.storage_name == ""
    assert not events(Action.REPORT_BUILT)
    assert default_storage.listdir(f"reports/{report.case.uid}") == ([], [])


def test_a_failed_report_is_audited_with_its_status(report: Report, monkeypatch) -> None:
    def broken(report: Report) -> bytes:
        raise ValueError("He stood outside")  # a message may quote the log: never audited

    monkeypatch.setattr(reports, "_render", broken)
    with failing_after_audit(reports, Action.REPORT_FAILED), pytest.raises(AfterAudit):
        reports.report_build(report)
    assert Report.objects.get(pk=report.pk).status == Report.Status.RUNNING
    assert not events(Action.REPORT_FAILED)

    again = reports.report_request(
        case=report.case, actor=report.requested_by, kind="bundle", profile="police"
    )
    reports.report_build(again)
    again.refresh_from_db()
    assert again.status == Report.Status.FAILED and "ValueError" in again.error
    [failed] = events(Action.REPORT_FAILED)
    assert failed.subject_id == str(again.pk) and failed.extra["failure"] == "ValueError"
    assert "He stood" not in str(failed.extra)


def test_a_report_that_cannot_audit_its_start_does_not_start(report: Report) -> None:
    with failing_after_audit(reports, Action.REPORT_STARTED), pytest.raises(AfterAudit):
        reports.report_build(report)
    assert Report.objects.get(pk=report.pk).status == Report.Status.QUEUED
    assert not events(Action.REPORT_STARTED)


def expire(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))


def test_purging_expired_reports_is_audited_by_id(report: Report, case, personas: Personas) -> None:
    assert reports.reports_purge_expired() == 0 and not events(Action.REPORTS_PURGED)
    fresh = reports.report_request(
        case=case, actor=personas.advocate, kind="chronology", profile="police"
    )
    for item in (report, fresh):
        reports.report_build(item)
    expire(report)
    report.refresh_from_db()
    name = report.storage_name
    assert reports.reports_purge_expired() == 1
    [purged] = events(Action.REPORTS_PURGED)
    assert purged.extra == {"count": 1, "reports": [report.pk]}
    assert Report.objects.get(pk=report.pk).storage_name == "" and not default_storage.exists(name)
    assert Report.objects.get(pk=fresh.pk).storage_name != ""


def test_a_purge_that_fails_after_its_audit_event_keeps_the_rows_as_they_were(
    report: Report,
) -> None:
    reports.report_build(report)
    expire(report)
    report.refresh_from_db()
    with mock.patch.object(reports, "default_storage") as storage, pytest.raises(OSError):
        storage.delete.side_effect = OSError("storage down")
        reports.reports_purge_expired()
    assert Report.objects.get(pk=report.pk).storage_name == report.storage_name
    assert not events(Action.REPORTS_PURGED)
