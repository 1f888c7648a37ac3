"""The hash chain: canonical JSON and the SHA-256 that links each record to the one before.

A record's hash is the SHA-256 of the canonical JSON of its whole document (sorted keys, no
spaces, UTF-8): the header below plus its body. The body is sealed exactly as its canonical
bytes, so verification can rebuild the document without re-encoding it. The same form goes
into evidence bundles, so anyone can recompute every hash with standard-library Python.
"""

import hashlib
import json
import re
from typing import Any

CHAIN_VERSION = 1


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def record_header(
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
) -> dict[str, Any]:
    """Everything a record's hash covers besides its body. `rid` is random, so a short text
    cannot be guessed by hashing candidates."""
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
    }


_PLAIN = re.compile(r"[0-9A-Za-z_:.+-]*")


def header_bytes(header: dict[str, Any]) -> bytes:
    """`canonical_json(header)`, written out directly when every value is plain.

    Verification calls this once per record. Hex ids, codes, ISO times and integers need no
    JSON escaping, so the f-string below gives exactly the bytes the encoder would; anything
    else (a tampered value, say) goes through the encoder and fails its hash as it should.
    """
    h = header
    texts = (
        h["case"],
        h["entry"],
        h["evidence"] or "",
        h["kind"],
        h["prev"],
        h["recorded_at"],
        h["recorded_how"],
        h["rid"],
    )
    if (
        _PLAIN.fullmatch("".join(texts)) is None
        or type(h["seq"]) is not int
        or (h["recorded_by"] is not None and type(h["recorded_by"]) is not int)
        or len(h) != 11
    ):
        return canonical_json(header)
    evidence = "null" if h["evidence"] is None else f'"{h["evidence"]}"'
    recorded_by = "null" if h["recorded_by"] is None else h["recorded_by"]
    return (
        f'{{"case":"{h["case"]}","entry":"{h["entry"]}","evidence":{evidence},'
        f'"kind":"{h["kind"]}","prev":"{h["prev"]}","recorded_at":"{h["recorded_at"]}",'
        f'"recorded_by":{recorded_by},"recorded_how":"{h["recorded_how"]}",'
        f'"rid":"{h["rid"]}","seq":{h["seq"]},"v":{h["v"]}}}'
    ).encode()


def document_bytes(header: dict[str, Any], body: bytes) -> bytes:
    """Canonical JSON of `{**header, "body": <body>}`, given the body's canonical bytes.

    "body" sorts before every header key, so it comes first.
    """
    return b'{"body":' + body + b"," + header_bytes(header)[1:]


def record_hash(header: dict[str, Any], body: bytes) -> str:
    return hashlib.sha256(document_bytes(header, body)).hexdigest()
