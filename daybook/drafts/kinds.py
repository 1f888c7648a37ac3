"""The forms that keep drafts, and who may keep one for which object.

A form key is "<kind>:<id>:<id>…", written into the form by the `draft_for` template tag.
Every save checks it again here, as the form's own page would: a key naming a case, entry
or record the person may not write to is answered with 404, like any unknown page. The
page to resume on is worked out here too, never taken from the browser.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from daybook.accounts.models import User
from daybook.accounts.policy import is_victim
from daybook.cases.access import case_for, casework_case_for
from daybook.cases.models import Case

MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class Place:
    """Where a draft belongs: the case whose key seals it (if any) and the page to resume."""

    case: Case | None
    url: str
    label: str


def _record(user: User, case_id: int) -> Place:
    case = case_for(user, case_id, write=True)
    return Place(case, reverse("incidents:record", args=[case.pk]), "A new entry for the log")


def _entry_draft(user: User, case_id: int, entry_id: int) -> Place:
    from daybook.incidents.models import Entry

    case = case_for(user, case_id, write=True)
    if not Entry.objects.filter(pk=entry_id, case=case, status=Entry.Status.DRAFT).exists():
        raise Http404
    return Place(
        case, reverse("incidents:draft", args=[case.pk, entry_id]), "A saved draft log entry"
    )


def _amend(user: User, case_id: int, entry_id: int) -> Place:
    from daybook.incidents.models import Entry

    case = case_for(user, case_id, write=True)
    if not Entry.objects.filter(pk=entry_id, case=case, status__in=Entry.IN_LOG).exists():
        raise Http404
    return Place(
        case, reverse("incidents:amend", args=[case.pk, entry_id]), "An amendment to an entry"
    )


def _contact_note(user: User, case_id: int, record_id: int | None = None) -> Place:
    from daybook.cases.models import ContactNote

    case = casework_case_for(user, case_id, write=True)
    if record_id is None:
        return Place(case, reverse("cases:section", args=[case.pk, "contact"]), "A contact note")
    if not ContactNote.objects.filter(pk=record_id, case=case).exists():
        raise Http404
    return Place(
        case,
        reverse("cases:section_record", args=[case.pk, "contact", record_id]),
        "A change to a contact note",
    )


def _referral(user: User) -> Place:
    if not user.has_perm("casework.make_referral"):
        raise Http404
    if is_victim(user):
        return Place(None, reverse("cases:referral_new"), "Asking for support")
    return Place(None, reverse("cases:referral_new"), "A referral")


def _vps(user: User, case_id: int) -> Place:
    case = case_for(user, case_id)
    return Place(case, reverse("reports:vps", args=[case.pk]), "A victim personal statement draft")


# Each kind: the function that checks access, and how many ids the key may carry.
KINDS: dict[str, tuple[Callable[..., Place], tuple[int, ...]]] = {
    "incidents.record": (_record, (1,)),
    "incidents.draft": (_entry_draft, (2,)),
    "incidents.amend": (_amend, (2,)),
    "cases.contact": (_contact_note, (1, 2)),
    "cases.referral": (_referral, (0,)),
    "reports.vps": (_vps, (1,)),
}


def form_key(kind: str, *ids: int | str | None) -> str:
    """The key for a form; an id that is missing (None, or "" from a template) is left out."""
    if kind not in KINDS:
        raise ValueError(f"Unknown draft kind {kind!r}")
    return ":".join([kind, *(str(int(i)) for i in ids if i not in (None, ""))])


def place_of(user: User, key: str) -> Place:
    """The place a form key names, if `user` may write there; otherwise 404."""
    if not user.is_authenticated or len(key) > MAX_KEY_LENGTH:
        raise Http404
    kind, *parts = key.split(":")
    found = KINDS.get(kind)
    if found is None:
        raise Http404
    check, arities = found
    if len(parts) not in arities or not all(p.isascii() and p.isdigit() for p in parts):
        raise Http404
    if any(len(p) > 18 for p in parts):
        raise Http404
    try:
        return check(user, *(int(p) for p in parts))
    except PermissionDenied:
        # Someone who may read but not write never had the form to write in.
        raise Http404 from None
