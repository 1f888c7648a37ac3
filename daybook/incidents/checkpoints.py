"""Signed checkpoints of a case's log: what one says, how it is signed, and the receipt file.

A checkpoint's statement is the canonical JSON (sorted keys, no spaces, UTF-8, as the chain's
records: daybook/incidents/chain.py) of

    {"algorithm": "Ed25519", "case": <case reference>, "head": <hash of the last record>,
     "issued_at": <UTC time, ISO 8601 with microseconds>, "key_id": <signing key id>,
     "purpose": "receipt" | "report" | "bundle" | "police_view",
     "sequence": <number of records in the log>, "type": "daybook-checkpoint/1"}

and its signature is the Ed25519 signature of those bytes under the signing key `key_id`
(daybook/incidents/signing.py), published at /.well-known/daybook-signing-keys.json.
"""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Any

from daybook.incidents import signing
from daybook.incidents.chain import canonical_json

TYPE = "daybook-checkpoint/1"


def instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def statement(
    *, case_reference: str, sequence: int, head: str, issued_at: str, key_id: str, purpose: str
) -> dict[str, Any]:
    return {
        "type": TYPE,
        "algorithm": signing.ALGORITHM,
        "case": case_reference,
        "sequence": sequence,
        "head": head,
        "issued_at": issued_at,
        "key_id": key_id,
        "purpose": purpose,
    }


def statement_of(checkpoint: Any, case_reference: str) -> dict[str, Any]:
    """What a stored checkpoint says, as it was signed."""
    return statement(
        case_reference=case_reference,
        sequence=checkpoint.sequence,
        head=checkpoint.head,
        issued_at=instant(checkpoint.issued_at),
        key_id=checkpoint.key_id,
        purpose=checkpoint.purpose,
    )


WELL_KNOWN_PATH = "/.well-known/daybook-signing-keys.json"


@dataclass(frozen=True)
class Signed:
    """A checkpoint as it is printed on a report or page and put in a bundle."""

    statement: dict[str, Any]
    signature: str  # standard base64
    public_key: str  # standard base64 of the raw Ed25519 key that signed it

    @property
    def key_id(self) -> str:
        return str(self.statement["key_id"])

    @property
    def text(self) -> str:
        """The exact bytes that were signed, as text to print."""
        return canonical_json(self.statement).decode("utf-8")

    @property
    def published_at(self) -> str:
        return WELL_KNOWN_PATH

    def as_json(self) -> dict[str, Any]:
        return {
            "checkpoint": self.statement,
            "signature": self.signature,
            "public_key": self.public_key,
        }


def signed(checkpoint: Any, case_reference: str) -> Signed:
    """A stored checkpoint with its signature and the public key that checks it."""
    public = {key.key_id: key.public_key for key in signing.published_keys()}
    return Signed(
        statement=statement_of(checkpoint, case_reference),
        signature=checkpoint.signature,
        public_key=public.get(checkpoint.key_id, ""),
    )


def receipt(statement_: dict[str, Any], signature: str) -> dict[str, Any]:
    """The file a person keeps: the statement, its signature, and how to check it."""
    return {
        "checkpoint": statement_,
        "signature": signature,
        "explanation": (
            f"This receipt proves that log {statement_['case']} had {statement_['sequence']} "
            f"records, the last with the hash {statement_['head']}, at {statement_['issued_at']} "
            "(UTC). The signature is Ed25519 over the canonical JSON of 'checkpoint' (sorted "
            "keys, no spaces, UTF-8), under the key named by key_id, which the service publishes "
            f"at {WELL_KNOWN_PATH}. If records were ever removed from the "
            "log, or an older copy of it restored, checking the log against this receipt shows it."
        ),
    }


class BadCheckpoint(Exception):
    """A checkpoint file that cannot be read as one."""


def read_receipt(data: Any) -> tuple[dict[str, Any], bytes]:
    """The statement and signature of a receipt (or a bare {checkpoint, signature})."""
    if not isinstance(data, dict) or not isinstance(data.get("checkpoint"), dict):
        raise BadCheckpoint("it is not a Daybook checkpoint")
    found = data["checkpoint"]
    if found.get("type") != TYPE:
        raise BadCheckpoint("it is not a Daybook checkpoint of a known version")
    for name, kind in (("case", str), ("sequence", int), ("head", str), ("key_id", str)):
        if not isinstance(found.get(name), kind):
            raise BadCheckpoint(f"its {name} is missing")
    try:
        signature = base64.b64decode(str(data.get("signature", "")), validate=True)
    except (binascii.Error, ValueError):
        raise BadCheckpoint("its signature is not base64") from None
    return found, signature


def signature_problem(found: dict[str, Any], signature: bytes) -> str | None:
    """Why the signature does not hold, in words; None when it does."""
    try:
        good = signing.verify(canonical_json(found), signature, str(found["key_id"]))
    except signing.UnknownKey:
        return (
            f"it is signed with key {found['key_id']}, which is not one of this service's "
            "published signing keys"
        )
    if not good:
        return "its signature does not match what it says: the checkpoint has been altered"
    return None


def log_problem(
    found: dict[str, Any], *, current_sequence: int, head_at: dict[int, str]
) -> str | None:
    """Why the log does not hold what the checkpoint says, in words; None when it does.
    `head_at` maps the sequence numbers of the log's records to their hashes."""
    sequence, head, when = int(found["sequence"]), str(found["head"]), found.get("issued_at")
    said = f"a checkpoint issued at {when} says the log had {sequence} records"
    if current_sequence < sequence:
        return (
            f"{said}, but it now has only {current_sequence}: records have been removed, or "
            "the database has been restored from a copy older than the checkpoint"
        )
    if sequence == 0:
        return None
    if sequence not in head_at:
        return f"{said}, but record {sequence} is missing: records have been removed"
    if head_at[sequence] != head:
        return (
            f"{said} ending in {head}, but record {sequence} now has a different hash: "
            "the log has been rewritten since"
        )
    return None
