"""Taking a backup while Daybook runs, and restoring one into an empty instance.

A restore checks everything it can before it writes anything: the manifest's seal, every
part's size and SHA-256, the snapshot's own seal, the migrations, and that the instance is
empty. It then writes the stored files, puts the database back in one step, and removes the
files again if that step fails, so nothing is left half-restored. Last, it compares every
restored log with the checkpoint ledger (daybook/backups/ledger.py) and keeps in the restored
database each log that is now behind a checkpoint it had issued. Before that comparison, it
carries out again every erasure in the erasure ledger (daybook/backups/erasure_ledger.py) whose
case or account the backup brought back.
"""

import datetime as dt
import hashlib
import logging
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from daybook import crypto
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.backups import archive, database
from daybook.backups.archive import BadBackup, Manifest, Part
from daybook.backups.erasure_ledger import ErasureLedgerContents, erasure_ledger_touch
from daybook.backups.ledger import LedgerContents, ledger_line
from daybook.backups.models import Restore, RestoredBehind
from daybook.cases.models import Case
from daybook.erasure.models import Tombstone
from daybook.erasure.services import erasure_carry_out_again
from daybook.erasure.signals import ACCOUNT, CASE
from daybook.incidents.models import ChainRecord, Checkpoint
from daybook.reports.services import reports_purge_expired
from daybook.subject_access.leaving import account_deletion_carry_out_again
from daybook.subject_access.services import subject_access_purge_expired

logger = logging.getLogger(__name__)

# --- Backing up ------------------------------------------------------------------------


def stored_names(folder: str = "") -> Iterator[str]:
    """Every file in default storage, through the storage API so S3 is walked as well."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # a file system storage no file has been stored in yet
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_names(f"{folder}/{sub}" if folder else sub)


def _copy_stored(name: str, target: Path) -> tuple[int, str]:
    hasher, size = hashlib.sha256(), 0
    with default_storage.open(name, "rb") as source, target.open("xb") as copy:
        while chunk := source.read(archive.CHUNK_BYTES):
            hasher.update(chunk)
            size += len(chunk)
            copy.write(chunk)
    return size, hasher.hexdigest()


def _write_checkpoints(target: Path, taken_at: dt.datetime) -> int:
    """The checkpoints issued up to the moment the backup was taken, signed, as the ledger
    holds them: so a backup can be checked against the ledger without restoring it."""
    count = 0
    with target.open("xb") as handle:
        issued = Checkpoint.objects.filter(issued_at__lte=taken_at).select_related("case")
        for checkpoint in issued.order_by("pk").iterator():
            handle.write(ledger_line(checkpoint))
            count += 1
    return count


def backup_make(*, destination: Path) -> Manifest:
    """Back the instance up into the new directory `destination`. It is written beside it
    under a `.partial` name and renamed only once complete, so a directory with the final
    name is always a whole backup; on failure the partial one is removed."""
    if destination.exists():
        raise FileExistsError(f"{destination} already exists: give a new directory's name.")
    partial = destination.with_name(destination.name + ".partial")
    partial.mkdir(mode=0o700, parents=False)
    try:
        manifest = _backup_into(partial)
        _flush_to_disk(partial)
        os.replace(partial, destination)
        _flush_to_disk(destination.parent, files=False)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    audit_record(
        action=Action.BACKUP_MADE,
        extra={
            "backup": manifest.backup_id,
            "database": manifest.database,
            "cases": manifest.cases,
            "checkpoints": manifest.checkpoints,
            "files": len(manifest.files()),
        },
    )
    return manifest


def erasure_ledger_ready() -> str | None:
    """Make sure the erasure ledger exists, so that restoring this backup elsewhere can tell
    "nothing was erased" from "the ledger was not copied". Returns what went wrong, if it
    could not be made: the backup is still worth having."""
    try:
        erasure_ledger_touch()
    except OSError as error:
        return error.strerror or type(error).__name__
    return None


def _flush_to_disk(directory: Path, *, files: bool = True) -> None:
    """Make the backup durable before it is given its final name: a crash just after must
    not leave a directory that looks whole but whose parts never reached the disk."""
    paths = list(directory.rglob("*")) if files else []
    for path in [*paths, directory]:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _backup_into(directory: Path) -> Manifest:
    backup_id = str(uuid.uuid4())
    vendor = database.vendor()
    migrations = database.applied_migrations()
    taken_at = timezone.now()
    plain = directory / "database.snapshot"
    sealed = directory / archive.DATABASE
    try:
        database.snapshot(plain)
        with plain.open("rb") as source, sealed.open("xb") as target:
            crypto.seal_stream(
                archive.sealing_key(), source, target, archive.database_associated(backup_id)
            )
    finally:
        plain.unlink(missing_ok=True)
    parts = [Part(archive.DATABASE, "database", *archive.digest_of(sealed))]
    checkpoints = _write_checkpoints(directory / archive.CHECKPOINTS, taken_at)
    parts.append(
        Part(
            archive.CHECKPOINTS, "checkpoints", *archive.digest_of(directory / archive.CHECKPOINTS)
        )
    )
    (directory / archive.FILES).mkdir(mode=0o700)
    for number, name in enumerate(stored_names(), start=1):
        path = f"{archive.FILES}/{number:06d}"
        try:
            copied = _copy_stored(name, directory / path)
        except FileNotFoundError:
            # Deleted since it was listed (a purge, an erasure): it was meant to go.
            (directory / path).unlink(missing_ok=True)
            continue
        parts.append(Part(path, "file", *copied, name=name))
    manifest = Manifest(
        backup_id=backup_id,
        taken_at=taken_at,
        database=vendor,
        database_format=database.FORMATS[vendor],
        migrations=migrations,
        master_key_id=crypto.key_id(crypto.master_key()),
        cases=Case.objects.count(),
        checkpoints=checkpoints,
        parts=parts,
    )
    archive.manifest_write(directory, manifest)
    return manifest


# --- Comparing a restored instance with the ledger -------------------------------------


@dataclass(frozen=True)
class Behind:
    """A log restored to fewer records than a checkpoint issued of it said it had."""

    case_reference: str
    case: Case | None
    checkpoint_issued_at: dt.datetime
    checkpoint_sequence: int
    restored_sequence: int

    @property
    def records_missing(self) -> int:
        return self.checkpoint_sequence - self.restored_sequence


@dataclass(frozen=True)
class Differs:
    """A log whose record at a checkpoint's sequence no longer has the checkpoint's hash."""

    case_reference: str
    checkpoint_issued_at: dt.datetime
    sequence: int


@dataclass
class Comparison:
    behind: list[Behind] = field(default_factory=list)
    differs: list[Differs] = field(default_factory=list)


def ledger_compare(ledger: LedgerContents, erased: frozenset[str] = frozenset()) -> Comparison:
    """Every log in the database against every checkpoint in the ledger: for each log, the
    furthest checkpoint it is now behind, and any checkpoint whose head it no longer has.
    Logs in the ledger but not in the database (started after the backup) are behind too;
    logs erased (a tombstone, or a reference in `erased`, the erasure ledger's) are meant to
    be gone, and are not."""
    comparison = Comparison()
    by_case = ledger.by_case()
    cases = {
        case.reference: case
        for case in Case.objects.filter(reference__in=by_case).only(
            "pk", "reference", "chain_seq", "erased_at"
        )
    }
    tombstones = set(
        Tombstone.objects.filter(reference__in=by_case).values_list("reference", flat=True)
    )
    for reference, entries in sorted(by_case.items()):
        case = cases.get(reference)
        gone = reference in tombstones or reference in erased
        if gone or (case is not None and case.erased_at is not None):
            continue  # erased: its log is meant to be gone
        held = case.chain_seq if case is not None else 0
        furthest = max(entries, key=lambda entry: (entry.sequence, entry.issued_at))
        if furthest.sequence > held:
            comparison.behind.append(
                Behind(
                    case_reference=reference,
                    case=case,
                    checkpoint_issued_at=dt.datetime.fromisoformat(furthest.issued_at),
                    checkpoint_sequence=furthest.sequence,
                    restored_sequence=held,
                )
            )
        if case is None:
            continue
        within = {entry.sequence for entry in entries if 0 < entry.sequence <= held}
        heads = dict(
            ChainRecord.objects.filter(case=case, seq__in=within).values_list("seq", "hash")
        )
        for entry in sorted(entries, key=lambda entry: entry.sequence):
            if entry.sequence in within and heads.get(entry.sequence) != entry.statement["head"]:
                comparison.differs.append(
                    Differs(
                        case_reference=reference,
                        checkpoint_issued_at=dt.datetime.fromisoformat(entry.issued_at),
                        sequence=entry.sequence,
                    )
                )
                break
    return comparison


@dataclass
class ErasedAgain:
    """What carrying out the erasure ledger again did: the logs (references) and accounts
    (ids) erased again, how many erasures the restored database did not hold (erased before
    the backup, or of something started after it), and those that failed."""

    cases: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    not_held: int = 0
    failed: list[str] = field(default_factory=list)
    read: ErasureLedgerContents | None = None
    # Stored files the daily purges had deleted after the backup, deleted again at once.
    reports_purged: int = 0
    copies_purged: int = 0

    @property
    def count(self) -> int:
        return len(self.cases) + len(self.accounts)

    def case_references(self) -> frozenset[str]:
        """Every log the erasure ledger says was erased: meant to be gone, not behind."""
        return frozenset(self.read.case_references()) if self.read is not None else frozenset()


def erasures_carry_out_again(
    *, erasures: ErasureLedgerContents | None, restore: str
) -> ErasedAgain:
    """Carry out again every erasure in the ledger whose case or account the restored database
    holds, through the services that carried it out the first time: the logs first, then the
    accounts (an account is closed only once its logs are gone). Each is its own transaction,
    so one that fails leaves the others done; it is listed, and logged by kind only. With no
    ledger (None: declined), nothing is erased again."""
    done = ErasedAgain(read=erasures)
    if erasures is None:
        return done
    ordered = [e for e in erasures.entries if e.kind == CASE]
    ordered += [e for e in erasures.entries if e.kind == ACCOUNT]
    for erased in ordered:
        try:
            if erased.kind == CASE:
                again = erasure_carry_out_again(erased=erased, restore=restore) is not None
            else:
                again = account_deletion_carry_out_again(erased=erased, restore=restore)
        except Exception as failure:
            # The class only: a database error's message may quote a row's values.
            logger.error(
                "An erasure (%s) could not be carried out again after a restore: %s",
                erased.kind,
                type(failure).__name__,
            )
            done.failed.append(f"{erased.kind} {erased.subject}")
            continue
        if not again:
            done.not_held += 1
        elif erased.kind == CASE:
            done.cases.append(erased.subject)
        else:
            done.accounts.append(erased.subject)
    return done


def purges_run_again(done: ErasedAgain) -> None:
    """Run the daily purges at once: report files that expired, and copies of everything held
    that expired or hold a log erased (again) since, came back with the backup."""
    done.reports_purged = reports_purge_expired()
    done.copies_purged = subject_access_purge_expired()


@transaction.atomic
def restore_record(
    *,
    backup_id: str,
    taken_at: dt.datetime,
    ledger: LedgerContents,
    comparison: Comparison,
    erased_again: ErasedAgain,
    action: Action = Action.BACKUP_RESTORED,
    extra: dict[str, object] | None = None,
) -> Restore:
    """Keep, in the restored database, that it was restored and which logs went back; and end
    every session it brought back, so a session ended after the backup was taken (a lost
    phone signed out, say) cannot come back with it: everyone signs in again."""
    Session.objects.all().delete()
    UserSession.objects.all().delete()
    restore = Restore.objects.create(
        backup_id=backup_id,
        backup_taken_at=taken_at,
        restored_at=timezone.now(),
        ledger_checkpoints=len(ledger.entries),
        ledger_lines_left_out=ledger.unreadable + ledger.forged,
    )
    RestoredBehind.objects.bulk_create(
        RestoredBehind(
            restore=restore,
            case=behind.case,
            case_reference=behind.case_reference,
            checkpoint_issued_at=behind.checkpoint_issued_at,
            checkpoint_sequence=behind.checkpoint_sequence,
            restored_sequence=behind.restored_sequence,
        )
        for behind in comparison.behind
    )
    audit_record(
        action=action,
        subject=restore,
        extra={
            "backup": backup_id,
            "restore": restore.pk,
            "ledger_checkpoints": restore.ledger_checkpoints,
            "behind": len(comparison.behind),
            "differs": len(comparison.differs),
            "erased_again": erased_again.count,
            "erasures_failed": len(erased_again.failed),
            "reports_purged": erased_again.reports_purged,
            "copies_purged": erased_again.copies_purged,
            **(extra or {}),
        },
    )
    return restore


class RestoreRefused(Exception):
    """The instance is not one a backup may be restored into; nothing has been written."""


def recovery_record(
    *, recovered_to: dt.datetime, ledger: LedgerContents, erasures: ErasureLedgerContents | None
) -> tuple[Restore, Comparison, ErasedAgain]:
    """After the database was recovered by its own means (PostgreSQL's point-in-time
    recovery, a provider's snapshot), what `restore` does after a restore: carry out again
    the erasures the recovery undid, compare every log with the ledger, keep the logs found
    behind, end every session. Refuses a second run for the same moment, which would show
    every notice twice."""
    backup_id = f"recovered-to:{recovered_to.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    if Restore.objects.filter(backup_id=backup_id).exists():
        raise RestoreRefused(
            "This recovery has already been compared with the ledger; its findings are kept."
        )
    erased_again = erasures_carry_out_again(erasures=erasures, restore=backup_id)
    purges_run_again(erased_again)
    comparison = ledger_compare(ledger, erased_again.case_references())
    restore = restore_record(
        backup_id=backup_id,
        taken_at=recovered_to,
        ledger=ledger,
        comparison=comparison,
        erased_again=erased_again,
        action=Action.RECOVERY_COMPARED,
    )
    return restore, comparison, erased_again


# --- Restoring -------------------------------------------------------------------------


def _migrations_check(manifest: Manifest) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [pair for pair in manifest.migrations if pair not in known]
    if unknown:
        raise BadBackup(
            f"it was taken by a newer Daybook ({len(unknown)} of its database migrations, "
            f"such as {unknown[0][0]}.{unknown[0][1]}, are unknown to this one): install at "
            "least the version it was taken with, then restore"
        )


def _instance_check(manifest: Manifest) -> None:
    held = database.holds_anything()
    if held:
        what = " and ".join(
            f"{count} {label if count != 1 else label.removesuffix('s')}"
            for label, count in sorted(held.items(), key=lambda item: item[0] != "cases")
        )
        raise RestoreRefused(
            f"This instance's database already holds {what}. A backup is only restored into "
            "an empty instance, so nothing here is overwritten: point DAYBOOK_DATABASE_URL "
            "(or DAYBOOK_VAR_DIR) at a new, empty database and storage, and run restore again."
        )
    vendor = database.vendor()
    if vendor != manifest.database:
        raise RestoreRefused(
            f"The backup is of a {manifest.database} database and this instance uses "
            f"{vendor}: restore it into an instance with a {manifest.database} database."
        )
    # pg_restore replaces the tables the backup has; tables a newer schema made would stay.
    ahead = set(database.applied_migrations()) - set(manifest.migrations)
    if vendor == database.POSTGRESQL and ahead:
        raise RestoreRefused(
            f"This database has {len(ahead)} migrations applied that the backup had not. "
            "Restore into a new, empty database without running migrate first; restore "
            "applies any newer migrations itself afterwards."
        )
    taken = [part.name for part in manifest.files() if default_storage.exists(part.name)]
    if taken:
        raise RestoreRefused(
            f"This instance's file storage already holds {len(taken)} of the backup's files. "
            "Restore into empty storage, so no file is overwritten."
        )


def _open_snapshot(directory: Path, manifest: Manifest, target: Path) -> None:
    """Open the sealed snapshot into `target`, refusing one that does not open whole."""
    with (directory / archive.DATABASE).open("rb") as source, target.open("xb") as plain:
        try:
            crypto.open_stream(
                archive.sealing_key(),
                source,
                plain,
                archive.database_associated(manifest.backup_id),
            )
        except crypto.DecryptionError:
            raise BadBackup(
                "its database snapshot does not open with this instance's master key: it has "
                "been altered, or the backup was taken under another master key"
            ) from None
    if manifest.database == database.SQLITE:
        snapshot = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            (result,) = snapshot.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError:
            result = "unreadable"
        finally:
            snapshot.close()
        if result != "ok":
            raise BadBackup("its database snapshot is not a sound SQLite database")


def _store_files(directory: Path, manifest: Manifest, written: list[str]) -> None:
    for part in manifest.files():
        with (directory / part.path).open("rb") as handle:
            stored = default_storage.save(part.name, File(handle, name=part.name))
        written.append(stored)
        if stored != part.name:
            raise RuntimeError("The file store renamed a restored file.")


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    restore: Restore
    comparison: Comparison
    ledger: LedgerContents
    erased_again: ErasedAgain


def restore_run(
    *, source: Path, ledger: LedgerContents, erasures: ErasureLedgerContents | None
) -> Restored:
    """Restore the backup in `source` into this (empty) instance, then carry out again the
    erasures in `erasures` (None: no erasure ledger was read). Raises BadBackup or
    RestoreRefused, with nothing written, when it cannot."""
    manifest = archive.manifest_read(source)
    archive.parts_check(source, manifest)
    _migrations_check(manifest)
    _instance_check(manifest)
    # The plaintext snapshot lives only as long as the restore, in a folder only this user
    # can read, beside the instance's own data.
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.VAR_DIR, prefix="restore-") as work:
        snapshot = Path(work) / "database"
        _open_snapshot(source, manifest, snapshot)
        written: list[str] = []
        try:
            _store_files(source, manifest, written)
            database.put_back(snapshot)
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    call_command("migrate", interactive=False, verbosity=0)
    # Before anything else reads the restored database: what was erased after the backup was
    # taken goes again, so the restore does not undo anyone's erasure.
    erased_again = erasures_carry_out_again(erasures=erasures, restore=manifest.backup_id)
    purges_run_again(erased_again)
    comparison = ledger_compare(ledger, erased_again.case_references())
    restore = restore_record(
        backup_id=manifest.backup_id,
        taken_at=manifest.taken_at,
        ledger=ledger,
        comparison=comparison,
        erased_again=erased_again,
        extra={"cases": manifest.cases, "files": len(manifest.files())},
    )
    return Restored(
        manifest=manifest,
        restore=restore,
        comparison=comparison,
        ledger=ledger,
        erased_again=erased_again,
    )
