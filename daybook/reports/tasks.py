from typing import Any

from django.dispatch import receiver
from django_tasks import task

from daybook.reports.abandoned import report_abandoned
from daybook.reports.models import Report
from daybook.reports.services import report_build, report_requested
from daybook.workers.signals import task_abandoned


@task()
def build_report(report_id: int) -> None:
    report = Report.objects.select_related("case", "requested_by", "share").get(pk=report_id)
    report_build(report)


@receiver(report_requested, dispatch_uid="reports.build_when_requested")
def build_when_requested(sender: type, *, report: Report, **kwargs: Any) -> None:
    build_report.enqueue(report.pk)


@receiver(task_abandoned, dispatch_uid="reports.take_back_when_abandoned")
def take_back_when_abandoned(
    sender: type, *, task_path: str, args: list[Any], retrying: bool, **kwargs: Any
) -> None:
    """A report whose worker died: queued again, or failed with a message for the person."""
    if task_path == build_report.module_path:
        report_abandoned(report_id=args[0], retrying=retrying)
