from typing import Any

from django.dispatch import receiver
from django_tasks import task

from daybook.imports.models import ImportJob
from daybook.imports.services import import_queued, import_run


@task()
def run_import(job_id: int) -> None:
    import_run(ImportJob.objects.select_related("case", "created_by").get(pk=job_id))


@receiver(import_queued, dispatch_uid="imports.run_when_queued")
def run_when_queued(sender: type, *, job: ImportJob, **kwargs: Any) -> None:
    run_import.enqueue(job.pk)
