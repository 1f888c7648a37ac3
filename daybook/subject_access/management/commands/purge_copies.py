from typing import Any

from django.core.management.base import BaseCommand

from daybook.subject_access.services import subject_access_purge_expired


class Command(BaseCommand):
    help = "Delete the files and keys of expired copies of people's data (run hourly from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {subject_access_purge_expired()} expired copies.")
