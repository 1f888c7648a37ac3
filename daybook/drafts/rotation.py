"""Drafts that belong to no case are sealed with the master key itself: rotating the master
key opens and seals them again (`daybook.cases.keyring`). Drafts of a case are sealed with the
case's key and move with it."""

from daybook import crypto
from daybook.cases.keyring import Outcome, Wrapped, register, reseal
from daybook.drafts.models import Draft


def _rewrap(draft: Draft, old: bytes, new: bytes) -> Outcome:
    outcome, sealed = reseal(draft.payload_sealed, draft.associated, old, new)
    if outcome is Outcome.REWRAPPED:
        draft.payload_sealed = sealed
        # Not updated_at: the draft's own words have not changed.
        draft.save(update_fields=["payload_sealed"])
    return outcome


def _check(draft: Draft, key: bytes) -> None:
    crypto.open_sealed(key, bytes(draft.payload_sealed), draft.associated)


def register_drafts() -> None:
    register(
        Wrapped(
            name="drafts outside a case",
            rows=lambda: Draft.objects.filter(case__isnull=True),
            rewrap=_rewrap,
            check=_check,
        )
    )
