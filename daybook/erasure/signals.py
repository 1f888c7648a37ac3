"""Told to other apps when a person's data has been removed for good (sent once committed).

A backup taken before an erasure still holds what was erased; restoring it would undo the
person's right to erasure. So each erasure is announced once it has committed, and the
backups app keeps a list of them outside the database (daybook/backups/erasure_ledger.py) that
`restore` carries out again. What is sent names only what is needed to do that: codes and
ids, never a name or anything written about the person.
"""

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal

CASE = "case"
ACCOUNT = "account"


@dataclass(frozen=True)
class Erased:
    """One thing removed for good.

    `subject` is the case's reference for a case, the account's id for an account. For a case,
    `request` is the uid of the erasure request carried out and `reason`/`service_reason` its
    codes, so the tombstone left the second time is the one left the first."""

    kind: str
    subject: str
    erased_at: dt.datetime
    request: str = ""
    reason: str = ""
    service_reason: str = ""


# Sent with `erased` (an Erased) once the erasure's transaction has committed.
erased_for_good = Signal()
