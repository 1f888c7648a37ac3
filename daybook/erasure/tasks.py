from django_tasks import task

from daybook.erasure.services import erasures_carry_out_due


@task()
def erasures_carry_out() -> int:
    """Carry out the erasures whose undo window has passed: enqueued once a day (see
    docs/erasure.md), or run at once with `manage.py carry_out_erasures`."""
    return erasures_carry_out_due()
