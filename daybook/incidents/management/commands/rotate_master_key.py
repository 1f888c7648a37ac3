"""Re-wrap every case's data key with a new master key. Only the small wrapped keys change."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from daybook import crypto
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case


class Command(BaseCommand):
    help = (
        "Re-wrap all case keys with the master key in NEW_KEY_FILE. Afterwards point "
        "DAYBOOK_MASTER_KEY_FILE at the new file; keep the old one until that is done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("new_key_file")

    def handle(self, *args: Any, new_key_file: str, **options: Any) -> None:
        try:
            new_key = crypto.decode_key(Path(new_key_file).read_text(encoding="ascii"))
        except OSError as error:
            raise CommandError(f"Cannot read {new_key_file}: {error.strerror}") from None
        old_key = crypto.master_key()
        if new_key == old_key:
            raise CommandError("The new key is the key already in use.")
        new_id = crypto.key_id(new_key)
        count = 0
        with transaction.atomic():
            cases = Case.objects.select_for_update().filter(wrapped_key__isnull=False)
            for case in cases.iterator():
                wrapped = case.wrapped_key or b""  # never empty: the query asks for a key
                data_key = crypto.unwrap_data_key(bytes(wrapped), case.uid, old_key)
                case.wrapped_key = crypto.wrap_data_key(data_key, case.uid, new_key)
                case.key_id = new_id
                case.save(update_fields=["wrapped_key", "key_id"])
                count += 1
            audit_record(action=Action.KEYS_ROTATED, extra={"cases": count, "key_id": new_id})
        self.stdout.write(f"Re-wrapped {count} case keys with master key {new_id}.")
        self.stdout.write("Now set DAYBOOK_MASTER_KEY_FILE to the new key file and restart.")
