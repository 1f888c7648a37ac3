"""Sealing and opening a case's data with its own key."""

from typing import Any

from daybook import crypto
from daybook.cases.sealing import CaseErased, case_key, open_json, seal_json
from daybook.incidents.chain import canonical_json

__all__ = ["CaseErased", "case_key", "open_json", "seal_json"]


def seal_canonical(key: bytes, value: Any, associated: str) -> bytes:
    """Seal the canonical JSON bytes of `value` (what chain hashes are computed over)."""
    return crypto.seal(key, canonical_json(value), associated)


def draft_ad(uid: str) -> str:
    return f"entry:{uid}:draft"


def chain_body_ad(rid: str) -> str:
    return f"chain:{rid}:body"


def evidence_meta_ad(uid: str) -> str:
    return f"evidence:{uid}:meta"


def evidence_file_ad(uid: str) -> str:
    return f"evidence:{uid}:file"


def evidence_storage_name(case_uid: str, uid: str) -> str:
    """Where a file's sealed bytes are stored: derived from uids the chain covers, so a row
    pointed at another file's bytes is caught by verification."""
    return f"{case_uid}/{uid}"
