"""Requesting, building and handing out reports. Building happens in a background task."""

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone

from daybook import crypto
from daybook.accounts.models import User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case
from daybook.cases.sealing import open_for, seal_for
from daybook.incidents import checkpoints, keys
from daybook.incidents.models import Checkpoint
from daybook.incidents.services import checkpoint_issue
from daybook.reports import bundle, chronology, packs, pdf, redaction, statement
from daybook.reports.models import Report
from daybook.sharing.models import Share
from daybook.sharing.services import shared_entry_ids

# Sent once a request is committed; the task module builds the report in the background.
report_requested = Signal()


def _report_ad(report: Report) -> str:
    return f"report:{report.uid}:file"


@transaction.atomic
def report_request(
    *,
    case: Case,
    actor: User,
    kind: str,
    profile: str,
    share: Share | None = None,
    options: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Report:
    if profile not in chronology.PROFILES or kind not in Report.Kind.values:
        raise ValueError("Choose a kind of report and a profile from the list.")
    if kind in (Report.Kind.VPS, Report.Kind.SPO):
        # A VPS is disclosed to the defence; an SPO application is served on the respondent.
        profile = chronology.DISCLOSABLE
    if kind == Report.Kind.STATEMENT:
        # A draft for an officer to take with the person: never a disclosable output itself.
        profile = chronology.POLICE
    report = Report(
        case=case,
        kind=kind,
        profile=profile,
        share=share,
        requested_by=actor,
        expires_at=timezone.now() + dt.timedelta(hours=settings.DAYBOOK_REPORT_HOURS),
    )
    if options:  # the requester's own words: sealed with the case's key
        report.options_sealed = seal_for(case, options, report.options_ad())
    report.save()
    audit_record(
        action=Action.REPORT_REQUESTED,
        actor=actor,
        subject=report,
        request=request,
        organisation_id=actor.organisation_id,
        extra={"kind": kind, "profile": profile, "case": case.pk},
    )
    transaction.on_commit(lambda: report_requested.send(Report, report=report))
    return report


def _set_progress(report: Report, percent: int) -> None:
    Report.objects.filter(pk=report.pk).update(progress=percent)


def report_build(report: Report) -> None:
    """Build the file, seal it with the case's key and store it. Failures are recorded, kindly.

    Building runs outside any transaction, so that its progress can be seen while it runs (the
    progress figure is shown, not kept: it is not audited). Its start, and its end with the
    stored file or the failure, are each written together with their audit event."""
    if not _start(report):
        return
    try:
        data = _render(report)
    except Exception as error:  # recorded for the person; never half-stored
        _failed(report, type(error).__name__)
        return
    _store(report, data)


def _audit_build(report: Report, action: Action, **extra: int | str) -> None:
    audit_record(
        action=action,
        actor=report.requested_by,
        subject=report,
        organisation_id=report.requested_by.organisation_id,
        extra={"case": report.case_id, "kind": report.kind, "profile": report.profile, **extra},
    )


@transaction.atomic
def _start(report: Report) -> bool:
    """Take a queued report (once: a second worker given the same report finds it taken)."""
    taken = Report.objects.filter(pk=report.pk, status=Report.Status.QUEUED).update(
        status=Report.Status.RUNNING, progress=5
    )
    if not taken:
        return False
    report.status, report.progress = Report.Status.RUNNING, 5
    _audit_build(report, Action.REPORT_STARTED)
    return True


@transaction.atomic
def _failed(report: Report, failure: str) -> None:
    """`failure` is the exception's class name, never its message (which may quote the log)."""
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.FAILED,
        error=f"The report could not be built ({failure}). Try again.",
        finished_at=timezone.now(),
    )
    report.status = Report.Status.FAILED
    _audit_build(report, Action.REPORT_FAILED, failure=failure)


def _store(report: Report, data: bytes) -> None:
    """Store the sealed file, then mark the report done and audit it in one transaction; if
    that transaction fails, the stored file is removed again."""
    key = keys.case_key(report.case)
    name = default_storage.save(
        f"reports/{report.case.uid}/{report.uid}",
        ContentFile(crypto.seal(key, data, _report_ad(report))),
    )
    try:
        with transaction.atomic():
            Report.objects.filter(pk=report.pk).update(
                status=Report.Status.DONE,
                progress=100,
                storage_name=name,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                finished_at=timezone.now(),
            )
            _audit_build(report, Action.REPORT_BUILT, size=len(data))
    except BaseException:
        default_storage.delete(name)
        raise
    report.status, report.progress, report.storage_name = Report.Status.DONE, 100, name


def report_options(report: Report) -> dict[str, Any]:
    """What the requester wrote for the report, opened with the case's key."""
    opened = open_for(report.case, report.options_sealed, report.options_ad(), {})
    return opened if isinstance(opened, dict) else {}


def _profile(report: Report) -> str:
    """A report produced from a share holds the details to keep private only if the person
    chose, for that share, to let the police see them; otherwise it is built disclosable
    whatever profile was asked for."""
    if report.share is not None and not report.share.include_private:
        return chronology.DISCLOSABLE
    return report.profile


def _render(report: Report) -> bytes:
    entry_ids = shared_entry_ids(report.share) if report.share else None
    options = report_options(report)
    statement_wanted = report.kind == Report.Kind.STATEMENT
    built = chronology.build(
        report.case,
        # The statement draft leaves out the details to keep private whatever the profile.
        profile=chronology.POLICE if statement_wanted else _profile(report),
        produced_by=report.requested_by,
        # The witness signs their statement: it carries their name, never a pseudonym.
        pseudonym="" if statement_wanted else options.get("pseudonym", ""),
        entry_ids=entry_ids,
        include_context=bool(options.get("include_context")) and not statement_wanted,
        charts_wanted=not statement_wanted,
    )
    if built.profile == chronology.DISCLOSABLE:
        # Every text of a disclosed output, and the requester's own words in it (a VPS's
        # answers, an SPO's necessity and prohibitions), has the case's words replaced.
        built.redactor = redaction.case_list(report.case).redactor(options.get("pseudonym", ""))
        built.redactor.apply(built)
        options = built.redactor.apply(options)
    bundled = report.kind == Report.Kind.BUNDLE
    sign_chronology(
        built,
        actor=report.requested_by,
        purpose=Checkpoint.Purpose.BUNDLE if bundled else Checkpoint.Purpose.REPORT,
    )
    _set_progress(report, 20)
    if report.kind == Report.Kind.SPO:
        return packs.spo_pdf(built, options)
    if report.kind == Report.Kind.VPS:
        return packs.vps_pdf(built, options)
    if statement_wanted:
        return pdf.statement_pdf(
            statement.build(
                report.case,
                report.requested_by,
                witness_name=options.get("witness_name", ""),
                built=built,
            )
        )
    document = pdf.chronology_pdf(built)
    _set_progress(report, 50)
    if report.kind == Report.Kind.CHRONOLOGY:
        return document
    return bundle.build_bundle(
        built, document, progress=lambda percent: _set_progress(report, 50 + percent // 2)
    )


def sign_chronology(built: chronology.Chronology, *, actor: User, purpose: str) -> None:
    """Issue the signed checkpoint a report or bundle ends at, once what it says is built:
    the report prints it, the bundle's chain stops at it."""
    issued = checkpoint_issue(case=built.case, purpose=purpose, actor=actor, request=None)
    built.checkpoint = checkpoints.signed(issued, built.case.reference)


def report_bytes(report: Report, *, actor: User, request: HttpRequest | None = None) -> bytes:
    """The finished file, for someone allowed to have it; every download is audited."""
    with default_storage.open(report.storage_name, "rb") as handle:
        sealed = handle.read()
    data = crypto.open_sealed(keys.case_key(report.case), sealed, _report_ad(report))
    audit_record(
        action=Action.REPORT_DOWNLOADED,
        actor=actor,
        subject=report,
        request=request,
        organisation_id=actor.organisation_id,
        extra={"case": report.case_id, "kind": report.kind},
    )
    return data


def report_expired(report: Report) -> bool:
    return report.expires_at <= timezone.now()


@transaction.atomic
def reports_purge_expired() -> int:
    """Delete the files of expired reports (the rows stay, for the audit trail), with one
    audit event naming the reports by id. The files go last, once the rows and the event are
    written: a failure part-way rolls the rows back, and the next purge deletes again."""
    expired = list(
        Report.objects.select_for_update()
        .filter(expires_at__lte=timezone.now())
        .exclude(storage_name="")
        .order_by("pk")
        .values_list("pk", "storage_name")
    )
    if not expired:
        return 0
    ids = [pk for pk, _name in expired]
    Report.objects.filter(pk__in=ids).update(storage_name="")
    audit_record(action=Action.REPORTS_PURGED, extra={"count": len(ids), "reports": ids})
    for _pk, name in expired:
        default_storage.delete(name)
    return len(ids)
