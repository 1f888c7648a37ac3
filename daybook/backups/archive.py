"""A backup's layout on disk, its manifest, and the keys that seal it.

A backup is one directory:

    manifest.json      {"manifest": {...}, "mac": <HMAC-SHA256 of the manifest's canonical JSON>}
    database.sealed    the database snapshot, sealed (AES-256-GCM, daybook/crypto.py's layout)
    checkpoints.jsonl  every checkpoint the database held, signed, one a line (as the ledger)
    files/000001 ...   the stored files, byte for byte (already sealed under their cases' keys)

The manifest names every part with its size and SHA-256, when the backup was taken, which
database it is of and which migrations it had applied. The snapshot holds e-mail addresses and
metadata in the clear, so it is sealed; both keys are derived from the master key, which is
never in a backup: restoring needs the master key the backup was taken under.
"""

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from daybook import crypto

TYPE = "daybook-backup/1"
MANIFEST = "manifest.json"
DATABASE = "database.sealed"
CHECKPOINTS = "checkpoints.jsonl"
FILES = "files"
CHUNK_BYTES = 1 << 20


def _derived(purpose: bytes, master: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        master or crypto.master_key()
    )


def sealing_key(master: bytes | None = None) -> bytes:
    """Seals the database snapshot; a key of its own, so it opens nothing else."""
    return _derived(b"daybook-backup-database/1", master)


def manifest_key(master: bytes | None = None) -> bytes:
    return _derived(b"daybook-backup-manifest/1", master)


def database_associated(backup_id: str) -> str:
    """Binds the sealed snapshot to its backup: one backup's snapshot put in another fails."""
    return f"daybook-backup:{backup_id}:database"


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def manifest_mac(manifest: dict[str, Any], master: bytes | None = None) -> str:
    return hmac.new(manifest_key(master), canonical(manifest), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Part:
    path: str  # inside the backup directory, always one of the names above
    kind: str  # "database", "checkpoints" or "file"
    size: int
    sha256: str
    name: str = ""  # for a file: its name in storage

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "size": self.size,
            "sha256": self.sha256,
        }
        if self.kind == "file":
            found["name"] = self.name
        return found


@dataclass(frozen=True)
class Manifest:
    backup_id: str
    taken_at: dt.datetime
    database: str  # "sqlite" or "postgresql"
    database_format: str
    migrations: list[tuple[str, str]]
    master_key_id: str
    cases: int
    checkpoints: int
    parts: list[Part]

    def as_json(self) -> dict[str, Any]:
        return {
            "type": TYPE,
            "id": self.backup_id,
            "taken_at": self.taken_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "database": {"vendor": self.database, "format": self.database_format},
            "migrations": [list(pair) for pair in self.migrations],
            "master_key_id": self.master_key_id,
            "counts": {"cases": self.cases, "checkpoints": self.checkpoints},
            "parts": [part.as_json() for part in self.parts],
        }

    def files(self) -> list[Part]:
        return [part for part in self.parts if part.kind == "file"]

    def part(self, kind: str) -> Part:
        return next(part for part in self.parts if part.kind == kind)


class BadBackup(Exception):
    """The backup cannot be restored as it is; the message says why, kindly, for an operator."""


def _part_of(data: Any) -> Part:
    path, kind = str(data["path"]), str(data["kind"])
    # Names that could reach outside the backup directory are never followed.
    allowed = (
        kind == "database"
        and path == DATABASE
        or kind == "checkpoints"
        and path == CHECKPOINTS
        or kind == "file"
        and path.startswith(f"{FILES}/")
        and path[len(FILES) + 1 :].isdigit()
    )
    if not allowed:
        raise BadBackup(f"its manifest names a part it should not ({path!r})")
    size, sha256 = data["size"], data["sha256"]
    if not isinstance(size, int) or not isinstance(sha256, str):
        raise BadBackup("its manifest is incomplete")
    return Part(path=path, kind=kind, size=size, sha256=sha256, name=str(data.get("name", "")))


def manifest_read(directory: Path) -> Manifest:
    """The backup's manifest, once its seal holds under this instance's master key."""
    try:
        outer = json.loads((directory / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise BadBackup(
            f"there is no {MANIFEST} in {directory}: it is not a Daybook backup, or it was "
            "not finished"
        ) from None
    except OSError as error:
        raise BadBackup(f"{directory / MANIFEST} cannot be read: {error.strerror}") from None
    except ValueError:
        raise BadBackup(f"its {MANIFEST} is not JSON: it is damaged") from None
    if not isinstance(outer, dict) or not isinstance(outer.get("manifest"), dict):
        raise BadBackup(f"its {MANIFEST} is not a Daybook backup manifest")
    data = outer["manifest"]
    if data.get("type") != TYPE:
        raise BadBackup("it is not a Daybook backup of a version this Daybook knows")
    if not hmac.compare_digest(str(outer.get("mac", "")), manifest_mac(data)):
        in_use = crypto.key_id(crypto.master_key())
        raise BadBackup(
            "its manifest's seal does not hold: the backup has been altered, or it was taken "
            f"under another master key (it names key {data.get('master_key_id', 'unknown')}; "
            f"this instance uses key {in_use})"
        )
    try:
        return Manifest(
            backup_id=str(data["id"]),
            taken_at=dt.datetime.fromisoformat(str(data["taken_at"])),
            database=str(data["database"]["vendor"]),
            database_format=str(data["database"]["format"]),
            migrations=[(str(app), str(name)) for app, name in data["migrations"]],
            master_key_id=str(data["master_key_id"]),
            cases=int(data["counts"]["cases"]),
            checkpoints=int(data["counts"]["checkpoints"]),
            parts=[_part_of(part) for part in data["parts"]],
        )
    except (KeyError, TypeError, ValueError):
        raise BadBackup("its manifest is incomplete") from None


def manifest_write(directory: Path, manifest: Manifest) -> None:
    data = manifest.as_json()
    body = {"manifest": data, "mac": manifest_mac(data)}
    (directory / MANIFEST).write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")


def digest_of(path: Path) -> tuple[int, str]:
    hasher, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            hasher.update(chunk)
            size += len(chunk)
    return size, hasher.hexdigest()


def parts_check(directory: Path, manifest: Manifest) -> None:
    """Every part is there, of the size and SHA-256 the manifest gives."""
    for part in manifest.parts:
        path = directory / part.path
        try:
            size, sha256 = digest_of(path)
        except FileNotFoundError:
            raise BadBackup(f"its part {part.path} is missing") from None
        except OSError as error:
            raise BadBackup(f"its part {part.path} cannot be read: {error.strerror}") from None
        if size != part.size:
            raise BadBackup(
                f"its part {part.path} is {size} bytes, not the {part.size} its manifest "
                "gives: it has been cut short or altered"
            )
        if not hmac.compare_digest(sha256, part.sha256):
            raise BadBackup(
                f"its part {part.path} does not have the SHA-256 its manifest gives: it has "
                "been altered or damaged"
            )
