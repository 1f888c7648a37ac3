"""Reading a person's drafts."""

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from daybook import crypto
from daybook.accounts.models import User
from daybook.cases.sealing import CaseErased
from daybook.drafts import services
from daybook.drafts.kinds import Place, place_of
from daybook.drafts.models import Draft

MAX_LISTED = 50


@dataclass(frozen=True)
class Shown:
    draft: Draft
    place: Place
    payload: dict[str, Any]

    @property
    def first_words(self) -> str:
        text = " ".join(t for _label, t in self.payload.get("texts", []) if t.strip())
        text = " ".join(text.split())
        return text if len(text) <= 120 else text[:119].rstrip() + "…"


def shown(user: User, draft: Draft, request: HttpRequest | None = None) -> Shown | None:
    """A draft its owner can still use, or None: a draft of a case that has been erased,
    or of something they may no longer write to, is discarded rather than shown."""
    try:
        place = place_of(user, draft.form_key)
        payload = services.draft_open(draft)
    except (Http404, CaseErased, crypto.DecryptionError):
        services.draft_discard(draft=draft, actor=user, why="gone", request=request)
        return None
    return Shown(draft, place, payload)


def drafts_of(user: User, request: HttpRequest | None = None) -> list[Shown]:
    drafts = Draft.objects.filter(owner=user).select_related("case").order_by("-updated_at")
    found = (shown(user, draft, request) for draft in drafts[:MAX_LISTED])
    return [item for item in found if item is not None]


def entry_drafts_of(user: User) -> list[Any]:
    """Log entries the person saved as drafts with "Save as a draft" (kept in their log,
    not here), so the Drafts page shows everything they have left unfinished."""
    from daybook.incidents.models import Entry

    entries = (
        Entry.objects.filter(
            status=Entry.Status.DRAFT, recorded_by=user, case__erased_at__isnull=True
        )
        .select_related("case")
        .order_by("-recorded_at")[:MAX_LISTED]
    )
    return [entry for entry in entries if user.has_perm("cases.change_case", entry.case)]


def payload_for(user: User, key: str) -> tuple[Draft, dict[str, Any]] | None:
    """The draft `user` has for the form `key`, to fill the form in again."""
    draft = Draft.objects.filter(owner=user, form_key=key).select_related("case").first()
    if draft is None:
        return None
    try:
        return draft, services.draft_open(draft)
    except (CaseErased, crypto.DecryptionError):
        return None
