#!/usr/bin/env python3
"""Check a Daybook evidence bundle offline, without trusting Daybook.

Usage:  python3 verify.py [bundle.zip | folder]

With no argument it checks the folder this file is in (an unzipped bundle). It uses only
Python's standard library. It checks that:

- manifest.json is signed (Ed25519) by the key it names, and prints that key's id: compare it
  with the key the service publishes at /.well-known/daybook-signing-keys.json on its own
  address and prints on its reports. Anyone can sign a bundle with a key of their own; only
  the service's key shows the bundle is as the service produced it;
- the signed checkpoint in the manifest is signed by the same key and names the chain's last
  record and hash;
- every file listed in manifest.json is present, with the size and SHA-256 listed, and no
  other file is in the bundle; the chronology is the one the manifest names;
- every record in chain.jsonl follows the one before (its "prev" is that record's hash), every
  record given hashes to its own hash, every field it opens matches the salted commitment in
  its document, and the last hash is the head the signed manifest names;
- every file the chain added (and did not withdraw) in the bundle's range is an exhibit here
  or listed as left out, every exhibit names a chain record that added a file, and each
  exhibit is that file (or, for a copy with location details removed, names its SHA-256).

It prints what it checked and names anything altered, missing or extra. Exit status 0 means
the bundle is intact; 1 means it is not.
"""

import base64
import binascii
import hashlib
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
OWN_FILES = {"manifest.json"}


# --- Ed25519 signature verification (RFC 8032, section 5.1.7) --------------------------
#
# Ed25519 signature verification (RFC 8032, section 5.1.7), in pure Python.
#
# Why this exists: the offline verifier (verify.py) that goes into an evidence bundle must run
# with nothing but Python's standard library, yet it has to check the service's Ed25519
# signatures. This module is written to be pasted into that script as it is: it imports only
# hashlib, does nothing at import time beyond defining constants, and every name is prefixed
# (`_ed_` for helpers, `_ED_` for constants) so it cannot clash with the script's own names.
#
# It only verifies, never signs: everything it handles is public, so it needs no constant-time
# arithmetic and uses plain Python integers.
#
# The check is the cofactorless one, [S]B == R + [k]A, done as: compute [S]B - [k]A and compare
# its encoding with the 32 bytes of R. That is what OpenSSL (and so the `cryptography` package)
# does, and RFC 8032 allows it. For honest signatures the cofactored check ([8][S]B ==
# [8]R + [8][k]A) gives the same answer; the two differ only on signatures crafted with
# small-order components.
#
# Besides what RFC 8032 requires (32-byte key, 64-byte signature, S < L, a key that decodes to
# a curve point with y < p, x == 0 only with a clear sign bit), it also rejects public keys of
# small order (such as the all-zero key). No honest key has small order, and with one anybody
# could make "signatures" that pass; OpenSSL does not refuse them, so here this module is the
# stricter of the two.

# The field is the integers modulo p; the group the signatures live in has prime order L.
_ED_P = 2**255 - 19
_ED_L = 2**252 + 27742317777372353535851937790883648493
# The curve -x^2 + y^2 = 1 + d x^2 y^2, with d = -121665/121666 (mod p).
_ED_D = 37095705934669439343138083508754565189542113879843219016388785533085940283555
_ED_D2 = (2 * _ED_D) % _ED_P
# A square root of -1 modulo p: 2^((p-1)/4).
_ED_SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
# The base point B: y = 4/5, x the even ("positive") root.
_ED_BX = 15112221349535400772501151409588531511454012693041857206046113283949847762202
_ED_BY = 46316835694926478169428394003475163141307993866256225615783033603165251855960

# A point in extended homogeneous coordinates (X, Y, Z, T): x = X/Z, y = Y/Z, x*y = T/Z.
_EdPoint = tuple[int, int, int, int]

_ED_IDENTITY: _EdPoint = (0, 1, 1, 0)
_ED_BASE: _EdPoint = (_ED_BX, _ED_BY, 1, (_ED_BX * _ED_BY) % _ED_P)


def _ed_add(p1: _EdPoint, p2: _EdPoint) -> _EdPoint:
    """P1 + P2 (RFC 8032, section 5.1.4; complete for a = -1, so it also doubles)."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    p = _ED_P
    a = (y1 - x1) * (y2 - x2) % p
    b = (y1 + x1) * (y2 + x2) % p
    c = t1 * _ED_D2 * t2 % p
    d = z1 * 2 * z2 % p
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def _ed_double(p1: _EdPoint) -> _EdPoint:
    """2 * P1 (RFC 8032, section 5.1.4), cheaper than adding a point to itself."""
    x1, y1, z1, _ = p1
    p = _ED_P
    a = x1 * x1 % p
    b = y1 * y1 % p
    c = 2 * z1 * z1 % p
    h = a + b
    e = h - (x1 + y1) * (x1 + y1) % p
    g = a - b
    f = c + g
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def _ed_negate(p1: _EdPoint) -> _EdPoint:
    x1, y1, z1, t1 = p1
    return ((-x1) % _ED_P, y1, z1, (-t1) % _ED_P)


def _ed_is_identity(p1: _EdPoint) -> bool:
    x1, y1, z1, _ = p1
    return x1 % _ED_P == 0 and (y1 - z1) % _ED_P == 0


def _ed_double_scalar_mult(s: int, q: _EdPoint, k: int) -> _EdPoint:
    """[s]B + [k]Q, both scalars at once (Shamir's trick): one doubling per bit."""
    both = _ed_add(_ED_BASE, q)
    result = _ED_IDENTITY
    for i in range(max(s.bit_length(), k.bit_length()) - 1, -1, -1):
        result = _ed_double(result)
        s_bit = (s >> i) & 1
        k_bit = (k >> i) & 1
        if s_bit and k_bit:
            result = _ed_add(result, both)
        elif s_bit:
            result = _ed_add(result, _ED_BASE)
        elif k_bit:
            result = _ed_add(result, q)
    return result


def _ed_encode_point(p1: _EdPoint) -> bytes:
    """The 32-byte encoding (RFC 8032, section 5.1.2): y, with x's low bit as bit 255."""
    x1, y1, z1, _ = p1
    z_inv = pow(z1, _ED_P - 2, _ED_P)
    x = x1 * z_inv % _ED_P
    y = y1 * z_inv % _ED_P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _ed_decode_point(encoded: bytes) -> _EdPoint | None:
    """The point a 32-byte encoding names (RFC 8032, section 5.1.3), or None if it names none.

    None for: a length other than 32, y >= p (a non-canonical encoding), a y with no x on the
    curve, and x == 0 with the sign bit set.
    """
    if len(encoded) != 32:
        return None
    p = _ED_P
    value = int.from_bytes(encoded, "little")
    sign = value >> 255
    y = value & ((1 << 255) - 1)
    if y >= p:
        return None
    # x^2 = u/v; candidate root x = u v^3 (u v^7)^((p-5)/8).
    u = (y * y - 1) % p
    v = (_ED_D * y * y + 1) % p
    v3 = v * v * v % p
    x = u * v3 * pow(u * v3 * v3 * v, (p - 5) // 8, p) % p
    vxx = v * x * x % p
    if vxx == u:
        pass
    elif vxx == (-u) % p:
        x = x * _ED_SQRT_M1 % p
    else:
        return None
    if x == 0 and sign == 1:
        return None
    if x & 1 != sign:
        x = p - x
    return (x, y, 1, x * y % p)


def _ed_has_small_order(p1: _EdPoint) -> bool:
    """Whether [8]P is the identity: P lies in the small subgroup (the cofactor is 8)."""
    return _ed_is_identity(_ed_double(_ed_double(_ed_double(p1))))


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is a valid Ed25519 signature of `message` by `public_key`.

    `public_key` is the 32-byte encoded key and `signature` the 64-byte R || S, as RFC 8032
    lays them out. Returns False, never raises, for anything malformed.
    """
    if len(public_key) != 32 or len(signature) != 64:
        return False
    point_a = _ed_decode_point(public_key)
    if point_a is None or _ed_has_small_order(point_a):
        return False
    r_encoded = signature[:32]
    s = int.from_bytes(signature[32:], "little")
    if s >= _ED_L:
        return False
    digest = hashlib.sha512(r_encoded + public_key + message).digest()
    k = int.from_bytes(digest, "little") % _ED_L
    # R' = [S]B - [k]A; valid when it encodes to exactly R's bytes. A non-canonical R
    # (y >= p) therefore never matches, since an encoding made here is always canonical.
    r_check = _ed_double_scalar_mult(s, _ed_negate(point_a), k)
    return _ed_encode_point(r_check) == r_encoded


# --- The bundle -----------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the form everything signed or hashed is in."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def key_id_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


class Bundle:
    """The files of a bundle, from a ZIP or an unzipped folder."""

    def __init__(self, location: Path) -> None:
        self.zip = zipfile.ZipFile(location) if location.is_file() else None
        self.folder = location  # read only when the bundle is not a ZIP

    def names(self) -> set[str]:
        if self.zip:
            return {info.filename for info in self.zip.infolist() if not info.is_dir()}
        return {
            path.relative_to(self.folder).as_posix()
            for path in self.folder.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    def read(self, name: str) -> bytes | None:
        try:
            if self.zip:
                return self.zip.read(name)
            return (self.folder / name).read_bytes()
        except (KeyError, FileNotFoundError):
            return None


def check(location: Path) -> list[str]:
    """Every problem found, in plain words; an empty list means the bundle is intact."""
    problems, _key_id = check_signed(location)
    return problems


def check_signed(location: Path) -> tuple[list[str], str | None]:
    """Every problem found, and the id of the key the manifest is signed with (None when the
    signature does not hold)."""
    bundle = Bundle(location)
    raw = bundle.read("manifest.json")
    if raw is None:
        return ["manifest.json is missing: this is not a complete Daybook bundle."], None
    try:
        manifest = json.loads(raw)
    except ValueError:
        return ["manifest.json is not valid JSON: it has been altered."], None
    if not isinstance(manifest, dict):
        return ["manifest.json is not a Daybook manifest: it has been altered."], None
    problems, key_id = check_signature(manifest)
    listed = {item.get("path"): item for item in manifest.get("files", [])}
    present = bundle.names()
    for path, item in sorted(listed.items(), key=lambda pair: str(pair[0])):
        data = bundle.read(str(path))
        if data is None:
            problems.append(f"MISSING: {path} is listed in the manifest but not in the bundle.")
        elif len(data) != item.get("size") or sha256(data) != item.get("sha256"):
            problems.append(f"ALTERED: {path} does not match its SHA-256 in the manifest.")
    for path in sorted(present - set(listed) - OWN_FILES):
        problems.append(f"EXTRA: {path} is in the bundle but not in the manifest.")
    chronology = manifest.get("chronology") or {}
    if listed.get(chronology.get("path"), {}).get("sha256") != chronology.get("sha256"):
        problems.append("ALTERED: the chronology is not the one the signed manifest names.")
    documents, chain_problems = check_chain(bundle, manifest)
    problems += chain_problems
    problems += check_exhibits(manifest, listed, documents)
    return problems, key_id


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _b64(value: Any) -> bytes | None:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return None


def check_signature(manifest: dict[str, Any]) -> tuple[list[str], str | None]:
    """The manifest's signature, and the checkpoint's, under the key the manifest names."""
    signature = manifest.get("signature")
    if not isinstance(signature, dict):
        return [
            "UNSIGNED: manifest.json carries no signature, so nothing in it can be trusted."
        ], None
    public_key = _b64(signature.get("public_key")) or b""
    value = _b64(signature.get("value")) or b""
    unsigned = {name: item for name, item in manifest.items() if name != "signature"}
    if key_id_of(public_key) != signature.get("key_id"):
        return ["ALTERED: the manifest's signing key is not the key its id names."], None
    if not ed25519_verify(public_key, canonical_json(unsigned), value):
        return [
            "ALTERED: manifest.json does not match its signature: something in it has been "
            "changed since the service signed it."
        ], None
    problems = []
    checkpoint = manifest.get("checkpoint") or {}
    statement = checkpoint.get("checkpoint") or {}
    if not ed25519_verify(
        _b64(checkpoint.get("public_key")) or b"",
        canonical_json(statement),
        _b64(checkpoint.get("signature")) or b"",
    ) or statement.get("key_id") != key_id_of(_b64(checkpoint.get("public_key")) or b""):
        problems.append("ALTERED: the checkpoint in the manifest does not match its signature.")
    elif (
        statement.get("case") != manifest.get("case")
        or statement.get("sequence") != manifest.get("chain_records")
        or statement.get("head") != manifest.get("chain_head")
    ):
        problems.append("ALTERED: the checkpoint is not of the chain this manifest names.")
    return problems, str(signature["key_id"])


def check_chain(bundle: Bundle, manifest: dict[str, Any]) -> tuple[dict[int, Any], list[str]]:
    """The chain's records: links, hashes and opened fields. Returns the documents given."""
    raw = bundle.read(str(manifest.get("chain", "chain.jsonl")))
    if raw is None:
        return {}, ["MISSING: the chain records (chain.jsonl) are not in the bundle."]
    problems: list[str] = []
    documents: dict[int, Any] = {}
    prev, expected_seq = GENESIS, 1
    for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
        except ValueError:
            return documents, [f"ALTERED: chain record on line {number} is not valid JSON."]
        seq = record.get("seq")
        if seq != expected_seq:
            problems.append(
                f"MISSING or REORDERED: chain record {expected_seq} is not where it should be."
            )
            return documents, problems
        if record.get("prev") != prev:
            problems.append(f"ALTERED: chain record {seq} does not follow record {seq - 1}.")
        document = record.get("document")
        if document is not None:
            parsed = check_record(record, document, problems)
            if parsed is not None:
                documents[seq] = parsed
        prev, expected_seq = record.get("hash"), expected_seq + 1
    if expected_seq - 1 != manifest.get("chain_records"):
        problems.append(
            f"MISSING: chain.jsonl has {expected_seq - 1} records, but the signed manifest "
            f"says {manifest.get('chain_records')}."
        )
    if prev != manifest.get("chain_head"):
        problems.append("ALTERED: the last chain record is not the chain head the manifest names.")
    return documents, problems


def check_record(record: dict[str, Any], document: str, problems: list[str]) -> Any:
    """One record given in full: its hash, its place, and each field it opens."""
    seq = record["seq"]
    if sha256(document.encode("utf-8")) != record.get("hash"):
        problems.append(f"ALTERED: chain record {seq} does not match its hash.")
    try:
        parsed = json.loads(document)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    if parsed.get("seq") != seq or parsed.get("prev") != record.get("prev"):
        problems.append(f"ALTERED: chain record {seq} says it is somewhere else in the chain.")
    if parsed.get("kind") != record.get("kind"):
        problems.append(f"ALTERED: chain record {seq} is not the kind of record it says.")
    body = parsed.get("body") if isinstance(parsed.get("body"), dict) else {}
    for path, opening in sorted((record.get("opened") or {}).items()):
        place: Any = body
        for part in path.split("."):
            place = place.get(part) if isinstance(place, dict) else None
        salt = bytes.fromhex(str(opening.get("salt", "")))
        wanted = place.get("commitment") if isinstance(place, dict) else None
        if wanted is None or sha256(salt + canonical_json(opening.get("value"))) != wanted:
            problems.append(
                f"ALTERED: the {path} given for chain record {seq} is not what the record "
                "committed to."
            )
    return parsed


def check_exhibits(
    manifest: dict[str, Any], listed: dict[Any, Any], documents: dict[int, Any]
) -> list[str]:
    """Every file the chain added in range against the exhibits and the signed lists."""
    problems = []
    withdrawn = {
        doc.get("evidence")
        for doc in documents.values()
        if doc.get("kind") == "evidence_withdrawal"
    }
    added = {seq: doc for seq, doc in documents.items() if doc.get("kind") == "evidence"}
    exhibits = {item["record"]: item for item in listed.values() if item.get("exhibit")}
    left_out = {item.get("record"): item for item in manifest.get("exhibits_left_out", [])}
    for item in list(exhibits.values()) + list(left_out.values()):
        seq = item.get("record")
        document = added.get(seq)
        name = item.get("path") or item.get("exhibit")
        if document is None:
            problems.append(
                f"ALTERED: exhibit {name} names chain record {seq}, which added no file given "
                "in this bundle."
            )
            continue
        recorded = (document.get("body") or {}).get("sha256")
        original = item.get("original_sha256")
        if original != recorded or (
            item.get("path") and not item.get("copy") and item.get("sha256") != recorded
        ):
            problems.append(
                f"ALTERED: exhibit {name} is not the file chain record {seq} was made for."
            )
    for seq, document in sorted(added.items()):
        if document.get("evidence") in withdrawn:
            continue
        if seq not in exhibits and seq not in left_out:
            problems.append(
                f"MISSING: the file chain record {seq} added is neither an exhibit in this bundle "
                "nor listed as left out."
            )
    listed_records = sorted(item.get("record") for item in manifest.get("evidence_records", []))
    if listed_records != sorted(added):
        problems.append(
            "ALTERED: the evidence records the signed manifest lists are not those in the chain."
        )
    return problems


def main() -> int:
    location = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    problems, key_id = check_signed(location)
    if key_id:
        print(
            f"Signed with key {key_id}. Check that this is the service's own key: it publishes "
            "its keys at /.well-known/daybook-signing-keys.json and prints the key on every "
            "report."
        )
    if problems:
        print("This bundle FAILED verification:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("Verified: every file matches the signed manifest and the hash chain is intact.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
