"""Uploading an export, choosing what to import, and importing it: atomically, exactly once.

Progress and cancellation pass through the storage API, not the database: the import holds
one database transaction from start to end (so a failure or a cancel leaves nothing), and on
SQLite that transaction keeps other writers out until it finishes.

Every change to a job is audited in the transaction that makes it: the entries an import adds
are audited once for the batch (`incidents.services.entries_import`), with the job's own
status change beside it; a cancelled or failed import leaves its status and an audit event of
its own, written together after everything else was rolled back.
"""

import datetime as dt
import hashlib
import hmac
import io
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone

from daybook import crypto
from daybook.accounts.models import User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case
from daybook.cases.sealing import case_key, open_json, seal_json
from daybook.imports import parsers
from daybook.imports.models import ImportedRecord, ImportJob, ImportSource
from daybook.imports.parsers import ParseError, ParseResult, Record, csv_calls, whatsapp
from daybook.imports.parsers.archive import ArchiveFiles, open_archive
from daybook.imports.parsers.base import without_cycle_collection
from daybook.imports.parsers.formats import is_zip
from daybook.incidents import services as log
from daybook.incidents.evidence import check_upload
from daybook.incidents.models import Entry, Evidence
from daybook.workers.leftovers import remove_unrecorded

CALL_WORDS = {
    "missed": "Missed call",
    "rejected": "Call rejected",
    "blocked": "Call blocked",
    "voicemail": "Call went to voicemail",
    "answered": "Call",
    "answered_elsewhere": "Call answered on another device",
}
PROGRESS_EVERY = 1000


class ImportCancelled(Exception):
    pass


# Sent once an import is queued and committed; the task module runs it in the background.
import_queued = Signal()


def _file_ad(job: ImportJob) -> str:
    return f"import:{job.uid}:file"


def _progress_name(job: ImportJob) -> str:
    return f"imports/{job.case.uid}/{job.uid}.progress"


def _cancel_name(job: ImportJob) -> str:
    return f"imports/{job.case.uid}/{job.uid}.cancel"


def _write_progress(job: ImportJob, done: int, total: int, added: int) -> None:
    name = _progress_name(job)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(
        name, ContentFile(json.dumps({"done": done, "total": total, "added": added}))
    )


def import_progress(job: ImportJob) -> dict[str, int]:
    name = _progress_name(job)
    if job.status != ImportJob.Status.RUNNING or not default_storage.exists(name):
        return {
            "done": 0,
            "total": 0,
            "added": job.added,
            "percent": 100 if job.status == "done" else 0,
        }
    with default_storage.open(name) as handle:
        found: dict[str, int] = json.loads(handle.read())
    found["percent"] = int(100 * found["done"] / found["total"]) if found["total"] else 0
    return found


def summarise(result: ParseResult) -> dict[str, Any]:
    stamps = [record.timestamp for record in result.records]
    return {
        "format": result.format,
        "records": len(result.records),
        "participants": sorted(result.participants.items(), key=lambda item: -item[1]),
        "first": min(stamps).isoformat() if stamps else "",
        "last": max(stamps).isoformat() if stamps else "",
        "date_order": result.date_order,
        "date_order_ambiguous": result.date_order_ambiguous,
        "naive_times": result.naive_times,
        "warnings": result.warnings + _too_large(result),
    }


def _too_large(result: ParseResult) -> list[str]:
    """Files sent with messages that are bigger than Daybook keeps as evidence: each stays
    named on its entry, and the person is told to keep the original."""
    limit = settings.DAYBOOK_EVIDENCE_MAX_BYTES
    count = sum(
        1
        for record in result.records
        for attachment in record.attachments
        if (attachment.size or 0) > limit
    )
    if not count:
        return []
    files = "file is" if count == 1 else "files are"
    return [
        f"{count} {files} bigger than the {limit // 1_000_000} MB Daybook keeps as evidence. "
        "Each is named on its entry but not kept: keep the original safe on your phone or "
        "computer, and tell your advocate."
    ]


@transaction.atomic
def import_upload(
    *,
    case: Case,
    actor: User,
    name: str,
    data: bytes | IO[bytes],
    request: HttpRequest | None = None,
) -> ImportJob:
    """Check and keep an uploaded export. Raises ParseError with a kind message if it is not
    one Daybook can import; nothing is stored then.

    `data` may be a seekable file open for reading (as Django gives a large upload, on disk):
    it is hashed, read and sealed into storage a chunk at a time, never held whole."""
    upload = io.BytesIO(data) if isinstance(data, bytes) else data
    size = parsers.size_of(upload)
    if size > settings.DAYBOOK_IMPORT_MAX_BYTES:
        raise ParseError("The file is larger than Daybook can import in one go.")
    csv_header: list[str] = []
    found = parsers.recognise(name, upload)
    if found.asks_for_columns:
        csv_header, _rows = csv_calls.rows(parsers.whole(upload))
        if csv_calls.suggest(csv_header) is None:  # the person names the columns first
            result = ParseResult(format=found.code, records=[], participants={})
        else:
            result = parsers.parse(upload, filename=name, region=settings.DAYBOOK_REGION)
    else:
        result = parsers.parse(upload, filename=name, region=settings.DAYBOOK_REGION)
    key = case_key(case)
    job = ImportJob(
        case=case,
        created_by=actor,
        format=result.format,
        size=size,
        sha256=_sha256(upload),
    )
    job.name_sealed = crypto.seal_text(key, name, f"import:{job.uid}:name")
    summary = {**summarise(result), "csv_header": csv_header}
    job.summary_sealed = seal_json(key, summary, f"import:{job.uid}:summary")
    upload.seek(0)
    stored_as = f"imports/{case.uid}/{job.uid}"
    job.storage_name = log.store_sealed(stored_as, key, upload, _file_ad(job))
    try:
        job.save()
        audit_record(
            action=Action.IMPORT_UPLOADED,
            actor=actor,
            subject=job,
            request=request,
            extra={"format": job.format, "case": case.pk},
        )
    except BaseException:
        default_storage.delete(job.storage_name)
        raise
    return job


@transaction.atomic
def import_map_columns(
    *,
    job: ImportJob,
    mapping: parsers.CsvMapping,
    actor: User,
    request: HttpRequest | None = None,
) -> ImportJob:
    """For a CSV: try the person's column mapping and, if it reads, keep it and the new preview.
    Raises ParseError, changing nothing, if the file does not read with it."""
    data = _file_bytes(job)
    result = parsers.parse(
        data, filename=job_name(job), csv_mapping=mapping, region=settings.DAYBOOK_REGION
    )
    summary = {**summarise(result), "csv_header": job_summary(job).get("csv_header", [])}
    job.summary_sealed = seal_json(case_key(job.case), summary, f"import:{job.uid}:summary")
    job.options = {**job.options, "csv_mapping": mapping.as_dict()}
    job.save(update_fields=["summary_sealed", "options"])
    audit_record(
        action=Action.IMPORT_COLUMNS_CHOSEN,
        actor=actor,
        subject=job,
        request=request,
        extra={"format": job.format, "case": job.case_id, "records": len(result.records)},
    )
    return job


def job_summary(job: ImportJob) -> dict[str, Any]:
    sealed = job.summary_sealed or b""
    summary: dict[str, Any] = open_json(case_key(job.case), sealed, f"import:{job.uid}:summary")
    return summary


def job_name(job: ImportJob) -> str:
    return crypto.open_text(case_key(job.case), bytes(job.name_sealed), f"import:{job.uid}:name")


@transaction.atomic
def import_configure(
    *,
    job: ImportJob,
    options: dict[str, Any],
    actor: User,
    request: HttpRequest | None = None,
) -> ImportJob:
    """Record the person's choices and queue the import. The names chosen as the stalker's
    are sealed; the other choices are codes."""
    choices = dict(options)
    stalkers = list(choices.pop("stalkers", []))
    job.stalkers_sealed = seal_json(case_key(job.case), stalkers, _stalkers_ad(job))
    job.options, job.status = {**job.options, **choices}, ImportJob.Status.QUEUED
    job.save(update_fields=["options", "stalkers_sealed", "status"])
    audit_record(
        action=Action.IMPORT_QUEUED,
        actor=actor,
        subject=job,
        request=request,
        extra={
            "case": job.case_id,
            "grouping": str(job.options.get("grouping") or "entry"),
            "keep_context": bool(job.options.get("keep_context")),
        },
    )
    transaction.on_commit(lambda: import_queued.send(ImportJob, job=job))
    return job


def _mapping(job: ImportJob) -> parsers.CsvMapping | None:
    chosen = job.options.get("csv_mapping")
    return parsers.CsvMapping(**chosen) if chosen else None


@transaction.atomic
def import_cancel(*, job: ImportJob, actor: User, request: HttpRequest | None = None) -> None:
    """Ask a queued or running import to stop. The import sees the request through storage
    (its own transaction keeps the database from telling it) and then rolls back; its
    status changes then, audited as IMPORT_CANCELLED. Nothing to cancel: nothing written."""
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return
    audit_record(
        action=Action.IMPORT_CANCEL_ASKED,
        actor=actor,
        subject=job,
        request=request,
        extra={"case": job.case_id, "status": job.status},
    )
    # Last, so that a failure before it leaves no request to cancel behind.
    default_storage.save(_cancel_name(job), ContentFile(b"cancel"))


def _sha256(upload: IO[bytes]) -> str:
    upload.seek(0)
    hasher = hashlib.sha256()
    while chunk := upload.read(crypto.STREAM_CHUNK_BYTES):
        hasher.update(chunk)
    upload.seek(0)
    return hasher.hexdigest()


@contextmanager
def opened_upload(job: ImportJob) -> Iterator[IO[bytes]]:
    """The kept upload, opened a chunk at a time into a temporary file on disk (an export
    may be larger than a worker should hold in memory), positioned at its start. The file is
    unnamed and goes when the block ends; if the upload does not open as sealed, DecryptionError
    is raised and nothing written to it is ever read."""
    with tempfile.TemporaryFile() as plain:
        with default_storage.open(job.storage_name, "rb") as handle:
            crypto.open_stream(case_key(job.case), handle, plain, _file_ad(job))
        plain.seek(0)
        yield plain


def job_chat_dates(job: ImportJob) -> list[str]:
    """Every header date of a kept WhatsApp chat, for the question asked when it cannot tell
    its date order. Of a ZIP, only the chat is read (as `parsers.parse` chooses it), not the
    media beside it."""
    with opened_upload(job) as upload:
        if not is_zip(upload):
            return whatsapp.dates_in(upload.read())
        with open_archive(upload, parsers.DEFAULT_LIMITS) as files:
            chats = sorted(name for name in files.names if name.lower().endswith(".txt"))
            if not chats:
                return []
            return whatsapp.dates_in(files.read("_chat.txt" if "_chat.txt" in chats else chats[0]))


def _file_bytes(job: ImportJob) -> bytes:
    """The kept upload in memory: only for a file that is parsed whole anyway (a CSV, a chat's
    text), never for a ZIP the import reads a member at a time."""
    with opened_upload(job) as upload:
        return upload.read()


# An import builds hundreds of thousands of short-lived objects without cycles (rows, bodies,
# hashes): reference counting frees them, and the cycle collector walking them all again every
# few thousand allocations cost an eighth of the time.
@without_cycle_collection
def import_run(job: ImportJob) -> None:
    """The background task: everything in one transaction, or nothing.

    The entries, their files, the records of what was imported from where, the batch's audit
    event, the job's DONE status and its IMPORT_FINISHED event commit together. If anything
    fails, all of that rolls back, and the job's CANCELLED or FAILED status is written with
    its own audit event, in a transaction of their own."""
    if not _start(job):
        return
    try:
        with opened_upload(job) as upload:
            result = parsers.parse(
                upload,
                filename=job_name(job),
                date_order=job.options.get("date_order"),
                csv_mapping=_mapping(job),
                region=settings.DAYBOOK_REGION,
                time_zone=job.options.get("time_zone", "Europe/London"),
            )
            with transaction.atomic():
                with log.entries_import(
                    case=job.case,
                    author=job.created_by,
                    extra={"import": job.pk},
                    files_prefix=files_prefix(job),
                ) as batch:
                    added, already = _import_records(job, upload, result, batch)
                _finish(
                    job,
                    ImportJob.Status.DONE,
                    "",
                    Action.IMPORT_FINISHED,
                    added=added,
                    already_there=already,
                )
    except ImportCancelled:
        _remove_orphans(job)
        _finish(
            job,
            ImportJob.Status.CANCELLED,
            "The import was cancelled; nothing was added.",
            Action.IMPORT_CANCELLED,
        )
    except ParseError as error:
        _finish(job, ImportJob.Status.FAILED, str(error)[:300], Action.IMPORT_FAILED)
    except Exception as error:  # reported kindly; the transaction rolled back
        _remove_orphans(job)
        _finish(
            job,
            ImportJob.Status.FAILED,
            f"The import failed ({type(error).__name__}); nothing was added.",
            Action.IMPORT_FAILED,
            failure=type(error).__name__,
        )
    finally:
        for name in (_progress_name(job), _cancel_name(job)):
            if default_storage.exists(name):
                default_storage.delete(name)


@transaction.atomic
def _start(job: ImportJob) -> bool:
    """Take a queued job (once: a second worker given the same job finds it taken)."""
    if job.status != ImportJob.Status.QUEUED:
        return False
    taken = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not taken:
        return False
    job.status = ImportJob.Status.RUNNING
    audit_record(
        action=Action.IMPORT_STARTED,
        actor=job.created_by,
        subject=job,
        extra={"case": job.case_id, "format": job.format},
    )
    return True


def files_prefix(job: ImportJob) -> str:
    """How the uids of the files this import stores begin (`incidents.services.file_uid`):
    48 bits of the job's own uid, leaving 80 random bits to each file."""
    return job.uid[:12]


def _remove_orphans(job: ImportJob) -> None:
    """The files this import stored that belong to no record (its transaction rolled back, or
    its worker died): removed. Files of the same log stored by anything else, an upload or
    another import going on at the same time, start otherwise and are left alone."""
    remove_unrecorded(
        job.case.uid,
        files_prefix(job),
        set(Evidence.objects.filter(entry__case=job.case).values_list("storage_name", flat=True)),
    )


@transaction.atomic
def _finish(
    job: ImportJob,
    status: str,
    error: str,
    action: Action,
    *,
    added: int = 0,
    already_there: int = 0,
    failure: str = "",
) -> None:
    """The job's last status and its audit event, together. `failure` is an exception's class
    name, never its message (which may quote the export)."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        error=error,
        finished_at=timezone.now(),
        added=added,
        already_there=already_there,
    )
    job.status, job.error, job.added, job.already_there = status, error, added, already_there
    extra: dict[str, int | str] = {
        "case": job.case_id,
        "added": added,
        "already_there": already_there,
    }
    if failure:
        extra["failure"] = failure
    audit_record(action=action, actor=job.created_by, subject=job, extra=extra)


def _stalkers_ad(job: ImportJob) -> str:
    return f"import:{job.uid}:stalkers"


def job_stalkers(job: ImportJob) -> set[str]:
    """The senders the person said are the stalker."""
    if job.stalkers_sealed is None:
        return set()
    return set(open_json(case_key(job.case), job.stalkers_sealed, _stalkers_ad(job)))


def _wanted(record: Record, options: dict[str, Any], stalkers: set[str]) -> bool | None:
    """True for the stalker's records, False for others kept as context, None to skip."""
    if record.kind == "system":
        return None
    if record.sender in stalkers:
        return True
    return False if options.get("keep_context") else None


Keyed = tuple[str, Record]  # a record and the dedupe key it is stored under


def _units(
    job: ImportJob, chosen: list[tuple[Keyed, bool]], zone: ZoneInfo
) -> list[tuple[list[Keyed], bool]]:
    """What becomes one entry: each record, or (if chosen) each day's records per channel."""
    if job.options.get("grouping") != "day":
        return [([keyed], wanted) for keyed, wanted in chosen]
    days: dict[tuple[dt.date, str, bool], list[Keyed]] = {}
    for keyed, wanted in chosen:
        record = keyed[1]
        day = (_local(record, zone).date(), _channel(job, record), wanted)
        days.setdefault(day, []).append(keyed)
    return [(records, day[2]) for day, records in days.items()]


def _import_records(
    job: ImportJob, upload: IO[bytes], result: ParseResult, batch: log.ImportBatch
) -> tuple[int, int]:
    zone = ZoneInfo(job.options.get("time_zone", "Europe/London"))
    case = job.case
    # What this case has imported before, and which of those this job has already seen: read
    # once, so a record already there costs no query of its own.
    stored = dict(ImportedRecord.objects.filter(case=case).values_list("dedupe_key", "id"))
    existing = set(stored)
    sourced = set(ImportSource.objects.filter(job=job).values_list("record_id", flat=True))
    made: set[str] = set()
    members = _attachment_bytes(upload) if result.members else ArchiveFiles(None, 0)
    dedupe_key = _dedupe_keys(case, result.format)
    stalkers = job_stalkers(job)
    chosen = [
        ((dedupe_key(record), record), wanted)
        for record in result.records
        if (wanted := _wanted(record, job.options, stalkers)) is not None
    ]
    # Written in bulk after the entries they name (see `ImportBatch.flush`). A source names
    # its record by key if it is already stored, else by the dedupe key of one being added.
    imported: list[tuple[str, Entry]] = []
    sources: list[tuple[int | str, str]] = []

    def flush() -> None:
        batch.flush()
        ids = log.ImportBatch.insert_rows_keyed(
            ImportedRecord,
            ["case", "dedupe_key", "entry"],
            [(case.pk, key, entry.id) for key, entry in imported],
            by="dedupe_key",
        )
        log.ImportBatch.insert_rows(
            ImportSource,
            ["record", "job", "locator"],
            [
                (ids[record] if isinstance(record, str) else record, job.pk, locator)
                for record, locator in sources
            ],
        )
        imported.clear()
        sources.clear()

    total, done, added, already, file_kept = len(chosen), 0, 0, 0, False
    for keyed, from_stalker in _units(job, chosen, zone):
        done += len(keyed)
        if done // PROGRESS_EVERY != (done - len(keyed)) // PROGRESS_EVERY:
            if default_storage.exists(_cancel_name(job)):
                raise ImportCancelled
            _write_progress(job, done, total, added)
        fresh = [(key, record) for key, record in keyed if key not in existing]
        for key, record in keyed:
            if key in existing:
                # A record this job added itself already has this job as its source.
                if key not in made and stored[key] not in sourced:
                    sources.append((stored[key], record.locator))
                    sourced.add(stored[key])
                already += 1
        if fresh:
            values = (
                _entry_values(job, fresh[0][1], zone, from_stalker)
                if len(fresh) == 1
                else _day_values(job, [record for _key, record in fresh], zone, from_stalker)
            )
            entry = batch.entry(values=values)
            if not file_kept:  # the export itself is an exhibit, on the first entry it produced
                _keep_export(job, upload, batch, entry)
                file_kept = True
            for key, record in fresh:
                _attach(batch, entry, record, members)
                imported.append((key, entry))
                sources.append((key, record.locator))
                existing.add(key)
                made.add(key)
                added += 1
        if len(sources) >= log.ImportBatch.FLUSH_EVERY:
            flush()
    flush()
    if default_storage.exists(_cancel_name(job)):  # asked between the checks above: still in time
        raise ImportCancelled
    return added, already


def _dedupe_keys(case: Case, format: str) -> Callable[[Record], str]:
    """What each record is known by in this case, for records given in file order: an HMAC of
    its identity and its occurrence, under a secret derived from the case's own key. A stored
    key says nothing about its message (a bare hash of a short message could be guessed), and
    erasing the case's key erases its meaning. The occurrence keeps the same words sent twice
    in the same minute from being taken for a re-import of the first."""
    secret = hmac.digest(case_key(case), b"daybook import dedupe keys", "sha256")
    keyed = hmac.new(secret, f"{format}|".encode(), "sha256")  # keyed once, copied per record
    seen: dict[str, int] = {}

    def key(record: Record) -> str:
        occurrence = seen[record.identity] = seen.get(record.identity, 0) + 1
        mac = keyed.copy()
        mac.update(f"{record.identity}|{occurrence}".encode())
        return mac.hexdigest()

    return key


def _attach(batch: log.ImportBatch, entry: Entry, record: Record, members: "ArchiveFiles") -> None:
    """Attachments become exhibits of the entry: those the export carries inside a record (an
    MMS picture, an e-mail's attachment) and those found beside it in the archive."""
    for attachment in record.attachments:
        found = attachment.data
        if found is None:
            found = members.find(attachment.member or attachment.name)
        if found is None:
            continue
        try:
            checked = check_upload(attachment.name.rsplit("/", 1)[-1], found)
        except ValidationError:  # a kind of file not kept; its name stays in the source
            continue
        batch.evidence(entry=entry, checked=checked)


def _keep_export(job: ImportJob, upload: IO[bytes], batch: log.ImportBatch, entry: Entry) -> None:
    """The export itself, kept as an exhibit: sealed from the opened upload a chunk at a
    time, as large as it is."""
    upload.seek(0)
    start = upload.read(2)
    batch.evidence_file(
        entry=entry,
        name=job_name(job),
        file=upload,
        size=job.size,
        sha256=job.sha256,
        content_type="application/zip" if start == b"PK" else "text/plain",
    )


def _attachment_bytes(upload: IO[bytes]) -> ArchiveFiles:
    """The export's files, each read from the opened upload only when an attachment asks
    for it, and only if the evidence size limit lets it be kept."""
    files = open_archive(upload, parsers.DEFAULT_LIMITS)
    return ArchiveFiles(files, settings.DAYBOOK_EVIDENCE_MAX_BYTES)


def _local(record: Record, zone: ZoneInfo) -> dt.datetime:
    moment = record.timestamp
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def _channel(job: ImportJob, record: Record) -> str:
    if record.kind == "call":
        return Entry.Channel.PHONE_CALL
    return parsers.format_of(job.format).channel


# What one message and one call of each format are called, for "WhatsApp message from Sam Ex".
NOUNS = {
    "whatsapp": ("WhatsApp message", "WhatsApp call"),
    "telegram": ("Telegram message", "Telegram call"),
    "messenger": ("Messenger message", "Messenger call"),
    "sms_backup": ("Text message", "Phone call"),
    "email": ("E-mail", "Call"),
    "csv": ("Call", "Phone call"),
}


def _party(record: Record, from_stalker: bool) -> str:
    """Whose record this is: the other person the person named, the person themselves, someone
    else, or (where the export does not say which way a message went) not known beyond its
    sender's name."""
    if from_stalker:
        return "other_person"
    if record.direction == "outgoing":
        return "the_person"
    return "someone_else" if record.direction == "incoming" else "unknown"


def _parties(record: Record) -> dict[str, Any]:
    """Who a record was from and to, with the number, address or account where the export
    gives one beside the name."""
    # An outgoing text's "address" is whom it went to, already among the recipients.
    address = record.extra.get("address") if isinstance(record.extra, dict) else None
    sender = {"name": record.sender}
    if (
        record.direction != "outgoing"
        and isinstance(address, str)
        and address
        and address != record.sender
    ):
        sender["address"] = address
    return {"from": sender, "to": [{"name": name} for name in record.recipients]}


def _source(
    job: ImportJob, record: Record, local: dt.datetime, from_stalker: bool
) -> dict[str, Any]:
    """Where the entry came from, kept (and hashed) with it; `local` is when it was sent, in
    the import's time zone."""
    return {
        "said": NOUNS.get(job.format, ("Message", "Call"))[record.kind == "call"],
        "party": _party(record, from_stalker),
        **_parties(record),
        "direction": record.direction,
        "format": job.format,
        "file_sha256": job.sha256,
        "member": record.member,
        "locator": record.locator,
        "sender": record.sender,
        "timestamp": local.isoformat(),
        "kind": record.kind,
        "facts": list(record.facts),
        "call_outcome": record.call_outcome,
        "from_stalker": from_stalker,
        "attachments": [a.name for a in record.attachments],
        # What else the export said of it: an e-mail's raw-bytes hash, Message-ID and
        # authentication results, a call's number presentation.
        "details": record.extra,
    }


def _entry_values(
    job: ImportJob, record: Record, zone: ZoneInfo, from_stalker: bool
) -> dict[str, Any]:
    local = _local(record, zone)
    return {
        "occurred_on": local.date(),
        "occurred_time": local.time(),
        "precision": Entry.Precision.EXACT,
        "time_zone": zone.key,
        "place_kind": Entry.PlaceKind.ONLINE,
        "channel": _channel(job, record),
        "behaviours": ["contacting"] if from_stalker else [],
        "seen": Entry.Seen.NOT_APPLICABLE,
        "what_happened": record.text or _describe(record),
        "source": _source(job, record, local, from_stalker),
    }


def _day_values(
    job: ImportJob, records: list[Record], zone: ZoneInfo, from_stalker: bool
) -> dict[str, Any]:
    """One entry for a day's records on one channel; each line keeps its exact text."""
    values = _entry_values(job, records[0], zone, from_stalker)
    values["what_happened"] = "\n".join(
        f"{_local(record, zone):%H:%M:%S} {record.sender}: {record.text or _describe(record)}"
        for record in records
    )
    values["source"]["records"] = [
        _source(job, record, _local(record, zone), from_stalker) for record in records
    ]
    return values


def _describe(record: Record) -> str:
    """A call has no words of its own: say what the log showed."""
    if record.kind != "call":
        return ""
    words = CALL_WORDS.get(record.call_outcome or "", "Call")
    who = record.sender if record.direction == "incoming" else ", ".join(record.recipients)
    preposition = "from" if record.direction == "incoming" else "to"
    seconds = f", {record.duration_seconds} seconds" if record.duration_seconds else ""
    return f"{words} {preposition} {who}{seconds}"
