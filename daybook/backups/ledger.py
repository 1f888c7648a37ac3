"""The checkpoint ledger: every checkpoint issued, kept outside the database.

A checkpoint stored only in the database goes back in time with it when an older copy is
restored. Each one issued is therefore also appended, once its transaction has committed, to
a JSON-lines file: one `{"checkpoint": ..., "signature": ..., "public_key": ...}` a line, as
`daybook/incidents/checkpoints.py` signs it, so every line is a receipt `verify_log
--checkpoint` reads. The file is named by DAYBOOK_CHECKPOINT_LEDGER (default
`<DAYBOOK_VAR_DIR>/checkpoint-ledger.jsonl`); operators keep it, and copies of it, apart from
the database and its backups (docs/backups.md).
"""

import fcntl
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from daybook.env import env_str
from daybook.incidents import checkpoints
from daybook.incidents.models import Checkpoint

logger = logging.getLogger(__name__)

LEDGER_NAME = "checkpoint-ledger.jsonl"


def ledger_path() -> Path:
    """Read each time, so a test or an operator's change needs no restart."""
    return Path(env_str("DAYBOOK_CHECKPOINT_LEDGER", str(Path(settings.VAR_DIR) / LEDGER_NAME)))


def ledger_line(checkpoint: Checkpoint) -> bytes:
    signed = checkpoints.signed(checkpoint, checkpoint.case.reference)
    text = json.dumps(signed.as_json(), sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def ledger_append(checkpoint: Checkpoint, path: Path | None = None) -> None:
    """Append one checkpoint to the ledger and flush it to disk before returning."""
    append_line(path or ledger_path(), ledger_line(checkpoint))


def append_line(target: Path, line: bytes) -> None:
    """Append one line to a ledger file, made readable by this user only, and flush it to
    disk before returning. Several processes (web and task workers) append to the same file:
    each line is one write under an exclusive lock, so lines never interleave."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.write(descriptor, line)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)  # closing releases the lock


def checkpoint_issued_received(sender: object, checkpoint: Checkpoint, **kwargs: Any) -> None:
    """Receiver of `daybook.incidents.signals.checkpoint_issued`. The checkpoint is already
    committed, and other receivers must still hear of it: a ledger that cannot be written is
    logged (by the checkpoint's id only, never its case) for the operator to put right."""
    try:
        ledger_append(checkpoint)
    except OSError as error:
        logger.error(
            "Checkpoint %s could not be added to the checkpoint ledger: %s",
            checkpoint.pk,
            error.strerror or type(error).__name__,
        )


@dataclass(frozen=True)
class LedgerEntry:
    statement: dict[str, Any]
    signature: bytes

    @property
    def case_reference(self) -> str:
        return str(self.statement["case"])

    @property
    def sequence(self) -> int:
        return int(self.statement["sequence"])

    @property
    def issued_at(self) -> str:
        return str(self.statement.get("issued_at", ""))


@dataclass
class LedgerContents:
    """What the ledger files hold: the checkpoints whose signatures hold, and how many lines
    could not be read or did not verify (those are left out, so a forged line can never make
    a log look behind)."""

    entries: list[LedgerEntry]
    unreadable: int = 0
    forged: int = 0

    def by_case(self) -> dict[str, list[LedgerEntry]]:
        found: dict[str, list[LedgerEntry]] = {}
        for entry in self.entries:
            found.setdefault(entry.case_reference, []).append(entry)
        return found


class LedgerMissing(Exception):
    """A ledger file named to be read does not exist or cannot be opened."""


def ledger_lines(paths: Iterable[Path]) -> Iterator[str]:
    """Every line with something on it in the ledger files, in order; LedgerMissing for a
    file that cannot be opened."""
    for path in paths:
        try:
            handle = path.open(encoding="utf-8")
        except OSError as error:
            raise LedgerMissing(f"{path} cannot be read: {error.strerror}") from None
        with handle:
            yield from (line for line in handle if line.strip())


def ledger_read(paths: Iterable[Path]) -> LedgerContents:
    contents = LedgerContents(entries=[])
    for line in ledger_lines(paths):
        try:
            statement, signature = checkpoints.read_receipt(json.loads(line))
        except (ValueError, checkpoints.BadCheckpoint):
            contents.unreadable += 1
            continue
        if checkpoints.signature_problem(statement, signature) is not None:
            contents.forged += 1
            continue
        contents.entries.append(LedgerEntry(statement=statement, signature=signature))
    return contents
