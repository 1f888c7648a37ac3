"""Every write to a log. Entries are never edited or deleted: each change is a new record
appended to the case's hash chain, in the same transaction as its audit event."""

import base64
import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from operator import attrgetter
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import (
    BinaryField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
)
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.http import HttpRequest
from django.utils import timezone

from daybook import crypto
from daybook.accounts.models import User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case, new_uid
from daybook.incidents import checkpoints, keys, signing, tallies
from daybook.incidents import content as entry_content
from daybook.incidents.behaviours import category_of
from daybook.incidents.chain import (
    CHAIN_VERSION,
    body_and_document,
    canonical_json,
    record_hash,
    record_header,
    record_secret,
    record_secrets,
)
from daybook.incidents.evidence import CheckedFile
from daybook.incidents.models import (
    ChainRecord,
    Checkpoint,
    Entry,
    EntryBehaviour,
    Evidence,
    RecordedHow,
)
from daybook.incidents.signals import checkpoint_issued, log_changed


def iso_instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


# --- Cases -------------------------------------------------------------------------


# --- The chain ---------------------------------------------------------------------


def _chain_link(
    *,
    case: Case,
    seq: int,
    prev: str,
    kind: str,
    entry: Entry,
    evidence: Evidence | None,
    author: User | None,
    how: str,
    body: dict[str, Any],
    recorded_at: str,
    rid: str,
    secret: bytes,
    seal: Callable[[bytes, str], bytes],
) -> tuple[str, bytes]:
    """Record number `seq` of a case's chain, with random id `rid`, following `prev`: its
    hash and its body sealed with `seal` (a `crypto.sealer` of the case key). `recorded_at` is
    the record's `iso_instant`, `secret` its `record_secret`. The hash needs only the entry's
    and file's uids, so an import can chain many entries before they have primary keys."""
    header = record_header(
        case_uid=case.uid,
        seq=seq,
        prev=prev,
        rid=rid,
        kind=kind,
        entry_uid=entry.uid,
        evidence_uid=evidence.uid if evidence else None,
        recorded_at=recorded_at,
        recorded_by=author.pk if author else None,
        recorded_how=how,
    )
    body_bytes, document = body_and_document(body, secret)
    return record_hash(header, document), seal(body_bytes, keys.chain_body_ad(rid))


def _append(
    *,
    case: Case,
    key: bytes,
    kind: str,
    entry: Entry,
    evidence: Evidence | None,
    author: User | None,
    how: str,
    body: dict[str, Any],
    recorded_at: dt.datetime,
) -> ChainRecord:
    batch = _batch.get()
    if batch is not None and batch.case_id == case.pk:
        seq, prev = batch.seq + 1, batch.head
    else:
        # Locking the case row serialises appends on PostgreSQL; SQLite's IMMEDIATE
        # transactions do the same. The next number and head are read under the lock.
        locked = Case.objects.select_for_update().only("chain_seq", "chain_head").get(pk=case.pk)
        seq, prev = locked.chain_seq + 1, locked.chain_head
    rid = new_uid()
    digest, sealed = _chain_link(
        case=case,
        seq=seq,
        prev=prev,
        kind=kind,
        entry=entry,
        evidence=evidence,
        author=author,
        how=how,
        body=body,
        recorded_at=iso_instant(recorded_at),
        rid=rid,
        secret=record_secret(key, rid),
        seal=crypto.sealer(key),
    )
    record = ChainRecord.objects.create(
        case=case,
        seq=seq,
        kind=kind,
        entry=entry,
        evidence=evidence,
        entry_uid=entry.uid,
        evidence_uid=evidence.uid if evidence else None,
        rid=rid,
        prev_hash=prev,
        hash=digest,
        recorded_at=recorded_at,
        recorded_by=author,
        recorded_how=how,
        body_sealed=sealed,
    )
    if batch is not None and batch.case_id == case.pk:
        batch.seq, batch.head = seq, digest
    else:
        Case.objects.filter(pk=case.pk).update(chain_seq=seq, chain_head=digest)
        announce_change(case)
    case.chain_seq, case.chain_head = seq, digest
    return record


def announce_change(case: Case) -> None:
    """Tell the other apps (escalation checks) about a change to the log once it commits."""
    transaction.on_commit(lambda: log_changed.send(sender=Case, case=case), robust=True)


@dataclass
class _Batch:
    case_id: int
    seq: int
    head: str


_batch: ContextVar[_Batch | None] = ContextVar("chain_batch", default=None)


@contextmanager
def chain_batch(case: Case) -> Iterator[None]:
    """Many appends to one case in one transaction (an import): the case row is locked once
    and its chain head written once at the end. Updating that row for every append would,
    on PostgreSQL, leave a chain of row versions that each later append has to walk."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("chain_batch must run inside a transaction")
    locked = Case.objects.select_for_update().only("chain_seq", "chain_head").get(pk=case.pk)
    batch = _Batch(case.pk, locked.chain_seq, locked.chain_head)
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    Case.objects.filter(pk=case.pk).update(chain_seq=batch.seq, chain_head=batch.head)
    case.chain_seq, case.chain_head = batch.seq, batch.head
    announce_change(case)


def _lock_case(case_id: int) -> None:
    """Lock a case's row for the rest of the transaction. Every change to a log locks its case
    first and only then the entry or file it changes (`_append` and `chain_batch` lock the
    case too), so two changes to one log queue behind each other instead of deadlocking."""
    Case.objects.select_for_update().only("pk").get(pk=case_id)


def _locked_entry(entry: Entry) -> Entry:
    """The entry as it is now, read again under lock (its case first, then the entry), for a
    change that depends on its current state: a decision made on the copy the caller loaded
    earlier could undo a change committed since (a withdrawal shown as live again, one of two
    amendments lost from the row). SQLite's IMMEDIATE transactions serialise writers anyway."""
    _lock_case(entry.case_id)
    return Entry.objects.select_for_update(of=("self",)).select_related("case").get(pk=entry.pk)


def _project(entry: Entry, content: dict[str, Any]) -> None:
    for field, value in entry_content.projection(content).items():
        setattr(entry, field, value)


def _set_behaviours(entry: Entry, codes: list[str]) -> None:
    EntryBehaviour.objects.filter(entry=entry).exclude(code__in=codes).delete()
    existing = set(EntryBehaviour.objects.filter(entry=entry).values_list("code", flat=True))
    EntryBehaviour.objects.bulk_create(
        EntryBehaviour(entry=entry, case_id=entry.case_id, code=code, category=category_of(code))
        for code in codes
        if code not in existing
    )


def entry_content_of(entry: Entry, key: bytes | None = None) -> dict[str, Any]:
    return current_contents([entry], entry.case, key)[entry.pk]


def current_contents(
    entries: list[Entry], case: Case, key: bytes | None = None
) -> dict[int, dict[str, Any]]:
    """What each entry says now: a draft's saved text, or its chain records replayed."""
    contents = readable_contents(entries, case, key, altered_ok=False)
    return {pk: content for pk, content in contents.items() if content is not None}


def readable_contents(
    entries: list[Entry], case: Case, key: bytes | None = None, *, altered_ok: bool = True
) -> dict[int, dict[str, Any] | None]:
    """`current_contents` for a page that shows the log: an entry whose record has been
    altered in the database (it no longer opens) is None, for the page to say so, where an
    output made from the log (a report, a bundle) must fail instead."""
    key = key or keys.case_key(case)
    contents: dict[int, dict[str, Any] | None] = {}
    logged = []
    for entry in entries:
        if entry.status == Entry.Status.DRAFT:
            sealed = entry.draft_sealed or b""
            contents[entry.pk] = keys.open_json(key, sealed, keys.draft_ad(entry.uid))
        else:
            logged.append(entry.pk)
    records = (
        ChainRecord.objects.filter(
            entry_id__in=logged, kind__in=[ChainRecord.Kind.ENTRY, ChainRecord.Kind.AMENDMENT]
        )
        .order_by("seq")
        .values_list("entry_id", "kind", "rid", "body_sealed")
    )
    for entry_id, kind, rid, sealed in records:
        try:
            body = keys.open_json(key, sealed, keys.chain_body_ad(rid))
        except crypto.DecryptionError:
            if not altered_ok:
                raise
            contents[entry_id] = None
            continue
        if kind == ChainRecord.Kind.ENTRY:
            contents[entry_id] = body
        elif (current := contents[entry_id]) is not None:
            contents[entry_id] = {**current, **body["changes"]}
    return contents


# --- Entries -----------------------------------------------------------------------


@transaction.atomic
def entry_draft_save(
    *,
    case: Case,
    author: User,
    how: str,
    values: dict[str, Any],
    draft: Entry | None = None,
    request: HttpRequest | None = None,
) -> Entry:
    """Save a draft. Drafts are not part of the log yet, so they may be changed freely."""
    if draft is not None:
        draft = _locked_entry(draft)
    if draft is not None and (draft.status != Entry.Status.DRAFT or draft.case_id != case.pk):
        raise ValueError("Only a draft of this case can be saved as a draft.")
    content = entry_content.normalise(values)
    key = keys.case_key(case)
    now = timezone.now()
    entry = draft or Entry(case=case, status=Entry.Status.DRAFT)
    _project(entry, content)
    entry.draft_sealed = keys.seal_json(key, content, keys.draft_ad(entry.uid))
    entry.recorded_at, entry.recorded_by, entry.recorded_how = now, author, how
    entry.save()
    audit_record(action=Action.DRAFT_SAVED, actor=author, subject=entry, request=request)
    return entry


def _entry_write(
    *,
    case: Case,
    key: bytes,
    author: User | None,
    how: str,
    values: dict[str, Any],
    draft: Entry | None,
) -> Entry:
    """Add an entry to the log and its chain, unaudited: only for `entry_record` and an
    `ImportBatch`, each of which writes the audit event in the same transaction."""
    if draft is not None:
        draft = _locked_entry(draft)
    if draft is not None and (draft.status != Entry.Status.DRAFT or draft.case_id != case.pk):
        raise ValueError("Only a draft of this case can be added to its log.")
    content = entry_content.normalise(values)
    now = timezone.now()
    entry = draft or Entry(case=case)
    entry.status = entry_content.status_of(content)
    entry.draft_sealed = None
    _project(entry, content)
    entry.recorded_at, entry.recorded_by, entry.recorded_how = now, author, how
    entry.save()
    _set_behaviours(entry, content["behaviours"])
    _append(
        case=case,
        key=key,
        kind=ChainRecord.Kind.ENTRY,
        entry=entry,
        evidence=None,
        author=author,
        how=how,
        body=content,
        recorded_at=now,
    )
    # After `_append`, which locks the case: two entries recorded at once count in turn.
    tallies.change(case.pk, removed=(), added=[tallies.counted(entry, content["behaviours"])])
    return entry


@transaction.atomic
def entry_record(
    *,
    case: Case,
    author: User | None,
    how: str,
    values: dict[str, Any],
    draft: Entry | None = None,
    request: HttpRequest | None = None,
) -> Entry:
    """Add an entry to the log. The time it was recorded, by whom and how are set here."""
    entry = _entry_write(
        case=case, key=keys.case_key(case), author=author, how=how, values=values, draft=draft
    )
    audit_record(action=Action.ENTRY_RECORDED, actor=author, subject=entry, request=request)
    return entry


@transaction.atomic
def entry_amend(
    *,
    entry: Entry,
    author: User,
    how: str,
    changes: dict[str, Any],
    reason: str,
    request: HttpRequest | None = None,
) -> Entry:
    """Correct an entry. The original and every earlier version stay in the chain."""
    entry = _locked_entry(entry)
    if entry.status not in Entry.IN_LOG:
        raise ValueError("Only an entry in the log can be amended.")
    if not reason.strip():
        raise ValueError("An amendment needs a reason.")
    key = keys.case_key(entry.case)
    before = entry_content_of(entry, key)
    after = entry_content.apply_amendment(before, changes)
    changed = entry_content.changed_fields(before, after)
    if not changed:
        raise ValueError("Nothing was changed.")
    now = timezone.now()
    _append(
        case=entry.case,
        key=key,
        kind=ChainRecord.Kind.AMENDMENT,
        entry=entry,
        evidence=None,
        author=author,
        how=how,
        body={"changes": changed, "reason": reason.strip()},
        recorded_at=now,
    )
    counted_before = tallies.counted(entry, before["behaviours"])
    _project(entry, after)
    entry.amended = True
    entry.save()
    _set_behaviours(entry, after["behaviours"])
    tallies.change(
        entry.case_id,
        removed=[counted_before],
        added=[tallies.counted(entry, after["behaviours"])],
    )
    audit_record(
        action=Action.ENTRY_AMENDED,
        actor=author,
        subject=entry,
        request=request,
        extra={"fields": sorted(changed)},
    )
    return entry


@transaction.atomic
def entry_withdraw(
    *, entry: Entry, author: User, how: str, reason: str, request: HttpRequest | None = None
) -> Entry:
    """Withdraw an entry from the log. It stays in the chain, marked withdrawn, with the reason."""
    entry = _locked_entry(entry)
    if entry.status not in Entry.IN_LOG:
        raise ValueError("Only an entry in the log can be withdrawn.")
    if not reason.strip():
        raise ValueError("Withdrawing an entry needs a reason.")
    key = keys.case_key(entry.case)
    _append(
        case=entry.case,
        key=key,
        kind=ChainRecord.Kind.WITHDRAWAL,
        entry=entry,
        evidence=None,
        author=author,
        how=how,
        body={"reason": reason.strip()},
        recorded_at=timezone.now(),
    )
    codes = list(EntryBehaviour.objects.filter(entry=entry).values_list("code", flat=True))
    counted_before = tallies.counted(entry, codes)
    entry.status = Entry.Status.WITHDRAWN
    entry.save(update_fields=["status", "updated_at"])
    tallies.change(entry.case_id, removed=[counted_before], added=[tallies.counted(entry, codes)])
    audit_record(action=Action.ENTRY_WITHDRAWN, actor=author, subject=entry, request=request)
    return entry


# --- Evidence ----------------------------------------------------------------------


def evidence_body(checked: CheckedFile) -> dict[str, Any]:
    return {
        "name": checked.name,
        "size": checked.size,
        "type": checked.content_type,
        "sha256": checked.sha256,
        "exif": checked.exif,
    }


def file_uid(files_prefix: str = "") -> str:
    """A new evidence file's uid: random, or for a file an import stores, the import's
    `files_prefix` and random hex to the same length. The files a dead or failed import left
    are then found by that prefix alone, never those of an upload or another import to the
    same log running at the time."""
    uid = new_uid()
    return files_prefix + uid[len(files_prefix) :]


@contextmanager
def _sealed_file(
    case: Case, key: bytes, checked: CheckedFile, files_prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """Seal and store a file under a new uid (starting `files_prefix`: see `file_uid`); if
    what follows fails, the file goes again."""
    uid = file_uid(files_prefix)
    sealed = crypto.seal(key, checked.data, keys.evidence_file_ad(uid))
    wanted = keys.evidence_storage_name(case.uid, uid)
    storage_name = default_storage.save(wanted, ContentFile(sealed))
    try:
        if storage_name != wanted:
            raise RuntimeError("The file store renamed a new evidence file.")
        yield uid, storage_name
    except BaseException:
        default_storage.delete(storage_name)
        raise


SPOOL_BYTES = 8 << 20  # a file being sealed or opened is held in memory up to this, on disk beyond


def store_sealed(name: str, key: bytes, file: crypto.Readable, associated: str) -> str:
    """Seal what is left of `file` into storage under `name`, a chunk at a time, so neither
    the file nor its sealed form is ever whole in memory; the layout is `crypto.seal`'s.
    Returns the name storage gave it. Only the sealed bytes are spooled to a temporary file,
    and Django's file system and S3 storages both copy a `File` in chunks."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as sealed:
        crypto.seal_stream(key, file, sealed, associated)
        sealed.seek(0)
        return default_storage.save(name, File(sealed, name=name))


class _Hashing:
    """A reader that hashes and counts what passes through it."""

    def __init__(self, file: crypto.Readable) -> None:
        self._file, self._hasher, self.size = file, hashlib.sha256(), 0

    def read(self, size: int = -1, /) -> bytes:
        chunk = self._file.read(size)
        self._hasher.update(chunk)
        self.size += len(chunk)
        return chunk

    def hexdigest(self) -> str:
        return self._hasher.hexdigest()


@contextmanager
def _sealed_stream(
    case: Case,
    key: bytes,
    file: crypto.SeekableReadable,
    size: int,
    sha256: str,
    files_prefix: str = "",
) -> Iterator[tuple[str, str]]:
    """`_sealed_file` for a file read a chunk at a time from its start. The file is hashed as
    it is sealed, so the size and hash the log records are those of the bytes stored."""
    uid = file_uid(files_prefix)
    wanted = keys.evidence_storage_name(case.uid, uid)
    file.seek(0)
    hashing = _Hashing(file)
    storage_name = store_sealed(wanted, key, hashing, keys.evidence_file_ad(uid))
    try:
        if storage_name != wanted:
            raise RuntimeError("The file store renamed a new evidence file.")
        if (hashing.size, hashing.hexdigest()) != (size, sha256):
            raise ValueError("The file is not the one whose size and hash were given.")
        yield uid, storage_name
    except BaseException:
        default_storage.delete(storage_name)
        raise


def _evidence_write(
    *,
    entry: Entry,
    key: bytes,
    uid: str,
    storage_name: str,
    author: User | None,
    how: str,
    checked: CheckedFile,
) -> Evidence:
    """Record a stored file and chain it, unaudited: only for `evidence_add` and an
    `ImportBatch`, each of which writes the audit event in the same transaction."""
    if entry.status not in Entry.IN_LOG:
        raise ValueError("Evidence can only be added to an entry in the log.")
    now = timezone.now()
    evidence = Evidence.objects.create(
        entry=entry,
        uid=uid,
        storage_name=storage_name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        meta_sealed=keys.seal_json(
            key, {"name": checked.name, "exif": checked.exif}, keys.evidence_meta_ad(uid)
        ),
        uploaded_at=now,
        uploaded_by=author,
    )
    _append(
        case=entry.case,
        key=key,
        kind=ChainRecord.Kind.EVIDENCE,
        entry=entry,
        evidence=evidence,
        author=author,
        how=how,
        body=evidence_body(checked),
        recorded_at=now,
    )
    return evidence


def evidence_add(
    *,
    entry: Entry,
    author: User | None,
    how: str,
    checked: CheckedFile,
    request: HttpRequest | None = None,
) -> Evidence:
    """Seal and store a checked file, then chain and audit it in one transaction. The file is
    stored first, outside that transaction, and removed again if the transaction fails (its
    commit included), so a failure leaves no file behind."""
    if entry.status not in Entry.IN_LOG:
        raise ValueError("Evidence can only be added to an entry in the log.")
    key = keys.case_key(entry.case)
    with _sealed_file(entry.case, key, checked) as (uid, storage_name), transaction.atomic():
        # Checked again under lock: the entry may have been withdrawn since it was loaded.
        entry = _locked_entry(entry)
        evidence = _evidence_write(
            entry=entry,
            key=key,
            uid=uid,
            storage_name=storage_name,
            author=author,
            how=how,
            checked=checked,
        )
        audit_record(
            action=Action.EVIDENCE_ADDED,
            actor=author,
            subject=evidence,
            request=request,
            extra={"type": checked.content_type},
        )
    return evidence


@transaction.atomic
def evidence_withdraw(
    *, evidence: Evidence, author: User, how: str, reason: str, request: HttpRequest | None = None
) -> Evidence:
    # The case first, then the file's row, as every change to a log locks them.
    case_id = Entry.objects.filter(pk=evidence.entry_id).values_list("case_id", flat=True).get()
    _lock_case(case_id)
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("entry__case")
        .get(pk=evidence.pk)
    )
    if evidence.withdrawn:
        raise ValueError("This file has already been withdrawn.")
    if not reason.strip():
        raise ValueError("Withdrawing a file needs a reason.")
    key = keys.case_key(evidence.entry.case)
    _append(
        case=evidence.entry.case,
        key=key,
        kind=ChainRecord.Kind.EVIDENCE_WITHDRAWAL,
        entry=evidence.entry,
        evidence=evidence,
        author=author,
        how=how,
        body={"reason": reason.strip()},
        recorded_at=timezone.now(),
    )
    evidence.withdrawn = True
    evidence.save(update_fields=["withdrawn"])
    audit_record(action=Action.EVIDENCE_WITHDRAWN, actor=author, subject=evidence, request=request)
    return evidence


# --- Imports -----------------------------------------------------------------------


def _db_form(field: Field[Any, Any]) -> Callable[[Any], Any]:
    """How a value of `field` is given to the database driver: what `get_db_prep_save` does,
    without its per-value generality for the plain kinds of value an entry's row holds."""
    if isinstance(field, DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, (CharField, BooleanField, IntegerField, BinaryField, ForeignKey)):
        return _same
    return partial(_prepared, field)


def _same(value: Any) -> Any:
    return value


def _prepared(field: Field[Any, Any], value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


# An entry's columns, in the order its positional constructor and its row take them.
_ENTRY_COLUMNS = Entry._meta.concrete_fields
_ENTRY_CASE = Entry._meta.get_field("case")
_ENTRY_AUTHOR = Entry._meta.get_field("recorded_by")


def _entry_rows(entries: list[Entry]) -> list[list[Any]]:
    """The entries' rows (their key left out), as the database driver takes them."""
    columns = _ENTRY_COLUMNS[1:]
    read = attrgetter(*(field.attname for field in columns))
    forms = [
        (at, form) for at, field in enumerate(columns) if (form := _db_form(field)) is not _same
    ]
    # The entries of one flush share their recording and update times, and mostly their
    # week and month: a value the column held in the row before is not converted again. Equal
    # dates are the same date; equal times need not be the same instant (two 01:30s in one
    # zone compare equal on the night the clocks go back), so only the very same one is.
    last: dict[int, tuple[Any, Any]] = {at: (None, None) for at, _form in forms}
    rows = []
    for entry in entries:
        row = list(read(entry))
        for at, form in forms:
            value = row[at]
            if value is not None:
                before, converted = last[at]
                if value is not before and (type(value) is not dt.date or value != before):
                    converted = form(value)
                    last[at] = (value, converted)
                row[at] = converted
        rows.append(row)
    return rows


def _columns(model: type[Model]) -> dict[str, str]:
    """Each field's column in `model`'s table, by the field's name."""
    return {field.name: field.column for field in model._meta.concrete_fields if field.column}


_ENTRY_RECORDED_AT = [field.attname for field in _ENTRY_COLUMNS[1:]].index("recorded_at")


class ImportBatch:
    """What one import adds to one log. Each entry and file is chained exactly as
    `entry_record` and `evidence_add` chain them; the audit event is one for the whole batch,
    written by `entries_import` in the same transaction.

    Entries are gathered with their behaviour rows and chain records (hashed as they come:
    the batch holds the chain's number and head) and written in bulk, `FLUSH_EVERY` at a
    time, so an import of thousands of messages makes a few statements per chunk rather than
    several per message. An entry `entry()` returns has no primary key until it is written:
    `flush()` (which `evidence()`, the chunk size and the end of `entries_import` call) writes
    it, so anything that refers to it by key is saved after a flush."""

    FLUSH_EVERY = 500

    def __init__(
        self, *, case: Case, author: User | None, key: bytes, files_prefix: str = ""
    ) -> None:
        self.case, self.author, self._key = case, author, key
        self.files_prefix = files_prefix
        self.entries = self.files = 0
        self.open = True
        # When the import's entries were recorded: one time for all, as they are committed
        # together.
        self._recorded_at = timezone.now()
        self._recorded_iso = iso_instant(self._recorded_at)
        # The batch's ids and nonces, drawn from the system a block at a time.
        self._random = crypto.RandomBlock()
        self._seal = crypto.sealer(key, self._random.take)
        self._secret = record_secrets(key)
        self._entries: list[Entry] = []
        # A new entry's values before anything is set: what `Entry()` would give it, but for
        # a generated default (its uid), made for each entry.
        self._blank = {
            field.attname: field.get_default()
            for field in _ENTRY_COLUMNS
            if not (field.has_default() and callable(field.default))
        }
        self._signalled = pre_init.has_listeners(Entry) or post_init.has_listeners(Entry)
        self._behaviours: list[tuple[Entry, str, str]] = []
        # Per entry: its chain record's number, random id, previous hash, hash, sealed body.
        self._records: list[tuple[Entry, int, str, str, str, bytes]] = []
        # What each entry written counts for on the log's pages, counted as the import ends.
        self._counted: list[tallies.Counted | None] = []

    def entry(self, *, values: dict[str, Any]) -> Entry:
        """An entry added to the log as `_entry_write` adds it, written at the next flush."""
        self._check_open()
        chain = self._chain()
        content = entry_content.normalise(values)
        # The entry `_entry_write` makes.
        entry = self._new_entry(
            {
                **self._blank,
                **entry_content.projection(content),
                "uid": self._random.uid(),
                "case_id": self.case.pk,
                "status": entry_content.status_of(content),
                "draft_sealed": None,
                "recorded_at": self._recorded_at,
                "recorded_by_id": self.author.pk if self.author else None,
                "recorded_how": RecordedHow.IMPORT,
            }
        )
        self._entries.append(entry)
        self._behaviours.extend((entry, code, category_of(code)) for code in content["behaviours"])
        seq, prev, rid = chain.seq + 1, chain.head, self._random.uid()
        digest, sealed = _chain_link(
            case=self.case,
            seq=seq,
            prev=prev,
            kind=ChainRecord.Kind.ENTRY,
            entry=entry,
            evidence=None,
            author=self.author,
            how=RecordedHow.IMPORT,
            body=content,
            recorded_at=self._recorded_iso,
            rid=rid,
            secret=self._secret(rid),
            seal=self._seal,
        )
        self._records.append((entry, seq, rid, prev, digest, sealed))
        chain.seq, chain.head = seq, digest
        self.case.chain_seq, self.case.chain_head = seq, digest
        self.entries += 1
        if len(self._entries) >= self.FLUSH_EVERY:
            self.flush()
        return entry

    def _new_entry(self, values: dict[str, Any]) -> Entry:
        """An unsaved entry with `values` (by attribute name) and the blank defaults, its case
        and author already cached. Made as `Model.__init__` makes it, without its per-field
        `setattr` (an entry's columns are plain attributes): thousands of entries an import,
        and no signal listens for them (`__init__` is used if one ever does)."""
        known = {**self._blank, **values}
        if self._signalled:
            entry = Entry(*(known[field.attname] for field in _ENTRY_COLUMNS))
        else:
            entry = Entry.__new__(Entry)
            entry.__dict__.update(known)
            entry._state = ModelState()
        _ENTRY_CASE.set_cached_value(entry, self.case)
        if self.author is not None:
            _ENTRY_AUTHOR.set_cached_value(entry, self.author)
        return entry

    def evidence(self, *, entry: Entry, checked: CheckedFile) -> Evidence:
        """A file of an entry this batch added. If the batch rolls back later, the stored file
        stays behind: the import removes such orphans."""
        return self._keep(
            entry, checked, _sealed_file(self.case, self._key, checked, self.files_prefix)
        )

    def evidence_file(
        self,
        *,
        entry: Entry,
        name: str,
        file: crypto.SeekableReadable,
        size: int,
        sha256: str,
        content_type: str,
    ) -> Evidence:
        """`evidence` for a file too large to hold in memory (an export kept as an exhibit):
        sealed into storage a chunk at a time from the start of `file`, then recorded and
        chained exactly as `evidence` records a checked file of the same name, size, type
        and hash. Raises ValueError, storing nothing, if `file` does not have that size and
        hash."""
        # What the row and the chain record are made of; the bytes are never held, only
        # streamed into storage.
        described = CheckedFile(
            name=name, data=b"", size=size, content_type=content_type, sha256=sha256, exif={}
        )
        sealed = _sealed_stream(self.case, self._key, file, size, sha256, self.files_prefix)
        return self._keep(entry, described, sealed)

    def _keep(
        self,
        entry: Entry,
        checked: CheckedFile,
        sealed: AbstractContextManager[tuple[str, str]],
    ) -> Evidence:
        """Store a file (`sealed` does, on entering) and record and chain it on `entry`. The
        file's row needs its entry's key, and its chain record follows the entries gathered so
        far: those are written first."""
        self._check_open()
        if entry.case_id != self.case.pk:
            raise ValueError("An import adds files to entries of its own log only.")
        self.flush()
        with sealed as (uid, storage_name):
            evidence = _evidence_write(
                entry=entry,
                key=self._key,
                uid=uid,
                storage_name=storage_name,
                author=self.author,
                how=RecordedHow.IMPORT,
                checked=checked,
            )
        self.files += 1
        return evidence

    def flush(self) -> None:
        """Write the entries gathered so far, their behaviours and their chain records: the
        rows `entry_record` would write, each table in one `executemany`. The entries' keys
        are read back (`insert_rows_keyed`), so the rows after them (and the caller) can
        refer to them."""
        if not self._entries:
            return
        entries, self._entries = self._entries, []
        updated = timezone.now()  # what `auto_now` would set
        for entry in entries:
            entry.updated_at = updated
        rows = _entry_rows(entries)
        found = self.insert_rows_keyed(
            Entry, [field.name for field in _ENTRY_COLUMNS[1:]], rows, by="uid"
        )
        for entry in entries:
            entry.id = found[entry.uid]
            entry._state.adding, entry._state.db = False, DEFAULT_DB_ALIAS
        # The chain records were recorded when their entries were (the batch's one time): the
        # same value, already converted.
        recorded = rows[0][_ENTRY_RECORDED_AT]
        kind, how = ChainRecord.Kind.ENTRY.value, RecordedHow.IMPORT.value
        case_id, author_id = self.case.pk, self.author.pk if self.author else None
        self.insert_rows(
            EntryBehaviour,
            ["entry", "case", "code", "category"],
            [(entry.id, case_id, code, category) for entry, code, category in self._behaviours],
        )
        self.insert_rows(
            ChainRecord,
            [
                *("case", "seq", "kind", "entry", "evidence", "entry_uid", "evidence_uid"),
                *("rid", "version", "prev_hash", "hash", "recorded_at", "recorded_by"),
                *("recorded_how", "body_sealed"),
            ],
            [
                (
                    *(case_id, seq, kind, entry.id, None, entry.uid, None),
                    *(rid, CHAIN_VERSION, prev, digest, recorded, author_id, how, sealed),
                )
                for entry, seq, rid, prev, digest, sealed in self._records
            ],
        )
        codes: dict[str, list[str]] = {}
        for entry, code, _category in self._behaviours:
            codes.setdefault(entry.uid, []).append(code)
        self._counted += [tallies.counted(entry, codes.get(entry.uid, ())) for entry in entries]
        self._behaviours, self._records = [], []

    def count_for_the_pages(self) -> None:
        """Count every entry written for the log's pages, once for the whole import: once a
        flush, each of a large import's dozens of flushes read and wrote back the same cells."""
        tallies.change(self.case.pk, removed=(), added=self._counted)
        self._counted = []

    @staticmethod
    def insert_rows_keyed(
        model: type[Model], names: list[str], rows: Sequence[Sequence[Any]], *, by: str
    ) -> dict[str, int]:
        """`insert_rows` for rows of one case that later rows refer to: their primary keys,
        by their `by` column (a unique value each: a uid, a dedupe key).

        Rows are numbered above every key the table held before the insert, on every
        database (SQLite's AUTOINCREMENT, a PostgreSQL sequence), however rows are numbered
        among themselves; so the keys are read back by a range of the primary key, with two
        parameters, rather than by the thousands of values inserted. A row another log added
        meanwhile is left out by its case."""
        if not rows:
            return {}
        quote, column = connection.ops.quote_name, _columns(model)
        table, key = quote(model._meta.db_table), quote(column["id"])
        case_column = quote(column["case"])
        case_id = rows[0][names.index("case")]
        with connection.cursor() as cursor:
            # Only the model's own table and column names are put into the statements.
            cursor.execute(f"SELECT MAX({key}) FROM {table}")  # noqa: S608
            (before,) = cursor.fetchone()
            ImportBatch.insert_rows(model, names, rows)
            cursor.execute(
                f"SELECT {quote(column[by])}, {key} FROM {table} "  # noqa: S608
                f"WHERE {key} > %s AND {case_column} = %s",
                [before or 0, case_id],
            )
            return dict(cursor.fetchall())

    @staticmethod
    def insert_rows(model: type[Model], names: list[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows given in their database form into `model`'s table, in one
        `executemany`: for an import's thousands of rows, the ORM's per-object work would cost
        more than the database's."""
        if not rows:
            return
        quote, column = connection.ops.quote_name, _columns(model)
        columns = ", ".join(quote(column[name]) for name in names)
        marks = ", ".join(["%s"] * len(names))
        table = quote(model._meta.db_table)
        # Only the model's own table and column names are put into the statement.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def _chain(self) -> _Batch:
        chain = _batch.get()
        if chain is None or chain.case_id != self.case.pk:
            raise RuntimeError("An import batch adds to its log only inside entries_import.")
        return chain

    def _check_open(self) -> None:
        if not self.open:
            raise RuntimeError("This import batch has already been written.")


@contextmanager
def entries_import(
    *, case: Case, author: User | None, extra: dict[str, int | str], files_prefix: str = ""
) -> Iterator[ImportBatch]:
    """Add many entries and files to one log in one transaction, with ONE audit event
    (ENTRIES_IMPORTED: how many entries and files, and the chain's new length) written in that
    transaction as the block ends. An exception inside the block leaves nothing: no entry, no
    chain record, no audit event. `extra` holds codes and ids only (e.g. the import job's)."""
    with transaction.atomic():
        batch = ImportBatch(
            case=case, author=author, key=keys.case_key(case), files_prefix=files_prefix
        )
        try:
            with chain_batch(case):
                yield batch
                # Before the chain's head is written: the records it names are in the table.
                batch.flush()
                batch.count_for_the_pages()
        finally:
            batch.open = False
        audit_record(
            action=Action.ENTRIES_IMPORTED,
            actor=author,
            subject=case,
            extra={
                **extra,
                "entries": batch.entries,
                "files": batch.files,
                "chain_seq": case.chain_seq,
            },
        )


def evidence_opened(evidence: Evidence, key: bytes | None = None) -> IO[bytes]:
    """An evidence file's original bytes, decrypted a chunk at a time into a temporary file
    (in memory up to `SPOOL_BYTES`, on disk beyond), positioned at its start, for a response
    to stream and close. GCM proves the file genuine only at its end, so it is all decrypted
    before the caller sees a byte. Raises DecryptionError (altered) or FileNotFoundError."""
    key = key or keys.case_key(evidence.entry.case)
    plain = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (caller closes)
    try:
        with default_storage.open(evidence.storage_name, "rb") as sealed:
            crypto.open_stream(key, sealed, plain, keys.evidence_file_ad(evidence.uid))
    except BaseException:
        plain.close()
        raise
    plain.seek(0)
    return plain


def evidence_bytes(evidence: Evidence, key: bytes | None = None) -> bytes:
    key = key or keys.case_key(evidence.entry.case)
    with default_storage.open(evidence.storage_name, "rb") as handle:
        sealed = handle.read()
    return crypto.open_sealed(key, sealed, keys.evidence_file_ad(evidence.uid))


def evidence_meta(evidence: Evidence, key: bytes | None = None) -> dict[str, Any]:
    key = key or keys.case_key(evidence.entry.case)
    meta: dict[str, Any] = keys.open_json(
        key, evidence.meta_sealed, keys.evidence_meta_ad(evidence.uid)
    )
    return meta


# --- Checkpoints -------------------------------------------------------------------


def checkpoint_issue(
    *, case: Case, purpose: str, actor: User | None, request: HttpRequest | None
) -> Checkpoint:
    """Sign and keep a checkpoint of the log as it stands: its number of records and head,
    read under the case's lock so no change slips between them."""
    if purpose not in Checkpoint.Purpose.values:
        raise ValueError(f"Not a checkpoint purpose: {purpose}")
    with transaction.atomic():
        locked = Case.objects.select_for_update().only("chain_seq", "chain_head").get(pk=case.pk)
        issued_at = timezone.now()
        key_id = signing.current_key().key_id
        said = checkpoints.statement(
            case_reference=case.reference,
            sequence=locked.chain_seq,
            head=locked.chain_head,
            issued_at=checkpoints.instant(issued_at),
            key_id=key_id,
            purpose=purpose,
        )
        signed_by, signature = signing.sign(canonical_json(said))
        if signed_by != key_id:
            raise RuntimeError("The signing key changed while a checkpoint was being issued.")
        checkpoint = Checkpoint.objects.create(
            case=case,
            sequence=locked.chain_seq,
            head=locked.chain_head,
            issued_at=issued_at,
            key_id=key_id,
            purpose=purpose,
            signature=base64.b64encode(signature).decode("ascii"),
        )
        audit_record(
            action=Action.CHECKPOINT_ISSUED,
            actor=actor,
            subject=case,
            request=request,
            extra={"checkpoint": checkpoint.pk, "purpose": purpose, "sequence": locked.chain_seq},
        )
        transaction.on_commit(
            lambda: checkpoint_issued.send(sender=Checkpoint, checkpoint=checkpoint), robust=True
        )
    return checkpoint


def checkpoint_for_view(
    *, case: Case, purpose: str, actor: User | None, request: HttpRequest | None
) -> Checkpoint:
    """The checkpoint a page shows: the last one issued for that purpose if the log has not
    changed since, else a new one, so reading a page again does not sign and keep another."""
    latest = (
        Checkpoint.objects.filter(case=case, purpose=purpose).order_by("-issued_at", "-pk").first()
    )
    case.refresh_from_db(fields=["chain_seq", "chain_head"])
    if latest is not None and (latest.sequence, latest.head) == (case.chain_seq, case.chain_head):
        return latest
    return checkpoint_issue(case=case, purpose=purpose, actor=actor, request=request)
