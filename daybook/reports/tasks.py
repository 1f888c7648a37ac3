from typing import Any

from django.dispatch import receiver
from django_tasks import task

from daybook.reports.models import Report
from daybook.reports.services import report_build, report_requested


@task()
def build_report(report_id: int) -> None:
    report = Report.objects.select_related("case", "requested_by", "share").get(pk=report_id)
    report_build(report)


@receiver(report_requested, dispatch_uid="reports.build_when_requested")
def build_when_requested(sender: type, *, report: Report, **kwargs: Any) -> None:
    build_report.enqueue(report.pk)
