"""Report it: the chronology PDF, the evidence bundle and its offline verifier, the packs."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from daybook.incidents import services as log
from daybook.incidents.evidence import check_upload
from daybook.reports import bundle as bundles
from daybook.reports.chronology import Chronology, build
from daybook.reports.pdf import chronology_pdf
from daybook.reports.services import sign_chronology
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG, jpeg_with_exif

PRIVATE = "New flat is at 4 Elm Road"


def signed_build(case, *, profile: str, produced_by, purpose: str = "report") -> Chronology:
    """A chronology as a report is built: what it says, then the checkpoint it ends at."""
    chronology = build(case, profile=profile, produced_by=produced_by)
    sign_chronology(chronology, actor=produced_by, purpose=purpose)
    return chronology


@pytest.fixture
def full_log(case, personas: Personas):
    first = log.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    second = log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(
            occurred_on="2026-10-09",
            private_details="",
            what_happened="Texts all night",
            channel="text_message",
            behaviours=["contacting", "threats"],
        ),
    )
    log.entry_amend(
        entry=second,
        author=personas.victim,
        how="victim",
        changes={"occurred_time": "23:10"},
        reason="Checked my phone",
    )
    log.evidence_add(
        entry=first,
        author=personas.victim,
        how="victim",
        checked=check_upload("doorstep.jpg", jpeg_with_exif()),
    )
    log.evidence_add(
        entry=second, author=personas.victim, how="victim", checked=check_upload("texts.png", PNG)
    )
    case.refresh_from_db()
    return case


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_police_chronology_says_what_it_should(full_log, personas: Personas) -> None:
    text = pdf_text(
        chronology_pdf(signed_build(full_log, profile="police", produced_by=personas.advocate))
    )
    for expected in (
        "OFFICIAL-SENSITIVE",
        full_log.reference,
        full_log.chain_head[:32],
        "Course of conduct",
        "Contacting or attempting to contact (s.2A(3)(b))",
        "Texts all night",
        "V/1",
        "V/2",
        "doorstep.jpg",
        "Checked my phone",
        "Page 1 of",
        PRIVATE,
        "Neighbour at number 12",
        "CAD 1234",
    ):
        # A cell's text may wrap onto more lines than it did: compare with spacing made even.
        assert expected in " ".join(text.split()), expected


def test_the_disclosable_chronology_withholds_private_details_visibly(
    full_log, personas: Personas
) -> None:
    text = pdf_text(
        chronology_pdf(signed_build(full_log, profile="disclosable", produced_by=personas.advocate))
    )
    assert "Elm Road" not in text
    assert "Private details withheld" in text
    assert "Texts all night" in text


def test_the_pdf_is_tagged_for_accessibility(full_log, personas: Personas) -> None:
    reader = PdfReader(
        io.BytesIO(
            chronology_pdf(signed_build(full_log, profile="police", produced_by=personas.victim))
        )
    )
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def make_bundle(case, user, profile: str = "police") -> bytes:
    chronology = signed_build(case, profile=profile, produced_by=user, purpose="bundle")
    return bundles.build_bundle(chronology, chronology_pdf(chronology))


def verify(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        # -I -S: isolated, without site-packages, so only the standard library can be imported
        [
            sys.executable,
            "-I",
            "-S",
            str(path / "verify.py" if path.is_dir() else bundles.VERIFIER),
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def unpacked(full_log, personas: Personas, tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    zipfile.ZipFile(io.BytesIO(make_bundle(full_log, personas.advocate))).extractall(folder)
    return folder


def test_the_bundle_holds_exhibits_manifest_chain_and_verifier(
    full_log, personas: Personas, tmp_path: Path
) -> None:
    data = make_bundle(full_log, personas.advocate)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {
        "chronology.pdf",
        "exhibits/V-1.jpg",
        "exhibits/V-2.png",
        "manifest.json",
        "manifest.csv",
        "chain.jsonl",
        "verify.py",
    } <= names
    manifest = json.loads(archive.read("manifest.json"))
    import hashlib

    for item in manifest["files"]:
        assert hashlib.sha256(archive.read(item["path"])).hexdigest() == item["sha256"]
    assert archive.read("exhibits/V-1.jpg") == jpeg_with_exif()  # the original bytes
    assert manifest["chain_head"] == full_log.chain_head
    assert "V/1" in archive.read("manifest.csv").decode()
    zipped = tmp_path / "bundle.zip"
    zipped.write_bytes(data)
    assert verify(zipped).returncode == 0


def test_the_verifier_passes_an_untouched_unzipped_bundle(unpacked: Path) -> None:
    result = verify(unpacked)
    assert result.returncode == 0, result.stdout
    assert "Verified" in result.stdout


def _lines(folder: Path) -> list[str]:
    return (folder / "chain.jsonl").read_text().splitlines()


def _rewrite_chain(folder: Path, lines: list[str]) -> None:
    """Change the chain and repair the manifest's hash of it, as a careful forger would."""
    import hashlib

    data = ("\n".join(lines) + "\n").encode()
    (folder / "chain.jsonl").write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    for item in manifest["files"]:
        if item["path"] == "chain.jsonl":
            item["sha256"], item["size"] = hashlib.sha256(data).hexdigest(), len(data)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _tamper_record(folder: Path) -> None:
    lines = _lines(folder)
    record = json.loads(lines[0])
    document = json.loads(record["document"])
    document["body"]["channel"] = "email"
    record["document"] = json.dumps(document, sort_keys=True, separators=(",", ":"))
    lines[0] = json.dumps(record)
    _rewrite_chain(folder, lines)


def _tamper_opened_text(folder: Path) -> None:
    """Change what an entry says where the bundle opens it: its document (and so its hash)
    holds only a commitment, so the forger changes the opened value."""
    lines = _lines(folder)
    record = json.loads(lines[0])
    assert record["opened"]["what_happened"]["value"].startswith("He stood outside")
    record["opened"]["what_happened"]["value"] = "He walked past"
    lines[0] = json.dumps(record)
    _rewrite_chain(folder, lines)


TAMPERING = {
    "an exhibit's bytes": (
        lambda f: (f / "exhibits/V-1.jpg").write_bytes(b"\xff\xd8\xffchanged"),
        "ALTERED: exhibits/V-1.jpg",
    ),
    "a missing exhibit": (lambda f: (f / "exhibits/V-2.png").unlink(), "MISSING: exhibits/V-2.png"),
    "an extra file": (
        lambda f: (f / "exhibits/V-3.png").write_bytes(PNG),
        "EXTRA: exhibits/V-3.png",
    ),
    "the chronology": (
        lambda f: (f / "chronology.pdf").write_bytes(b"%PDF-1.7 forged"),
        "ALTERED: chronology.pdf",
    ),
    "a chain record's content": (_tamper_record, "ALTERED: chain record 1 does not match its hash"),
    "what a chain record says": (
        _tamper_opened_text,
        "ALTERED: the what_happened given for chain record 1 is not what the record committed to",
    ),
    "a removed chain record": (
        lambda f: _rewrite_chain(f, _lines(f)[1:]),
        "chain record 1 is not where it should be",
    ),
    "reordered chain records": (
        lambda f: _rewrite_chain(f, [_lines(f)[1], _lines(f)[0], *_lines(f)[2:]]),
        "chain record 1 is not where it should be",
    ),
    "a dropped last record": (lambda f: _rewrite_chain(f, _lines(f)[:-1]), "not the chain head"),
    "an unlisted manifest change": (
        lambda f: (f / "chain.jsonl").write_text("{}\n"),
        "ALTERED: chain.jsonl",
    ),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_the_verifier_names_each_kind_of_tampering(unpacked: Path, kind: str) -> None:
    tamper, message = TAMPERING[kind]
    tamper(unpacked)
    result = verify(unpacked)
    assert result.returncode == 1
    assert message in result.stdout, result.stdout


def test_the_disclosable_bundle_withholds_private_records_but_stays_verifiable(
    full_log, personas: Personas, tmp_path: Path
) -> None:
    data = make_bundle(full_log, personas.advocate, profile="disclosable")
    archive = zipfile.ZipFile(io.BytesIO(data))
    chain = archive.read("chain.jsonl")
    assert b"Elm Road" not in chain
    first = json.loads(chain.splitlines()[0])
    assert "private_details" in first["withheld_fields"]
    assert "private_details" not in first["opened"]
    assert first["opened"]["what_happened"]["value"].startswith("He stood outside")
    path = tmp_path / "b.zip"
    path.write_bytes(data)
    assert verify(path).returncode == 0


# --- Producing, sharing, and the packs through the pages --------------------------------


def sign_in_fresh(user) -> Client:
    from tests.test_accounts import reauthenticate, sign_in, sign_in_with_mfa

    client = Client()
    if user.is_staff_member:
        sign_in_with_mfa(client, user)
    else:
        sign_in(client, user.email)
    reauthenticate(client)
    return client


def test_producing_a_report_needs_reauthentication_and_runs_in_the_background(
    full_log,
    personas: Personas,
    django_capture_on_commit_callbacks,
) -> None:
    from tests.test_accounts import sign_in

    stale = Client()
    sign_in(stale, personas.victim.email)
    url = reverse("reports:home", args=[full_log.pk])
    assert "What each version contains" in stale.get(url).content.decode()
    response = stale.post(url, {"kind": "bundle", "profile": "police"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client = sign_in_fresh(personas.victim)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "bundle", "profile": "police"})
    report = full_log.reports.get()
    assert response["Location"] == reverse("reports:status", args=[full_log.pk, report.pk])
    page = client.get(response["Location"]).content.decode()
    assert "100% done" in page and "Ready" in page
    download = client.get(reverse("reports:download", args=[full_log.pk, report.pk]))
    assert download["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(download.content)).read("chain.jsonl")
    from daybook.audit.models import Action, AuditEvent

    assert AuditEvent.objects.filter(
        action=Action.REPORT_DOWNLOADED, actor=personas.victim
    ).exists()


def test_a_running_report_page_refreshes_itself_and_expired_files_are_gone(
    full_log, personas: Personas
) -> None:
    import datetime as dt

    from daybook.reports.models import Report
    from daybook.reports.services import report_build, reports_purge_expired

    report = Report.objects.create(
        case=full_log,
        kind="chronology",
        profile="police",
        requested_by=personas.victim,
        expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )
    client = sign_in_fresh(personas.victim)
    assert (
        'http-equiv="refresh"'
        in client.get(reverse("reports:status", args=[full_log.pk, report.pk])).content.decode()
    )
    report_build(report)
    response = client.get(reverse("reports:download", args=[full_log.pk, report.pk]))
    assert response.status_code == 410
    assert reports_purge_expired() == 1


def test_police_see_only_what_is_shared_and_lose_it_on_revocation(
    full_log,
    personas: Personas,
    django_capture_on_commit_callbacks,
) -> None:
    owner = sign_in_fresh(personas.victim)
    first = full_log.entries.order_by("occurred_at").first()
    owner.post(
        reverse("sharing:case", args=[full_log.pk]),
        {"police": personas.police_force.pk, "entries": [first.pk]},
    )
    share = full_log.shares.get()
    police = sign_in_fresh(personas.police)
    assert full_log.reference in police.get(reverse("police:shared_list")).content.decode()
    page = police.get(reverse("police:shared_log", args=[share.pk])).content.decode()
    assert "He stood outside" in page and "Texts all night" not in page
    with django_capture_on_commit_callbacks(execute=True):
        police.post(reverse("police:shared_log", args=[share.pk]), {"kind": "chronology"})
    report = share.reports.get()
    text = pdf_text(
        police.get(reverse("police:shared_report_download", args=[share.pk, report.pk])).content
    )
    assert "He stood outside" in text and "Texts all night" not in text
    seen = owner.get(reverse("sharing:case", args=[full_log.pk])).content.decode()
    assert "Shared log viewed by the police" in seen and "Report downloaded" in seen
    owner.post(reverse("sharing:revoke", args=[full_log.pk, share.pk]))
    assert police.get(reverse("police:shared_log", args=[share.pk])).status_code == 404
    assert (
        police.get(reverse("police:shared_report_download", args=[share.pk, report.pk])).status_code
        == 404
    )
    other_force = personas.police_force.__class__.objects.create(
        name="Southshire Police", kind="police_force"
    )
    from tests.conftest import make_user

    outsider_officer = make_user("dc2@example.org", "police_liaison", other_force, mfa=True)
    client = Client()
    client.force_login(outsider_officer)
    assert client.get(reverse("police:shared_log", args=[share.pk])).status_code == 404


def test_an_advocate_shares_only_with_recorded_consent(full_log, personas: Personas) -> None:
    from daybook.cases.services import consent_record

    advocate = sign_in_fresh(personas.advocate)
    url = reverse("sharing:case", args=[full_log.pk])
    assert (
        "needs the person"
        in advocate.post(url, {"police": personas.police_force.pk}).content.decode()
    )
    assert not full_log.shares.exists()
    consent_record(case=full_log, actor=personas.advocate, purpose="police", how="verbal")
    assert advocate.post(url, {"police": personas.police_force.pk}).status_code == 302
    assert full_log.shares.exists()


def test_the_spo_pack_maps_the_log_to_the_three_tests(full_log, personas: Personas) -> None:
    from daybook.reports.packs import spo_pdf

    chronology = build(full_log, profile="police", produced_by=personas.advocate)
    text = pdf_text(
        spo_pdf(
            chronology,
            {
                "necessity": "Contact continues despite warnings.",
                "prohibitions": ["Not to enter Elm Street."],
            },
        )
    )
    for expected in (
        "1. Acts associated with stalking",
        "2. Risk associated with stalking",
        "3. Necessity",
        "Contact continues despite warnings.",
        "Not to enter Elm Street.",
        "Texts all night",
    ):
        assert expected in text


def test_the_vps_draft_is_marked_disclosable_and_holds_no_private_detail(
    full_log,
    personas: Personas,
    django_capture_on_commit_callbacks,
) -> None:
    client = sign_in_fresh(personas.victim)
    url = reverse("reports:vps", args=[full_log.pk])
    assert "Your log has 2 incidents" in client.get(url).content.decode()
    assert "Write about at least one area" in client.post(url, {}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"emotional": "I cannot sleep.", "safety": "I changed my route."})
    report = full_log.reports.get()
    assert report.profile == "disclosable"
    text = pdf_text(client.get(reverse("reports:download", args=[full_log.pk, report.pk])).content)
    assert "disclosed to the defence" in text and "I cannot sleep." in text
    assert "Elm Road" not in text


def test_staff_who_produce_a_report_are_named_with_their_organisation_never_their_address(
    personas,
    case,
) -> None:
    from daybook.reports.chronology import producer_label

    personas.advocate.name = "Jo Bloggs"
    assert producer_label(personas.advocate) == "Jo Bloggs, Northshire Stalking Service"
    personas.advocate.name = ""
    assert producer_label(personas.advocate) == "Advocate, Northshire Stalking Service"
    assert "@" not in producer_label(personas.police)
