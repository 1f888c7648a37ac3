"""Evidence files as the police get them through a share.

Where the person let the police see the details they keep private, the police get the
original file. Otherwise they get a clean copy, with the location and device data removed
(`daybook.incidents.derivatives.clean_copy`): a photo's GPS position can give away where the
person now lives. A kind of file that cannot be cleaned is listed, saying why, and not
served. Every view or download is audited, and the person sees it on their sharing page."""

import io
import logging
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.http import HttpRequest

from daybook import crypto
from daybook.accounts.models import User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.incidents import keys
from daybook.incidents import services as log
from daybook.incidents.derivatives import CLEANABLE, clean_copy
from daybook.incidents.models import Evidence
from daybook.sharing.models import Share

logger = logging.getLogger(__name__)

ORIGINAL, CLEAN = "original", "clean"
NOT_CLEANABLE = (
    "Not available: this kind of file cannot have its location and device details removed "
    "without changing it, and the person has not shared the details they keep private. Ask "
    "the person or their advocate for it."
)
DOES_NOT_OPEN = (
    "Not available: this file does not open as it was stored, so it may have been damaged or "
    "altered. Ask the person's advocate to check the log (Check the log and its files now)."
)
NOT_CLEANED = (
    "Not available: the location and device details could not be removed from this file, "
    "and the person has not shared the details they keep private. Ask the person or their "
    "advocate for it."
)


class NotServed(Exception):
    """The file cannot be given through the share; the message says why, for the officer."""


def copy_for(share: Share) -> str:
    return ORIGINAL if share.include_private else CLEAN


def why_not_served(share: Share, evidence: Evidence) -> str:
    """Empty when the police can have the file through this share, else the reason."""
    if share.include_private or evidence.content_type in CLEANABLE:
        return ""
    return NOT_CLEANABLE


@dataclass
class Served:
    file: IO[bytes]
    copy: str
    content_type: str


def shared_evidence_open(
    *,
    share: Share,
    evidence: Evidence,
    actor: User,
    action: Action,
    request: HttpRequest | None = None,
) -> Served:
    """The file the police get through the share, its view or download audited (codes and
    ids only). Raises NotServed, recording nothing, when it cannot be given: a kind that
    cannot be cleaned, a file that does not follow its format's structure, or one that does
    not open as it was stored."""
    if reason := why_not_served(share, evidence):
        raise NotServed(reason)
    key = keys.case_key(share.case)
    copy = copy_for(share)
    try:
        if copy == ORIGINAL:
            file = log.evidence_opened(evidence, key)
        else:
            # Cleaning walks the whole file's structure, so the clean copy is made in memory;
            # evidence files are capped in size at upload.
            cleaned = clean_copy(log.evidence_bytes(evidence, key), evidence.content_type)
            if cleaned is None:
                raise NotServed(NOT_CLEANED)
            file = io.BytesIO(cleaned)
    except (crypto.DecryptionError, FileNotFoundError):
        logger.warning("Evidence file %s does not open as stored", evidence.pk)
        raise NotServed(DOES_NOT_OPEN) from None
    with transaction.atomic():
        audit_record(
            action=action,
            actor=actor,
            subject=evidence,
            request=request,
            organisation_id=share.police_id,
            extra={
                "case": share.case_id,
                "share": share.pk,
                "entry": evidence.entry_id,
                "evidence": evidence.pk,
                "copy": copy,
            },
        )
    return Served(file=file, copy=copy, content_type=evidence.content_type)
