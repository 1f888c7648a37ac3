"""Envelope encryption: one place for every cipher operation in Daybook.

A master key (from DAYBOOK_MASTER_KEY or DAYBOOK_MASTER_KEY_FILE) wraps a random 256-bit
data key per case. Text and files are sealed with the case's data key using AES-256-GCM,
with the record and field they belong to bound in as associated data, so a ciphertext
moved to another row or field fails to open. Destroying a case's wrapped key makes all
of its data unreadable, including in old backups.
"""

import base64
import hashlib
import os
from collections.abc import Callable
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

from daybook.env import env_secret

VERSION = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(Exception):
    """A ciphertext could not be opened: wrong key, wrong place, or altered bytes."""


def decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured("The master key must be URL-safe base64.") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured("The master key must be 32 bytes.")
    return key


def key_id(key: bytes) -> str:
    """A short, non-secret name for a master key, stored beside what it wrapped."""
    return hashlib.sha256(b"daybook-key-id:" + key).hexdigest()[:16]


@cache
def master_key() -> bytes:
    return decode_key(env_secret("DAYBOOK_MASTER_KEY"))


@cache
def identifier_key() -> bytes:
    """The key for matching identifiers across cases: separate from the master key, so the
    tokens reveal nothing even to someone holding the database and the master key."""
    return decode_key(env_secret("DAYBOOK_IDENTIFIER_KEY"))


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, associated: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, associated.encode())


def open_sealed(key: bytes, sealed: bytes, associated: str) -> bytes:
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != VERSION:
        raise DecryptionError("not a Daybook ciphertext")
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, associated.encode())
    except InvalidTag:
        raise DecryptionError("ciphertext does not open") from None


def opener(key: bytes) -> Callable[[bytes, str], bytes]:
    """`open_sealed` for many ciphertexts under one key, without rebuilding the cipher."""
    cipher = AESGCM(key)

    def open_one(sealed: bytes, associated: str) -> bytes:
        if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != VERSION:
            raise DecryptionError("not a Daybook ciphertext")
        try:
            return cipher.decrypt(
                sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :], associated.encode()
            )
        except InvalidTag:
            raise DecryptionError("ciphertext does not open") from None

    return open_one


def seal_text(key: bytes, text: str, associated: str) -> bytes:
    return seal(key, text.encode("utf-8"), associated)


def open_text(key: bytes, sealed: bytes, associated: str) -> str:
    return open_sealed(key, sealed, associated).decode("utf-8")


def wrap_data_key(data_key: bytes, case_uid: str, master: bytes | None = None) -> bytes:
    return seal(master or master_key(), data_key, f"case-key:{case_uid}")


def unwrap_data_key(wrapped: bytes, case_uid: str, master: bytes | None = None) -> bytes:
    return open_sealed(master or master_key(), wrapped, f"case-key:{case_uid}")
