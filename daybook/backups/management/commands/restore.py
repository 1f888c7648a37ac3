"""`manage.py restore <backup>`: put a backup into an empty instance, then tell which logs it
took back to before a checkpoint they had issued."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from daybook.backups import services
from daybook.backups.archive import BadBackup
from daybook.backups.database import DatabaseToolFailed
from daybook.backups.erasure_ledger import (
    ErasureLedgerContents,
    erasure_ledger_path,
    erasure_ledger_read,
)
from daybook.backups.ledger import LedgerContents, LedgerMissing, ledger_path, ledger_read


class Command(BaseCommand):
    help = (
        "Restore the backup in BACKUP into this instance, which must be empty (no cases, no "
        "accounts, none of the backup's files in storage). Every part's SHA-256 and seal is "
        "checked before anything is written, and nothing is left half-restored. Afterwards "
        "every log is compared with the checkpoint ledger (DAYBOOK_CHECKPOINT_LEDGER, or each "
        "--ledger given): each log now behind a checkpoint it had issued is listed here and "
        "shown on its case record. Before that, every erasure in the erasure ledger "
        "(DAYBOOK_ERASURE_LEDGER, or each --erasure-ledger given) whose log or account the "
        "backup brought back is carried out again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="the backup's directory")
        parser.add_argument(
            "--ledger",
            action="append",
            default=[],
            metavar="FILE",
            help="a checkpoint ledger to compare with (repeatable: one per host that kept "
            "its own); by default the one DAYBOOK_CHECKPOINT_LEDGER names",
        )
        parser.add_argument(
            "--no-ledger",
            action="store_true",
            help="restore without comparing with a ledger (the instance then cannot tell "
            "whether the backup took any log back to before a checkpoint)",
        )
        add_erasure_ledger_arguments(parser)

    def handle(
        self,
        *args: Any,
        backup: str,
        ledger: list[str],
        no_ledger: bool,
        erasure_ledger: list[str],
        no_erasure_ledger: bool,
        **options: Any,
    ) -> None:
        paths = [] if no_ledger else [Path(path) for path in ledger] or [ledger_path()]
        try:
            contents = ledger_read(paths)
        except LedgerMissing as error:
            raise CommandError(
                f"Nothing was restored: the checkpoint ledger {error}. Copy the ledger kept "
                "from the old instance there or name it with --ledger; --no-ledger restores "
                "without the comparison."
            ) from None
        erasures = erasures_read(erasure_ledger, no_erasure_ledger, "restored")
        try:
            restored = services.restore_run(source=Path(backup), ledger=contents, erasures=erasures)
        except BadBackup as error:
            raise CommandError(f"Nothing was restored: the backup in {backup}: {error}.") from None
        except services.RestoreRefused as error:
            raise CommandError(f"Nothing was restored. {error}") from None
        except DatabaseToolFailed as error:
            raise CommandError(f"Nothing was restored: {error}.") from None
        self.report(restored, compared=bool(paths))

    def report(self, restored: services.Restored, *, compared: bool) -> None:
        manifest = restored.manifest
        taken = timezone.localtime(manifest.taken_at)
        self.stdout.write(
            f"Restored the backup taken at {taken:%Y-%m-%d %H:%M:%S %Z}: {manifest.cases} "
            f"case(s), {len(manifest.files())} stored file(s)."
        )
        for line in erased_again_lines(restored.erased_again):
            self.stdout.write(line)
        for line in comparison_lines(restored.comparison, restored.ledger, compared=compared):
            self.stdout.write(line)


def add_erasure_ledger_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--erasure-ledger",
        action="append",
        default=[],
        metavar="FILE",
        help="an erasure ledger whose erasures are carried out again (repeatable: one per "
        "host that kept its own); by default the one DAYBOOK_ERASURE_LEDGER names",
    )
    parser.add_argument(
        "--no-erasure-ledger",
        action="store_true",
        help="go ahead without an erasure ledger: every log erased and every account closed "
        "since the moment restored to comes back, and must be erased again by hand",
    )


def erasures_read(paths: list[str], declined: bool, what: str) -> ErasureLedgerContents | None:
    """The erasure ledger, read before anything is written; None when declined."""
    if declined:
        return None
    try:
        return erasure_ledger_read([Path(path) for path in paths] or [erasure_ledger_path()])
    except LedgerMissing as error:
        raise CommandError(
            f"Nothing was {what}: the erasure ledger {error}. Without it, every log erased "
            "since would come back. Copy the ledger kept from the old instance there or name "
            "it with --erasure-ledger; --no-erasure-ledger goes ahead without it."
        ) from None


def erased_again_lines(done: services.ErasedAgain) -> list[str]:
    """What carrying out the erasure ledger again did, for the operator: counts, log
    references and account ids only."""
    lines = []
    if done.reports_purged or done.copies_purged:
        lines.append(
            f"Deleted again, as the daily purges would: {done.reports_purged} expired report "
            f"file(s), {done.copies_purged} copy(ies) of everything held that had expired or "
            "held an erased log."
        )
    read = done.read
    if read is None:
        lines.append(
            "No erasure ledger was read: any log erased or account closed since the moment "
            "restored to is back, and must be erased again."
        )
        return lines
    if read.unreadable or read.forged:
        lines.append(
            f"The erasure ledger had {read.unreadable} line(s) that could not be read and "
            f"{read.forged} whose signature did not hold; they were left out."
        )
    erased = [f"log {reference}" for reference in done.cases]
    erased += [f"account {account}" for account in done.accounts]
    which = f" ({', '.join(erased)})" if erased else ""
    lines.append(
        f"Erased again, as the erasure ledger records: {done.count} of its "
        f"{len(read.entries)} erasure(s){which}. {done.not_held} erasure(s) were of logs or "
        "accounts this database does not hold (erased before, or started after)."
    )
    if done.failed:
        lines.append(
            f"{len(done.failed)} could not be carried out again ({', '.join(done.failed)}): "
            "erase them by hand before Daybook is started."
        )
    return lines


def comparison_lines(
    comparison: services.Comparison, read: LedgerContents, *, compared: bool
) -> list[str]:
    """What a comparison with the ledger found, a line each, for the operator."""
    lines = []
    if read.unreadable or read.forged:
        lines.append(
            f"The ledger had {read.unreadable} line(s) that could not be read and "
            f"{read.forged} whose signature did not hold; they were left out."
        )
    for behind in comparison.behind:
        issued = timezone.localtime(behind.checkpoint_issued_at)
        where = "" if behind.case is not None else " (not in the database at all)"
        lines.append(
            f"{behind.case_reference}: BEHIND — a checkpoint issued at "
            f"{issued:%Y-%m-%d %H:%M:%S %Z} covered {behind.checkpoint_sequence} records; "
            f"the restored log{where} holds {behind.restored_sequence}, "
            f"{behind.records_missing} fewer."
        )
    for differs in comparison.differs:
        issued = timezone.localtime(differs.checkpoint_issued_at)
        lines.append(
            f"{differs.case_reference}: DIFFERS — record {differs.sequence} is not the one "
            f"a checkpoint issued at {issued:%Y-%m-%d %H:%M:%S %Z} covered."
        )
    if not compared:
        lines.append("No ledger was compared: whether any log went back is unknown.")
    elif not comparison.behind and not comparison.differs:
        lines.append(
            f"Every log holds every one of the {len(read.entries)} checkpoint(s) in the ledger."
        )
    else:
        lines.append(
            f"{len(comparison.behind)} log(s) are behind a checkpoint they had issued: their "
            "case records say so. Run verify_log --checkpoint with the ledger for the detail."
        )
    return lines
