"""Signed checkpoints: the service's signing key, its published public keys, and checkpoints
of a case's log that show when records have been removed or an older copy restored."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.test import Client
from django.urls import reverse

from daybook.audit.models import Action, AuditEvent
from daybook.incidents import services, signing
from daybook.incidents.chain import canonical_json
from daybook.incidents.models import Checkpoint
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
