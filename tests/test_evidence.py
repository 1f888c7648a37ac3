"""Evidence files: checked, fingerprinted, sealed, served only as attachments, never replaced."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from daybook.incidents.models import ChainRecord, Evidence
from tests.conftest import Personas


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0132] = "2026:10:02 21:31:05"
    gps = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 30.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


PNG = png_bytes()


def upload(client: Client, case, entry, name: str, data: bytes, content_type: str = "image/png"):
    url = reverse("incidents:evidence_upload", args=[case.pk, entry.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type)}, follow=True)


@pytest.fixture
def victim_client(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.victim)
    return client


def test_upload_shows_hash_name_size_type_and_exif(victim_client: Client, case, entry) -> None:
    data = jpeg_with_exif()
    response = upload(victim_client, case, entry, "doorstep photo.jpg", data, "image/jpeg")
    html = response.content.decode()
    digest = hashlib.sha256(data).hexdigest()
    assert digest in html
    assert "doorstep photo.jpg" in html
    assert "image/jpeg" in html
    assert "2 October 2026 at 21:31" in html
    assert "51.5, -0.125" in html
    evidence = Evidence.objects.get()
    assert (evidence.sha256, evidence.size) == (digest, len(data))
    assert ChainRecord.objects.filter(kind="evidence", evidence=evidence).exists()


def test_download_needs_reauthentication_and_returns_the_exact_bytes_as_an_attachment(
    personas: Personas,
    case,
    entry,
) -> None:
    from tests.test_accounts import reauthenticate, sign_in

    client = Client()
    sign_in(client, personas.victim.email)
    data = jpeg_with_exif()
    upload(client, case, entry, "photo.jpg", data, "image/jpeg")
    url = reverse("incidents:evidence_download", args=[case.pk, Evidence.objects.get().pk])
    assert client.get(url)["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming  # sent from a temporary file, never whole in memory
    assert b"".join(response.streaming_content) == data  # the file itself is never altered
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_download_is_decrypted_to_disk_beyond_the_spool_size_and_an_altered_file_is_named(
    personas: Personas, case, entry, monkeypatch
) -> None:
    """A long video is never held whole in memory: past the spool size the plaintext goes to
    a temporary file the response streams from. A stored file that no longer opens gets a
    page saying so, not a server error and not a byte of it."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from daybook.incidents import services
    from tests.test_accounts import reauthenticate, sign_in

    monkeypatch.setattr(services, "SPOOL_BYTES", 64)
    client = Client()
    sign_in(client, personas.victim.email)
    reauthenticate(client)
    data = jpeg_with_exif()
    upload(client, case, entry, "photo.jpg", data, "image/jpeg")
    evidence = Evidence.objects.get()
    opened = services.evidence_opened(evidence)
    assert opened._rolled and opened.read() == data  # on disk, whole and exact
    opened.close()
    url = reverse("incidents:evidence_download", args=[case.pk, evidence.pk])
    response = client.get(url)
    assert b"".join(response.streaming_content) == data

    with default_storage.open(evidence.storage_name, "rb") as stored:
        sealed = bytearray(stored.read())
    sealed[-20] ^= 1
    default_storage.delete(evidence.storage_name)
    default_storage.save(evidence.storage_name, ContentFile(bytes(sealed)))
    response = client.get(url)
    assert response.status_code == 409
    assert "This file cannot be downloaded" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_preview_is_a_reencoded_jpeg(victim_client: Client, case, entry) -> None:
    upload(victim_client, case, entry, "shot.png", PNG)
    url = reverse("incidents:evidence_preview", args=[case.pk, Evidence.objects.get().pk])
    response = victim_client.get(url)
    assert response["Content-Type"] == "image/jpeg"
    assert response.content[:3] == b"\xff\xd8\xff"
    assert response.content != PNG


def test_pdf_has_no_preview(victim_client: Client, case, entry) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload(victim_client, case, entry, "letter.pdf", pdf, "application/pdf")
    url = reverse("incidents:evidence_preview", args=[case.pk, Evidence.objects.get().pk])
    assert victim_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.png", b"", "The file is empty"),
        (
            "page.jpg",
            b"<html><script>alert(1)</script></html>",
            "This kind of file cannot be added",
        ),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
            "This kind of file cannot be added",
        ),
        ("photo.jpg", PNG, "It may have been renamed"),
        ("program.jpg", b"MZ\x90\x00\x03" + b"\x00" * 200, "This kind of file cannot be added"),
        ("<img src=x onerror=alert(1)>.png", PNG, "not allowed"),
        # The browser-supplied name loses its hidden characters; the ending then gives it away.
        ("photo\u202egnp.exe", PNG, "It may have been renamed"),
        ("x" * 300 + ".png", PNG, "between 1 and 200 characters"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_change_nothing(
    victim_client: Client,
    case,
    entry,
    name: str,
    data: bytes,
    message: str,
) -> None:
    from django.core.files.storage import default_storage

    chain_before = ChainRecord.objects.count()
    response = upload(victim_client, case, entry, name, data)
    assert message in response.content.decode()
    assert "The file was not added" in response.content.decode()
    assert not Evidence.objects.exists()
    assert ChainRecord.objects.count() == chain_before
    folder = case.uid
    assert not default_storage.exists(folder) or default_storage.listdir(folder) == ([], [])


def test_a_path_in_the_name_is_never_used_as_a_path(victim_client: Client, case, entry) -> None:
    from daybook.incidents.services import evidence_meta

    upload(victim_client, case, entry, "../../etc/passwd.png", PNG)
    evidence = Evidence.objects.get()
    assert evidence_meta(evidence)["name"] == "passwd.png"
    assert evidence.storage_name == f"{case.uid}/{evidence.uid}"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd.png", "not allowed"),
        ("C:\\Users\\x.png", "not allowed"),
        ("photo\u202egnp.png", "hidden or control characters"),
        ("line\nbreak.png", "hidden or control characters"),
        (".htaccess", "not allowed"),
        ("", "between 1 and 200"),
    ],
)
def test_hostile_names_from_any_caller_are_refused(name: str, message: str) -> None:
    from django.core.exceptions import ValidationError

    from daybook.incidents.evidence import check_upload

    with pytest.raises(ValidationError, match=message):
        check_upload(name, PNG)


def test_oversized_upload_gets_a_clear_message(
    victim_client: Client, case, entry, settings
) -> None:
    settings.DAYBOOK_EVIDENCE_MAX_BYTES = 1000
    response = upload(victim_client, case, entry, "big.png", PNG + b"\x00" * 2000)
    assert "Files must be smaller than" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_is_withdrawn_not_deleted(victim_client: Client, case, entry) -> None:
    upload(victim_client, case, entry, "shot.png", PNG)
    evidence = Evidence.objects.get()
    url = reverse("incidents:evidence_withdraw", args=[case.pk, evidence.pk])
    response = victim_client.post(url, {"reason": "Wrong photo"}, follow=True)
    evidence.refresh_from_db()
    assert evidence.withdrawn
    assert "Wrong photo" in response.content.decode()
    assert ChainRecord.objects.filter(kind="evidence_withdrawal", evidence=evidence).exists()
    assert victim_client.post(url, {"reason": "again"}).status_code == 404


def test_a_failed_database_write_leaves_no_file_in_storage(
    case, entry, personas: Personas, monkeypatch
) -> None:
    from django.core.files.storage import default_storage

    from daybook.incidents import services
    from daybook.incidents.evidence import check_upload

    def explode(**kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_append", explode)
    with pytest.raises(RuntimeError):
        services.evidence_add(
            entry=entry, author=personas.victim, how="victim", checked=check_upload("a.png", PNG)
        )
    assert not Evidence.objects.exists()
    assert default_storage.listdir(case.uid) == ([], [])
