"""The erasure ledger: every erasure carried out, kept outside the database.

A backup taken before a case was erased (or an account closed) still holds it; restoring the
backup would bring it back and undo the person's right to erasure. Each erasure is therefore
also appended, once it has committed, to a JSON-lines file that `restore` (and
`compare_ledger` after a recovery by the database's own means) reads to carry every one out
again. A line names only what that needs, signed with the checkpoint signing key so that a line
written by anyone else is left out rather than obeyed:

    {"erasure":{"erased_at":"…","key_id":"…","kind":"case","reason":"person","request":"<uid>",
     "service_reason":"","subject":"DB-7K2M-QX4P","type":"daybook-erasure/1"},"signature":"…"}

`subject` is the case's reference, or for an account its id; no name, nothing written about
anyone. The file is named by DAYBOOK_ERASURE_LEDGER (default
`<DAYBOOK_VAR_DIR>/erasure-ledger.jsonl`, beside the checkpoint ledger); operators keep it, with
the checkpoint ledger, apart from the database and its backups (docs/backups.md).
"""

import base64
import binascii
import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from daybook.backups.ledger import append_line, ledger_lines
from daybook.env import env_str
from daybook.erasure.signals import ACCOUNT, CASE, Erased
from daybook.incidents import signing
from daybook.incidents.chain import canonical_json

logger = logging.getLogger(__name__)

LEDGER_NAME = "erasure-ledger.jsonl"
TYPE = "daybook-erasure/1"
KINDS = (CASE, ACCOUNT)


def erasure_ledger_path() -> Path:
    """Read each time, so a test or an operator's change needs no restart."""
    return Path(env_str("DAYBOOK_ERASURE_LEDGER", str(Path(settings.VAR_DIR) / LEDGER_NAME)))


def statement_of(erased: Erased, key_id: str) -> dict[str, Any]:
    return {
        "type": TYPE,
        "kind": erased.kind,
        "subject": erased.subject,
        "erased_at": erased.erased_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "request": erased.request,
        "reason": erased.reason,
        "service_reason": erased.service_reason,
        "key_id": key_id,
    }


def erasure_line(erased: Erased) -> bytes:
    key_id = signing.current_key().key_id
    statement = statement_of(erased, key_id)
    signed_by, signature = signing.sign(canonical_json(statement))
    if signed_by != key_id:  # the key changed in between: sign again under the new one
        statement = statement_of(erased, signed_by)
        signed_by, signature = signing.sign(canonical_json(statement))
    line = {"erasure": statement, "signature": base64.b64encode(signature).decode("ascii")}
    return json.dumps(line, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"


def erasure_append(erased: Erased, path: Path | None = None) -> None:
    """Append one erasure to the ledger and flush it to disk before returning."""
    append_line(path or erasure_ledger_path(), erasure_line(erased))


def erased_received(sender: object, erased: Erased, **kwargs: Any) -> None:
    """Receiver of `daybook.erasure.signals.erased_for_good`. The erasure has committed and
    cannot be held back: a ledger that cannot be written is logged, by the kind of erasure
    only (never the case or account), for the operator to put right, since a restore would
    then bring that erasure back."""
    try:
        erasure_append(erased)
    except OSError as error:
        logger.error(
            "An erasure (%s) could not be added to the erasure ledger: %s. Restoring a backup "
            "taken before it would bring it back.",
            erased.kind,
            error.strerror or type(error).__name__,
        )


def erasure_ledger_touch(path: Path | None = None) -> None:
    """Make sure the ledger file exists (empty if nothing was ever erased), so that a restore
    can tell "nothing erased" from "the ledger was not copied here"."""
    append_line(path or erasure_ledger_path(), b"")


@dataclass
class ErasureLedgerContents:
    """The erasures the ledger files hold whose signatures hold, oldest first, and how many
    lines could not be read or did not verify (left out: a forged line must never erase)."""

    entries: list[Erased] = field(default_factory=list)
    unreadable: int = 0
    forged: int = 0

    def case_references(self) -> set[str]:
        return {erased.subject for erased in self.entries if erased.kind == CASE}


def _erased_from(statement: Any) -> Erased:
    if not isinstance(statement, dict) or statement.get("type") != TYPE:
        raise ValueError("not an erasure")
    kind, subject = statement.get("kind"), statement.get("subject")
    if kind not in KINDS or not isinstance(subject, str) or not subject:
        raise ValueError("no kind or subject")
    texts = [statement.get(name, "") for name in ("request", "reason", "service_reason")]
    if not all(isinstance(text, str) for text in texts):
        raise ValueError("a code is not text")
    erased_at = dt.datetime.fromisoformat(str(statement.get("erased_at")))
    if erased_at.tzinfo is None:
        raise ValueError("a time without its zone")
    return Erased(kind, subject, erased_at, *texts)


def erasure_ledger_read(paths: Iterable[Path]) -> ErasureLedgerContents:
    """Every erasure in the ledger files, oldest first (an account's logs before the account),
    each once however many files name it."""
    contents = ErasureLedgerContents()
    seen: set[tuple[str, str]] = set()
    for line in ledger_lines(paths):
        try:
            data = json.loads(line)
            statement = data["erasure"]
            erased = _erased_from(statement)
            signature = base64.b64decode(str(data.get("signature", "")), validate=True)
        except (ValueError, TypeError, KeyError, binascii.Error):
            contents.unreadable += 1
            continue
        try:
            good = signing.verify(
                canonical_json(statement), signature, str(statement.get("key_id"))
            )
        except signing.UnknownKey:
            good = False
        if not good:
            contents.forged += 1
            continue
        if (erased.kind, erased.subject) not in seen:
            seen.add((erased.kind, erased.subject))
            contents.entries.append(erased)
    contents.entries.sort(key=lambda erased: erased.erased_at)
    return contents
