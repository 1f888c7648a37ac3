from django_tasks import task

from daybook.reports.models import Report


@task()
def build_report(report_id: int) -> None:
    from daybook.reports.services import report_build

    report = Report.objects.select_related("case", "requested_by", "share").get(pk=report_id)
    report_build(report)
