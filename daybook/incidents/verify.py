"""Checking a case's log end to end: the chain, the current view of it, and the stored files.

Verification replays the chain from the first record and stops at the first thing that
does not match, naming it, so a reviewer knows exactly where the log stops being trustworthy.
It reads rows without the ORM's per-value conversion: a 10,000-entry log is checked at a
small multiple of the bare cost of decrypting and hashing its records.
"""

import base64
import datetime as dt
import gc
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, overload

from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import QuerySet

from daybook import crypto
from daybook.cases.models import GENESIS, Case
from daybook.incidents import checkpoints, keys, tallies
from daybook.incidents import content as entry_content
from daybook.incidents.chain import (
    LEGACY_VERSION,
    canonical_json,
    committed_body,
    record_hash,
    record_header,
    record_secret,
)
from daybook.incidents.models import ChainRecord, Checkpoint, Entry, EntryBehaviour, Evidence


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
    evidence: dict[str | None, dict[str, Any]] = field(default_factory=dict)


class _Record(NamedTuple):
    """What replaying needs of one verified chain record."""

    seq: int
    kind: str
    entry_id: int
    entry_uid: str
    evidence_id: int | None
    evidence_uid: str | None
    body: dict[str, Any]
    recorded: tuple[Any, ...]


class _Broken(Exception):
    def __init__(self, message: str, seq: int | None = None) -> None:
        super().__init__(message)
        self.seq = seq


def verify_case(case: Case, *, check_files: bool = True) -> Verification:
    """The whole log: the chain, then the entries and files against what the chain says, then
    the counts its pages show against the entries."""
    result = Verification(case_reference=case.reference)
    # A check holds a few objects per record and makes no reference cycles: the collector's
    # passes over them, which grow with the log, would cost a third of the check.
    collecting = gc.isenabled()
    gc.disable()
    try:
        key = keys.case_key(case)
        records: list[_Record] = []
        _verify_chain(case, key, result, records)
        replayed = _replay_all(case, records)
        counted = _verify_entries(case, replayed)
        _verify_evidence(case, key, replayed, check_files=check_files)
        # The counts its pages show, once the entries they count are known to be right.
        if (wrong := tallies.problem(case.pk, counted)) is not None:
            raise _Broken(wrong)
    except keys.CaseErased:
        result.problem = "This log has been erased: its key no longer exists."
    except _Broken as broken:
        result.problem, result.problem_seq = str(broken), broken.seq
    finally:
        if collecting:
            gc.enable()
    return result


def verify_chain(case: Case) -> Verification:
    """The hash chain alone: every record opens, matches its hash and follows the one before."""
    result = Verification(case_reference=case.reference)
    try:
        _verify_chain(case, keys.case_key(case), result, None)
    except keys.CaseErased:
        result.problem = "This log has been erased: its key no longer exists."
    except _Broken as broken:
        result.problem, result.problem_seq = str(broken), broken.seq
    return result


def _raw_rows(queryset: QuerySet) -> Any:
    """The rows of a values_list queryset, straight from the database driver."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            yield from rows


@overload
def _aware(value: None) -> None: ...
@overload
def _aware(value: dt.datetime) -> dt.datetime: ...
def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp as an aware datetime (SQLite's driver gives naive UTC)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _instant(value: dt.datetime) -> str:
    """The UTC ISO text the chain's headers use."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


# What checking a chain record reads of its row.
CHAIN_COLUMNS = (
    "seq",
    "kind",
    "version",
    "entry_id",
    "entry_uid",
    "evidence_id",
    "evidence_uid",
    "rid",
    "prev_hash",
    "hash",
    "recorded_at",
    "recorded_by_id",
    "recorded_how",
    "body_sealed",
)


def _verify_chain(
    case: Case, key: bytes, result: Verification, records: list[_Record] | None
) -> None:
    """Check each record in order; keep what replaying needs in `records` when given."""
    open_sealed = crypto.opener(key)
    expected_seq, prev = 1, GENESIS
    rows = _raw_rows(
        ChainRecord.objects.filter(case=case).order_by("seq").values_list(*CHAIN_COLUMNS)
    )
    for (
        seq,
        kind,
        version,
        entry_id,
        entry_uid,
        evidence_id,
        evidence_uid,
        rid,
        prev_hash,
        digest,
        recorded_at,
        recorded_by,
        how,
        body_sealed,
    ) in rows:
        if seq != expected_seq:
            raise _Broken(f"Record {expected_seq} is missing or out of order.", expected_seq)
        if prev_hash != prev:
            raise _Broken(f"Record {seq} does not follow record {seq - 1}.", seq)
        try:
            body_bytes = open_sealed(bytes(body_sealed), f"chain:{rid}:body")
        except crypto.DecryptionError:
            raise _Broken(
                f"Record {seq} has been altered: it can no longer be opened.", seq
            ) from None
        recorded_at = _aware(recorded_at)
        header = record_header(
            case_uid=case.uid,
            seq=seq,
            prev=prev_hash,
            rid=rid,
            kind=kind,
            entry_uid=entry_uid,
            evidence_uid=evidence_uid,
            recorded_at=_instant(recorded_at),
            recorded_by=recorded_by,
            recorded_how=how,
            version=version,
        )
        body = json.loads(body_bytes)
        if version == LEGACY_VERSION:
            hashed = body_bytes
        else:
            hashed = canonical_json(committed_body(body, record_secret(key, rid)))
        if record_hash(header, hashed) != digest:
            raise _Broken(f"Record {seq} has been altered: it does not match its hash.", seq)
        if records is not None:
            records.append(
                _Record(
                    seq,
                    kind,
                    entry_id,
                    entry_uid,
                    evidence_id,
                    evidence_uid,
                    body,
                    (recorded_at, recorded_by, how),
                )
            )
        prev, expected_seq = digest, expected_seq + 1
        result.records, result.head = seq, digest
    if case.chain_seq != result.records or case.chain_head != result.head:
        raise _Broken(
            f"The log should end at record {case.chain_seq} but ends at record {result.records}: "
            "records have been removed.",
            result.records + 1,
        )


_KIND_WORDS: dict[str, str] = {
    ChainRecord.Kind.AMENDMENT: "amends",
    ChainRecord.Kind.WITHDRAWAL: "withdraws",
    ChainRecord.Kind.EVIDENCE: "adds a file to",
    ChainRecord.Kind.EVIDENCE_WITHDRAWAL: "withdraws a file of",
}


def _replay_all(case: Case, records: list[_Record]) -> dict[str, _Replayed]:
    """Each entry's state, replayed by the uids the chain covers. The database's own links
    (which entry or file row a record points at) are checked against those uids, so a record
    re-pointed at another entry or file is named rather than followed."""
    entry_uids = dict(Entry.objects.filter(case=case).values_list("pk", "uid"))
    evidence_uids = dict(Evidence.objects.filter(entry__case=case).values_list("pk", "uid"))
    replayed: dict[str, _Replayed] = {}
    for record in records:
        state = replayed.get(record.entry_uid)
        if entry_uids.get(record.entry_id) != record.entry_uid:
            if record.kind == ChainRecord.Kind.ENTRY or state is None:
                raise _Broken(
                    f"Record {record.seq} is linked in the database to an entry it is not about.",
                    record.seq,
                )
            raise _Broken(
                f"Record {record.seq} {_KIND_WORDS[record.kind]} the entry added in record "
                f"{state.seq}, but the database has been changed to link it to another entry.",
                record.seq,
            )
        if record.evidence_uid is not None and (
            record.evidence_id is None
            or evidence_uids.get(record.evidence_id) != record.evidence_uid
        ):
            raise _Broken(
                f"Record {record.seq} is about one evidence file, but the database has been "
                "changed to link it to another.",
                record.seq,
            )
        _replay(replayed, record)
    return replayed


def _replay(replayed: dict[str, _Replayed], record: _Record) -> None:
    seq, kind, body = record.seq, record.kind, record.body
    state = replayed.setdefault(record.entry_uid, _Replayed())
    if kind == ChainRecord.Kind.ENTRY:
        if state.content is not None:
            raise _Broken(f"Record {seq} adds an entry that is already in the log.", seq)
        state.content, state.seq, state.recorded = body, seq, record.recorded
        state.status = entry_content.status_of(body)
        return
    if state.content is None:
        raise _Broken(f"Record {seq} refers to an entry that is not in the log.", seq)
    if kind == ChainRecord.Kind.AMENDMENT:
        state.content = {**state.content, **body["changes"]}
        state.amended = True
    elif kind == ChainRecord.Kind.WITHDRAWAL:
        state.status = Entry.Status.WITHDRAWN
    elif kind == ChainRecord.Kind.EVIDENCE:
        state.evidence[record.evidence_uid] = {
            **body,
            "withdrawn": False,
            "seq": seq,
            "entry_uid": record.entry_uid,
            "recorded_at": record.recorded[0],
        }
    elif kind == ChainRecord.Kind.EVIDENCE_WITHDRAWAL:
        if record.evidence_uid not in state.evidence:
            raise _Broken(f"Record {seq} withdraws a file that is not on its entry.", seq)
        state.evidence[record.evidence_uid]["withdrawn"] = True


ENTRY_COLUMNS = (
    "id",
    "uid",
    "status",
    "amended",
    "draft_sealed",
    "occurred_on",
    "occurred_at",
    "ended_at",
    "precision",
    "time_zone",
    "place_kind",
    "channel",
    "occurred_week",
    "occurred_month",
    "occurred_weekday",
    "occurred_hour",
    "seen",
    "feared_violence",
    "changed_daily_life",
    "recorded_at",
    "recorded_by_id",
    "recorded_how",
)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """In UTC: an instant in the second pass of a repeated hour (fold=1) never compares equal
    to the same instant in another zone (PEP 495), so both sides are compared in UTC."""
    return None if value is None else value.astimezone(dt.UTC)


def _expected_row(state: _Replayed, content: dict[str, Any]) -> tuple[Any, ...]:
    projected = entry_content.projection(content)
    return (
        state.status,
        state.amended,
        None,
        projected["occurred_on"],
        _utc(projected["occurred_at"]),
        _utc(projected["ended_at"]),
        projected["precision"],
        projected["time_zone"],
        projected["place_kind"],
        projected["channel"],
        projected["occurred_week"],
        projected["occurred_month"],
        projected["occurred_weekday"],
        projected["occurred_hour"],
        projected["seen"],
        projected["feared_violence"],
        projected["changed_daily_life"],
        *state.recorded,
    )


def _stored_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    (
        _id,
        _uid,
        status,
        amended,
        draft,
        occurred_on,
        occurred_at,
        ended_at,
        precision,
        zone,
        place_kind,
        channel,
        week,
        month,
        weekday,
        hour,
        seen,
        feared,
        changed,
        recorded_at,
        recorded_by,
        how,
    ) = row
    return (
        status,
        bool(amended),
        draft,
        occurred_on,
        _aware(occurred_at),
        _aware(ended_at),
        precision,
        zone,
        place_kind,
        channel,
        week,
        month,
        weekday,
        hour,
        seen,
        bool(feared),
        bool(changed),
        _aware(recorded_at),
        recorded_by,
        how,
    )


def _verify_entries(case: Case, replayed: dict[str, _Replayed]) -> list[tallies.Counted]:
    """Each entry's columns and behaviours against its replayed content; what each entry
    counts for on the log's pages, read from the same rows."""
    behaviours: dict[int, set[str]] = {}
    for entry_id, code in EntryBehaviour.objects.filter(entry__case=case).values_list(
        "entry_id", "code"
    ):
        behaviours.setdefault(entry_id, set()).add(code)
    rows = _raw_rows(
        Entry.objects.filter(case=case)
        .exclude(status=Entry.Status.DRAFT)
        .values_list(*ENTRY_COLUMNS)
    )
    seen = set()
    counted = []
    for row in rows:
        entry_id, uid = row[0], row[1]
        seen.add(uid)
        stored = _stored_row(row)
        counted.append(_counted(stored, behaviours.get(entry_id, ())))
        state = replayed.get(uid)
        if state is None or state.content is None:
            raise _Broken("An entry has been added to the log outside its chain.")
        if stored != _expected_row(state, state.content) or behaviours.get(entry_id, set()) != set(
            state.content["behaviours"]
        ):
            raise _Broken(
                f"The entry added in record {state.seq} has been changed outside the log.",
                state.seq,
            )
    missing = sorted(state.seq for uid, state in replayed.items() if uid not in seen)
    if missing:
        raise _Broken(f"The entry added in record {missing[0]} has been removed.", missing[0])
    return counted


def _counted(stored: tuple[Any, ...], codes: Iterable[str]) -> tallies.Counted:
    """What an entry counts for, from its columns as `_stored_row` gives them."""
    status, occurred_at = stored[0], stored[4]
    place_kind, channel, week, month, weekday, hour = stored[8:14]
    feared, changed = stored[15:17]
    return tallies.Counted(
        status=status,
        channel=channel,
        place_kind=place_kind,
        occurred_at=occurred_at.astimezone(dt.UTC),
        week=week,
        month=month,
        weekday=weekday,
        hour=hour,
        feared_violence=feared,
        changed_daily_life=changed,
        codes=frozenset(codes),
    )


def _verify_evidence(
    case: Case, key: bytes, replayed: dict[str, _Replayed], *, check_files: bool
) -> None:
    """Each file row against the record that added it: its facts, the entry it is on, its
    name in storage, its upload time (exhibits are numbered in the chain's order, and the
    page shows that time) and its sealed name and photo data."""
    chained = {uid: facts for state in replayed.values() for uid, facts in state.evidence.items()}
    entry_uids = dict(Entry.objects.filter(case=case).values_list("pk", "uid"))
    stored: dict[str | None, Evidence] = {
        item.uid: item for item in Evidence.objects.filter(entry__case=case)
    }
    open_sealed = crypto.opener(key)
    for uid, facts in sorted(chained.items(), key=lambda pair: pair[1]["seq"]):
        item = stored.get(uid)
        seq = facts["seq"]
        added = f"The evidence file added in record {seq}"
        if item is None:
            raise _Broken(f"{added} has been removed.", seq)
        if (item.sha256, item.size, item.content_type, item.withdrawn) != (
            facts["sha256"],
            facts["size"],
            facts["type"],
            facts["withdrawn"],
        ):
            raise _Broken(f"{added} has been changed.", seq)
        if entry_uids.get(item.entry_id) != facts["entry_uid"]:
            raise _Broken(f"{added} has been moved to another entry.", seq)
        if item.storage_name != keys.evidence_storage_name(case.uid, item.uid):
            raise _Broken(
                f"{added} has been pointed at another stored file (its name in storage has "
                "been changed).",
                seq,
            )
        if _aware(item.uploaded_at) != facts["recorded_at"]:
            raise _Broken(f"{added} has had its upload time changed.", seq)
        try:
            meta = json.loads(open_sealed(bytes(item.meta_sealed), keys.evidence_meta_ad(item.uid)))
        except crypto.DecryptionError:
            meta = None
        if meta != {"name": facts["name"], "exif": facts["exif"]}:
            raise _Broken(f"{added} has had its name or photo details changed.", seq)
        if check_files:
            _verify_file(item, key, facts, seq)
    if set(stored) - set(chained):
        raise _Broken("An evidence file has been added outside the log.")


def _verify_file(item: Evidence, key: bytes, facts: dict[str, Any], seq: int) -> None:
    # Hashed as it is opened, a chunk at a time: the hash is only compared once the whole
    # file has proved genuine, and no plaintext is kept.
    digest = crypto.Digest()
    try:
        with default_storage.open(item.storage_name, "rb") as handle:
            crypto.open_stream(key, handle, digest, keys.evidence_file_ad(item.uid))
    except FileNotFoundError:
        raise _Broken(
            f"The evidence file added in record {seq} is missing from storage.", seq
        ) from None
    except crypto.DecryptionError:
        raise _Broken(
            f"The evidence file added in record {seq} has been altered in storage.", seq
        ) from None
    if digest.hexdigest() != facts["sha256"]:
        raise _Broken(f"The evidence file added in record {seq} has been altered in storage.", seq)


def checkpoint_problem(
    case: Case,
    result: Verification,
    given: Sequence[tuple[dict[str, Any], bytes]] = (),
) -> str | None:
    """The log, already verified as `result`, against every checkpoint issued for it and any
    `given` from outside (a receipt someone kept): the first that does not hold, in words."""
    stored = [
        (
            "a checkpoint stored for this log",
            checkpoints.statement_of(checkpoint, case.reference),
            base64.b64decode(checkpoint.signature),
        )
        for checkpoint in Checkpoint.objects.filter(case=case).order_by("sequence", "pk")
    ]
    outside = [("the checkpoint given", statement, signature) for statement, signature in given]
    wanted = {int(statement["sequence"]) for _, statement, _ in stored + outside}
    head_at = dict(ChainRecord.objects.filter(case=case, seq__in=wanted).values_list("seq", "hash"))
    for where, statement, signature in outside + stored:
        bad_signature = checkpoints.signature_problem(statement, signature)
        if bad_signature is not None:
            return f"{where} cannot be trusted: {bad_signature}."
        wrong = checkpoints.log_problem(statement, current_sequence=result.records, head_at=head_at)
        if wrong is not None:
            return f"{wrong[0].upper()}{wrong[1:]}."
    return None
