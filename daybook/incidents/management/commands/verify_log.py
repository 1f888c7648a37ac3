from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daybook import crypto
from daybook.cases.models import Case
from daybook.incidents.verify import verify_case


class Command(BaseCommand):
    help = (
        "Verify the hash chain, entries and evidence files of one case's log, or of every "
        "case's. Each case gets a line; one that cannot be checked (its key does not open, or "
        "anything else goes wrong) is reported and the others are still checked. Exits "
        "non-zero if any failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", nargs="?", help="a case reference such as DB-ABCD-EFGH")
        parser.add_argument("--skip-files", action="store_true", help="do not re-hash files")

    def handle(self, *args: Any, reference: str | None, skip_files: bool, **options: Any) -> None:
        cases = Case.objects.filter(erased_at__isnull=True).order_by("pk")
        if reference:
            cases = cases.filter(reference=reference)
            if not cases.exists():
                raise CommandError(f"No case with the reference {reference}.")
        checked = failures = 0
        for case in cases.iterator():
            checked += 1
            problem = self.problem_of(case, check_files=not skip_files)
            if problem is None:
                continue
            failures += 1
            self.stdout.write(f"{case.reference}: FAILED — {problem}")
        if failures:
            raise CommandError(f"{failures} of {checked} log(s) failed verification.")
        self.stdout.write(f"All {checked} log(s) verified.")

    def problem_of(self, case: Case, *, check_files: bool) -> str | None:
        """Check one case, writing its line if it verified; otherwise what went wrong, in
        words. Nothing that goes wrong in one case stops the others being checked."""
        try:
            result = verify_case(case, check_files=check_files)
        except crypto.DecryptionError:
            in_use = crypto.key_id(crypto.master_key())
            wrapped_by = case.key_id or "not recorded"
            return (
                "its key does not open with the master key in use "
                f"(key {in_use}; the case records key {wrapped_by}), so nothing in it could "
                "be checked. Was the master key rotated without every key being re-wrapped?"
            )
        except Exception as error:  # reported for this case; the others are still checked
            return f"it could not be checked: {type(error).__name__}"
        if not result.ok:
            return str(result.problem)
        self.stdout.write(
            f"{case.reference}: verified, {result.records} records, head {result.head}"
        )
        return None
