from typing import Any

from django.core.management.base import BaseCommand

from daybook.subject_access.leaving import account_deletions_carry_out_due


class Command(BaseCommand):
    help = (
        "Close the accounts of people who asked to leave, once their undo window has passed "
        "and their logs are erased (run daily, after carry_out_erasures)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Closed {account_deletions_carry_out_due()} accounts.")
