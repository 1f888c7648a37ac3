"""The evidence bundle: the chronology, each exhibit's original bytes, a manifest (CSV and
JSON) with every file's SHA-256, the chain records, and a standalone verifier."""

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from daybook import crypto
from daybook.incidents import keys
from daybook.incidents.chain import document_bytes, record_header
from daybook.incidents.content import PRIVATE_FIELDS, PRIVATE_MARK
from daybook.incidents.models import ChainRecord
from daybook.incidents.services import evidence_bytes, iso_instant
from daybook.reports.chronology import DISCLOSABLE, Chronology

VERIFIER = Path(__file__).with_name("bundle_verifier.py")


def chain_lines(chronology: Chronology, key: bytes) -> list[str]:
    """One JSON line per chain record. Records about entries outside the chronology, and in the
    disclosable profile records holding withheld details, keep only their links and hash."""
    included = {row.entry.pk for row in chronology.rows}
    case = chronology.case
    lines = []
    open_sealed = crypto.opener(key)
    records = ChainRecord.objects.filter(case=case).order_by("seq")
    for record in records.iterator(chunk_size=1000):
        line = {
            "seq": record.seq,
            "prev": record.prev_hash,
            "hash": record.hash,
            "kind": record.kind,
        }
        body_bytes = open_sealed(bytes(record.body_sealed), keys.chain_body_ad(record.rid))
        body = json.loads(body_bytes)
        withheld = record.entry_id not in included or (
            chronology.profile == DISCLOSABLE and _has_private(body)
        )
        if withheld:
            line["withheld"] = True
        else:
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
            )
            line["document"] = document_bytes(header, body_bytes).decode("utf-8")
        lines.append(json.dumps(line, ensure_ascii=False, sort_keys=True))
    return lines


def _has_private(body: dict) -> bool:
    fields = body.get("changes", body)
    return any(fields.get(name) for name in PRIVATE_FIELDS)


def build_bundle(
    chronology: Chronology, pdf: bytes, *, progress: Callable[[int], None] = lambda _n: None
) -> bytes:
    key = keys.case_key(chronology.case)
    files: list[tuple[str, bytes, dict]] = [("chronology.pdf", pdf, {})]
    seq_of = dict(
        ChainRecord.objects.filter(
            case=chronology.case, kind=ChainRecord.Kind.EVIDENCE
        ).values_list("evidence_id", "seq")
    )
    for number, exhibit in enumerate(chronology.exhibits, start=1):
        data = evidence_bytes(exhibit.evidence, key)
        meta = {
            "exhibit": exhibit.reference,
            "original_name": exhibit.name,
            "record": seq_of[exhibit.evidence.pk],
        }
        files.append((f"exhibits/{exhibit.filename}", data, meta))
        progress(int(80 * number / max(len(chronology.exhibits), 1)))
    lines = chain_lines(chronology, key)
    withheld = sum(1 for line in lines if '"withheld": true' in line)
    files.append(("chain.jsonl", ("\n".join(lines) + "\n").encode(), {}))
    files.append(("README.txt", readme(chronology, withheld).encode("utf-8"), {}))
    files.append(("verify.py", VERIFIER.read_bytes(), {}))
    entries = [
        {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **meta}
        for path, data, meta in files
    ]
    files.append(("manifest.csv", _manifest_csv(entries), {}))
    entries.append(_entry("manifest.csv", files[-1][1]))
    manifest = {
        "case": chronology.case.reference,
        "profile": chronology.profile,
        "produced_at": chronology.produced_at.isoformat(),
        "produced_by": chronology.produced_by,
        "chain": "chain.jsonl",
        "chain_head": chronology.case.chain_head,
        "private_details": (
            "withheld" if chronology.profile == DISCLOSABLE else "included, not for disclosure"
        ),
        "withheld_chain_records": withheld,
        "files": entries,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data, _meta in files:
            archive.writestr(path, data)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    progress(100)
    return buffer.getvalue()


def readme(chronology: Chronology, withheld: int) -> str:
    """What the bundle holds of the details the person keeps private, and what that means for
    checking the chain: said plainly, never left for the reader to discover."""
    if chronology.profile == DISCLOSABLE:
        private = (
            'This is the disclosable version. What the person wrote under "Details to keep '
            'private" is left out of every file in it: the chronology marks where something '
            "was withheld."
        )
    else:
        private = (
            'This version includes what the person wrote under "Details to keep private", '
            f'marked "{PRIVATE_MARK}" in the chronology and held in chain.jsonl under '
            '"private_details". They are not for disclosure: leave them out of anything the '
            "defence sees, and use the disclosable version for that."
        )
    chain = (
        f'{withheld} of the records in chain.jsonl are withheld ("withheld": true): they '
        "hold details left out of this bundle, or are about entries outside it, so only their "
        "place in the chain, the hash before them and their own hash are given. Their hashes "
        "cannot be recomputed from this bundle; verify.py checks that every other record "
        "matches its hash and that the chain runs unbroken through all of them to the head."
        if withheld
        else "Every record in chain.jsonl is given in full, so verify.py recomputes each hash."
    )
    return (
        f"Daybook evidence bundle for {chronology.case.reference}\n\n{private}\n\n{chain}\n\n"
        "To check the bundle: python3 verify.py bundle.zip (or run verify.py in the unzipped "
        "folder). manifest.json lists every file with its SHA-256.\n"
    )


def _entry(path: str, data: bytes) -> dict:
    return {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _manifest_csv(entries: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["path", "exhibit", "original_name", "size", "sha256", "chain_record"])
    for item in entries:
        writer.writerow(
            [
                item["path"],
                item.get("exhibit", ""),
                item.get("original_name", ""),
                item["size"],
                item["sha256"],
                item.get("record", ""),
            ]
        )
    return out.getvalue().encode("utf-8")
