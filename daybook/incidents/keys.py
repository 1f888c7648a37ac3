"""Sealing and opening a case's data with its own key."""

import json
from typing import Any

from daybook import crypto
from daybook.cases.models import Case
from daybook.incidents.chain import canonical_json


class CaseErased(Exception):
    """The case's key has been destroyed: its data can no longer be read."""


def case_key(case: Case) -> bytes:
    if case.wrapped_key is None or case.erased_at is not None:
        raise CaseErased(case.reference)
    return crypto.unwrap_data_key(bytes(case.wrapped_key), case.uid)


def seal_canonical(key: bytes, value: Any, associated: str) -> bytes:
    """Seal the canonical JSON bytes of `value` (what chain hashes are computed over)."""
    return crypto.seal(key, canonical_json(value), associated)


def seal_json(key: bytes, value: Any, associated: str) -> bytes:
    return crypto.seal(key, json.dumps(value, ensure_ascii=False).encode("utf-8"), associated)


def open_json(key: bytes, sealed: bytes, associated: str) -> Any:
    return json.loads(crypto.open_sealed(key, bytes(sealed), associated))


def draft_ad(uid: str) -> str:
    return f"entry:{uid}:draft"


def chain_body_ad(rid: str) -> str:
    return f"chain:{rid}:body"


def evidence_meta_ad(uid: str) -> str:
    return f"evidence:{uid}:meta"


def evidence_file_ad(uid: str) -> str:
    return f"evidence:{uid}:file"


def case_label_ad(uid: str) -> str:
    return f"case:{uid}:label"
