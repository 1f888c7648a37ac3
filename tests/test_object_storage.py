"""Files on S3-compatible object storage: evidence, reports, uploaded exports and subject access
copies go to a bucket when the settings say so, sealed before upload, never public, read back,
verified and erased through the same code as on disk.

The bucket is served by moto's standalone server, started here (tests/s3server.py), and the
storage is configured by running Daybook's settings module with the environment an operator
would set, the keys given in files.
"""

import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from daybook import crypto
from daybook.cases.models import Case
from daybook.cases.services import case_open
from daybook.erasure.models import ErasureRequest
from daybook.erasure.services import erasure_carry_out, erasure_request
from daybook.imports import services as imports
from daybook.imports.models import ImportJob
from daybook.incidents import keys
from daybook.incidents import services as log
from daybook.incidents.evidence import check_upload
from daybook.incidents.models import Entry, Evidence
from daybook.incidents.verify import verify_case
from daybook.reports.models import Report
from daybook.reports.services import report_build, report_request, reports_purge_expired
from daybook.sharing.services import share_create
from daybook.subject_access.models import SubjectAccessRequest
from daybook.subject_access.services import (
    subject_access_build,
    subject_access_purge_expired,
    subject_access_request_by_letter,
)
from tests.conftest import Personas, entry_values
from tests.s3server import (
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    S3Server,
    running_s3_server,
    s3_environment,
    settings_storages,
    store_in_a_new_bucket,
)
from tests.test_accounts import reauthenticate, sign_in
from tests.test_reports import sign_in_fresh

# Written into what people record and upload, and looked for in every object in the bucket.
CANARY_ENTRY = "Canary-S3 entry: he waited by the blue gate on Ashby Road"
CANARY_FILE = b"Canary-S3 file: the note he left, word for word"
CANARY_CHAT = "Canary-S3 chat: I know where you park"
CANARIES = [CANARY_ENTRY.encode(), CANARY_FILE, CANARY_CHAT.encode()]
CHAT = (
    f"12/01/24, 21:05 - Sam Ex: {CANARY_CHAT}\n"
    "12/01/24, 21:06 - Sam Ex: answer me\n"
    "12/01/24, 21:10 - Me: Stop contacting me\n"
    "13/01/24, 02:14 - Sam Ex: Missed voice call\n"
).encode()
# What a plain file of each kind begins with: no object may begin so.
PLAIN_STARTS = [b"%PDF", b"PK\x03\x04", b"\x89PNG", CANARY_FILE[:16], CHAT[:16]]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with running_s3_server() as server:
        yield server


@dataclass
class Bucket:
    server: S3Server
    name: str

    def objects(self) -> dict[str, bytes]:
        return self.server.objects(self.name)


@pytest.fixture
def bucket(settings, s3_server: S3Server, tmp_path: Path) -> Bucket:
    """A new bucket, that Daybook stores its files in."""
    return Bucket(server=s3_server, name=store_in_a_new_bucket(settings, s3_server, tmp_path))


def assert_sealed(objects: dict[str, bytes]) -> None:
    """No object holds a canary or begins as a plain file would."""
    for name, data in objects.items():
        for canary in CANARIES:
            assert canary not in data, name
        assert not any(data.startswith(start) for start in PLAIN_STARTS), name


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Settings ----------------------------------------------------------------------------


def test_settings_read_the_keys_from_files_and_keep_every_object_private(
    s3_server: S3Server, tmp_path: Path
) -> None:
    default = settings_storages(s3_environment(s3_server, "daybook-evidence", tmp_path))["default"]
    options = default["OPTIONS"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["access_key"], options["secret_key"]) == (ACCESS_KEY_ID, SECRET_ACCESS_KEY)
    assert options["bucket_name"] == "daybook-evidence"
    assert options["endpoint_url"] == s3_server.endpoint_url
    assert options["default_acl"] is None and options["custom_domain"] is None
    assert options["querystring_auth"] is True and options["file_overwrite"] is False
    # Reads spool to disk past a few MiB; uploads go in parts.
    assert 0 < options["max_memory_size"] <= 16 << 20
    transfer = options["transfer_config"]
    assert transfer.multipart_chunksize * transfer.max_in_memory_upload_chunks <= 64 << 20
    assert options["object_parameters"] == {"ContentType": "application/octet-stream"}


def test_daybook_signs_its_requests_with_the_keys_in_the_files(
    settings, s3_server: S3Server, tmp_path: Path, case
) -> None:
    """Keys of an account made on the server for this test: the server records when a key was
    last used, so it shows that Daybook's requests were signed with the keys the files hold."""
    iam, user = s3_server.iam(), f"daybook-{case.uid}"
    iam.create_user(UserName=user)
    made = iam.create_access_key(UserName=user)["AccessKey"]
    bucket = s3_server.new_bucket()
    environment = s3_environment(
        s3_server,
        bucket,
        tmp_path,
        access_key_id=made["AccessKeyId"],
        secret_access_key=made["SecretAccessKey"],
    )
    settings.STORAGES = {**settings.STORAGES, "default": settings_storages(environment)["default"]}
    last_used = iam.get_access_key_last_used(AccessKeyId=made["AccessKeyId"])["AccessKeyLastUsed"]
    assert "LastUsedDate" not in last_used
    default_storage.save(f"{case.uid}/probe", ContentFile(b"sealed elsewhere"))
    last_used = iam.get_access_key_last_used(AccessKeyId=made["AccessKeyId"])["AccessKeyLastUsed"]
    assert last_used["ServiceName"] == "s3" and "LastUsedDate" in last_used
    assert list(s3_server.objects(bucket)) == [f"{case.uid}/probe"]


def test_local_files_stay_the_default() -> None:
    default = settings_storages({})["default"]
    assert default["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_wrong_storage_setting_stops_start_up_with_a_clear_message(
    s3_server: S3Server, tmp_path: Path
) -> None:
    environment = s3_environment(s3_server, "daybook-evidence", tmp_path)
    with pytest.raises(ImproperlyConfigured, match="'file' or 's3'"):
        settings_storages({**environment, "DAYBOOK_STORAGE": "ftp"})
    only_one = {k: v for k, v in environment.items() if "SECRET_ACCESS" not in k}
    with pytest.raises(ImproperlyConfigured, match="Set both"):
        settings_storages(only_one)
    without_bucket = {k: v for k, v in environment.items() if k != "DAYBOOK_S3_BUCKET"}
    with pytest.raises(ImproperlyConfigured, match="DAYBOOK_S3_BUCKET must be set"):
        settings_storages(without_bucket)
    missing_file = {**environment, "DAYBOOK_S3_SECRET_ACCESS_KEY_FILE": str(tmp_path / "none")}
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        settings_storages(missing_file)
    inline = {**environment, "DAYBOOK_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY}
    with pytest.raises(ImproperlyConfigured, match="not both"):
        settings_storages(inline)


# --- Evidence ----------------------------------------------------------------------------


def test_evidence_goes_to_the_bucket_sealed_and_comes_back_through_the_page(
    bucket: Bucket, personas: Personas, case, entry
) -> None:
    evidence = log.evidence_add(
        entry=entry,
        author=personas.victim,
        how="victim",
        checked=check_upload("note.txt", CANARY_FILE),
    )
    objects = bucket.objects()
    assert list(objects) == [keys.evidence_storage_name(case.uid, evidence.uid)]
    assert_sealed(objects)
    sealed = objects[evidence.storage_name]
    assert crypto.open_sealed(keys.case_key(case), sealed, keys.evidence_file_ad(evidence.uid)) == (
        CANARY_FILE
    )

    client = sign_in_fresh(personas.victim)
    download = client.get(reverse("incidents:evidence_download", args=[case.pk, evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download) == CANARY_FILE
    case.refresh_from_db()
    assert verify_case(case).ok


def test_verification_reads_the_files_in_the_bucket(
    bucket: Bucket, personas: Personas, case, entry
) -> None:
    evidence = log.evidence_add(
        entry=entry,
        author=personas.victim,
        how="victim",
        checked=check_upload("note.txt", CANARY_FILE),
    )
    case.refresh_from_db()
    out = io.StringIO()
    call_command("verify_log", case.reference, stdout=out)
    assert "All 1 log(s) verified." in out.getvalue()

    client = bucket.server.client()
    sealed = client.get_object(Bucket=bucket.name, Key=evidence.storage_name)["Body"].read()
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    client.put_object(Bucket=bucket.name, Key=evidence.storage_name, Body=altered)
    assert verify_case(case).problem == (
        "The evidence file added in record 2 has been altered in storage."
    )
    client.delete_object(Bucket=bucket.name, Key=evidence.storage_name)
    assert verify_case(case).problem == (
        "The evidence file added in record 2 is missing from storage."
    )


def test_the_police_download_a_shared_file_from_the_bucket(
    bucket: Bucket, personas: Personas, case, entry
) -> None:
    evidence = log.evidence_add(
        entry=entry,
        author=personas.victim,
        how="victim",
        checked=check_upload("note.txt", CANARY_FILE),
    )
    share = share_create(
        case=case, actor=personas.victim, police=personas.police_force, include_private=True
    )
    police = sign_in_fresh(personas.police)
    response = police.get(reverse("police:shared_evidence_download", args=[share.pk, evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CANARY_FILE


def test_a_large_file_is_uploaded_in_parts_and_read_back_through_a_file_on_disk(
    bucket: Bucket, case
) -> None:
    """Sealed and sent a part at a time, then read into a temporary file that has moved to
    disk: neither the file nor its sealed form is ever whole in memory."""
    size = 20 << 20
    plain = io.BytesIO(os.urandom(size))
    key, associated = keys.case_key(case), "test:large"
    name = log.store_sealed(f"{case.uid}/large", key, plain, associated)
    head = bucket.server.client().head_object(Bucket=bucket.name, Key=name)
    assert head["ContentLength"] > size
    assert head["ETag"].strip('"').endswith("-3")  # three parts of 8 MiB at most
    digest = crypto.Digest()
    with default_storage.open(name, "rb") as handle:
        crypto.open_stream(key, handle, digest, associated)
        assert handle.file._rolled  # spooled to disk, not held in memory
    assert digest.hexdigest() == hashlib.sha256(plain.getvalue()).hexdigest()


# --- Reports -----------------------------------------------------------------------------


def test_a_report_is_produced_into_the_bucket_and_downloaded(
    bucket: Bucket, personas: Personas, case, django_capture_on_commit_callbacks
) -> None:
    log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(what_happened=CANARY_ENTRY),
    )
    client = sign_in_fresh(personas.victim)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:home", args=[case.pk]), {"kind": "chronology", "profile": "police"}
        )
    report = Report.objects.get(case=case)
    assert report.status == Report.Status.DONE
    objects = bucket.objects()
    assert report.storage_name == f"reports/{case.uid}/{report.uid}"
    assert report.storage_name in objects
    assert_sealed(objects)

    download = client.get(reverse("reports:download", args=[case.pk, report.pk]))
    assert download.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(download.content)).pages)
    assert "blue gate on Ashby Road" in " ".join(text.split())
    # Once it expires, the purge deletes it from the bucket.
    Report.objects.filter(pk=report.pk).update(expires_at=report.created_at)
    assert reports_purge_expired() == 1
    assert bucket.objects() == {}


# --- Imports -----------------------------------------------------------------------------


def _configured_import(case: Case, personas: Personas) -> ImportJob:
    job = imports.import_upload(case=case, actor=personas.victim, name="chat.txt", data=CHAT)
    imports.import_configure(
        job=job,
        options={"stalkers": ["Sam Ex"], "time_zone": "Europe/London", "date_order": "dmy"},
        actor=personas.victim,
    )
    job.refresh_from_db()
    return job


def test_an_import_keeps_its_upload_in_the_bucket_and_becomes_entries(
    bucket: Bucket, personas: Personas, case
) -> None:
    job = _configured_import(case, personas)
    objects = bucket.objects()
    assert list(objects) == [f"imports/{case.uid}/{job.uid}"] == [job.storage_name]
    assert_sealed(objects)
    imports.import_run(job)
    job.refresh_from_db()
    assert (job.status, job.added) == ("done", 3)
    texts = log.current_contents(list(Entry.objects.filter(case=case)), case)
    assert CANARY_CHAT in [content["what_happened"] for content in texts.values()]
    export = Evidence.objects.get(sha256=job.sha256)  # the export itself, kept as an exhibit
    after = bucket.objects()
    assert set(after) == {job.storage_name, export.storage_name}  # no progress file left
    assert_sealed(after)
    case.refresh_from_db()
    assert verify_case(case).ok


def test_a_cancelled_import_is_told_through_a_marker_in_the_bucket(
    bucket: Bucket, personas: Personas, case, monkeypatch
) -> None:
    job = _configured_import(case, personas)
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 1)
    job.status = ImportJob.Status.RUNNING
    imports.import_cancel(job=job, actor=personas.victim)
    marker = f"imports/{case.uid}/{job.uid}.cancel"
    assert marker in bucket.objects()
    job.status = ImportJob.Status.QUEUED
    imports.import_run(job)
    job.refresh_from_db()
    assert job.status == "cancelled" and "nothing was added" in job.error
    assert not Entry.objects.filter(case=case).exists()
    assert list(bucket.objects()) == [job.storage_name]


def test_a_failed_import_leaves_no_file_of_its_own_in_the_bucket(
    bucket: Bucket, personas: Personas, case, monkeypatch
) -> None:
    job = _configured_import(case, personas)
    storage_class = type(storages["default"])
    real_entry, real_delete = log.ImportBatch.entry, storage_class.delete
    calls, deleted = {"n": 0}, []

    def fail_on_third(batch: log.ImportBatch, **kwargs: object) -> Entry:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real_entry(batch, **kwargs)

    def delete(storage: object, name: str) -> None:
        deleted.append(name)
        real_delete(storage, name)

    monkeypatch.setattr(log.ImportBatch, "entry", fail_on_third)
    monkeypatch.setattr(storage_class, "delete", delete)
    imports.import_run(job)
    job.refresh_from_db()
    assert job.status == "failed" and not Evidence.objects.filter(entry__case=case).exists()
    # The export was stored as an exhibit before the failure, and removed again.
    assert any(name.startswith(f"{case.uid}/") for name in deleted)
    assert list(bucket.objects()) == [job.storage_name]


# --- Subject access ------------------------------------------------------------------------


def test_a_persons_copy_is_kept_in_the_bucket_and_downloaded(
    bucket: Bucket, personas: Personas, case, entry, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    sign_in(client, personas.victim.email)
    reauthenticate(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subject_access:mine"))
    copy = SubjectAccessRequest.objects.get(person=personas.victim)
    assert copy.status == SubjectAccessRequest.Status.DONE
    objects = bucket.objects()
    assert list(objects) == [f"subject_access/{copy.uid}"] == [copy.storage_name]
    assert_sealed(objects)
    response = client.get(reverse("subject_access:mine_download", args=[copy.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response)))
    assert "copy.json" in archive.namelist()
    SubjectAccessRequest.objects.filter(pk=copy.pk).update(expires_at=copy.created_at)
    assert subject_access_purge_expired() == 1
    assert bucket.objects() == {}


# --- Everything about one case: sealed, private, and erased ----------------------------------


@pytest.fixture
def everything(bucket: Bucket, personas: Personas, case) -> Case:
    """A case with an entry, a file, a report, an import and a subject access copy, all in the
    bucket."""
    first = log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(what_happened=CANARY_ENTRY),
    )
    log.evidence_add(
        entry=first,
        author=personas.victim,
        how="victim",
        checked=check_upload("note.txt", CANARY_FILE),
    )
    report = report_request(case=case, actor=personas.advocate, kind="bundle", profile="police")
    report_build(report)
    imports.import_run(_configured_import(case, personas))
    copy = subject_access_request_by_letter(case=case, actor=personas.manager)
    subject_access_build(copy)
    prefixes = {name.split("/")[0] for name in bucket.objects()}
    assert prefixes == {case.uid, "reports", "imports"}, prefixes
    return case


def test_the_bucket_holds_only_ciphertext(bucket: Bucket, everything: Case) -> None:
    objects = bucket.objects()
    assert len(objects) == 5  # the file, the report, the upload, its exhibit, the copy
    assert_sealed(objects)


def test_no_object_can_be_read_without_credentials(bucket: Bucket, everything: Case) -> None:
    names = list(bucket.objects())
    assert names
    for name in names:
        assert bucket.server.anonymous_get(bucket.name, name) == 403, name
    # The control: the server does serve an object its owner made public.
    bucket.server.client().put_object(
        Bucket=bucket.name, Key="public-control", Body=b"public", ACL="public-read"
    )
    assert bucket.server.anonymous_get(bucket.name, "public-control") == 200


def test_erasing_a_case_leaves_nothing_of_it_in_the_bucket(
    bucket: Bucket, personas: Personas, everything: Case
) -> None:
    other = case_open(created_by=personas.outsider, owner=personas.outsider)
    kept = log.evidence_add(
        entry=log.entry_record(
            case=other, author=personas.outsider, how="victim", values=entry_values()
        ),
        author=personas.outsider,
        how="victim",
        checked=check_upload("other.txt", b"another person's file"),
    )
    erasure = erasure_request(
        case=everything,
        actor=personas.manager,
        reason=ErasureRequest.Reason.SERVICE,
        service_reason=ErasureRequest.ServiceReason.NO_LONGER_NEEDED,
    )
    erasure_carry_out(erasure=erasure)
    assert list(bucket.objects()) == [kept.storage_name]
