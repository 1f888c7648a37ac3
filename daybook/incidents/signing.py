"""The service's own signing key: Ed25519, for checkpoints of a case's log.

The private key is 32 random bytes, URL-safe base64, from DAYBOOK_SIGNING_KEY or (better)
the file named by DAYBOOK_SIGNING_KEY_FILE. A key is named by its key id: the first 16 hex
digits of the SHA-256 of its raw 32-byte public key. After a rotation the public keys of the
keys used before are listed in DAYBOOK_SIGNING_PREVIOUS_PUBLIC_KEYS (comma-separated, base64),
so what they signed still verifies; every public key is published at
/.well-known/daybook-signing-keys.json.
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.exceptions import ImproperlyConfigured

from daybook.env import env_list, env_secret

ALGORITHM = "Ed25519"


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    raw: bytes

    @property
    def public_key(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    def as_json(self) -> dict[str, str]:
        return {"key_id": self.key_id, "public_key": self.public_key, "algorithm": ALGORITHM}


def key_id_of(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()[:16]


def _decode(value: str, name: str) -> bytes:
    text = value.strip()
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{name} is not base64.") from None
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 bytes, base64.")
    return raw


def private_key() -> Ed25519PrivateKey:
    """The key in use, read each time (a rotation takes effect without a restart)."""
    seed = _decode(env_secret("DAYBOOK_SIGNING_KEY"), "DAYBOOK_SIGNING_KEY")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def current_key() -> PublicKey:
    raw = _raw_public(private_key())
    return PublicKey(key_id=key_id_of(raw), raw=raw)


def previous_keys() -> list[PublicKey]:
    name = "DAYBOOK_SIGNING_PREVIOUS_PUBLIC_KEYS"
    keys = []
    for value in env_list(name, []):
        raw = _decode(value, name)
        keys.append(PublicKey(key_id=key_id_of(raw), raw=raw))
    return keys


def published_keys() -> list[PublicKey]:
    """The key in use first, then the previous ones, each once."""
    seen: set[str] = set()
    keys = []
    for key in [current_key(), *previous_keys()]:
        if key.key_id not in seen:
            seen.add(key.key_id)
            keys.append(key)
    return keys


def sign(message: bytes) -> tuple[str, bytes]:
    """The key id and the signature of `message` under the key in use."""
    key = private_key()
    return key_id_of(_raw_public(key)), key.sign(message)


class UnknownKey(Exception):
    """The key id names no published key."""


def verify(message: bytes, signature: bytes, key_id: str) -> bool:
    """Whether `signature` over `message` was made by the published key `key_id`. A key id
    that names no published key raises UnknownKey."""
    for key in published_keys():
        if key.key_id == key_id:
            try:
                Ed25519PublicKey.from_public_bytes(key.raw).verify(signature, message)
            except InvalidSignature:
                return False
            return True
    raise UnknownKey(key_id)
