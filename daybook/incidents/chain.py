"""The hash chain: canonical JSON and the SHA-256 that links each record to the one before.

The same canonical form is written into evidence bundles, so anyone can recompute every
hash with a few lines of standard-library Python.
"""

import hashlib
import json
from typing import Any

CHAIN_VERSION = 1


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def record_document(
    *,
    case_uid: str,
    seq: int,
    prev: str,
    rid: str,
    kind: str,
    entry_uid: str,
    evidence_uid: str | None,
    recorded_at: str,
    recorded_by: int | None,
    recorded_how: str,
    body: dict[str, Any],
) -> dict[str, Any]:
    """Everything a chain record's hash covers. `rid` is random, so a short text cannot be
    guessed by hashing candidates."""
    return {
        "v": CHAIN_VERSION,
        "case": case_uid,
        "seq": seq,
        "prev": prev,
        "rid": rid,
        "kind": kind,
        "entry": entry_uid,
        "evidence": evidence_uid,
        "recorded_at": recorded_at,
        "recorded_by": recorded_by,
        "recorded_how": recorded_how,
        "body": body,
    }


def record_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()
