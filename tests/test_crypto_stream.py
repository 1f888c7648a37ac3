"""Files sealed a chunk at a time have the layout of `seal`, open either way, and are kept as
evidence exactly as files sealed whole are."""

import datetime as dt
import hashlib
import io
import itertools
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.storage import default_storage
from django.db import transaction

from daybook import crypto
from daybook.imports import services
from daybook.imports.models import ImportJob
from daybook.incidents import keys
from daybook.incidents import services as log
from daybook.incidents.evidence import CheckedFile
from daybook.incidents.models import ChainRecord, Entry, Evidence
from daybook.incidents.verify import verify_case
from tests.conftest import Personas, entry_values

KEY = crypto.new_data_key()
AD = "evidence:abc:file"
# Longer than one chunk and not a whole number of them, so every path through the loop runs.
PLAIN = os.urandom(crypto.STREAM_CHUNK_BYTES * 2 + 12345)


def sealed_by_stream(plain: bytes, associated: str = AD) -> bytes:
    target = io.BytesIO()
    crypto.seal_stream(KEY, io.BytesIO(plain), target, associated)
    return target.getvalue()


def opened_by_stream(sealed: bytes, associated: str = AD) -> bytes:
    target = io.BytesIO()
    crypto.open_stream(KEY, io.BytesIO(sealed), target, associated)
    return target.getvalue()


@pytest.mark.parametrize("plain", [b"", b"a few words", PLAIN])
def test_a_file_sealed_in_chunks_opens_whole(plain: bytes) -> None:
    assert crypto.open_sealed(KEY, sealed_by_stream(plain), AD) == plain


@pytest.mark.parametrize("plain", [b"", b"a few words", PLAIN])
def test_a_file_sealed_whole_opens_in_chunks(plain: bytes) -> None:
    assert opened_by_stream(crypto.seal(KEY, plain, AD)) == plain


def test_the_layout_is_the_same_byte_for_byte() -> None:
    """The same nonce gives the same bytes either way: version, nonce, ciphertext, tag."""
    sealed = sealed_by_stream(PLAIN)
    nonce = sealed[1 : 1 + crypto.NONCE_BYTES]
    assert sealed[:1] == crypto.VERSION
    assert len(sealed) == 1 + crypto.NONCE_BYTES + len(PLAIN) + crypto.TAG_BYTES
    whole = AESGCM(KEY).encrypt(nonce, PLAIN, AD.encode())
    assert sealed == crypto.VERSION + nonce + whole


@pytest.mark.parametrize("where", [0, 1, 12, 13, 4000, -17, -16, -1])
def test_a_flipped_byte_anywhere_does_not_open(where: int) -> None:
    sealed = bytearray(sealed_by_stream(PLAIN))
    sealed[where] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        opened_by_stream(bytes(sealed))
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(KEY, bytes(sealed), AD)


def test_the_wrong_place_does_not_open() -> None:
    with pytest.raises(crypto.DecryptionError):
        opened_by_stream(sealed_by_stream(PLAIN), "evidence:other:file")
    with pytest.raises(crypto.DecryptionError):
        opened_by_stream(crypto.seal(KEY, PLAIN, AD), "evidence:other:file")


def test_the_wrong_key_does_not_open() -> None:
    target = io.BytesIO()
    with pytest.raises(crypto.DecryptionError):
        crypto.open_stream(crypto.new_data_key(), io.BytesIO(sealed_by_stream(PLAIN)), target, AD)


@pytest.mark.parametrize("cut", [1, 16, 17, crypto.STREAM_CHUNK_BYTES])
def test_a_truncated_file_does_not_open(cut: int) -> None:
    sealed = sealed_by_stream(PLAIN)[:-cut]
    with pytest.raises(crypto.DecryptionError):
        opened_by_stream(sealed)


@pytest.mark.parametrize("sealed", [b"", crypto.VERSION, crypto.VERSION + bytes(27)])
def test_something_too_short_to_be_sealed_does_not_open(sealed: bytes) -> None:
    with pytest.raises(crypto.DecryptionError):
        opened_by_stream(sealed)


def test_a_file_of_another_version_does_not_open() -> None:
    sealed = b"\x02" + sealed_by_stream(b"a few words")[1:]
    with pytest.raises(crypto.DecryptionError):
        opened_by_stream(sealed)


# An export kept as an exhibit is sealed into storage a chunk at a time, and is then the same
# evidence, in the same chain, as a file added whole.


def _kept_both_ways(case, personas, monkeypatch, data: bytes) -> list[dict[str, Any]]:
    """The same file kept by `ImportBatch.evidence` and by `ImportBatch.evidence_file`, with
    the same random ids and clock: what each wrote."""
    moment = dt.datetime(2026, 10, 3, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(log.timezone, "now", lambda: moment)
    monkeypatch.setattr(Entry._meta.get_field("uid"), "_get_default", lambda: "e" * 32)
    key = keys.case_key(case)
    checked = CheckedFile(
        name="WhatsApp Chat.zip",
        data=data,
        size=len(data),
        content_type="application/zip",
        sha256=hashlib.sha256(data).hexdigest(),
        exif={},
    )
    written = []
    for whole in (True, False):
        numbers = itertools.count()
        monkeypatch.setattr(log, "new_uid", lambda counter=numbers: f"{next(counter):032x}")
        monkeypatch.setattr(  # the batch's own ids
            log.crypto.RandomBlock, "uid", lambda _self, counter=numbers: f"{next(counter):032x}"
        )
        with transaction.atomic():
            case.refresh_from_db()
            with log.entries_import(case=case, author=personas.victim, extra={}) as batch:
                entry = batch.entry(values=entry_values())
                if whole:
                    kept = batch.evidence(entry=entry, checked=checked)
                else:
                    kept = batch.evidence_file(
                        entry=entry,
                        name=checked.name,
                        file=io.BytesIO(data),
                        size=checked.size,
                        sha256=checked.sha256,
                        content_type=checked.content_type,
                    )
            with default_storage.open(kept.storage_name, "rb") as handle:
                stored = handle.read()
            written.append(
                {
                    "row": Evidence.objects.filter(pk=kept.pk)
                    .values("uid", "storage_name", "size", "content_type", "sha256")
                    .get(),
                    "meta": log.evidence_meta(kept, key),
                    "records": list(
                        ChainRecord.objects.filter(case=case).values_list(
                            "seq", "kind", "rid", "prev_hash", "hash", "version"
                        )
                    ),
                    "bytes": log.evidence_bytes(kept, key),
                    "stored_size": len(stored),
                    "verified": verify_case(case).ok,
                }
            )
            default_storage.delete(kept.storage_name)
            transaction.set_rollback(True)
    return written


@pytest.mark.django_db
def test_an_exhibit_kept_in_chunks_is_chained_as_one_kept_whole(
    case, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole, streamed = _kept_both_ways(case, personas, monkeypatch, PLAIN)
    assert streamed == whole
    assert streamed["bytes"] == PLAIN and streamed["verified"]
    assert streamed["stored_size"] == 1 + crypto.NONCE_BYTES + len(PLAIN) + crypto.TAG_BYTES


@pytest.mark.django_db
def test_an_exhibit_that_is_not_the_file_described_is_not_kept(case, personas: Personas) -> None:
    stored_before = _stored_files(case)
    with (
        pytest.raises(ValueError, match="not the one whose size and hash"),
        log.entries_import(case=case, author=personas.victim, extra={}) as batch,
    ):
        entry = batch.entry(values=entry_values())
        batch.evidence_file(
            entry=entry,
            name="WhatsApp Chat.zip",
            file=io.BytesIO(PLAIN),
            size=len(PLAIN),
            sha256=hashlib.sha256(b"another file").hexdigest(),
            content_type="application/zip",
        )
    assert _stored_files(case) == stored_before
    assert not Evidence.objects.filter(entry__case=case).exists()


def _stored_files(case) -> list[str]:
    if not default_storage.exists(case.uid):
        return []
    return default_storage.listdir(case.uid)[1]


@pytest.mark.django_db
def test_an_exhibit_kept_in_chunks_and_altered_in_storage_fails_verification(
    case, personas: Personas
) -> None:
    with log.entries_import(case=case, author=personas.victim, extra={}) as batch:
        entry = batch.entry(values=entry_values())
        kept = batch.evidence_file(
            entry=entry,
            name="WhatsApp Chat.zip",
            file=io.BytesIO(PLAIN),
            size=len(PLAIN),
            sha256=hashlib.sha256(PLAIN).hexdigest(),
            content_type="application/zip",
        )
    assert verify_case(case).ok
    path = Path(default_storage.path(kept.storage_name))
    altered = bytearray(path.read_bytes())
    altered[crypto.STREAM_CHUNK_BYTES + 5] ^= 0x01  # deep inside, past the first chunk
    path.write_bytes(bytes(altered))
    result = verify_case(case)
    assert not result.ok
    assert "has been altered in storage" in (result.problem or "")


# The upload is kept sealed, and opened a chunk at a time for the import.

CHAT = b"12/01/24, 21:05 - Sam Ex: hi\n12/01/24, 21:06 - Sam Ex: answer me\n"


def _uploaded(case, personas: Personas, data: bytes) -> ImportJob:
    job = services.import_upload(
        case=case, actor=personas.victim, name="WhatsApp Chat.txt", data=io.BytesIO(data)
    )
    chosen = {"stalkers": ["Sam Ex"], "time_zone": "UTC", "date_order": "dmy"}
    return services.import_configure(job=job, options=chosen, actor=personas.victim)


@pytest.mark.django_db
def test_an_upload_given_as_a_file_is_kept_sealed_and_imported(
    case, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    job = _uploaded(case, personas, CHAT)
    assert (job.size, job.sha256) == (len(CHAT), hashlib.sha256(CHAT).hexdigest())
    with default_storage.open(job.storage_name, "rb") as handle:
        stored = handle.read()
    assert crypto.open_sealed(keys.case_key(case), stored, f"import:{job.uid}:file") == CHAT
    with django_capture_on_commit_callbacks(execute=True):
        services.import_run(job)
    job.refresh_from_db()
    assert (job.status, job.added) == (ImportJob.Status.DONE, 2)
    exhibit = Evidence.objects.get(entry__case=case)
    assert log.evidence_bytes(exhibit) == CHAT
    assert verify_case(case).ok


@pytest.mark.django_db
def test_an_upload_altered_in_storage_is_not_imported(
    case, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    job = _uploaded(case, personas, CHAT)
    path = Path(default_storage.path(job.storage_name))
    altered = bytearray(path.read_bytes())
    altered[20] ^= 0x01
    path.write_bytes(bytes(altered))
    with django_capture_on_commit_callbacks(execute=True):
        services.import_run(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not Entry.objects.filter(case=case).exists()
    assert not Evidence.objects.filter(entry__case=case).exists()
