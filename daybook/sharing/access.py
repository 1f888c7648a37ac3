"""The access function for what a victim shared with a police force, which also records each
time the police open it (the person sees that on their sharing page)."""

from django.db.models import QuerySet
from django.http import Http404

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.models import User
from daybook.accounts.policy import is_police
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.incidents.models import Entry, Evidence
from daybook.sharing.models import Share
from daybook.sharing.services import shared_entries


def share_for(
    request: AuthenticatedHttpRequest, share_id: int, *, record_read: bool = True
) -> Share:
    """A share as the police see it: only their own force's, only while it is active.

    A page that shows it records the read; `record_read=False` is for a download, which the
    report records as a download instead."""
    user = request.user
    share = (
        Share.objects.select_related("case", "police")
        .filter(pk=share_id, revoked_at__isnull=True, case__erased_at__isnull=True)
        .first()
    )
    if share is None or not is_police(user) or share.police_id != user.organisation_id:
        raise Http404
    if record_read and request.method in ("GET", "HEAD"):
        audit_record(
            action=Action.SHARED_LOG_VIEWED,
            actor=user,
            subject=share,
            request=request,
            organisation_id=share.police_id,
            extra={"case": share.case_id},
        )
    return share


def shares_for_police(user: User) -> QuerySet[Share]:
    if not is_police(user):
        return Share.objects.none()
    return Share.objects.filter(
        police=user.organisation_id, revoked_at__isnull=True, case__erased_at__isnull=True
    ).select_related("case")


def shared_entry_for(
    request: AuthenticatedHttpRequest, share_id: int, entry_id: int
) -> tuple[Share, Entry]:
    """An entry of a share as the police see it, its reading recorded (the person sees it on
    their sharing page). An entry the share does not cover, or of another log, is a 404: to
    the officer it does not exist."""
    share = share_for(request, share_id, record_read=False)
    entry = shared_entries(share).filter(pk=entry_id).select_related("case").first()
    if entry is None:
        raise Http404
    if request.method in ("GET", "HEAD"):
        audit_record(
            action=Action.SHARED_ENTRY_VIEWED,
            actor=request.user,
            subject=entry,
            request=request,
            organisation_id=share.police_id,
            extra={"case": share.case_id, "share": share.pk, "entry": entry.pk},
        )
    return share, entry


def shared_evidence_for(
    request: AuthenticatedHttpRequest, share_id: int, evidence_id: int
) -> tuple[Share, Evidence]:
    """A file of an entry a share covers, for the police. Withdrawn files and files of entries
    outside the share are a 404. Nothing is recorded here: serving the file records the view
    or download (see daybook.police.evidence), after any re-authentication it needs."""
    share = share_for(request, share_id, record_read=False)
    evidence = (
        Evidence.objects.filter(
            pk=evidence_id, withdrawn=False, entry__in=shared_entries(share).values("pk")
        )
        .select_related("entry__case")
        .first()
    )
    if evidence is None:
        raise Http404
    return share, evidence
