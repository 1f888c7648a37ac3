"""Evidence bundles prove themselves, and withheld means withheld in every version.

The disclosable bundle goes to the defence: nothing the person marks to keep private now may
be in it, in any version of any entry, nor a photo's location or a withdrawn file's name;
its chain still checks. Every bundle's manifest is signed, lists every evidence record, the
chronology's hash and the checkpoint it ends at, and verify.py (standard library only)
fails on each manipulation below."""

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PIL import Image

from daybook.incidents import services as log
from daybook.incidents import signing
from daybook.incidents.evidence import check_upload
from daybook.reports.bundle_verifier import canonical_json
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG, jpeg_with_exif
from tests.test_reports import make_bundle, pdf_text, verify

MOVED = "I am staying with my sister at weekends"
WITHDRAWN_NAME = "lease for my new flat.png"


@pytest.fixture
def moved_log(case, personas: Personas):
    """A sentence first written in "what happened", then moved into the details to keep
    private by an amendment; a photo with a GPS position; a file added by mistake and
    withdrawn."""
    entry = log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(what_happened=f"He followed me to the station. {MOVED}."),
    )
    log.entry_amend(
        entry=entry,
        author=personas.victim,
        how="victim",
        changes={"what_happened": "He followed me to the station.", "private_details": MOVED},
        reason="Moved where I stay into the private details",
    )
    log.evidence_add(
        entry=entry,
        author=personas.victim,
        how="victim",
        checked=check_upload("station.jpg", jpeg_with_exif()),
    )
    mistake = log.evidence_add(
        entry=entry, author=personas.victim, how="victim", checked=check_upload(WITHDRAWN_NAME, PNG)
    )
    log.evidence_withdraw(
        evidence=mistake, author=personas.victim, how="victim", reason="Added by mistake"
    )
    case.refresh_from_db()
    return case


def texts(data: bytes) -> dict[str, str]:
    """Every file of a bundle as text, the PDF as its reader extracts it."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    found = {}
    for name in archive.namelist():
        raw = archive.read(name)
        found[name] = pdf_text(raw) if name.endswith(".pdf") else raw.decode("utf-8", "replace")
    return found


def test_text_moved_into_the_private_details_is_in_no_version_of_the_disclosable_bundle(
    moved_log, personas: Personas, tmp_path: Path
) -> None:
    data = make_bundle(moved_log, personas.advocate, "disclosable")
    for name, text in texts(data).items():
        assert MOVED not in " ".join(text.split()), name
    chain = [json.loads(line) for line in texts(data)["chain.jsonl"].splitlines()]
    assert chain[0]["withheld_fields"] == ["private_details", "what_happened"]
    assert chain[1]["withheld_fields"] == ["changes.private_details"]
    # The current wording is opened, so the defence reads it and checks it is the recorded one.
    assert chain[1]["opened"]["changes.what_happened"]["value"] == "He followed me to the station."
    (tmp_path / "b.zip").write_bytes(data)
    assert verify(tmp_path / "b.zip").returncode == 0


def test_the_police_version_keeps_the_moved_text_and_marks_it(
    moved_log, personas: Personas
) -> None:
    chain = [
        json.loads(line)
        for line in texts(make_bundle(moved_log, personas.advocate))["chain.jsonl"].splitlines()
    ]
    assert MOVED in chain[0]["opened"]["what_happened"]["value"]
    assert chain[1]["not_for_disclosure"] == ["changes.private_details"]


def test_disclosable_exhibits_are_copies_without_location_linked_to_the_original(
    moved_log, personas: Personas
) -> None:
    archive = zipfile.ZipFile(io.BytesIO(make_bundle(moved_log, personas.advocate, "disclosable")))
    manifest = json.loads(archive.read("manifest.json"))
    [photo] = [item for item in manifest["files"] if item.get("exhibit")]
    copy = archive.read(photo["path"])
    assert photo["original_sha256"] == hashlib.sha256(jpeg_with_exif()).hexdigest()
    assert photo["sha256"] == hashlib.sha256(copy).hexdigest() != photo["original_sha256"]
    assert not Image.open(io.BytesIO(copy)).getexif().get_ifd(0x8825)  # no GPS
    original = Image.open(io.BytesIO(jpeg_with_exif()))
    assert original.getexif().get_ifd(0x8825)  # the original had one
    assert Image.open(io.BytesIO(copy)).tobytes() == original.tobytes()
    chain = archive.read("chain.jsonl").decode()
    assert '"exif"' not in "".join(
        json.dumps(json.loads(line).get("opened", {})) for line in chain.splitlines()
    )


def test_the_police_version_holds_the_original_photo(moved_log, personas: Personas) -> None:
    archive = zipfile.ZipFile(io.BytesIO(make_bundle(moved_log, personas.advocate)))
    manifest = json.loads(archive.read("manifest.json"))
    [photo] = [item for item in manifest["files"] if item.get("exhibit")]
    assert archive.read(photo["path"]) == jpeg_with_exif()


@pytest.mark.parametrize("profile", ["disclosable", "police"])
def test_a_withdrawn_files_name_is_in_no_bundle(
    moved_log, personas: Personas, profile: str
) -> None:
    data = make_bundle(moved_log, personas.advocate, profile)
    for name, text in texts(data).items():
        assert "lease for my new flat" not in text, name
    manifest = json.loads(texts(data)["manifest.json"])
    assert [item["file"] for item in manifest["evidence_records"]] == [
        "exhibit V/1 (exhibits/V-1.jpg)",
        "withdrawn by the person: not an exhibit",
    ]


# --- Manipulations: each must fail verify.py --------------------------------------------


@pytest.fixture
def unpacked(moved_log, personas: Personas, tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    zipfile.ZipFile(io.BytesIO(make_bundle(moved_log, personas.advocate))).extractall(folder)
    assert verify(folder).returncode == 0
    return folder


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def write_manifest(
    folder: Path, manifest: dict, *, resign: Ed25519PrivateKey | None = None
) -> None:
    """Write a changed manifest back, re-signing it with `resign` as a forger would (they do
    not have the service's key, so they use their own)."""
    if resign is not None:
        public = resign.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        unsigned = {name: value for name, value in manifest.items() if name != "signature"}
        manifest["signature"] = {
            "algorithm": "Ed25519",
            "key_id": hashlib.sha256(public).hexdigest()[:16],
            "public_key": base64.b64encode(public).decode(),
            "value": base64.b64encode(resign.sign(canonical_json(unsigned))).decode(),
        }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def fix_file(manifest: dict, path: str, data: bytes) -> None:
    for item in manifest["files"]:
        if item["path"] == path:
            item["sha256"], item["size"] = hashlib.sha256(data).hexdigest(), len(data)


def failed(folder: Path) -> str:
    result = verify(folder)
    assert result.returncode == 1, result.stdout
    return result.stdout


def test_the_verifier_prints_the_services_key_id(unpacked: Path) -> None:
    out = verify(unpacked).stdout
    assert f"Signed with key {signing.current_key().key_id}." in out


def test_dropping_an_exhibit_with_its_manifest_row_fails(unpacked: Path) -> None:
    manifest = manifest_of(unpacked)
    [exhibit] = [item for item in manifest["files"] if item.get("exhibit")]
    (unpacked / exhibit["path"]).unlink()
    manifest["files"].remove(exhibit)
    write_manifest(unpacked, manifest)
    out = failed(unpacked)
    assert "ALTERED: manifest.json does not match its signature" in out
    assert (
        f"MISSING: the file chain record {exhibit['record']} added is neither an exhibit in "
        "this bundle nor listed as left out." in out
    )


def test_dropping_an_exhibit_and_re_signing_with_another_key_still_fails(
    unpacked: Path,
) -> None:
    manifest = manifest_of(unpacked)
    [exhibit] = [item for item in manifest["files"] if item.get("exhibit")]
    (unpacked / exhibit["path"]).unlink()
    manifest["files"].remove(exhibit)
    write_manifest(unpacked, manifest, resign=Ed25519PrivateKey.generate())
    out = failed(unpacked)
    assert "neither an exhibit in this bundle nor listed as left out" in out
    assert f"Signed with key {signing.current_key().key_id}" not in out


def test_an_exhibit_pointed_at_no_record_fails(unpacked: Path) -> None:
    manifest = manifest_of(unpacked)
    [exhibit] = [item for item in manifest["files"] if item.get("exhibit")]
    exhibit["record"] = 99
    write_manifest(unpacked, manifest)
    out = failed(unpacked)
    assert (
        f"ALTERED: exhibit {exhibit['path']} names chain record 99, which added no file given "
        "in this bundle." in out
    )


def test_replacing_the_chronology_and_fixing_the_manifest_fails(unpacked: Path) -> None:
    forged = b"%PDF-1.7 a different chronology"
    (unpacked / "chronology.pdf").write_bytes(forged)
    manifest = manifest_of(unpacked)
    fix_file(manifest, "chronology.pdf", forged)
    manifest["chronology"]["sha256"] = hashlib.sha256(forged).hexdigest()
    write_manifest(unpacked, manifest)
    out = failed(unpacked)
    assert "ALTERED: manifest.json does not match its signature" in out
    assert "ALTERED: chronology.pdf" not in out  # the manifest's hash was fixed, as a forger would


def test_replacing_the_chronology_without_fixing_its_signed_hash_fails(unpacked: Path) -> None:
    forged = b"%PDF-1.7 a different chronology"
    (unpacked / "chronology.pdf").write_bytes(forged)
    manifest = manifest_of(unpacked)
    fix_file(manifest, "chronology.pdf", forged)
    write_manifest(unpacked, manifest, resign=Ed25519PrivateKey.generate())
    assert "ALTERED: the chronology is not the one the signed manifest names." in failed(unpacked)


def rehash(lines: list[str], change) -> list[str]:
    """Change a record's document and recompute every hash and link after it: a chain that
    is whole again, but not the one the service signed."""
    records = [json.loads(line) for line in lines]
    prev = "0" * 64
    for number, record in enumerate(records):
        record["prev"] = prev
        if "document" in record:
            document = json.loads(record["document"])
            document["prev"] = prev
            if number == 0:
                change(document)
            record["document"] = json.dumps(document, sort_keys=True, separators=(",", ":"))
            record["hash"] = hashlib.sha256(record["document"].encode()).hexdigest()
        prev = record["hash"]
    return [json.dumps(record, sort_keys=True) for record in records]


def test_a_re_hashed_chain_fails(unpacked: Path) -> None:
    lines = (unpacked / "chain.jsonl").read_text().splitlines()
    forged = rehash(lines, lambda document: document["body"].update(channel="email"))
    data = ("\n".join(forged) + "\n").encode()
    (unpacked / "chain.jsonl").write_bytes(data)
    manifest = manifest_of(unpacked)
    fix_file(manifest, "chain.jsonl", data)
    manifest["chain_head"] = json.loads(forged[-1])["hash"]
    write_manifest(unpacked, manifest, resign=Ed25519PrivateKey.generate())
    out = failed(unpacked)
    assert "ALTERED: the checkpoint is not of the chain this manifest names." in out
    assert f"Signed with key {signing.current_key().key_id}" not in out


def test_a_re_hashed_chain_under_the_old_manifest_fails(unpacked: Path) -> None:
    lines = (unpacked / "chain.jsonl").read_text().splitlines()
    forged = rehash(lines, lambda document: document["body"].update(channel="email"))
    (unpacked / "chain.jsonl").write_text("\n".join(forged) + "\n")
    out = failed(unpacked)
    assert "ALTERED: chain.jsonl does not match its SHA-256 in the manifest." in out
    assert "ALTERED: the last chain record is not the chain head the manifest names." in out


def test_an_unsigned_manifest_fails(unpacked: Path) -> None:
    manifest = manifest_of(unpacked)
    del manifest["signature"]
    write_manifest(unpacked, manifest)
    assert "UNSIGNED: manifest.json carries no signature" in failed(unpacked)


def test_a_manifest_whose_evidence_list_was_edited_fails(unpacked: Path) -> None:
    manifest = manifest_of(unpacked)
    manifest["evidence_records"].pop()
    write_manifest(unpacked, manifest, resign=Ed25519PrivateKey.generate())
    assert (
        "ALTERED: the evidence records the signed manifest lists are not those in the chain."
        in (failed(unpacked))
    )
