"""`manage.py compare_ledger --recovered-to WHEN`: after the database was recovered by its own
means (PostgreSQL's point-in-time recovery, a provider's snapshot) rather than by `restore`,
do what `restore` does afterwards."""

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from daybook.backups import services
from daybook.backups.ledger import LedgerMissing, ledger_path, ledger_read
from daybook.backups.management.commands.restore import (
    add_erasure_ledger_arguments,
    comparison_lines,
    erased_again_lines,
    erasures_read,
)


def moment(text: str) -> dt.datetime:
    try:
        found = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{text!r} is not a date and time: write it as 2026-11-30T14:05 (local time) or "
            "2026-11-30T14:05+00:00."
        ) from None
    return found if timezone.is_aware(found) else timezone.make_aware(found)


class Command(BaseCommand):
    help = (
        "After the database was recovered to an earlier moment by its own means, compare "
        "every log with the checkpoint ledger: each log now behind a checkpoint it had issued "
        "is listed here and shown on its case record, and every session is ended. Every "
        "erasure in the erasure ledger whose log or account the recovery brought back is "
        "carried out again first. Run it once per recovery, before Daybook is started again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recovered-to",
            required=True,
            metavar="WHEN",
            help="the moment the database was recovered to (ISO 8601; local time if no offset)",
        )
        parser.add_argument(
            "--ledger",
            action="append",
            default=[],
            metavar="FILE",
            help="a checkpoint ledger (repeatable); by default DAYBOOK_CHECKPOINT_LEDGER's",
        )
        add_erasure_ledger_arguments(parser)

    def handle(
        self,
        *args: Any,
        recovered_to: str,
        ledger: list[str],
        erasure_ledger: list[str],
        no_erasure_ledger: bool,
        **options: Any,
    ) -> None:
        when = moment(recovered_to)
        try:
            contents = ledger_read([Path(path) for path in ledger] or [ledger_path()])
        except LedgerMissing as error:
            raise CommandError(f"Nothing was compared: the checkpoint ledger {error}.") from None
        erasures = erasures_read(erasure_ledger, no_erasure_ledger, "compared")
        try:
            _, comparison, erased_again = services.recovery_record(
                recovered_to=when, ledger=contents, erasures=erasures
            )
        except services.RestoreRefused as error:
            raise CommandError(str(error)) from None
        for line in erased_again_lines(erased_again):
            self.stdout.write(line)
        for line in comparison_lines(comparison, contents, compared=True):
            self.stdout.write(line)
