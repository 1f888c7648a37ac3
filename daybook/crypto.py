"""Envelope encryption: one place for every cipher operation in Daybook.

A master key (from DAYBOOK_MASTER_KEY or DAYBOOK_MASTER_KEY_FILE) wraps a random 256-bit
data key per case. Text and files are sealed with the case's data key using AES-256-GCM,
with the record and field they belong to bound in as associated data, so a ciphertext
moved to another row or field fails to open. Destroying a case's wrapped key makes all
of its data unreadable, including in old backups.
"""

import base64
import hashlib
import io
import os
from collections.abc import Callable
from functools import cache
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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


class RandomBlock:
    """Random bytes for many ids and nonces, drawn from the operating system a block at a time.
    An import makes three for each message, and a system call each would cost more than the
    hashing and sealing of the message. Each byte is handed out once."""

    def __init__(self, size: int = 4096) -> None:
        self._size, self._data, self._at = size, b"", 0

    def take(self, count: int) -> bytes:
        if self._at + count > len(self._data):
            self._data, self._at = os.urandom(max(self._size, count)), 0
        taken = self._data[self._at : self._at + count]
        self._at += count
        return taken

    def uid(self) -> str:
        """A random id in the form `cases.models.new_uid` gives."""
        return self.take(16).hex()


def sealer(
    key: bytes, random: Callable[[int], bytes] = os.urandom
) -> Callable[[bytes, str], bytes]:
    """`seal` for many plaintexts under one key, without rebuilding the cipher; nonces come
    from `random` (a `RandomBlock`'s `take`, say)."""
    cipher = AESGCM(key)

    def seal_one(plaintext: bytes, associated: str) -> bytes:
        nonce = random(NONCE_BYTES)
        return VERSION + nonce + cipher.encrypt(nonce, plaintext, associated.encode())

    return seal_one


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


# --- Files too large to hold in memory -----------------------------------------------
#
# The same layout as `seal` (VERSION, nonce, AES-256-GCM ciphertext, tag), written and read a
# chunk at a time, so a file sealed either way opens either way.

STREAM_CHUNK_BYTES = 1 << 20
TAG_BYTES = 16


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class SeekableReadable(Readable, Protocol):
    def seek(self, offset: int, whence: int = 0, /) -> int: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


def seal_stream(key: bytes, source: Readable, target: Writable, associated: str) -> None:
    """`seal` for a file: what is left of `source` is sealed into `target`."""
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated.encode())
    target.write(VERSION + nonce)
    while chunk := source.read(STREAM_CHUNK_BYTES):
        target.write(encryptor.update(chunk))
    target.write(encryptor.finalize())
    target.write(encryptor.tag)


def open_stream(key: bytes, source: SeekableReadable, target: Writable, associated: str) -> None:
    """`open_sealed` for a file: the plaintext of all of `source` is written to `target`.

    GCM can only tell that a ciphertext was altered once it has read all of it, so `target`
    receives plaintext before it is known to be genuine. Raises DecryptionError then, and the
    caller must throw away everything written to `target`: give it a temporary file, and use
    that only once this returns."""
    size = source.seek(0, io.SEEK_END)
    if size < 1 + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("not a Daybook ciphertext")
    source.seek(size - TAG_BYTES)
    tag = source.read(TAG_BYTES)
    source.seek(0)
    header = source.read(1 + NONCE_BYTES)
    if header[:1] != VERSION or len(tag) != TAG_BYTES or len(header) != 1 + NONCE_BYTES:
        raise DecryptionError("not a Daybook ciphertext")
    decryptor = Cipher(algorithms.AES(key), modes.GCM(header[1:], tag)).decryptor()
    decryptor.authenticate_additional_data(associated.encode())
    left = size - len(header) - TAG_BYTES
    while left > 0:
        chunk = source.read(min(STREAM_CHUNK_BYTES, left))
        if not chunk:  # shorter than it was a moment ago: not the ciphertext measured
            raise DecryptionError("ciphertext does not open")
        left -= len(chunk)
        target.write(decryptor.update(chunk))
    try:
        target.write(decryptor.finalize())
    except InvalidTag:
        raise DecryptionError("ciphertext does not open") from None


class Digest:
    """A target for `open_stream` that keeps only the SHA-256 of what it is given: enough to
    check a file against the hash its log recorded, with no plaintext kept anywhere."""

    def __init__(self) -> None:
        self._hasher = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self._hasher.update(data)
        self.size += len(data)
        return len(data)

    def hexdigest(self) -> str:
        return self._hasher.hexdigest()
