from typing import Any

from django.dispatch import receiver
from django_tasks import task

from daybook.imports.abandoned import import_abandoned
from daybook.imports.models import ImportJob
from daybook.imports.services import import_queued, import_run
from daybook.workers.signals import task_abandoned


@task()
def run_import(job_id: int) -> None:
    import_run(ImportJob.objects.select_related("case", "created_by").get(pk=job_id))


@receiver(import_queued, dispatch_uid="imports.run_when_queued")
def run_when_queued(sender: type, *, job: ImportJob, **kwargs: Any) -> None:
    run_import.enqueue(job.pk)


@receiver(task_abandoned, dispatch_uid="imports.take_back_when_abandoned")
def take_back_when_abandoned(
    sender: type, *, task_path: str, args: list[Any], retrying: bool, **kwargs: Any
) -> None:
    """An import whose worker died: queued again, or failed with a message for the person."""
    if task_path == run_import.module_path:
        import_abandoned(job_id=args[0], retrying=retrying)
