from django_tasks import task

from daybook.retention.services import reviews_open_for_due_cases


@task()
def list_cases_due_for_review() -> int:
    """Once a day: open a retention review for each closed case that has become due, so the
    service's manager finds it on their list. Returns how many were listed (a count only)."""
    return len(reviews_open_for_due_cases())
