"""Checking a case's log end to end: the chain, the current view of it, and the stored files.

Verification replays the chain from the first record and stops at the first thing that
does not match, naming it, so a reviewer knows exactly where the log stops being trustworthy.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage

from daybook import crypto
from daybook.cases.models import GENESIS, Case
from daybook.incidents import content as entry_content
from daybook.incidents import keys
from daybook.incidents.chain import record_document, record_hash
from daybook.incidents.models import ChainRecord, Entry, EntryBehaviour, Evidence
from daybook.incidents.services import iso_instant


@dataclass
class Verification:
    case_reference: str
    records: int = 0
    head: str = GENESIS
    problem: str | None = None
    problem_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class _Replayed:
    content: dict[str, Any] | None = None
    status: str = Entry.Status.LOGGED
    amended: bool = False
    seq: int = 0
    recorded: tuple[Any, ...] = ()
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Broken(Exception):
    def __init__(self, message: str, seq: int | None = None) -> None:
        super().__init__(message)
        self.seq = seq


def verify_case(case: Case, *, check_files: bool = True) -> Verification:
    result = Verification(case_reference=case.reference)
    try:
        key = keys.case_key(case)
        replayed = _verify_chain(case, key, result)
        _verify_entries(case, key, replayed)
        _verify_evidence(case, key, replayed, check_files=check_files)
    except keys.CaseErased:
        result.problem = "This log has been erased: its key no longer exists."
    except _Broken as broken:
        result.problem, result.problem_seq = str(broken), broken.seq
    return result


def _verify_chain(case: Case, key: bytes, result: Verification) -> dict[int, _Replayed]:
    replayed: dict[int, _Replayed] = {}
    expected_seq, prev = 1, GENESIS
    rows = (
        ChainRecord.objects.filter(case=case)
        .order_by("seq")
        .values_list(
            "seq",
            "kind",
            "entry_id",
            "entry__uid",
            "evidence__uid",
            "rid",
            "prev_hash",
            "hash",
            "recorded_at",
            "recorded_by_id",
            "recorded_how",
            "body_sealed",
        )
    )
    for (
        seq,
        kind,
        entry_id,
        entry_uid,
        evidence_uid,
        rid,
        prev_hash,
        digest,
        recorded_at,
        recorded_by,
        how,
        body_sealed,
    ) in rows.iterator(chunk_size=2000):
        if seq != expected_seq:
            raise _Broken(f"Record {expected_seq} is missing or out of order.", expected_seq)
        if prev_hash != prev:
            raise _Broken(f"Record {seq} does not follow record {seq - 1}.", seq)
        try:
            body = keys.open_json(key, body_sealed, keys.chain_body_ad(rid))
        except crypto.DecryptionError:
            raise _Broken(
                f"Record {seq} has been altered: it can no longer be opened.", seq
            ) from None
        document = record_document(
            case_uid=case.uid,
            seq=seq,
            prev=prev_hash,
            rid=rid,
            kind=kind,
            entry_uid=entry_uid,
            evidence_uid=evidence_uid,
            recorded_at=iso_instant(recorded_at),
            recorded_by=recorded_by,
            recorded_how=how,
            body=body,
        )
        if record_hash(document) != digest:
            raise _Broken(f"Record {seq} has been altered: it does not match its hash.", seq)
        _replay(replayed, entry_id, kind, evidence_uid, body, seq)
        if kind == ChainRecord.Kind.ENTRY:
            replayed[entry_id].recorded = (recorded_at, recorded_by, how)
        prev, expected_seq = digest, expected_seq + 1
        result.records, result.head = seq, digest
    if case.chain_seq != result.records or case.chain_head != result.head:
        raise _Broken(
            f"The log should end at record {case.chain_seq} but ends at record {result.records}: "
            "records have been removed.",
            result.records + 1,
        )
    return replayed


def _replay(
    replayed: dict[int, _Replayed],
    entry_id: int,
    kind: str,
    evidence_uid: str | None,
    body: dict[str, Any],
    seq: int,
) -> None:
    state = replayed.setdefault(entry_id, _Replayed())
    if kind == ChainRecord.Kind.ENTRY:
        if state.content is not None:
            raise _Broken(f"Record {seq} adds an entry that is already in the log.", seq)
        state.content, state.seq = body, seq
        return
    if state.content is None:
        raise _Broken(f"Record {seq} refers to an entry that is not in the log.", seq)
    if kind == ChainRecord.Kind.AMENDMENT:
        state.content = {**state.content, **body["changes"]}
        state.amended = True
    elif kind == ChainRecord.Kind.WITHDRAWAL:
        state.status = Entry.Status.WITHDRAWN
    elif kind == ChainRecord.Kind.EVIDENCE:
        state.evidence[evidence_uid] = {**body, "withdrawn": False, "seq": seq}
    elif kind == ChainRecord.Kind.EVIDENCE_WITHDRAWAL:
        state.evidence[evidence_uid]["withdrawn"] = True


def _verify_entries(case: Case, key: bytes, replayed: dict[int, _Replayed]) -> None:
    behaviours: dict[int, set[str]] = {}
    for entry_id, code in EntryBehaviour.objects.filter(entry__case=case).values_list(
        "entry_id", "code"
    ):
        behaviours.setdefault(entry_id, set()).add(code)
    entries = Entry.objects.filter(case=case).exclude(status=Entry.Status.DRAFT)
    seen = set()
    for entry in entries.iterator(chunk_size=2000):
        seen.add(entry.pk)
        state = replayed.get(entry.pk)
        if state is None or state.content is None:
            raise _Broken("An entry has been added to the log outside its chain.")
        expected = entry_content.projection(state.content)
        actual = {name: getattr(entry, name) for name in expected}
        stored_content = _open_or_none(key, entry)
        if (
            actual != expected
            or entry.status != state.status
            or entry.amended != state.amended
            or stored_content != state.content
            or (entry.recorded_at, entry.recorded_by_id, entry.recorded_how) != state.recorded
            or behaviours.get(entry.pk, set()) != set(state.content["behaviours"])
        ):
            raise _Broken(
                f"The entry added in record {state.seq} has been changed outside the log.",
                state.seq,
            )
    missing = sorted(state.seq for entry_id, state in replayed.items() if entry_id not in seen)
    if missing:
        raise _Broken(f"The entry added in record {missing[0]} has been removed.", missing[0])


def _open_or_none(key: bytes, entry: Entry) -> dict[str, Any] | None:
    try:
        return keys.open_json(key, entry.content_sealed, keys.entry_content_ad(entry.uid))
    except crypto.DecryptionError:
        return None


def _verify_evidence(
    case: Case, key: bytes, replayed: dict[int, _Replayed], *, check_files: bool
) -> None:
    chained = {uid: facts for state in replayed.values() for uid, facts in state.evidence.items()}
    stored = {item.uid: item for item in Evidence.objects.filter(entry__case=case)}
    for uid, facts in sorted(chained.items(), key=lambda pair: pair[1]["seq"]):
        item = stored.get(uid)
        seq = facts["seq"]
        if item is None:
            raise _Broken(f"The evidence file added in record {seq} has been removed.", seq)
        if (item.sha256, item.size, item.content_type, item.withdrawn) != (
            facts["sha256"],
            facts["size"],
            facts["type"],
            facts["withdrawn"],
        ):
            raise _Broken(f"The evidence file added in record {seq} has been changed.", seq)
        if check_files:
            _verify_file(item, key, facts, seq)
    extra = set(stored) - set(chained)
    if extra:
        raise _Broken("An evidence file has been added outside the log.")


def _verify_file(item: Evidence, key: bytes, facts: dict[str, Any], seq: int) -> None:
    try:
        with default_storage.open(item.storage_name, "rb") as handle:
            sealed = handle.read()
        data = crypto.open_sealed(key, sealed, keys.evidence_file_ad(item.uid))
    except FileNotFoundError:
        raise _Broken(
            f"The evidence file added in record {seq} is missing from storage.", seq
        ) from None
    except crypto.DecryptionError:
        raise _Broken(
            f"The evidence file added in record {seq} has been altered in storage.", seq
        ) from None
    if hashlib.sha256(data).hexdigest() != facts["sha256"]:
        raise _Broken(f"The evidence file added in record {seq} has been altered in storage.", seq)
