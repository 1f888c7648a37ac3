"""Everything the master key wraps, and moving all of it to a new master key.

The master key seals almost nothing itself: it wraps small data keys, one per case, referral
and consultation, and it seals the drafts that belong to no case. Each kind of row that holds
something the master key wraps is a `Wrapped` here. The kinds of the cases app (case,
referral and consultation keys) are listed below; an app above this one whose rows hold such
a thing registers its own kind when it starts (drafts: `daybook/drafts/apps.py`), so rotation
reaches it without this module importing upwards.

Rotation (`rotate`) goes through every kind in batches of rows, each batch in a transaction of
its own: a crash loses at most the batch it was in, and running it again carries on. Each row
is tried with the new key first and left alone if that opens it, so a second run changes
nothing; a row that opens with neither key is counted as unreadable and left as it was.
`check` then opens the newest row of each kind with the new key.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from daybook import crypto
from daybook.cases.models import Case, Consultation, Referral
from daybook.cases.sealing import Stored, label_ad, open_json


class Outcome(enum.Enum):
    REWRAPPED = "re-wrapped"
    ALREADY = "already on the new key"
    UNREADABLE = "opens with neither key"


@dataclass(frozen=True)
class Wrapped:
    """One kind of row holding something the master key wraps.

    `rows` gives the rows that hold one; `rewrap(row, old, new)` moves the row to the new key
    and saves it, or says it already was or cannot be opened; `check(row, key)` opens what the
    row protects with `key` and raises (crypto.DecryptionError) if it cannot.
    """

    name: str
    rows: Callable[[], "models.QuerySet[Any]"]
    rewrap: Callable[[Any, bytes, bytes], Outcome]
    check: Callable[[Any, bytes], None]


@dataclass
class Tally:
    rewrapped: int = 0
    already: int = 0
    unreadable: list[int] = field(default_factory=list)

    def add(self, outcome: Outcome, pk: int) -> None:
        if outcome is Outcome.REWRAPPED:
            self.rewrapped += 1
        elif outcome is Outcome.ALREADY:
            self.already += 1
        else:
            self.unreadable.append(pk)


KINDS: dict[str, Wrapped] = {}


def register(kind: Wrapped) -> None:
    KINDS[kind.name] = kind


def _opens(wrapped: bytes, name: str, key: bytes) -> bytes | None:
    try:
        return crypto.unwrap_data_key(wrapped, name, key)
    except crypto.DecryptionError:
        return None


def rewrap_key(wrapped: Stored, name: str, old: bytes, new: bytes) -> tuple[Outcome, bytes]:
    """A data key wrapped under `name`, moved from the old master key to the new one."""
    if _opens(bytes(wrapped), name, new) is not None:
        return Outcome.ALREADY, bytes(wrapped)
    data_key = _opens(bytes(wrapped), name, old)
    if data_key is None:
        return Outcome.UNREADABLE, bytes(wrapped)
    return Outcome.REWRAPPED, crypto.wrap_data_key(data_key, name, new)


def reseal(sealed: Stored, associated: str, old: bytes, new: bytes) -> tuple[Outcome, bytes]:
    """Something the master key seals itself, opened with the old key and sealed with the new."""
    try:
        crypto.open_sealed(new, bytes(sealed), associated)
    except crypto.DecryptionError:
        pass
    else:
        return Outcome.ALREADY, bytes(sealed)
    try:
        plaintext = crypto.open_sealed(old, bytes(sealed), associated)
    except crypto.DecryptionError:
        return Outcome.UNREADABLE, bytes(sealed)
    return Outcome.REWRAPPED, crypto.seal(new, plaintext, associated)


# --- The cases app's kinds -------------------------------------------------------------


def _case_rewrap(case: Case, old: bytes, new: bytes) -> Outcome:
    outcome, case.wrapped_key = rewrap_key(case.wrapped_key or b"", case.uid, old, new)
    new_id = crypto.key_id(new)
    if outcome is Outcome.REWRAPPED or (outcome is Outcome.ALREADY and case.key_id != new_id):
        case.key_id = new_id
        case.save(update_fields=["wrapped_key", "key_id"])
    return outcome


def _case_check(case: Case, key: bytes) -> None:
    data_key = crypto.unwrap_data_key(bytes(case.wrapped_key or b""), case.uid, key)
    if case.label_sealed:
        crypto.open_text(data_key, bytes(case.label_sealed), label_ad(case.uid))


def _standalone(
    name_of: Callable[[Any], str], sealed_field: str
) -> tuple[Callable[[Any, bytes, bytes], Outcome], Callable[[Any, bytes], None]]:
    """rewrap and check for a row sealed by `sealing.seal_standalone` under `name_of(row)`."""

    def rewrap(row: Any, old: bytes, new: bytes) -> Outcome:
        outcome, row.wrapped_key = rewrap_key(row.wrapped_key, name_of(row), old, new)
        if outcome is Outcome.REWRAPPED:
            row.save(update_fields=["wrapped_key"])
        return outcome

    def check(row: Any, key: bytes) -> None:
        data_key = crypto.unwrap_data_key(bytes(row.wrapped_key), name_of(row), key)
        sealed = getattr(row, sealed_field)
        if sealed:
            open_json(data_key, sealed, f"{name_of(row)}:data")

    return rewrap, check


def _referral_name(referral: Referral) -> str:
    return f"referral:{referral.uid}"


def _consultation_name(consultation: Consultation) -> str:
    return f"consultation:{consultation.uid}"


register(
    Wrapped(
        name="case keys",
        rows=lambda: Case.objects.filter(wrapped_key__isnull=False),
        rewrap=_case_rewrap,
        check=_case_check,
    )
)
register(
    Wrapped(
        "referral keys",
        lambda: Referral.objects.filter(wrapped_key__isnull=False),
        *_standalone(_referral_name, "details_sealed"),
    )
)
register(
    Wrapped(
        "consultation keys",
        lambda: Consultation.objects.filter(wrapped_key__isnull=False),
        *_standalone(_consultation_name, "sealed"),
    )
)


# --- Rotation --------------------------------------------------------------------------


BATCH_SIZE = 500


def rotate(
    *,
    old: bytes,
    new: bytes,
    batch_size: int = BATCH_SIZE,
    after_batch: Callable[[str, Tally], None] | None = None,
) -> dict[str, Tally]:
    """Move everything the old master key wraps to the new one, kind by kind, a batch of rows
    at a time, each batch committed on its own (rows locked while they change, so a row
    written meanwhile by the application is not overwritten). `after_batch(kind, tally)` is
    told after each batch commits. Safe to run again after a crash, or twice."""
    tallies: dict[str, Tally] = {}
    for kind in KINDS.values():
        tally = tallies[kind.name] = Tally()
        last = 0
        while True:
            with transaction.atomic():
                rows = list(
                    kind.rows().select_for_update().filter(pk__gt=last).order_by("pk")[:batch_size]
                )
                for row in rows:
                    tally.add(kind.rewrap(row, old, new), row.pk)
            if not rows:
                break
            last = rows[-1].pk
            if after_batch is not None:
                after_batch(kind.name, tally)
    return tallies


@dataclass(frozen=True)
class Checked:
    kind: str
    ok: bool
    words: str


def check(key: bytes) -> list[Checked]:
    """Open the newest row of each kind with `key`, and say what happened."""
    found: list[Checked] = []
    for kind in KINDS.values():
        row = kind.rows().order_by("-pk").first()
        if row is None:
            found.append(Checked(kind.name, True, "none to check"))
            continue
        try:
            kind.check(row, key)
        except crypto.DecryptionError:
            found.append(Checked(kind.name, False, f"number {row.pk} does not open"))
        else:
            found.append(Checked(kind.name, True, f"number {row.pk} opens"))
    return found
