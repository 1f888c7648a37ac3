from django_tasks import task

from daybook.imports.models import ImportJob


@task()
def run_import(job_id: int) -> None:
    from daybook.imports.services import import_run

    import_run(ImportJob.objects.select_related("case", "created_by").get(pk=job_id))
