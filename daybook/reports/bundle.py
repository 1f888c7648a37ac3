"""The evidence bundle: the chronology, the exhibits, the chain records, a signed manifest and
a standalone verifier.

The manifest lists every file with its SHA-256, every evidence record of the chain in the
bundle's range with its exhibit, the chronology's hash and the signed checkpoint the bundle
ends at; it is itself signed with the service's Ed25519 key. So `verify.py`, with nothing
but Python's standard library, can tell a bundle that left the service from one altered
since: a file replaced and its hash fixed in the manifest, an exhibit dropped with its row,
a chain re-hashed to a new head, all break the signature or a cross-check.

In the disclosable version, chain records carry their free text as salted commitments and
open only what may reach the defence (chronology.discloses); exhibits are copies with their
location and device details removed, each naming the original's SHA-256; a file that cannot
be cleaned is left out and listed as such. Withdrawn files' names never appear.
"""

import base64
import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from daybook import crypto
from daybook.incidents import keys, signing
from daybook.incidents.chain import (
    LEGACY_VERSION,
    canonical_json,
    committed_body,
    committed_paths,
    document_bytes,
    openings,
    record_header,
    record_secret,
)
from daybook.incidents.checkpoints import WELL_KNOWN_PATH
from daybook.incidents.content import PRIVATE_FIELDS, PRIVATE_MARK
from daybook.incidents.derivatives import clean_copy
from daybook.incidents.models import ChainRecord
from daybook.incidents.services import evidence_bytes, iso_instant
from daybook.reports.chronology import DISCLOSABLE, Chronology, discloses
from daybook.reports.redaction import Redactor

VERIFIER = Path(__file__).with_name("bundle_verifier.py")
MANIFEST_TYPE = "daybook-bundle/2"
LEFT_OUT = (
    "Its location and device details could not be removed from a file of this kind, so it is "
    "left out of the disclosable version; it is in the police version."
)


def chain_lines(chronology: Chronology, key: bytes, last: int) -> tuple[list[str], int]:
    """One JSON line per chain record up to record `last`, and how many are withheld whole.

    A record about an entry outside the chronology keeps only its links and hash. Any other
    record gives its document (free text as commitments) with the fields this profile may
    show opened; a version 1 record, which has no commitments, is given whole only if all of
    it may be shown."""
    # What each entry says now, as this profile shows it (private details marked withheld).
    contents = {row.entry.pk: row.content for row in chronology.rows}
    withdrawn_files = set(
        ChainRecord.objects.filter(
            case=chronology.case, kind=ChainRecord.Kind.EVIDENCE_WITHDRAWAL, seq__lte=last
        ).values_list("evidence_uid", flat=True)
    )
    case = chronology.case
    lines, withheld = [], 0
    open_sealed = crypto.opener(key)
    records = ChainRecord.objects.filter(case=case, seq__lte=last).order_by("seq")
    for record in records.iterator(chunk_size=1000):
        line: dict[str, Any] = {
            "seq": record.seq,
            "prev": record.prev_hash,
            "hash": record.hash,
            "kind": record.kind,
        }
        if record.entry_id not in contents:
            line["withheld"] = True
            withheld += 1
            lines.append(json.dumps(line, ensure_ascii=False, sort_keys=True))
            continue
        body_bytes = open_sealed(bytes(record.body_sealed), keys.chain_body_ad(record.rid))
        body = json.loads(body_bytes)
        shown, hidden = _fields_shown(
            body,
            contents[record.entry_id],
            disclosable=chronology.profile == DISCLOSABLE,
            withdrawn_file=record.evidence_uid in withdrawn_files,
            redactor=chronology.redactor,
        )
        header = record_header(
            case_uid=case.uid,
            seq=record.seq,
            prev=record.prev_hash,
            rid=record.rid,
            kind=record.kind,
            entry_uid=record.entry_uid,
            evidence_uid=record.evidence_uid,
            recorded_at=iso_instant(record.recorded_at),
            recorded_by=record.recorded_by_id,
            recorded_how=record.recorded_how,
            version=record.version,
        )
        if record.version == LEGACY_VERSION:
            if hidden:
                line["withheld"] = True
                withheld += 1
            else:
                line["document"] = document_bytes(header, body_bytes).decode("utf-8")
        else:
            secret = record_secret(key, record.rid)
            hashed = canonical_json(committed_body(body, secret))
            line["document"] = document_bytes(header, hashed).decode("utf-8")
            line["opened"] = openings(body, secret, shown)
            if hidden:
                line["withheld_fields"] = sorted(hidden)
            private = sorted(path for path in shown if _field(path) in PRIVATE_FIELDS)
            if private:
                line["not_for_disclosure"] = private
        lines.append(json.dumps(line, ensure_ascii=False, sort_keys=True))
    return lines, withheld


def _field(path: str) -> str:
    return path.removeprefix("changes.")


def _fields_shown(
    body: dict[str, Any],
    current: dict[str, Any],
    *,
    disclosable: bool,
    withdrawn_file: bool,
    redactor: Redactor | None = None,
) -> tuple[set[str], set[str]]:
    """The committed fields of a record this bundle opens, and those it withholds: in a
    disclosable bundle, a field that mentions any of the case's replaced words stays a
    commitment (opening it would show the words; the chronology shows the replaced text)."""
    shown, hidden = set(), set()
    for path, value in committed_paths(body):
        field = _field(path)
        if (withdrawn_file and field == "name") or (
            disclosable
            and (not discloses(field, value, current) or (redactor and redactor.mentions(value)))
        ):
            hidden.add(path)
        else:
            shown.add(path)
    return shown, hidden


def build_bundle(
    chronology: Chronology, pdf: bytes, *, progress: Callable[[int], None] = lambda _n: None
) -> bytes:
    """The bundle's ZIP, ending at the chronology's checkpoint."""
    checkpoint = chronology.checkpoint
    if checkpoint is None:
        raise ValueError("A bundle ends at a signed checkpoint: issue one first.")
    key = keys.case_key(chronology.case)
    disclosable = chronology.profile == DISCLOSABLE
    files: list[tuple[str, bytes, dict[str, Any]]] = [("chronology.pdf", pdf, {})]
    exhibits, left_out = [], []
    for number, exhibit in enumerate(chronology.exhibits, start=1):
        original = evidence_bytes(exhibit.evidence, key)
        row: dict[str, Any] = {
            "exhibit": exhibit.reference,
            "record": exhibit.record,
            "original_sha256": exhibit.evidence.sha256,
        }
        data = clean_copy(original, exhibit.evidence.content_type) if disclosable else original
        if data is None:
            left_out.append({**row, "left_out": LEFT_OUT})
        else:
            path = f"exhibits/{exhibit.filename}"
            copy = {"copy": "location and device details removed"} if disclosable else {}
            files.append((path, data, {**row, "original_name": exhibit.name, **copy}))
            exhibits.append({**row, "path": path})
        progress(int(80 * number / max(len(chronology.exhibits), 1)))
    sequence = int(checkpoint.statement["sequence"])
    lines, withheld = chain_lines(chronology, key, sequence)
    files.append(("chain.jsonl", ("\n".join(lines) + "\n").encode(), {}))
    files.append(("README.txt", readme(chronology, withheld, left_out).encode("utf-8"), {}))
    files.append(("verify.py", VERIFIER.read_bytes(), {}))
    entries = [_entry(path, data, meta) for path, data, meta in files]
    files.append(("manifest.csv", _manifest_csv(entries), {}))
    entries.append(_entry("manifest.csv", files[-1][1], {}))
    manifest = {
        "type": MANIFEST_TYPE,
        "case": chronology.case.reference,
        "profile": chronology.profile,
        "produced_at": chronology.produced_at.isoformat(),
        "produced_by": chronology.produced_by,
        "chain": "chain.jsonl",
        "chain_records": sequence,
        "chain_head": checkpoint.statement["head"],
        "checkpoint": checkpoint.as_json(),
        "chronology": {"path": "chronology.pdf", "sha256": hashlib.sha256(pdf).hexdigest()},
        "private_details": "withheld" if disclosable else "included, not for disclosure",
        "withheld_chain_records": withheld,
        "evidence_records": _evidence_records(lines, exhibits, left_out),
        "exhibits_left_out": left_out,
        "files": entries,
    }
    manifest["signature"] = sign_manifest(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data, _meta in files:
            archive.writestr(path, data)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    progress(100)
    return buffer.getvalue()


def sign_manifest(manifest: dict[str, Any]) -> dict[str, str]:
    """Ed25519 over the canonical JSON of the manifest without its "signature"."""
    unsigned = {name: value for name, value in manifest.items() if name != "signature"}
    key_id, signature = signing.sign(canonical_json(unsigned))
    public = {key.key_id: key.public_key for key in signing.published_keys()}
    return {
        "algorithm": signing.ALGORITHM,
        "key_id": key_id,
        "public_key": public[key_id],
        "value": base64.b64encode(signature).decode("ascii"),
    }


def _evidence_records(
    lines: list[str], exhibits: list[dict[str, Any]], left_out: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every evidence record given in the chain, and what became of its file here."""
    by_record = {item["record"]: item for item in exhibits + left_out}
    withdrawn = set()
    added = []
    for line in lines:
        record = json.loads(line)
        if "document" not in record:
            continue
        document = json.loads(record["document"])
        if record["kind"] == ChainRecord.Kind.EVIDENCE_WITHDRAWAL:
            withdrawn.add(document["evidence"])
        elif record["kind"] == ChainRecord.Kind.EVIDENCE:
            added.append((record["seq"], document["evidence"], document["body"]["sha256"]))
    found = []
    for seq, uid, sha256 in added:
        item = by_record.get(seq)
        if uid in withdrawn:
            status = "withdrawn by the person: not an exhibit"
        elif item is None:
            status = "on an entry outside this bundle"
        elif "left_out" in item:
            status = "left out of this version (see exhibits_left_out)"
        else:
            status = f"exhibit {item['exhibit']} ({item['path']})"
        found.append({"record": seq, "sha256": sha256, "file": status})
    return found


def readme(chronology: Chronology, withheld: int, left_out: list[dict[str, Any]]) -> str:
    """What the bundle holds of the details the person keeps private, and what that means for
    checking the chain: said plainly, never left for the reader to discover."""
    if chronology.profile == DISCLOSABLE:
        private = (
            'This is the disclosable version. What the person wrote under "Details to keep '
            'private" is left out of every file in it: the chronology marks where something '
            "was withheld. For an entry that has such details, its earlier wording is left out "
            "too, in case text was moved into them. Exhibits are copies with the location and "
            "device details of the original files removed; each names its original's SHA-256, "
            "which the chain recorded when the file was added (the police version holds the "
            "originals)."
        )
    else:
        private = (
            'This version includes what the person wrote under "Details to keep private", '
            f'marked "{PRIVATE_MARK}" in the chronology and, in chain.jsonl, listed under '
            '"not_for_disclosure". They are not for disclosure: leave them out of anything the '
            "defence sees, and use the disclosable version for that. Exhibits are the original "
            "files."
        )
    chain = (
        "In chain.jsonl each record's free text (what happened, the details to keep private, "
        "a file's name and photo data, reasons) is a salted SHA-256 commitment in its "
        '"document"; "opened" gives the value and salt of each field this version shows, and '
        '"withheld_fields" names those it does not. verify.py recomputes every hash from the '
        "documents and checks every opened field against its commitment."
    )
    if withheld:
        chain += (
            f' {withheld} records are withheld whole ("withheld": true): they are about '
            "entries outside this bundle, so only their place in the chain, the hash before "
            "them and their own hash are given; the chain still runs unbroken through them."
        )
    missing = ""
    if left_out:
        missing = (
            "\n\nLeft out of this version: "
            + ", ".join(item["exhibit"] for item in left_out)
            + ". "
            + LEFT_OUT
        )
    return (
        f"Daybook evidence bundle for {chronology.case.reference}\n\n{private}\n\n{chain}"
        f"{missing}\n\n"
        "To check the bundle: python3 verify.py bundle.zip (or run verify.py in the unzipped "
        "folder). manifest.json lists every file with its SHA-256 and is signed with the "
        "service's Ed25519 key; verify.py checks that signature and prints the key's id. "
        f"Compare it with the key the service publishes at {WELL_KNOWN_PATH} on its own "
        "address, and with the key printed on the chronology.\n"
    )


def _entry(path: str, data: bytes, meta: dict[str, Any]) -> dict[str, Any]:
    return {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **meta}


def _manifest_csv(entries: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["path", "exhibit", "original_name", "size", "sha256", "original_sha256", "chain_record"]
    )
    for item in entries:
        writer.writerow(
            [
                item["path"],
                item.get("exhibit", ""),
                item.get("original_name", ""),
                item["size"],
                item["sha256"],
                item.get("original_sha256", ""),
                item.get("record", ""),
            ]
        )
    return out.getvalue().encode("utf-8")
