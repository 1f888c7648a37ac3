"""Encryption at rest: nothing a person wrote or uploaded is readable in the database or storage."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from daybook import crypto
from daybook.audit.models import Action, AuditEvent
from daybook.cases.services import case_erase, case_label, case_open
from daybook.incidents import keys, services
from daybook.incidents.evidence import check_upload
from daybook.incidents.models import ChainRecord
from daybook.incidents.verify import verify_case
from tests.conftest import Personas, entry_values, outsider_read

MARKER = "Zebra-Quokka-4471"


def every_stored_value() -> str:
    """Every value of every row of every table, as text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (table names from the schema)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("latin-1"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


def storage_bytes() -> bytes:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return b"".join(path.read_bytes() for path in root.rglob("*") if path.is_file())


@pytest.mark.django_db(transaction=True)
def test_no_known_plaintext_in_the_database_or_storage(personas: Personas, case) -> None:
    values = entry_values(
        what_happened=f"{MARKER} what",
        place=f"{MARKER} place",
        witnesses=f"{MARKER} witness",
        description=f"{MARKER} description",
        feelings=f"{MARKER} feelings",
        private_details=f"{MARKER} private",
        police_officer=f"{MARKER} officer",
    )
    entry = services.entry_record(case=case, author=personas.victim, how="victim", values=values)
    entry = services.entry_amend(
        entry=entry,
        author=personas.victim,
        how="victim",
        changes={"what_happened": f"{MARKER} amended"},
        reason=f"{MARKER} reason",
    )
    file_bytes = b"%PDF-1.4\n" + MARKER.encode() + b"\n%%EOF\n"
    services.evidence_add(
        entry=entry,
        author=personas.victim,
        how="victim",
        checked=check_upload(f"{MARKER}.pdf", file_bytes),
    )
    labelled = case_open(created_by=personas.advocate, service=personas.service, label=MARKER)
    assert case_label(labelled) == MARKER

    assert MARKER not in every_stored_value()
    assert MARKER.encode() not in storage_bytes()
    if connection.vendor == "sqlite":
        database = Path(connection.settings_dict["NAME"])
        for path in (database, Path(f"{database}-wal")):
            if path.exists():
                assert MARKER.encode() not in outsider_read(path)
    # ...and it all reads back for the people allowed to see it.
    assert services.entry_content_of(entry)["what_happened"] == f"{MARKER} amended"
    assert services.evidence_bytes(entry.evidence.get()) == file_bytes


def test_a_sealed_field_cannot_be_moved_to_another_record(personas: Personas, case) -> None:
    for _ in range(2):
        services.entry_record(
            case=case, author=personas.victim, how="victim", values=entry_values()
        )
    first, second = ChainRecord.objects.filter(case=case).order_by("seq")
    with pytest.raises(crypto.DecryptionError):
        keys.open_json(keys.case_key(case), first.body_sealed, keys.chain_body_ad(second.rid))


def test_each_case_has_its_own_key(personas: Personas, case) -> None:
    other = case_open(created_by=personas.outsider, owner=personas.outsider)
    assert keys.case_key(case) != keys.case_key(other)
    assert bytes(case.wrapped_key) != keys.case_key(case)


def test_rotating_the_master_key_rewraps_case_keys(
    personas: Personas, case, tmp_path, monkeypatch
) -> None:
    entry = services.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values()
    )
    data_key = keys.case_key(case)
    new_file = tmp_path / "new_master_key"
    import base64
    import secrets

    new_file.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    call_command("rotate_master_key", str(new_file))
    case.refresh_from_db()
    assert case.key_id == crypto.key_id(crypto.decode_key(new_file.read_text()))
    # The old master key no longer opens the case key; the new one does, and the data is intact.
    with pytest.raises(crypto.DecryptionError):
        keys.case_key(case)
    monkeypatch.delenv("DAYBOOK_MASTER_KEY", raising=False)
    monkeypatch.setenv("DAYBOOK_MASTER_KEY_FILE", str(new_file))
    crypto.master_key.cache_clear()
    try:
        assert keys.case_key(case) == data_key
        assert services.entry_content_of(entry)["what_happened"].startswith("He stood")
        assert verify_case(case).ok
    finally:
        crypto.master_key.cache_clear()
    assert AuditEvent.objects.filter(action=Action.KEYS_ROTATED).exists()


def test_erasing_a_case_destroys_its_key_and_is_audited(personas: Personas, case) -> None:
    entry = services.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values()
    )
    sealed = bytes(ChainRecord.objects.get(entry=entry).body_sealed)
    case_erase(case=case, actor=personas.victim)
    case.refresh_from_db()
    assert case.wrapped_key is None
    with pytest.raises(keys.CaseErased):
        keys.case_key(case)
    assert AuditEvent.objects.filter(action=Action.CASE_ERASED, subject_id=str(case.pk)).exists()
    client = Client()
    client.force_login(personas.victim)
    assert client.get(reverse("incidents:log", args=[case.pk])).status_code == 404
    # The ciphertext may remain in backups, but no key exists that opens it.
    assert sealed == bytes(ChainRecord.objects.get(entry=entry).body_sealed)
    assert default_storage is not None


def test_a_random_block_hands_out_each_byte_once() -> None:
    """An import's ids and nonces come from one block of system randomness at a time: none
    is handed out twice, across block boundaries too, and a request larger than a block gets
    fresh bytes of its own."""
    block = crypto.RandomBlock(size=64)
    taken = [block.take(12) for _ in range(40)]  # 480 bytes: several blocks
    assert all(len(part) == 12 for part in taken)
    assert len(set(taken)) == len(taken)
    uids = [block.uid() for _ in range(100)]
    assert len(set(uids)) == 100 and all(len(uid) == 32 and int(uid, 16) >= 0 for uid in uids)
    assert len(block.take(1000)) == 1000


def test_a_sealer_opens_as_seal_does(personas: Personas, case) -> None:
    """`sealer` (one cipher for many records, nonces from a random block) writes what
    `open_sealed` opens, each under its own nonce."""
    key = keys.case_key(case)
    seal = crypto.sealer(key, crypto.RandomBlock().take)
    sealed = [seal(b"the same words", "chain:one") for _ in range(3)]
    assert len({item[1 : 1 + crypto.NONCE_BYTES] for item in sealed}) == 3
    assert all(crypto.open_sealed(key, item, "chain:one") == b"the same words" for item in sealed)
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(key, sealed[0], "chain:two")
