import json
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from daybook import crypto
from daybook.cases.models import Case
from daybook.incidents import checkpoints, checks, tallies
from daybook.incidents.verify import checkpoint_problem


class Command(BaseCommand):
    help = (
        "Verify the hash chain, entries and evidence files of one case's log, or of every "
        "case's, and each log against every signed checkpoint issued for it and any given "
        "with --checkpoint (a receipt kept outside the database), and the counts its pages show "
        "against its entries. Each case gets a line; one that cannot be checked (its key does "
        "not open, or anything else goes wrong) is reported and the others are still checked. "
        "What is found is kept for the log page. Exits non-zero if any failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", nargs="?", help="a case reference such as DB-ABCD-EFGH")
        parser.add_argument("--skip-files", action="store_true", help="do not re-hash files")
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="a checkpoint file (a receipt, or the checkpoint ledger) to check its case's "
            "log against; repeatable",
        )
        parser.add_argument(
            "--recount",
            action="store_true",
            help="count each log's entries again for its pages before checking it (after a "
            "check reported the counts wrong)",
        )

    def handle(
        self,
        *args: Any,
        reference: str | None,
        skip_files: bool,
        checkpoint: list[str],
        recount: bool = False,
        **options: Any,
    ) -> None:
        given = self.read_checkpoints(checkpoint)
        cases = Case.objects.filter(erased_at__isnull=True).order_by("pk")
        if reference:
            cases = cases.filter(reference=reference)
            if not cases.exists():
                raise CommandError(f"No case with the reference {reference}.")
        elif given:
            cases = cases.filter(reference__in=given)
        checked = failures = 0
        erased = self.erased_among(given)
        for missing in sorted(set(given) - set(cases.values_list("reference", flat=True))):
            if reference and missing != reference:
                raise CommandError(f"The checkpoint given is of {missing}, not {reference}.")
            if missing in erased:
                self.stdout.write(f"{missing}: erased, so not checked.")
                continue
            checked += 1
            failures += 1
            self.stdout.write(
                f"{missing}: FAILED — a checkpoint of this log was given, but the log is not in "
                "this database (or has been erased): the database may have been restored from "
                "a copy older than the checkpoint."
            )
        for case in cases.iterator():
            checked += 1
            if recount:
                tallies.recount(case.pk)
            problem = self.problem_of(
                case, check_files=not skip_files, given=given.get(case.reference, [])
            )
            if problem is None:
                continue
            failures += 1
            self.stdout.write(f"{case.reference}: FAILED — {problem}")
        if failures:
            raise CommandError(f"{failures} of {checked} log(s) failed verification.")
        self.stdout.write(f"All {checked} log(s) verified.")

    @staticmethod
    def erased_among(references: Iterable[str]) -> set[str]:
        """The logs among `references` that were erased: a ledger holds every log's
        checkpoints, erased ones' too, and those logs are meant to be gone. Erasure leaves a
        tombstone (daybook/erasure, which sits above this app, so it is found by name)."""
        if not apps.is_installed("daybook.erasure"):
            return set()
        tombstones = apps.get_model("erasure", "Tombstone").objects
        return set(tombstones.filter(reference__in=references).values_list("reference", flat=True))

    def read_checkpoints(self, paths: list[str]) -> dict[str, list[tuple[dict[str, Any], bytes]]]:
        """The checkpoints in the files given, by the case each is of: a receipt, or a
        checkpoint ledger (daybook/backups/ledger.py: one checkpoint a line). One that cannot
        be read stops the command before anything is checked."""
        given: dict[str, list[tuple[dict[str, Any], bytes]]] = {}
        for path in paths:
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            except OSError as error:
                raise CommandError(f"{path} cannot be read: {error.strerror}.") from None
            for number, data in enumerate(self.documents(path, text), start=1):
                try:
                    statement, signature = checkpoints.read_receipt(data)
                except checkpoints.BadCheckpoint as error:
                    where = f"{path}" if number == 1 else f"{path} (checkpoint {number})"
                    raise CommandError(f"{where} is not a checkpoint file: {error}.") from None
                given.setdefault(str(statement["case"]), []).append((statement, signature))
        return given

    @staticmethod
    def documents(path: str, text: str) -> list[Any]:
        """A receipt's one JSON document, or a ledger's one a line."""
        try:
            return [json.loads(text)]
        except ValueError:
            pass
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            raise CommandError(f"{path} is not a checkpoint file: it is not JSON.") from None

    def problem_of(
        self,
        case: Case,
        *,
        check_files: bool,
        given: list[tuple[dict[str, Any], bytes]] | None = None,
    ) -> str | None:
        """Check one case, writing its line if it verified; otherwise what went wrong, in
        words. Nothing that goes wrong in one case stops the others being checked."""
        try:
            result = checks.check_and_keep(case, check_files=check_files)
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
        try:
            against = checkpoint_problem(case, result, given or [])
        except Exception as error:  # reported for this case; the others are still checked
            return f"its checkpoints could not be checked: {type(error).__name__}"
        if against is not None:
            return against
        self.stdout.write(
            f"{case.reference}: verified, {result.records} records, head {result.head}"
        )
        return None
