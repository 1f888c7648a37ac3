"""Backups and restores, run as an operator runs them, and the checkpoint ledger that lets a
restored instance tell it went back to before checkpoints it had issued.

The drill: back up, write more (entries, a file, checkpoints, a new log), restore into an empty
instance (the database emptied as a new one is, and new, empty file storage), then `verify_log`
passes and the instance says which logs are now behind a checkpoint. On SQLite in `make test`;
`make test-db` runs the same tests on PostgreSQL, through pg_dump and pg_restore."""

import base64
import datetime as dt
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daybook import crypto
from daybook.accounts.models import User
from daybook.audit.models import Action, AuditEvent
from daybook.backups.erasure_ledger import erasure_ledger_read, erasure_ledger_touch, erasure_line
from daybook.backups.ledger import ledger_read
from daybook.backups.models import Restore, RestoredBehind
from daybook.backups.services import stored_names
from daybook.cases.models import Case
from daybook.cases.services import case_open
from daybook.erasure.models import ErasureRequest, Tombstone
from daybook.erasure.services import (
    UNDO_DAYS,
    erasure_request,
    erasures_carry_out_due,
)
from daybook.erasure.signals import Erased
from daybook.incidents import services
from daybook.incidents.evidence import check_upload
from daybook.incidents.models import ChainRecord, Checkpoint, Entry, Evidence
from daybook.subject_access.leaving import (
    account_deletion_request,
    account_deletions_carry_out_due,
)
from daybook.subject_access.models import SubjectAccessRequest
from daybook.subject_access.services import subject_access_request
from tests.conftest import Personas, entry_values
from tests.s3server import running_s3_server, store_in_a_new_bucket
from tests.test_evidence import PNG

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"


@pytest.fixture
def ledger(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "kept-apart" / "checkpoint-ledger.jsonl"
    monkeypatch.setenv("DAYBOOK_CHECKPOINT_LEDGER", str(path))
    return path


def _record(case: Case, personas: Personas, count: int = 1) -> None:
    for _ in range(count):
        services.entry_record(
            case=case, author=personas.victim, how="victim", values=entry_values()
        )


def _add_file(case: Case, personas: Personas, name: str) -> Evidence:
    entry = services.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values()
    )
    return services.evidence_add(
        entry=entry, author=personas.victim, how="victim", checked=check_upload(name, PNG)
    )


def _receipt(case: Case, personas: Personas) -> Checkpoint:
    return services.checkpoint_issue(
        case=case, purpose="receipt", actor=personas.victim, request=None
    )


def _run(command: str, *args: str) -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command(command, *args, stdout=out)
    except CommandError as error:
        return False, f"{out.getvalue()}{error}"
    return True, out.getvalue()


def _empty_instance(settings, tmp_path: Path, name: str = "new-storage") -> Path:
    """What a new instance is: its database migrated and holding nothing, its storage empty."""
    call_command("flush", interactive=False, verbosity=0)
    location = tmp_path / name
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    return location


def _instance_state() -> tuple[int, int, list[str]]:
    return Case.objects.count(), User.objects.count(), list(stored_names())


# --- The ledger -----------------------------------------------------------------------------


def test_every_checkpoint_issued_is_appended_to_the_ledger_which_verify_log_reads(
    case, personas, ledger
) -> None:
    _record(case, personas, 2)
    first = _receipt(case, personas)
    _record(case, personas)
    second = _receipt(case, personas)

    lines = ledger.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    said = [json.loads(line)["checkpoint"] for line in lines]
    assert [(s["case"], s["sequence"]) for s in said] == [
        (case.reference, first.sequence),
        (case.reference, second.sequence),
    ]
    assert [json.loads(line)["signature"] for line in lines] == [
        first.signature,
        second.signature,
    ]
    assert oct(ledger.stat().st_mode & 0o777) == "0o600"

    ok, out = _run("verify_log", "--checkpoint", str(ledger))
    assert ok, out
    assert f"{case.reference}: verified, 3 records" in out


def test_a_forged_line_in_the_ledger_is_left_out_and_verify_log_refuses_it(
    case, personas, ledger
) -> None:
    _record(case, personas)
    _receipt(case, personas)
    genuine = json.loads(ledger.read_text(encoding="utf-8"))
    forged = {**genuine, "checkpoint": {**genuine["checkpoint"], "sequence": 40}}
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(forged) + "\n")
        handle.write("not json at all\n")

    read = ledger_read([ledger])
    assert [entry.sequence for entry in read.entries] == [1]
    assert (read.forged, read.unreadable) == (1, 1)

    ok, out = _run("verify_log", "--checkpoint", str(ledger))
    assert not ok
    assert "is not a checkpoint file: it is not JSON" in out


def test_an_erased_log_in_the_ledger_is_reported_as_erased_not_failed(
    case, personas, ledger
) -> None:
    _record(case, personas)
    _receipt(case, personas)
    erasure_request(case=case, actor=personas.manager, reason="person")
    assert erasures_carry_out_due(timezone.now() + dt.timedelta(days=UNDO_DAYS, minutes=1)) == 1

    ok, out = _run("verify_log", "--checkpoint", str(ledger))
    assert ok, out
    assert f"{case.reference}: erased, so not checked." in out


# --- The drill ------------------------------------------------------------------------------


def test_drill_back_up_write_more_restore_and_the_instance_says_what_went_back(
    case, personas, ledger, tmp_path, settings
) -> None:
    _record(case, personas, 2)
    kept_file = _add_file(case, personas, "before.png")
    _receipt(case, personas)  # 4 records: in the backup
    quiet = case_open(created_by=personas.victim, owner=personas.outsider, service=personas.service)
    _record(quiet, personas)
    _receipt(quiet, personas)  # nothing more is written to this log after the backup

    signed_in_before = Client()
    signed_in_before.force_login(personas.advocate)
    ok, out = _run("backup", str(tmp_path / "backup"))
    assert ok, out
    assert "1 stored file(s)" in out
    assert "Restoring it needs the master key" in out

    _record(case, personas, 2)
    lost_file = _add_file(case, personas, "after.png")
    issued_after = _receipt(case, personas)  # 8 records: after the backup
    started_after = case_open(created_by=personas.victim, owner=None, service=personas.service)
    _record(started_after, personas)
    _receipt(started_after, personas)

    location = _empty_instance(settings, tmp_path)
    assert _instance_state() == (0, 0, [])

    ok, out = _run("restore", str(tmp_path / "backup"))
    assert ok, out
    assert f"{case.reference}: BEHIND" in out
    assert "covered 8 records; the restored log holds 4, 4 fewer." in out
    assert f"{started_after.reference}: BEHIND" in out
    assert "(not in the database at all) holds 0, 1 fewer" in out
    assert quiet.reference not in out
    assert "2 log(s) are behind a checkpoint they had issued" in out

    # The restored instance is the one backed up: its logs, its accounts, its one file.
    assert set(Case.objects.values_list("reference", flat=True)) == {
        case.reference,
        quiet.reference,
    }
    assert Case.objects.get(pk=case.pk).chain_seq == 4
    assert User.objects.filter(email=personas.advocate.email).exists()
    assert list(stored_names()) == [kept_file.storage_name]
    assert (location / kept_file.storage_name).is_file()
    assert not (location / lost_file.storage_name).exists()

    # Every restored log verifies, files included, against its own stored checkpoints...
    ok, out = _run("verify_log")
    assert ok, out
    assert "All 2 log(s) verified." in out
    # ...and the ledger kept apart shows what the database alone cannot.
    ok, out = _run("verify_log", "--checkpoint", str(ledger))
    assert not ok
    assert f"{case.reference}: FAILED" in out
    assert "restored from a copy older than the checkpoint" in out

    restore = Restore.objects.get()
    assert restore.ledger_checkpoints == 4
    behind = RestoredBehind.objects.get(case=case.pk)
    assert (behind.checkpoint_sequence, behind.restored_sequence) == (8, 4)
    assert behind.checkpoint_issued_at == issued_after.issued_at
    assert RestoredBehind.objects.get(case=None).case_reference == started_after.reference

    # Sessions the backup held are ended: everyone signs in again.
    record = reverse("cases:record", args=[case.pk])
    assert signed_in_before.get(record)["Location"].startswith(reverse("account_login"))

    # The staff who hold the case see it on its record; the other log's record says nothing.
    advocate = Client()
    advocate.force_login(User.objects.get(email=personas.advocate.email))
    page = " ".join(advocate.get(record).content.decode().split())
    taken = timezone.localtime(restore.backup_taken_at)
    issued = timezone.localtime(issued_after.issued_at)
    assert (
        f"This log was restored from a backup taken on {taken:%-d %B %Y at %H:%M}; a checkpoint "
        f"issued on {issued:%-d %B %Y at %H:%M} covered 4 records more than it now holds."
    ) in page
    manager = Client()
    manager.force_login(User.objects.get(email=personas.manager.email))
    assert (
        "restored from a backup"
        in manager.get(reverse("cases:record", args=[case.pk])).content.decode()
    )
    assert (
        "restored from a backup"
        not in manager.get(reverse("cases:record", args=[quiet.pk])).content.decode()
    )

    # Restoring again is refused: the instance is no longer empty.
    ok, out = _run("restore", str(tmp_path / "backup"))
    assert not ok
    assert "already holds" in out


def test_a_log_erased_before_the_backup_is_not_reported_as_missing_after_a_restore(
    case, personas, ledger, tmp_path, settings
) -> None:
    _record(case, personas)
    _receipt(case, personas)
    erasure_request(case=case, actor=personas.manager, reason="person")
    assert erasures_carry_out_due(timezone.now() + dt.timedelta(days=UNDO_DAYS, minutes=1)) == 1
    ok, out = _run("backup", str(tmp_path / "backup"))
    assert ok, out
    _empty_instance(settings, tmp_path)

    ok, out = _run("restore", str(tmp_path / "backup"))

    assert ok, out
    assert case.reference not in out
    assert "Every log holds every one of the 1 checkpoint(s) in the ledger." in out
    assert not RestoredBehind.objects.exists()


# --- Erasures carried out after the backup -------------------------------------------------


def _erase_due() -> int:
    """Carry out the erasures asked for, as the daily task does once the window has passed."""
    return erasures_carry_out_due(timezone.now() + dt.timedelta(days=UNDO_DAYS, minutes=1))


def _erasure_ledger() -> Path:
    return Path(os.environ["DAYBOOK_ERASURE_LEDGER"])


def _backup_id(backup: Path) -> str:
    return json.loads((backup / "manifest.json").read_text())["manifest"]["id"]


def test_drill_a_log_erased_after_the_backup_is_erased_again_when_the_backup_is_restored(
    case, personas, ledger, tmp_path, settings
) -> None:
    # Asked for before the backup, carried out after it: the backup holds the open request.
    _record(case, personas, 2)
    erased_file = _add_file(case, personas, "erased.png")
    _receipt(case, personas)
    asked_before = erasure_request(case=case, actor=personas.manager, reason="person")
    # The person's copy of everything held, which holds the log: purged once it is erased.
    copy = subject_access_request(person=personas.victim)
    copy.refresh_from_db()
    assert copy.covers == [case.pk] and copy.storage_name
    # Asked for and carried out after the backup: the backup knows nothing of it.
    other = case_open(created_by=personas.victim, owner=personas.outsider, service=personas.service)
    _record(other, personas)
    other_file = _add_file(other, personas, "other.png")
    kept = case_open(created_by=personas.victim, owner=personas.outsider, service=personas.service)
    _record(kept, personas, 2)
    kept_file = _add_file(kept, personas, "kept.png")
    _receipt(kept, personas)
    ok, out = _run("backup", str(tmp_path / "backup"))
    assert ok, out

    _receipt(case, personas)
    asked_after = erasure_request(
        case=other, actor=personas.manager, reason="service", service_reason="opened_in_error"
    )
    # Started, checkpointed and erased after the backup: not in it at all.
    started_after = case_open(created_by=personas.victim, owner=None, service=personas.service)
    _record(started_after, personas)
    _receipt(started_after, personas)
    erasure_request(case=started_after, actor=personas.manager, reason="person")
    assert _erase_due() == 3
    first_time = {
        tombstone.reference: (
            tombstone.erased_at,
            tombstone.reason,
            tombstone.service_reason,
            tombstone.request.uid,
        )
        for tombstone in Tombstone.objects.select_related("request")
    }
    assert len(_erasure_ledger().read_text().splitlines()) == 3

    location = _empty_instance(settings, tmp_path)
    ok, out = _run("restore", str(tmp_path / "backup"))

    assert ok, out
    assert "Erased again, as the erasure ledger records: 2 of its 3 erasure(s) (log " in out
    assert f"log {case.reference}" in out and f"log {other.reference}" in out
    assert "1 erasure(s) were of logs or accounts this database does not hold" in out
    assert "0 expired report file(s), 1 copy(ies) of everything held" in out
    # Erased logs are meant to be gone: none is reported behind its checkpoints.
    assert "BEHIND" not in out
    assert "Every log holds every one of the" in out

    # The logs, their entries, their files and their keys are gone again.
    assert set(Case.objects.values_list("reference", flat=True)) == {kept.reference}
    assert not Case.objects.filter(pk__in=[case.pk, other.pk]).exists()
    assert not Entry.objects.filter(case_id__in=[case.pk, other.pk]).exists()
    assert not Evidence.objects.filter(pk__in=[erased_file.pk, other_file.pk]).exists()
    assert list(stored_names()) == [kept_file.storage_name]
    assert not (location / erased_file.storage_name).exists()
    assert not (location / other_file.storage_name).exists()
    assert (location / kept_file.storage_name).is_file()
    assert not (location / copy.storage_name).exists()
    assert SubjectAccessRequest.objects.get(pk=copy.pk).storage_name == ""
    # The tombstones are the ones left the first time: same request, codes and time.
    again = {
        tombstone.reference: (
            tombstone.erased_at,
            tombstone.reason,
            tombstone.service_reason,
            tombstone.request.uid,
        )
        for tombstone in Tombstone.objects.select_related("request")
    }
    assert again == {ref: first_time[ref] for ref in (case.reference, other.reference)}
    assert Tombstone.objects.get(reference=case.reference).erased_by_id == personas.manager.pk
    assert ErasureRequest.objects.get(uid=asked_before.uid).carried_out_at is not None
    assert ErasureRequest.objects.get(uid=asked_after.uid).carried_out_at is not None
    # The audit says what happened, by ids.
    backup_id = _backup_id(tmp_path / "backup")
    erased_again = AuditEvent.objects.filter(action=Action.ERASED_AGAIN_AFTER_RESTORE)
    assert {event.subject_id for event in erased_again} == {str(case.pk), str(other.pk)}
    assert {event.extra["restore"] for event in erased_again} == {backup_id}
    assert {event.subject_id for event in AuditEvent.objects.filter(action=Action.CASE_ERASED)} == {
        str(case.pk),
        str(other.pk),
    }
    assert AuditEvent.objects.get(action=Action.BACKUP_RESTORED).extra["erased_again"] == 2

    ok, out = _run("verify_log")
    assert ok, out
    assert "All 1 log(s) verified." in out


def _backed_up_then_closed(personas, tmp_path) -> Case:
    """The victim's log, backed up with a receipt issued; then the victim closes their
    account (their log erased with it). Returns the log, as it was."""
    victim = personas.victim
    own = case_open(created_by=victim, owner=victim)
    _record(own, personas)
    _receipt(own, personas)
    ok, out = _run("backup", str(tmp_path / "backup"))
    assert ok, out
    account_deletion_request(person=victim)
    assert _erase_due() == 1
    assert account_deletions_carry_out_due(timezone.now() + dt.timedelta(days=UNDO_DAYS, minutes=1))
    return own


def test_an_account_closed_after_the_backup_is_closed_again_when_the_backup_is_restored(
    personas, ledger, tmp_path, settings
) -> None:
    victim = personas.victim
    own = _backed_up_then_closed(personas, tmp_path)
    assert [erased.kind for erased in erasure_ledger_read([_erasure_ledger()]).entries] == [
        "case",
        "account",
    ]

    _empty_instance(settings, tmp_path)
    ok, out = _run("restore", str(tmp_path / "backup"))

    assert ok, out
    assert f"2 of its 2 erasure(s) (log {own.reference}, account {victim.pk})" in out
    assert not Case.objects.filter(pk=own.pk).exists()
    person = User.objects.get(pk=victim.pk)
    assert not person.is_active and person.name == "" and not person.has_usable_password()
    assert victim.email not in person.email
    about_the_account = AuditEvent.objects.filter(
        subject_type="accounts.user", subject_id=str(victim.pk)
    )
    assert about_the_account.filter(action=Action.ACCOUNT_DELETED).exists()
    again = about_the_account.get(action=Action.ERASED_AGAIN_AFTER_RESTORE)
    assert again.extra["kind"] == "account"


def test_an_account_whose_log_is_missing_from_the_erasure_ledger_is_left_open_and_listed(
    personas, ledger, tmp_path, settings
) -> None:
    victim = personas.victim
    _backed_up_then_closed(personas, tmp_path)
    # The log's line never reached the ledger (it could not be written at the time).
    lines = _erasure_ledger().read_text().splitlines()
    _erasure_ledger().write_text(lines[1] + "\n")

    _empty_instance(settings, tmp_path)
    ok, out = _run("restore", str(tmp_path / "backup"))

    assert ok, out
    assert "0 of its 1 erasure(s)" in out
    assert f"1 could not be carried out again (account {victim.pk}): erase them by hand" in out
    assert User.objects.get(pk=victim.pk).is_active
    assert AuditEvent.objects.get(action=Action.BACKUP_RESTORED).extra["erasures_failed"] == 1


def test_an_erasure_ledger_line_names_what_to_erase_again_and_nothing_about_anyone(
    case, personas, ledger
) -> None:
    _record(case, personas)
    _add_file(case, personas, "photo.png")
    erasure = erasure_request(
        case=case,
        actor=personas.manager,
        reason="service",
        service_reason="other",
        note="She asked us to stop contacting her at work",
    )
    assert _erase_due() == 1

    raw = _erasure_ledger().read_text(encoding="utf-8")
    (line,) = raw.splitlines()
    said = json.loads(line)
    assert set(said) == {"erasure", "signature"}
    erased_at = Tombstone.objects.get(reference=case.reference).erased_at
    assert said["erasure"] == {
        "type": "daybook-erasure/1",
        "kind": "case",
        "subject": case.reference,
        "erased_at": erased_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "request": erasure.uid,
        "reason": "service",
        "service_reason": "other",
        "key_id": said["erasure"]["key_id"],
    }
    people = [personas.victim, personas.manager, personas.advocate]
    texts = [value for value in entry_values().values() if isinstance(value, str)]
    for words in [
        *(person.email for person in people),
        *(person.name for person in people),
        personas.service.name,
        "She asked us to stop",
        *(text for text in texts if len(text) > 8),
    ]:
        assert words not in raw, words
    assert oct(_erasure_ledger().stat().st_mode & 0o777) == "0o600"
    assert erasure_ledger_read([_erasure_ledger()]).entries[0].subject == case.reference


def test_an_erasure_ledger_that_cannot_be_written_is_reported_by_kind_only(
    case, personas, ledger, tmp_path, monkeypatch, caplog
) -> None:
    in_the_way = tmp_path / "a-file-not-a-folder"
    in_the_way.write_text("")
    monkeypatch.setenv("DAYBOOK_ERASURE_LEDGER", str(in_the_way / "erasure-ledger.jsonl"))
    _record(case, personas)
    erasure_request(case=case, actor=personas.manager, reason="person")

    with caplog.at_level(logging.ERROR, logger="daybook.backups.erasure_ledger"):
        assert _erase_due() == 1

    # The erasure itself went ahead; the operator is told the ledger misses it.
    assert Tombstone.objects.filter(reference=case.reference).exists()
    (said,) = [r.getMessage() for r in caplog.records if r.name.startswith("daybook.backups")]
    assert said.startswith("An erasure (case) could not be added to the erasure ledger: ")
    assert "Restoring a backup taken before it would bring it back." in said
    assert case.reference not in caplog.text and str(case.pk) not in said

    out, err = io.StringIO(), io.StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=out, stderr=err)
    assert "Backed up to" in out.getvalue()
    assert f"The erasure ledger {in_the_way / 'erasure-ledger.jsonl'} could not be made" in (
        err.getvalue()
    )


def test_a_backup_and_a_restore_are_audited_with_counts_and_ids(
    case, personas, ledger, tmp_path, settings
) -> None:
    backup = _backup_of_a_log_with_a_file(case, personas, tmp_path)
    backup_id = _backup_id(backup)
    made = AuditEvent.objects.get(action=Action.BACKUP_MADE)
    assert made.extra == {
        "backup": backup_id,
        "database": connection.vendor,
        "cases": 1,
        "checkpoints": 1,
        "files": 1,
    }
    assert made.actor is None and made.ip is None
    _empty_instance(settings, tmp_path)

    ok, out = _run("restore", str(backup))

    assert ok, out
    restored = AuditEvent.objects.get(action=Action.BACKUP_RESTORED)
    restore = Restore.objects.get()
    assert (restored.subject_type, restored.subject_id) == ("backups.restore", str(restore.pk))
    assert restored.extra == {
        "backup": backup_id,
        "restore": restore.pk,
        "ledger_checkpoints": 1,
        "behind": 0,
        "differs": 0,
        "erased_again": 0,
        "erasures_failed": 0,
        "reports_purged": 0,
        "copies_purged": 0,
        "cases": 1,
        "files": 1,
    }


def test_after_a_recovery_compare_ledger_erases_again_what_the_recovery_brought_back(
    case, personas, ledger, tmp_path, settings
) -> None:
    backup = _backup_of_a_log_with_a_file(case, personas, tmp_path)
    erasure_request(case=case, actor=personas.manager, reason="person")
    assert _erase_due() == 1
    # What a recovery by the database's own means leaves: the erased log back, files and all.
    _empty_instance(settings, tmp_path)
    ok, out = _run("restore", str(backup), "--no-erasure-ledger")
    assert ok, out
    assert "No erasure ledger was read" in out
    assert Case.objects.filter(pk=case.pk).exists()

    ok, out = _run("compare_ledger", "--recovered-to", "2026-11-30T09:15")

    assert ok, out
    assert f"1 of its 1 erasure(s) (log {case.reference})" in out
    assert not Case.objects.filter(pk=case.pk).exists()
    assert list(stored_names()) == []
    compared = AuditEvent.objects.get(action=Action.RECOVERY_COMPARED)
    assert compared.extra["erased_again"] == 1
    assert compared.extra["backup"] == "recovered-to:20261130T091500Z"


def test_without_its_erasure_ledger_a_restore_is_refused_and_a_forged_line_erases_nothing(
    case, personas, ledger, tmp_path, settings, monkeypatch
) -> None:
    backup = _backup_of_a_log_with_a_file(case, personas, tmp_path)
    _empty_instance(settings, tmp_path)
    # A new machine, the erasure ledger not copied to it.
    monkeypatch.setenv("DAYBOOK_ERASURE_LEDGER", str(tmp_path / "not-copied.jsonl"))

    ok, out = _run("restore", str(backup))
    assert not ok
    assert "Nothing was restored: the erasure ledger" in out and "--no-erasure-ledger" in out
    assert _instance_state() == (0, 0, [])

    # A line someone else wrote, naming the log: its signature does not hold, so it is ignored.
    genuine = json.loads(
        erasure_line(Erased(kind="case", subject="DB-0000-0000", erased_at=timezone.now()))
    )
    genuine["erasure"]["subject"] = case.reference
    forged = tmp_path / "forged.jsonl"
    forged.write_text(json.dumps(genuine) + "\n", encoding="utf-8")

    ok, out = _run("restore", str(backup), "--erasure-ledger", str(forged))

    assert ok, out
    assert "1 whose signature did not hold; they were left out" in out
    assert "0 of its 0 erasure(s)" in out
    assert Case.objects.filter(pk=case.pk).exists()


# --- Refusals: nothing is written -----------------------------------------------------------


def _backup_of_a_log_with_a_file(case, personas, tmp_path) -> Path:
    _record(case, personas)
    _add_file(case, personas, "photo.png")
    _receipt(case, personas)
    ok, out = _run("backup", str(tmp_path / "backup"))
    assert ok, out
    return tmp_path / "backup"


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


def _cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _rehash(backup: Path, part: str) -> None:
    """What someone who altered a part would do next: give the manifest its new hash."""
    outer = json.loads((backup / "manifest.json").read_text())
    for found in outer["manifest"]["parts"]:
        if found["path"] == part:
            found["sha256"] = hashlib.sha256((backup / part).read_bytes()).hexdigest()
    (backup / "manifest.json").write_text(json.dumps(outer))


@pytest.mark.parametrize(
    ("part", "damage", "said"),
    [
        ("files/000001", _flip_last_byte, "does not have the SHA-256 its manifest gives"),
        ("database.sealed", _cut_in_half, "it has been cut short or altered"),
        ("database.sealed", "rehashed", "manifest's seal does not hold"),
        ("files/000001", "missing", "its part files/000001 is missing"),
        ("manifest.json", _cut_in_half, "is not JSON: it is damaged"),
    ],
)
def test_a_tampered_or_truncated_backup_is_refused_with_nothing_written(
    case, personas, ledger, tmp_path, settings, part, damage, said
) -> None:
    backup = _backup_of_a_log_with_a_file(case, personas, tmp_path)
    target = backup / part
    if damage == "rehashed":
        _flip_last_byte(target)
        _rehash(backup, part)
    elif damage == "missing":
        target.unlink()
    else:
        damage(target)
    location = _empty_instance(settings, tmp_path)

    ok, out = _run("restore", str(backup))

    assert not ok
    assert out.startswith("Nothing was restored")
    assert said in out
    assert _instance_state() == (0, 0, [])
    assert not location.exists() or not any(location.iterdir())
    assert not Restore.objects.exists()


def test_a_backup_taken_under_another_master_key_is_refused_naming_both_keys(
    case, personas, ledger, tmp_path, settings, monkeypatch
) -> None:
    backup = _backup_of_a_log_with_a_file(case, personas, tmp_path)
    _empty_instance(settings, tmp_path)
    monkeypatch.delenv("DAYBOOK_MASTER_KEY_FILE", raising=False)
    monkeypatch.setenv("DAYBOOK_MASTER_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
    crypto.master_key.cache_clear()
    try:
        ok, out = _run("restore", str(backup))
    finally:
        crypto.master_key.cache_clear()
    assert not ok
    assert "taken under another master key" in out
    assert _instance_state() == (0, 0, [])


def test_restoring_into_an_instance_that_holds_cases_is_refused_and_changes_nothing(
    case, personas, ledger, tmp_path
) -> None:
    backup = _backup_of_a_log_with_a_file(case, personas, tmp_path)
    _record(case, personas)
    before = _instance_state()
    seq = Case.objects.get(pk=case.pk).chain_seq

    ok, out = _run("restore", str(backup))

    assert not ok
    assert "This instance's database already holds 1 case and 9 accounts." in out
    assert "A backup is only restored into an empty instance" in out
    assert _instance_state() == before
    assert Case.objects.get(pk=case.pk).chain_seq == seq
    assert not Restore.objects.exists()


def test_restoring_over_files_already_in_storage_is_refused(
    case, personas, ledger, tmp_path, settings
) -> None:
    backup = _backup_of_a_log_with_a_file(case, personas, tmp_path)
    (name,) = list(stored_names())
    location = _empty_instance(settings, tmp_path)
    (location / name).parent.mkdir(parents=True)
    (location / name).write_bytes(b"someone else's file")

    ok, out = _run("restore", str(backup))

    assert not ok
    assert "storage already holds 1 of the backup's files" in out
    assert (location / name).read_bytes() == b"someone else's file"
    assert Case.objects.count() == 0


def test_without_its_ledger_a_restore_is_refused_until_one_is_named_or_declined(
    case, personas, ledger, tmp_path, settings, monkeypatch
) -> None:
    backup = _backup_of_a_log_with_a_file(case, personas, tmp_path)
    _empty_instance(settings, tmp_path)
    # A new machine, the ledger not yet copied to it.
    monkeypatch.setenv("DAYBOOK_CHECKPOINT_LEDGER", str(tmp_path / "not-here.jsonl"))

    ok, out = _run("restore", str(backup))
    assert not ok
    assert "the checkpoint ledger" in out and "--no-ledger" in out
    assert _instance_state() == (0, 0, [])

    ok, out = _run("restore", str(backup), "--no-ledger")
    assert ok, out
    assert "No ledger was compared" in out
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_failed_database_step_removes_the_files_already_restored(
    case, personas, ledger, tmp_path, settings, monkeypatch
) -> None:
    from daybook.backups import database

    backup = _backup_of_a_log_with_a_file(case, personas, tmp_path)
    location = _empty_instance(settings, tmp_path)

    def fail(snapshot_file: Path, alias: str = "default") -> None:
        raise database.DatabaseToolFailed("pg_restore failed: the disk is full")

    monkeypatch.setattr(database, "put_back", fail)
    ok, out = _run("restore", str(backup))

    assert not ok
    assert "the disk is full" in out
    assert _instance_state() == (0, 0, [])
    assert [path for path in location.rglob("*") if path.is_file()] == []


def test_a_backup_is_never_left_half_written(case, personas, ledger, tmp_path, monkeypatch) -> None:
    from daybook.backups import services as backup_services

    _add_file(case, personas, "photo.png")

    def broken(name: str, target: Path) -> tuple[int, str]:
        raise OSError(5, "Input/output error", name)

    monkeypatch.setattr(backup_services, "_copy_stored", broken)
    ok, out = _run("backup", str(tmp_path / "backup"))

    assert not ok
    assert "No backup was made" in out
    assert list(tmp_path.glob("backup*")) == []


def test_a_file_deleted_while_the_backup_runs_is_left_out_not_a_failure(
    case, personas, ledger, tmp_path, monkeypatch
) -> None:
    from daybook.backups import services as backup_services

    kept = _add_file(case, personas, "photo.png")
    listed = list(stored_names())
    # Listed, then purged before it is copied.
    monkeypatch.setattr(backup_services, "stored_names", lambda: iter([*listed, "gone/file"]))

    ok, out = _run("backup", str(tmp_path / "backup"))

    assert ok, out
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())["manifest"]
    files = [part["name"] for part in manifest["parts"] if part["kind"] == "file"]
    assert files == [kept.storage_name]
    assert sorted(path.name for path in (tmp_path / "backup" / "files").iterdir()) == ["000001"]


# --- As an operator does it, into a new machine ---------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="a new SQLite instance is a new folder; see the drill"
)
def test_restore_into_a_new_instance_folder_with_manage_py(
    case, personas, ledger, tmp_path
) -> None:
    _record(case, personas, 2)
    evidence = _add_file(case, personas, "photo.png")
    _receipt(case, personas)
    ok, out = _run("backup", str(tmp_path / "backup"))
    assert ok, out
    _record(case, personas)
    _receipt(case, personas)

    new_instance = tmp_path / "new-instance"
    new_instance.mkdir()  # as an operator makes the folder of a new instance
    environment = {
        **os.environ,
        "DAYBOOK_VAR_DIR": str(new_instance),
        "DAYBOOK_CHECKPOINT_LEDGER": str(ledger),
    }
    environment.pop("DAYBOOK_DATABASE_URL", None)

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - this project's own manage.py
            [sys.executable, str(MANAGE), *args],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    restored = manage("restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert f"{case.reference}: BEHIND" in restored.stdout
    assert (new_instance / "daybook.sqlite3").is_file()
    assert (new_instance / "evidence" / evidence.storage_name).is_file()

    verified = manage("verify_log")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{case.reference}: verified, 4 records" in verified.stdout

    against_ledger = manage("verify_log", "--checkpoint", str(ledger))
    assert against_ledger.returncode != 0
    assert "restored from a copy older than the checkpoint" in against_ledger.stdout
    assert django_settings.DATABASES["default"]["NAME"] != str(new_instance / "daybook.sqlite3")


# --- A recovery by the database's own means -------------------------------------------------


def test_after_a_point_in_time_recovery_compare_ledger_finds_the_logs_cut_short(
    case, personas, ledger
) -> None:
    _record(case, personas, 3)
    _receipt(case, personas)
    signed_in = Client()
    signed_in.force_login(personas.advocate)
    # What a recovery to an earlier moment leaves: the log as it was after its first record.
    with connection.cursor() as cursor:
        first = list(ChainRecord.objects.filter(case=case, seq__gt=1).values_list("pk", "entry_id"))
        for record_id, entry_id in first:
            cursor.execute("DELETE FROM incidents_chainrecord WHERE id = %s", [record_id])
            cursor.execute("DELETE FROM incidents_entrybehaviour WHERE entry_id = %s", [entry_id])
            cursor.execute("DELETE FROM incidents_entry WHERE id = %s", [entry_id])
        head = ChainRecord.objects.get(case=case, seq=1).hash
        cursor.execute(
            "UPDATE cases_case SET chain_seq = 1, chain_head = %s WHERE id = %s", [head, case.pk]
        )
    Checkpoint.objects.filter(case=case).delete()
    erasure_ledger_touch()  # nothing erased yet; `backup` makes it as well

    ok, out = _run("compare_ledger", "--recovered-to", "2026-11-30T09:15")

    assert ok, out
    assert f"{case.reference}: BEHIND" in out
    assert "covered 3 records; the restored log holds 1, 2 fewer." in out
    behind = RestoredBehind.objects.get(case=case)
    assert behind.restore.backup_taken_at == dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
    record = reverse("cases:record", args=[case.pk])
    assert signed_in.get(record)["Location"].startswith(reverse("account_login"))
    page = Client()
    page.force_login(personas.advocate)
    words = " ".join(page.get(record).content.decode().split())
    assert "restored from a backup taken on 30 November 2026 at 09:15" in words

    ok, out = _run("compare_ledger", "--recovered-to", "2026-11-30T09:15")
    assert not ok
    assert "already been compared" in out
    assert RestoredBehind.objects.count() == 1

    ok, out = _run("compare_ledger", "--recovered-to", "yesterday teatime")
    assert not ok
    assert "is not a date and time" in out


# --- Object storage -------------------------------------------------------------------------


def test_a_backup_of_files_in_a_bucket_restores_into_a_new_bucket(
    case, personas, ledger, tmp_path, settings
) -> None:
    with running_s3_server() as server:
        first = store_in_a_new_bucket(settings, server, tmp_path)
        evidence = _add_file(case, personas, "photo.png")
        _receipt(case, personas)
        sealed = server.objects(first)[evidence.storage_name]
        ok, out = _run("backup", str(tmp_path / "backup"))
        assert ok, out
        assert "1 stored file(s)" in out
        assert (tmp_path / "backup" / "files" / "000001").read_bytes() == sealed

        call_command("flush", interactive=False, verbosity=0)
        second = store_in_a_new_bucket(settings, server, tmp_path)
        ok, out = _run("restore", str(tmp_path / "backup"))
        assert ok, out

        assert server.objects(second) == {evidence.storage_name: sealed}
        ok, out = _run("verify_log")
        assert ok, out
        assert f"{case.reference}: verified, 2 records" in out
