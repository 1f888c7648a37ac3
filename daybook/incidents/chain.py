"""The hash chain: canonical JSON and the SHA-256 that links each record to the one before.

A record's hash is the SHA-256 of the canonical JSON of its whole document (sorted keys, no
spaces, UTF-8): the header below plus its body. The same form goes into evidence bundles, so
anyone can recompute every hash with standard-library Python.

In a version 2 record the document holds no free text: each field that could say something
personal (what happened, the details to keep private, where an import came from, a file's
name and photo data, a reason) is replaced by a salted SHA-256 commitment to its value. A
bundle can then give a record's document, so its hash and links are checked, and open only
the fields it may disclose (each with its salt); a withheld field stays a commitment that
reveals nothing, not even its length. The salts come from the case key and the record's
random id, so they need no storage of their own and go when the key is erased. Version 1
records (hashed over their whole body) stay as they were written and verify as before.
"""

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterator
from json.encoder import (  # type: ignore[attr-defined]  # the C core is not in the stubs
    c_make_encoder,
    encode_basestring,  # the escaper canonical_json's text goes through
)
from typing import Any

CHAIN_VERSION = 2
LEGACY_VERSION = 1
# The body fields committed to rather than written in a version 2 document; an amendment's
# changed fields are committed one by one under "changes.<field>".
COMMITTED_FIELDS = frozenset(
    {
        # what an entry says in words (content.TEXT_FIELDS)
        "place",
        "what_happened",
        "description",
        "witnesses",
        "feelings",
        "police_reference",
        "police_officer",
        "private_details",
        # where an imported entry came from (sender, file, archive member)
        "source",
        # an evidence file's own name and the date and place in its photo data
        "name",
        "exif",
        # why an entry or file was amended or withdrawn
        "reason",
    }
)


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


# The encoder's C core, made once: `JSONEncoder.encode` makes a new one on every call, which
# costs more than encoding most of the small values a record holds. Same settings, so the same
# text; where the C core is missing, the encoder itself.
_C_ENCODE = (
    c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", True, False, False)
    if c_make_encoder is not None
    else None
)


def _json_text(value: Any) -> str:
    if _C_ENCODE is None or isinstance(value, str):
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


def canonical_json(value: Any) -> bytes:
    return _json_text(value).encode("utf-8")


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
    version: int = CHAIN_VERSION,
) -> dict[str, Any]:
    """Everything a record's hash covers besides its body. `rid` is random, so a short text
    in a version 1 body cannot be guessed by hashing candidates."""
    return {
        "v": version,
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


# --- Commitments (version 2) ---------------------------------------------------------


def record_secret(key: bytes, rid: str) -> bytes:
    """The secret a record's salts come from: only the case key's holder can derive it."""
    return hmac.digest(key, f"daybook-commitments:{rid}".encode(), "sha256")


def record_secrets(key: bytes) -> Callable[[str], bytes]:
    """`record_secret` for many records of one case: the HMAC is keyed once, not per record."""
    keyed = hmac.new(key, b"daybook-commitments:", "sha256")

    def secret(rid: str) -> bytes:
        mac = keyed.copy()
        mac.update(rid.encode())
        return mac.digest()

    return secret


def field_salt(secret: bytes, path: str) -> bytes:
    """One field's salt. Giving it away (to open that field) reveals no other field's."""
    return hashlib.sha256(secret + path.encode()).digest()[:16]


def commitment(salt: bytes, value: Any) -> str:
    """What a document holds for a committed field: SHA-256 of the salt and the value's
    canonical JSON."""
    return hashlib.sha256(salt + canonical_json(value)).hexdigest()


# An empty field is written as it is, never committed to (see `_committed`).
_EMPTY: tuple[Any, ...] = ("", None, {}, [])


def _committed(name: str, value: Any) -> bool:
    """Whether a field's value is committed to. An empty one is written as it is: that a field
    is empty says nothing the chronology does not show anyway, and most fields of most entries
    are, so verification hashes only what was written."""
    return name in COMMITTED_FIELDS and value not in _EMPTY


def committed_paths(body: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Each committed field of a body, as (path, value): "reason", "changes.description"."""
    for name, value in body.items():
        if name == "changes" and isinstance(value, dict):
            for changed, changed_value in value.items():
                if _committed(changed, changed_value):
                    yield f"changes.{changed}", changed_value
        elif _committed(name, value):
            yield name, value


def committed_body(body: dict[str, Any], secret: bytes) -> dict[str, Any]:
    """The body as a version 2 document holds it: committed fields replaced by
    `{"commitment": <hex>}`, everything else as it is."""
    document = dict(body)
    changes = body.get("changes")
    if isinstance(changes, dict):
        document["changes"] = dict(changes)
    for path, value in committed_paths(body):
        digest = {"commitment": commitment(field_salt(secret, path), value)}
        if path.startswith("changes."):
            document["changes"][path[8:]] = digest
        else:
            document[path] = digest
    return document


def _encoded(value: Any) -> str:
    """`_ENCODER.encode(value)`, without its per-call cost for the plain values most fields
    hold (text is escaped by the same function the encoder uses)."""
    kind = type(value)
    if kind is str or isinstance(value, str):  # a choice's value is a str subclass
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return _json_text(value)


# What `body_and_document` keeps between calls, a few hundred items each: bodies' keys are a
# few dozen field names (never data), and most of every body is the same few plain values.
_KEPT = 512
# Each body's sorted keys, by the order it gave them in, with each key as written before its
# value and whether its value is committed to unless empty.
_PLANS: dict[tuple[str, ...], list[tuple[str, str, bool]]] = {}
# The written pairs of fields not committed to, by key and plain value ('"seen":
# "not_applicable"', '"ended_time":null', an empty text). Only codes, dates, times and flags
# land here: free text is committed to unless empty.
_PAIRS: dict[tuple[str, type, Any], str] = {}


def _key_pair(name: str) -> str:
    return f"{encode_basestring(name)}:"


def body_and_document(body: dict[str, Any], secret: bytes) -> tuple[bytes, bytes]:
    """`canonical_json(body)` and `canonical_json(committed_body(body, secret))` at once.

    Both are the same sorted pairs but for the committed fields, and a commitment hashes
    exactly its value's canonical bytes: so each value is encoded once and serves both.
    Writing a record needs both, for every record of an import of thousands of messages."""
    if isinstance(body.get("changes"), dict):  # an amendment's fields are one level down
        return canonical_json(body), canonical_json(committed_body(body, secret))
    names = tuple(body)
    plan = _PLANS.get(names)
    if plan is None:
        plan = [(name, _key_pair(name), name in COMMITTED_FIELDS) for name in sorted(body)]
        if len(_PLANS) < _KEPT:
            _PLANS[names] = plan
    plain: list[str] = []
    commitments: list[tuple[int, str]] = []  # (position, pair) where the document differs
    for name, pair, committable in plan:
        value = body[name]
        if committable and value not in _EMPTY:  # as `_committed` decides
            encoded = _encoded(value)
            digest = hashlib.sha256(field_salt(secret, name) + encoded.encode()).hexdigest()
            commitments.append((len(plain), f'{pair}{{"commitment":"{digest}"}}'))
            plain.append(pair + encoded)
            continue
        kind = type(value)
        if kind is str or kind is bool or kind is int or value is None or isinstance(value, str):
            known = _PAIRS.get((pair, kind, value))
            if known is None:
                known = pair + _encoded(value)
                if len(_PAIRS) < _KEPT:
                    _PAIRS[pair, kind, value] = known
            plain.append(known)
        else:
            plain.append(pair + _encoded(value))
    hashed = plain.copy()
    for at, written in commitments:
        hashed[at] = written
    return ("{" + ",".join(plain) + "}").encode(), ("{" + ",".join(hashed) + "}").encode()


def openings(body: dict[str, Any], secret: bytes, paths: set[str]) -> dict[str, Any]:
    """The salts and values that open the committed fields named in `paths`."""
    return {
        path: {"salt": field_salt(secret, path).hex(), "value": value}
        for path, value in committed_paths(body)
        if path in paths
    }
