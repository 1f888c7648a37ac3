from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daybook.cases.models import Case
from daybook.incidents.verify import verify_case


class Command(BaseCommand):
    help = "Verify the hash chain, entries and evidence files of one case's log, or of all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", nargs="?", help="a case reference such as DB-ABCD-EFGH")
        parser.add_argument("--skip-files", action="store_true", help="do not re-hash files")

    def handle(self, *args: Any, reference: str | None, skip_files: bool, **options: Any) -> None:
        cases = Case.objects.filter(erased_at__isnull=True).order_by("pk")
        if reference:
            cases = cases.filter(reference=reference)
            if not cases.exists():
                raise CommandError(f"No case with the reference {reference}.")
        failures = 0
        for case in cases.iterator():
            result = verify_case(case, check_files=not skip_files)
            if result.ok:
                self.stdout.write(
                    f"{case.reference}: verified, {result.records} records, head {result.head}"
                )
            else:
                failures += 1
                self.stdout.write(f"{case.reference}: FAILED — {result.problem}")
        if failures:
            raise CommandError(f"{failures} log(s) failed verification.")
