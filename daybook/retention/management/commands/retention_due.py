from typing import Any

from django.core.management.base import BaseCommand

from daybook.retention.tasks import list_cases_due_for_review


class Command(BaseCommand):
    help = (
        "Queue the daily retention check: closed cases that have become due are listed for "
        "their service's manager to review (run once a day from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = list_cases_due_for_review.enqueue()
        self.stdout.write(f"Retention check queued ({result.id}).")
