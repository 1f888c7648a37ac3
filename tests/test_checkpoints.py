"""Signed checkpoints: the service's signing key, its published public keys, and checkpoints
of a case's log that show when records have been removed or an older copy restored."""

import base64
import io
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from daybook.audit.models import Action, AuditEvent
from daybook.cases.models import Case
from daybook.incidents import checkpoints, services, signing, tallies
from daybook.incidents.chain import canonical_json
from daybook.incidents.models import ChainRecord, Checkpoint
from daybook.incidents.verify import verify_case
from tests.conftest import entry_values


def _new_key_file(tmp_path, name: str) -> tuple[str, bytes]:
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    path = tmp_path / name
    path.write_text(base64.urlsafe_b64encode(seed).decode() + "\n", encoding="ascii")
    public = (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    return str(path), public


def test_a_signature_verifies_under_its_key_and_a_changed_statement_does_not() -> None:
    key_id, signature = signing.sign(b'{"sequence":3}')
    assert key_id == signing.current_key().key_id
    assert len(key_id) == 16
    assert signing.verify(b'{"sequence":3}', signature, key_id)
    assert not signing.verify(b'{"sequence":2}', signature, key_id)


def test_a_key_id_that_names_no_published_key_is_refused() -> None:
    _, signature = signing.sign(b"statement")
    with pytest.raises(signing.UnknownKey):
        signing.verify(b"statement", signature, "0123456789abcdef")


def test_after_a_rotation_what_the_old_key_signed_still_verifies(tmp_path, monkeypatch) -> None:
    old_id, signature = signing.sign(b"statement")
    old_public = signing.current_key().public_key
    new_file, _ = _new_key_file(tmp_path, "signing_key")
    monkeypatch.delenv("DAYBOOK_SIGNING_KEY", raising=False)
    monkeypatch.setenv("DAYBOOK_SIGNING_KEY_FILE", new_file)
    assert signing.current_key().key_id != old_id
    with pytest.raises(signing.UnknownKey):
        signing.verify(b"statement", signature, old_id)
    monkeypatch.setenv("DAYBOOK_SIGNING_PREVIOUS_PUBLIC_KEYS", old_public)
    assert signing.verify(b"statement", signature, old_id)


@pytest.mark.django_db
def test_the_well_known_url_lists_the_current_and_previous_keys(tmp_path, monkeypatch) -> None:
    _, earlier = _new_key_file(tmp_path, "earlier")
    monkeypatch.setenv("DAYBOOK_SIGNING_PREVIOUS_PUBLIC_KEYS", base64.b64encode(earlier).decode())
    response = Client().get("/.well-known/daybook-signing-keys.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    current = signing.current_key()
    assert response.json() == [
        {"key_id": current.key_id, "public_key": current.public_key, "algorithm": "Ed25519"},
        {
            "key_id": signing.key_id_of(earlier),
            "public_key": base64.b64encode(earlier).decode(),
            "algorithm": "Ed25519",
        },
    ]


# --- Checkpoints and receipts ------------------------------------------------------------


def _three_entries(case, personas) -> None:
    for day in ("2026-10-02", "2026-10-05", "2026-10-09"):
        services.entry_record(
            case=case, author=personas.victim, how="victim", values=entry_values(occurred_on=day)
        )


def _receipt_from_the_log_page(client: Client, case) -> dict:
    page = client.get(reverse("incidents:log", args=[case.pk]))
    receipt_url = reverse("incidents:log_receipt", args=[case.pk])
    assert f'action="{receipt_url}"' in page.content.decode()
    assert "proves this log had 3 records on" in " ".join(page.content.decode().split())
    response = client.post(receipt_url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="receipt-{case.reference}-'
    )
    return json.loads(response.content)


def test_a_person_downloads_a_signed_receipt_of_their_log(case, personas) -> None:
    _three_entries(case, personas)
    client = Client()
    client.force_login(personas.victim)
    receipt = _receipt_from_the_log_page(client, case)
    said = receipt["checkpoint"]
    case.refresh_from_db()
    assert said["case"] == case.reference
    assert (said["sequence"], said["head"]) == (3, case.chain_head)
    assert said["purpose"] == "receipt"
    assert said["key_id"] == signing.current_key().key_id
    assert "had 3 records" in receipt["explanation"]
    signature = base64.b64decode(receipt["signature"])
    assert signing.verify(canonical_json(said), signature, said["key_id"])
    altered = {**said, "sequence": 4}
    assert not signing.verify(canonical_json(altered), signature, said["key_id"])
    stored = Checkpoint.objects.get(case=case)
    assert (stored.sequence, stored.head, stored.purpose) == (3, case.chain_head, "receipt")
    event = AuditEvent.objects.get(action=Action.CHECKPOINT_ISSUED)
    assert event.actor == personas.victim
    assert event.extra == {"checkpoint": stored.pk, "purpose": "receipt", "sequence": 3}


def test_the_advocate_holding_the_case_may_download_a_receipt_and_others_may_not(
    case, personas
) -> None:
    _three_entries(case, personas)
    client = Client()
    client.force_login(personas.advocate)
    assert _receipt_from_the_log_page(client, case)["checkpoint"]["sequence"] == 3
    client.force_login(personas.other_advocate)
    assert client.post(reverse("incidents:log_receipt", args=[case.pk])).status_code == 404
    assert Checkpoint.objects.filter(case=case).count() == 1


def test_a_checkpoint_is_never_changed_once_issued(case, personas) -> None:
    checkpoint = services.checkpoint_issue(
        case=case, purpose="receipt", actor=personas.victim, request=None
    )
    checkpoint.sequence = 7
    with pytest.raises(ValueError):
        checkpoint.save()


# --- verify_log against checkpoints -------------------------------------------------------


def _verify_log(*args: str) -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("verify_log", *args, stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def _cut_short(case, keep: int) -> None:
    """What someone with the database could do: delete the last records and their entries,
    and rewind the case's end of log to match, with raw queries."""
    last = ChainRecord.objects.get(case=case, seq=keep)
    doomed = list(ChainRecord.objects.filter(case=case, seq__gt=keep).values_list("entry_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM incidents_chainrecord WHERE case_id = %s AND seq > %s", [case.pk, keep]
        )
        for (entry_id,) in doomed:
            cursor.execute("DELETE FROM incidents_entrybehaviour WHERE entry_id = %s", [entry_id])
            cursor.execute("DELETE FROM incidents_entry WHERE id = %s", [entry_id])
        cursor.execute(
            "UPDATE cases_case SET chain_seq = %s, chain_head = %s WHERE id = %s",
            [keep, last.hash, case.pk],
        )
    # And counts the rest again for the pages, as a careful forger would: only a checkpoint
    # kept elsewhere shows what is gone.
    tallies.recount(case.pk)
    case.refresh_from_db()


def _receipt_file(tmp_path, case, personas, name: str = "receipt.json"):
    checkpoint = services.checkpoint_issue(
        case=case, purpose="receipt", actor=personas.victim, request=None
    )
    path = tmp_path / name
    path.write_text(
        json.dumps(
            checkpoints.receipt(
                checkpoints.statement_of(checkpoint, checkpoint.case.reference),
                checkpoint.signature,
            )
        ),
        encoding="utf-8",
    )
    return checkpoint, str(path)


def test_a_log_that_agrees_with_its_checkpoints_verifies(case, personas, tmp_path) -> None:
    _three_entries(case, personas)
    _, path = _receipt_file(tmp_path, case, personas)
    services.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    ok, out = _verify_log("--checkpoint", path)
    assert ok, out
    assert f"{case.reference}: verified, 4 records" in out


def test_a_log_cut_short_is_caught_by_the_checkpoint_stored_for_it(case, personas) -> None:
    _three_entries(case, personas)
    services.checkpoint_issue(case=case, purpose="receipt", actor=personas.victim, request=None)
    assert verify_case(case).ok
    _cut_short(case, keep=2)
    assert verify_case(case).ok  # the chain alone cannot tell
    ok, out = _verify_log()
    assert not ok
    assert f"{case.reference}: FAILED — A checkpoint issued at" in out
    assert "says the log had 3 records, but it now has only 2: records have been removed" in out


def test_a_log_rewound_and_written_again_is_caught(case, personas) -> None:
    _three_entries(case, personas)
    services.checkpoint_issue(case=case, purpose="report", actor=personas.victim, request=None)
    _cut_short(case, keep=2)
    services.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    services.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    ok, out = _verify_log(case.reference)
    assert not ok
    assert "says the log had 3 records ending in" in out
    assert "but record 3 now has a different hash: the log has been rewritten since" in out


def test_a_restored_older_backup_is_caught_with_a_kept_receipt(case, personas, tmp_path) -> None:
    _three_entries(case, personas)
    # The backup is taken here; later the log grows and a receipt is kept outside.
    backup_sequence, backup_head = case.chain_seq, case.chain_head
    services.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    checkpoint, path = _receipt_file(tmp_path, case, personas)
    # Restoring the backup brings back the log and checkpoints as they were then.
    Checkpoint.objects.filter(pk=checkpoint.pk).delete()
    _cut_short(case, keep=backup_sequence)
    assert case.chain_head == backup_head
    ok, out = _verify_log()
    assert ok, out
    ok, out = _verify_log("--checkpoint", path)
    assert not ok
    assert "says the log had 4 records, but it now has only 3" in out
    assert "restored from a copy older than the checkpoint" in out


def test_a_checkpoint_under_an_unknown_key_or_altered_fails(case, personas, tmp_path) -> None:
    _three_entries(case, personas)
    _, path = _receipt_file(tmp_path, case, personas)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data["checkpoint"]["key_id"] = "0123456789abcdef"
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(data), encoding="utf-8")
    ok, out = _verify_log("--checkpoint", str(unknown))
    assert not ok
    assert "signed with key 0123456789abcdef, which is not one of this service's" in out
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data["checkpoint"]["sequence"] = 2
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(data), encoding="utf-8")
    ok, out = _verify_log("--checkpoint", str(altered))
    assert not ok
    assert "its signature does not match what it says" in out


def test_a_stored_checkpoint_under_a_key_no_longer_published_fails(
    case, personas, tmp_path, monkeypatch
) -> None:
    _three_entries(case, personas)
    services.checkpoint_issue(case=case, purpose="receipt", actor=personas.victim, request=None)
    new_file, _ = _new_key_file(tmp_path, "rotated")
    old_public = signing.current_key().public_key
    monkeypatch.delenv("DAYBOOK_SIGNING_KEY", raising=False)
    monkeypatch.setenv("DAYBOOK_SIGNING_KEY_FILE", new_file)
    ok, out = _verify_log()
    assert not ok and "which is not one of this service's published signing keys" in out
    monkeypatch.setenv("DAYBOOK_SIGNING_PREVIOUS_PUBLIC_KEYS", old_public)
    ok, out = _verify_log()
    assert ok, out


def test_a_checkpoint_of_a_log_missing_from_the_database_fails(case, personas, tmp_path) -> None:
    _three_entries(case, personas)
    checkpoint, path = _receipt_file(tmp_path, case, personas)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    reference = data["checkpoint"]["case"]
    Case.objects.filter(pk=case.pk).delete()
    ok, out = _verify_log("--checkpoint", path)
    assert not ok
    assert f"{reference}: FAILED — a checkpoint of this log was given, but the log is not" in out


def test_a_file_that_is_not_a_checkpoint_stops_the_command(tmp_path) -> None:
    path = tmp_path / "notes.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(CommandError, match="is not a checkpoint file"):
        call_command("verify_log", "--checkpoint", str(path), stdout=io.StringIO())


# --- Every head that leaves the service is a signed checkpoint ---------------------------


def _statement_on(text: str) -> tuple[dict, bytes]:
    """The signed statement and signature as a page or report prints them."""
    import html
    import re

    flat = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", text).split()))
    found = re.search(r'(\{"algorithm":"Ed25519".*?"type":"daybook-checkpoint/1"\})', flat)
    assert found, "no signed statement printed"
    statement = json.loads(found.group(1))
    signature = re.search(r"Signature \(Ed25519, base64\)\s*([A-Za-z0-9+/=]{86,88})", flat)
    assert signature, "no signature printed"
    return statement, base64.b64decode(signature.group(1))


def test_the_police_view_shows_a_signed_checkpoint_issued_once_per_head(case, personas) -> None:
    from daybook.sharing.services import share_create
    from tests.test_reports import sign_in_fresh

    _three_entries(case, personas)
    share = share_create(case=case, actor=personas.victim, police=personas.police_force)
    police = sign_in_fresh(personas.police)
    url = reverse("police:shared_log", args=[share.pk])
    statement, signature = _statement_on(police.get(url).content.decode())
    case.refresh_from_db()
    assert (statement["case"], statement["sequence"], statement["head"]) == (
        case.reference,
        3,
        case.chain_head,
    )
    assert statement["purpose"] == "police_view"
    assert checkpoints.signature_problem(statement, signature) is None
    police.get(url)
    assert Checkpoint.objects.filter(case=case, purpose="police_view").count() == 1
    services.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(occurred_on="2026-10-20"),
    )
    later, _ = _statement_on(police.get(url).content.decode())
    assert later["sequence"] == 4
    assert Checkpoint.objects.filter(case=case, purpose="police_view").count() == 2


@pytest.mark.parametrize("kind", ["chronology", "spo", "vps"])
def test_every_report_prints_the_signed_checkpoint_it_ends_at(case, personas, kind) -> None:
    from daybook.reports import services as reports
    from tests.test_reports import pdf_text

    _three_entries(case, personas)
    report = reports.report_request(case=case, actor=personas.advocate, kind=kind, profile="police")
    reports.report_build(report)
    report.refresh_from_db()
    text = pdf_text(reports.report_bytes(report, actor=personas.advocate))
    statement, signature = _statement_on(text.replace("\n", ""))
    case.refresh_from_db()
    assert (statement["sequence"], statement["head"], statement["purpose"]) == (
        3,
        case.chain_head,
        "report",
    )
    assert checkpoints.signature_problem(statement, signature) is None
    stored = Checkpoint.objects.get(case=case, purpose="report")
    assert checkpoints.statement_of(stored, case.reference) == statement
    assert signing.current_key().public_key in text.replace("\n", "")


def test_a_bundle_ends_at_a_stored_signed_checkpoint(case, personas) -> None:
    import zipfile

    from daybook.reports import services as reports

    _three_entries(case, personas)
    report = reports.report_request(
        case=case, actor=personas.advocate, kind="bundle", profile="police"
    )
    reports.report_build(report)
    report.refresh_from_db()
    archive = zipfile.ZipFile(io.BytesIO(reports.report_bytes(report, actor=personas.advocate)))
    manifest = json.loads(archive.read("manifest.json"))
    statement = manifest["checkpoint"]["checkpoint"]
    stored = Checkpoint.objects.get(case=case, purpose="bundle")
    assert checkpoints.statement_of(stored, case.reference) == statement
    assert manifest["chain_head"] == statement["head"] == case.chain_head
