"""A report whose worker died part-way: build it again, or tell the person it stopped.

A report's row changes only at its start and at its end (with its stored file, in one
transaction), so a dead worker leaves the report RUNNING and, at most, a stored file no row
names: that file is removed here."""

from django.db import transaction
from django.utils import timezone

from daybook.audit.models import Action
from daybook.reports import services
from daybook.reports.models import Report
from daybook.workers.leftovers import remove_unrecorded

STOPPED = "This report stopped before it was ready. Nothing was kept. Please ask for it again."
WORKER_STOPPED = "WorkerStopped"


@transaction.atomic
def report_abandoned(*, report_id: int, retrying: bool) -> None:
    """Queue the report again, or mark it failed with a message for the person; either way
    remove any file the dead run stored. Audited as a failed attempt."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("case", "requested_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.status not in (Report.Status.QUEUED, Report.Status.RUNNING):
        return
    was_running = report.status == Report.Status.RUNNING
    if was_running:
        remove_unrecorded(f"reports/{report.case.uid}", report.uid, report.storage_name)
    if not retrying:
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED, error=STOPPED, finished_at=timezone.now()
        )
        report.status = Report.Status.FAILED
        services._audit_build(report, Action.REPORT_FAILED, failure=WORKER_STOPPED)
    elif was_running:
        Report.objects.filter(pk=report.pk).update(status=Report.Status.QUEUED, progress=0)
        report.status = Report.Status.QUEUED
        services._audit_build(report, Action.REPORT_FAILED, failure=WORKER_STOPPED, retrying=True)
