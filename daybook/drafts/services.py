"""Keeping, opening and discarding drafts. Every write is one function here."""

import json
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest

from daybook import crypto
from daybook.accounts.models import User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.sealing import case_key
from daybook.drafts.kinds import Place
from daybook.drafts.models import Draft

# Enough for a long entry written over an evening, small enough that nobody fills the
# database by posting to the autosave address.
MAX_PAYLOAD_CHARS = 100_000
MAX_FIELDS = 300
MAX_NAME_CHARS = 100


class PayloadTooLong(ValueError):
    """The draft is bigger than Daybook keeps automatically."""


def payload_from(text: str) -> dict[str, Any]:
    """Check what the browser sent: {"fields": {name: [values]}, "texts": [[label, text]]}.

    Raises PayloadTooLong when it is too big and ValueError when it is not that shape.
    """
    if len(text) > MAX_PAYLOAD_CHARS:
        raise PayloadTooLong
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not an object")
    fields, texts = value.get("fields", {}), value.get("texts", [])
    if not isinstance(fields, dict) or not isinstance(texts, list):
        raise ValueError("wrong shape")
    if len(fields) > MAX_FIELDS or len(texts) > MAX_FIELDS:
        raise ValueError("too many fields")
    for name, values in fields.items():
        if len(name) > MAX_NAME_CHARS or not isinstance(values, list):
            raise ValueError("bad field")
        if not all(isinstance(v, str) for v in values):
            raise ValueError("bad value")
    for pair in texts:
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            raise ValueError("bad text")
    return {"fields": fields, "texts": texts}


def _key(draft: Draft) -> bytes:
    return case_key(draft.case) if draft.case else crypto.master_key()


def _audit_extra(draft: Draft, **more: str) -> dict[str, Any]:
    return {"form": draft.form_key.split(":", 1)[0], "case": draft.case_id, **more}


def draft_open(draft: Draft) -> dict[str, Any]:
    """The payload of a draft. Raises CaseErased or crypto.DecryptionError if it cannot open."""
    payload: dict[str, Any] = json.loads(
        crypto.open_sealed(_key(draft), bytes(draft.payload_sealed), draft.associated)
    )
    return payload


@transaction.atomic
def draft_save(
    *,
    owner: User,
    key: str,
    place: Place,
    payload: dict[str, Any],
    request: HttpRequest | None = None,
) -> Draft:
    """Keep what `owner` has written so far in the form `key` names, replacing any earlier
    draft of it. `place` is what `kinds.place_of` found for them (the access check).

    Only the first save of a draft is audited: later saves come every few seconds while
    someone types and would bury the audit trail without telling anyone anything new.
    """
    draft = Draft.objects.select_for_update().filter(owner=owner, form_key=key).first()
    created = draft is None
    if draft is None:
        draft = Draft(owner=owner, form_key=key)
    draft.case = place.case
    draft.resume_url = place.url
    plaintext = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    draft.payload_sealed = crypto.seal(_key(draft), plaintext, draft.associated)
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:
        # Two saves of a new draft crossed; the later one wins, like any other save.
        draft = Draft.objects.select_for_update().get(owner=owner, form_key=key)
        draft.payload_sealed = crypto.seal(_key(draft), plaintext, draft.associated)
        draft.save(update_fields=["payload_sealed", "updated_at"])
        created = False
    if created:
        audit_record(
            action=Action.DRAFT_SAVED,
            actor=owner,
            subject=draft,
            request=request,
            extra=_audit_extra(draft),
        )
    return draft


@transaction.atomic
def draft_discard(
    *, draft: Draft, actor: User, why: str, request: HttpRequest | None = None
) -> None:
    """Delete a draft: sent (the form was saved), discarded by its owner, or gone (its case
    or record can no longer be written to by them)."""
    audit_record(
        action=Action.DRAFT_DISCARDED,
        actor=actor,
        subject=draft,
        request=request,
        extra=_audit_extra(draft, why=why),
    )
    draft.delete()


@transaction.atomic
def drafts_sent(*, owner: User, key: str, request: HttpRequest | None = None) -> None:
    """The form `key` names was saved: its draft has done its job."""
    for draft in Draft.objects.select_for_update().filter(owner=owner, form_key=key):
        draft_discard(draft=draft, actor=owner, why="sent", request=request)


# Leaving with Exit this page ends the session at once, and the last save is sent at that
# same moment: it cannot rely on the session still being there when it arrives. The page
# carries a signed token naming the person and the form instead, good for one session's
# length, so the last save is kept whichever request the server sees first.
EXIT_TOKEN_SALT = "daybook.drafts.exit"  # noqa: S105  (a signing namespace, not a secret)


def exit_token(*, owner: User, key: str) -> str:
    return signing.dumps({"owner": owner.pk, "key": key}, salt=EXIT_TOKEN_SALT, compress=True)


def owner_of_exit_token(token: str, *, key: str) -> User:
    """The person an exit token was given to, for the form `key`; otherwise 404."""
    try:
        signed = signing.loads(token, salt=EXIT_TOKEN_SALT, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        raise Http404 from None
    if not isinstance(signed, dict) or signed.get("key") != key:
        raise Http404
    owner = User.objects.filter(pk=signed.get("owner", 0), is_active=True).first()
    if owner is None:
        raise Http404
    return owner
