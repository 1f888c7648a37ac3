#!/usr/bin/env python3
"""Check a Daybook evidence bundle offline, without trusting Daybook.

Usage:  python3 verify.py [bundle.zip | folder]

With no argument it checks the folder this file is in (an unzipped bundle). It uses only
Python's standard library. It checks that:

- every file listed in manifest.json is present, with the size and SHA-256 listed;
- no file is in the bundle that the manifest does not list;
- every record in chain.jsonl follows the one before (its "prev" is that record's hash),
  every record whose content is included hashes to its own hash, and the last hash is the
  chain head named in the manifest (and on the chronology's cover);
- every exhibit's SHA-256 is the one its chain record gave when the file was added.

It prints what it checked and names anything altered, missing or extra. Exit status 0 means
the bundle is intact; 1 means it is not.
"""

import hashlib
import json
import sys
import zipfile
from pathlib import Path

GENESIS = "0" * 64
OWN_FILES = {"manifest.json"}


class Bundle:
    """The files of a bundle, from a ZIP or an unzipped folder."""

    def __init__(self, location: Path) -> None:
        self.zip = zipfile.ZipFile(location) if location.is_file() else None
        self.folder = location  # read only when the bundle is not a ZIP

    def names(self) -> set[str]:
        if self.zip:
            return {info.filename for info in self.zip.infolist() if not info.is_dir()}
        return {
            path.relative_to(self.folder).as_posix()
            for path in self.folder.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    def read(self, name: str) -> bytes | None:
        try:
            if self.zip:
                return self.zip.read(name)
            return (self.folder / name).read_bytes()
        except (KeyError, FileNotFoundError):
            return None


def check(location: Path) -> list[str]:
    """Every problem found, in plain words; an empty list means the bundle is intact."""
    bundle = Bundle(location)
    raw = bundle.read("manifest.json")
    if raw is None:
        return ["manifest.json is missing: this is not a complete Daybook bundle."]
    try:
        manifest = json.loads(raw)
    except ValueError:
        return ["manifest.json is not valid JSON: it has been altered."]
    problems = []
    listed = {item["path"]: item for item in manifest.get("files", [])}
    present = bundle.names()
    for path, item in sorted(listed.items()):
        data = bundle.read(path)
        if data is None:
            problems.append(f"MISSING: {path} is listed in the manifest but not in the bundle.")
        elif len(data) != item["size"] or hashlib.sha256(data).hexdigest() != item["sha256"]:
            problems.append(f"ALTERED: {path} does not match its SHA-256 in the manifest.")
    for path in sorted(present - set(listed) - OWN_FILES):
        problems.append(f"EXTRA: {path} is in the bundle but not in the manifest.")
    problems += check_chain(bundle, manifest, listed)
    return problems


def check_chain(bundle: Bundle, manifest: dict, listed: dict) -> list[str]:
    raw = bundle.read(manifest.get("chain", "chain.jsonl"))
    if raw is None:
        return ["The chain records are missing."]
    problems, prev, expected_seq, documents = [], GENESIS, 1, {}
    for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
        except ValueError:
            return [f"ALTERED: chain record on line {number} is not valid JSON."]
        seq = record.get("seq")
        if seq != expected_seq:
            problems.append(
                f"MISSING or REORDERED: chain record {expected_seq} is not where it should be."
            )
            return problems
        if record.get("prev") != prev:
            problems.append(f"ALTERED: chain record {seq} does not follow record {seq - 1}.")
        document = record.get("document")
        if document is not None:
            if hashlib.sha256(document.encode("utf-8")).hexdigest() != record.get("hash"):
                problems.append(f"ALTERED: chain record {seq} does not match its hash.")
            try:
                parsed = json.loads(document)
            except ValueError:
                parsed = {}
            if parsed.get("seq") != seq or parsed.get("prev") != record.get("prev"):
                problems.append(
                    f"ALTERED: chain record {seq} says it is somewhere else in the chain."
                )
            documents[seq] = parsed
        prev, expected_seq = record.get("hash"), expected_seq + 1
    if prev != manifest.get("chain_head"):
        problems.append("ALTERED: the last chain record is not the chain head the manifest names.")
    for path, item in sorted(listed.items()):
        seq = item.get("record")
        body = documents.get(seq, {}).get("body", {}) if seq else {}
        if seq and body and body.get("sha256") != item["sha256"]:
            problems.append(
                f"ALTERED: exhibit {path} is not the file chain record {seq} was made for."
            )
    return problems


def main() -> int:
    location = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    problems = check(location)
    if problems:
        print("This bundle FAILED verification:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("Verified: every file matches the manifest and the hash chain is intact.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
