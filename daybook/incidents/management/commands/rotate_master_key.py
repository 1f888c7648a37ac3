"""Move everything the master key wraps to a new master key: the keys of cases, referrals and
consultations, and the drafts that belong to no case (`daybook.cases.keyring`). Only the small
wrapped keys, and those drafts, change; what each key seals stays as it is."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from daybook import crypto
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases import keyring


def _read_key(path: str) -> bytes:
    try:
        return crypto.decode_key(Path(path).read_text(encoding="ascii"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from None


class Command(BaseCommand):
    help = (
        "Re-wrap everything the master key wraps (case, referral and consultation keys, and "
        "drafts outside a case) with the master key in NEW_KEY_FILE, then open one of each "
        "with it. Safe to run again after a failure: what is already on the new key is left "
        "alone. Afterwards point DAYBOOK_MASTER_KEY_FILE at the new file and restart; keep "
        "the old one until that is done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("new_key_file")
        parser.add_argument(
            "--old-key-file",
            help="the key to move from, if not the master key in use (for a run finished "
            "after DAYBOOK_MASTER_KEY_FILE already points at the new key)",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=keyring.BATCH_SIZE,
            help="rows re-wrapped in each transaction",
        )

    def handle(
        self,
        *args: Any,
        new_key_file: str,
        old_key_file: str | None = None,
        batch_size: int = keyring.BATCH_SIZE,
        **options: Any,
    ) -> None:
        new_key = _read_key(new_key_file)
        old_key = _read_key(old_key_file) if old_key_file else crypto.master_key()
        if new_key == old_key:
            raise CommandError("The new key is the key already in use.")
        if batch_size < 1:
            raise CommandError("The batch size must be at least 1.")
        new_id = crypto.key_id(new_key)
        tallies = keyring.rotate(
            old=old_key, new=new_key, batch_size=batch_size, after_batch=self.batch_done
        )
        with transaction.atomic():
            audit_record(
                action=Action.KEYS_ROTATED,
                extra={
                    "key_id": new_id,
                    "cases": tallies["case keys"].rewrapped,
                    "rewrapped": {name: tally.rewrapped for name, tally in tallies.items()},
                    "unreadable": {name: len(t.unreadable) for name, t in tallies.items()},
                },
            )
        failed = False
        for name, tally in tallies.items():
            line = (
                f"{name}: {tally.rewrapped} re-wrapped with master key {new_id}, "
                f"{tally.already} already on it"
            )
            if tally.unreadable:
                failed = True
                numbers = ", ".join(str(pk) for pk in tally.unreadable[:20])
                more = " …" if len(tally.unreadable) > 20 else ""
                line += (
                    f"; {len(tally.unreadable)} open with neither the old nor the new key "
                    f"and were left as they were (numbers {numbers}{more})"
                )
            self.stdout.write(line + ".")
        self.stdout.write("Checking with the new key:")
        for checked in keyring.check(new_key):
            failed = failed or not checked.ok
            self.stdout.write(f"  {checked.kind}: {checked.words}.")
        if failed:
            raise CommandError(
                "Something the master key wraps did not move to the new key (see above). "
                "Keep using the old key."
            )
        self.stdout.write("Now set DAYBOOK_MASTER_KEY_FILE to the new key file and restart.")

    def batch_done(self, kind: str, tally: keyring.Tally) -> None:
        """Told after each batch commits: progress, for a long rotation."""
        if self.stdout.isatty():
            self.stdout.write(f"{kind}: {tally.rewrapped + tally.already} done so far")
