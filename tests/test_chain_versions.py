"""Chain versions: a version 2 record's hash covers its free text only as salted commitments
(so a bundle can show the rest and still be checked); records written before (version 1,
hashed over their whole body) keep verifying, in verify_log and in bundles."""

import io
import json
import math
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daybook.cases.models import GENESIS
from daybook.incidents import keys
from daybook.incidents import services as log
from daybook.incidents.chain import (
    LEGACY_VERSION,
    body_and_document,
    canonical_json,
    commitment,
    committed_body,
    field_salt,
    record_hash,
    record_header,
    record_secret,
)
from daybook.incidents.models import ChainRecord
from daybook.incidents.services import iso_instant
from daybook.incidents.verify import verify_case
from tests.conftest import Personas, entry_values
from tests.test_reports import make_bundle, verify

SECRET_TEXT = "Grey hoodie, blue Ford Focus AB12 CDE"


def test_a_version_2_document_holds_free_text_only_as_commitments(case, personas) -> None:
    entry = log.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values(feelings="")
    )
    record = ChainRecord.objects.get(entry=entry)
    key = keys.case_key(case)
    body = keys.open_json(key, record.body_sealed, keys.chain_body_ad(record.rid))
    document = committed_body(body, record_secret(key, record.rid))
    assert SECRET_TEXT not in json.dumps(document)
    salt = field_salt(record_secret(key, record.rid), "description")
    assert document["description"] == {"commitment": commitment(salt, SECRET_TEXT)}
    assert document["feelings"] == ""  # an empty field is written as it is
    assert document["channel"] == "in_person"  # codes and dates are in the clear
    assert record.version == 2


def test_salts_differ_per_field_and_record_and_need_the_case_key(case, personas) -> None:
    first, second = (
        log.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
        for _ in range(2)
    )
    key = keys.case_key(case)
    rids = [ChainRecord.objects.get(entry=entry).rid for entry in (first, second)]
    salts = {field_salt(record_secret(key, rid), name) for rid in rids for name in ("a", "b")}
    assert len(salts) == 4
    assert field_salt(record_secret(b"\0" * 32, rids[0]), "a") not in salts


def _rewrite_as_version_1(case) -> None:
    """Turn a case's chain into one written before commitments: each record hashed over its
    whole body, linked again from the first."""
    key = keys.case_key(case)
    prev = GENESIS
    for record in ChainRecord.objects.filter(case=case).order_by("seq"):
        body = keys.open_json(key, record.body_sealed, keys.chain_body_ad(record.rid))
        header = record_header(
            case_uid=case.uid,
            seq=record.seq,
            prev=prev,
            rid=record.rid,
            kind=record.kind,
            entry_uid=record.entry_uid,
            evidence_uid=record.evidence_uid,
            recorded_at=iso_instant(record.recorded_at),
            recorded_by=record.recorded_by_id,
            recorded_how=record.recorded_how,
            version=LEGACY_VERSION,
        )
        digest = record_hash(header, canonical_json(body))
        ChainRecord.objects.filter(pk=record.pk).update(
            version=LEGACY_VERSION, prev_hash=prev, hash=digest
        )
        prev = digest
    case.chain_head = prev
    case.save(update_fields=["chain_head"])


def test_version_1_records_still_verify_and_their_text_is_still_bound(case, personas) -> None:
    entry = log.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    _rewrite_as_version_1(case)
    case.refresh_from_db()
    assert verify_case(case).ok
    log.entry_amend(
        entry=entry,
        author=personas.victim,
        how="victim",
        changes={"feelings": "Scared"},
        reason="Remembered",
    )
    case.refresh_from_db()
    assert verify_case(case).ok  # a version 2 record follows a version 1 one
    record = ChainRecord.objects.get(case=case, seq=1)
    key = keys.case_key(case)
    body = keys.open_json(key, record.body_sealed, keys.chain_body_ad(record.rid))
    body["description"] = "Someone else"
    ChainRecord.objects.filter(pk=record.pk).update(
        body_sealed=keys.seal_canonical(key, body, keys.chain_body_ad(record.rid))
    )
    result = verify_case(case)
    assert (result.problem, result.problem_seq) == (
        "Record 1 has been altered: it does not match its hash.",
        1,
    )


def test_a_bundle_gives_version_1_records_whole_or_not_at_all(
    case, personas: Personas, tmp_path: Path
) -> None:
    log.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(occurred_on="2026-10-03", private_details=""),
    )
    _rewrite_as_version_1(case)
    case.refresh_from_db()
    data = make_bundle(case, personas.advocate, "disclosable")
    chain = [
        json.loads(line)
        for line in zipfile.ZipFile(io.BytesIO(data)).read("chain.jsonl").splitlines()
    ]
    assert chain[0]["withheld"] is True  # it holds private details: no document at all
    assert "Elm Road" not in json.dumps(chain)
    assert SECRET_TEXT in json.loads(chain[1]["document"])["body"]["description"]
    (tmp_path / "b.zip").write_bytes(data)
    assert verify(tmp_path / "b.zip").returncode == 0


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_names = st.sampled_from(
    ["what_happened", "private_details", "source", "name", "exif", "reason", "channel", "x", "é"]
)


@given(
    body=st.dictionaries(_names | st.text(), _values, max_size=8)
    | st.fixed_dictionaries(
        {"changes": st.dictionaries(_names, _values, max_size=4), "reason": st.text()}
    ),
    secret=st.binary(min_size=32, max_size=32),
)
def test_a_body_and_its_document_encoded_at_once_are_exactly_the_canonical_ones(
    body: dict, secret: bytes
) -> None:
    assert body_and_document(body, secret) == (
        canonical_json(body),
        canonical_json(committed_body(body, secret)),
    )


@given(
    value=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=12,
    )
)
def test_canonical_json_is_the_standard_librarys_sorted_compact_json(value) -> None:
    """The canonical form is what anyone checking a bundle computes with `json.dumps`, whether
    or not the encoder's C core wrote it."""
    expected = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    assert canonical_json(value) == expected.encode("utf-8")


def test_canonical_json_refuses_what_json_cannot_hold() -> None:
    for value in (math.inf, [math.nan], {"a": -math.inf}):
        with pytest.raises(ValueError):
            canonical_json(value)
