from typing import Any

from django.core.management.base import BaseCommand

from daybook.reports.services import reports_purge_expired


class Command(BaseCommand):
    help = "Delete the stored files of expired reports (run hourly from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {reports_purge_expired()} expired report files.")
