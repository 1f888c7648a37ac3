"""Sealing and opening what belongs to a case with the case's own data key."""

import json
from typing import Any

from daybook import crypto
from daybook.cases.models import Case

# What a BinaryField gives back: bytes, or a memoryview with some database drivers.
Stored = bytes | memoryview


class CaseErased(Exception):
    """The case's key has been destroyed: its data can no longer be read."""


def case_key(case: Case) -> bytes:
    if case.wrapped_key is None or case.erased_at is not None:
        raise CaseErased(case.reference)
    return crypto.unwrap_data_key(bytes(case.wrapped_key), case.uid)


def label_ad(uid: str) -> str:
    return f"case:{uid}:label"


def seal_json(key: bytes, value: Any, associated: str) -> bytes:
    return crypto.seal(key, json.dumps(value, ensure_ascii=False).encode("utf-8"), associated)


def open_json(key: bytes, sealed: Stored, associated: str) -> Any:
    return json.loads(crypto.open_sealed(key, bytes(sealed), associated))


def seal_for(case: Case, value: Any, associated: str) -> bytes:
    return seal_json(case_key(case), value, associated)


def open_for(case: Case, sealed: Stored | None, associated: str, default: Any = None) -> Any:
    if not sealed:
        return default
    return open_json(case_key(case), sealed, associated)


def seal_standalone(value: Any, name: str) -> tuple[bytes, bytes]:
    """Seal something that belongs to no case (yet), such as a referral or a consultation,
    with a fresh key of its own wrapped by the master key. Returns (wrapped key, sealed)."""
    key = crypto.new_data_key()
    return crypto.wrap_data_key(key, name), seal_json(key, value, f"{name}:data")


def open_standalone(wrapped: Stored | None, sealed: Stored | None, name: str) -> Any:
    if wrapped is None or sealed is None:
        raise crypto.DecryptionError(f"{name} has nothing sealed")
    key = crypto.unwrap_data_key(bytes(wrapped), name)
    return open_json(key, sealed, f"{name}:data")
