"""`manage.py backup <destination>`: a consistent backup of the running instance."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daybook.backups import services
from daybook.backups.database import DatabaseToolFailed
from daybook.backups.erasure_ledger import erasure_ledger_path


class Command(BaseCommand):
    help = (
        "Back the instance up into DESTINATION, a new directory: a consistent snapshot of the "
        "database (SQLite's online backup, or pg_dump), sealed with a key derived from the "
        "master key; every stored file as it is (already sealed); the checkpoints the database "
        "holds; and a manifest with the SHA-256 of every part. Daybook can keep running. The "
        "keys are not in it: keep them apart (docs/backups.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", help="a directory that does not exist yet")

    def handle(self, *args: Any, destination: str, **options: Any) -> None:
        target = Path(destination)
        if target.exists():
            raise CommandError(f"{target} already exists: give the name of a new directory.")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a directory: create it first.")
        try:
            manifest = services.backup_make(destination=target)
        except DatabaseToolFailed as error:
            raise CommandError(f"No backup was made: {error}.") from None
        except OSError as error:
            raise CommandError(
                f"No backup was made: {error.filename or target} — {error.strerror}."
            ) from None
        self.stdout.write(
            f"Backed up to {target}: the {manifest.database} database as it was at "
            f"{manifest.taken_at:%Y-%m-%d %H:%M:%S %Z}, {manifest.cases} case(s), "
            f"{manifest.checkpoints} checkpoint(s), {len(manifest.files())} stored file(s). "
            f"Restoring it needs the master key {manifest.master_key_id}."
        )
        problem = services.erasure_ledger_ready()
        if problem is not None:
            self.stderr.write(
                f"The erasure ledger {erasure_ledger_path()} could not be made: {problem}. "
                "Put it right (DAYBOOK_ERASURE_LEDGER): without it, restoring this backup "
                "cannot carry out again the erasures made after it."
            )
