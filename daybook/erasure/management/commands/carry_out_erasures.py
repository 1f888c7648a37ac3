from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from daybook.erasure.services import erasures_carry_out_due
from daybook.erasure.tasks import erasures_carry_out


class Command(BaseCommand):
    help = (
        "Carry out the erasures whose undo window has passed (run daily from cron); "
        "--enqueue hands the work to the task worker instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            erasures_carry_out.enqueue()
            self.stdout.write("Queued the daily erasures.")
            return
        self.stdout.write(f"Carried out {erasures_carry_out_due()} erasures.")
