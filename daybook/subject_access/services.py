"""Asking for, building and handing out a copy of everything held about a person.

Built in the background like the reports: queued, running, then done or failed. The ZIP (a
readable PDF, a JSON file, the evidence files) is sealed with a key of its own, wrapped by
the master key, and both are deleted when it expires. Every step and every download is
audited.
"""

import datetime as dt
import hashlib
import io
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone

from daybook import crypto
from daybook.accounts.models import User
from daybook.accounts.policy import is_service_manager
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case, CaseRecord, WithheldBecause
from daybook.subject_access import collect, document
from daybook.subject_access.models import SubjectAccessRequest

# Sent once a request is committed; tasks.py builds the copy in the background.
subject_access_requested = Signal()


def _audit(
    copy: SubjectAccessRequest,
    action: Action,
    *,
    actor: User | None = None,
    request: HttpRequest | None = None,
    **extra: int | str,
) -> None:
    who = actor or copy.requested_by
    audit_record(
        action=action,
        actor=who,
        subject=copy,
        request=request,
        organisation_id=who.organisation_id,
        extra={"via": copy.via, "case": copy.case_id, "person": copy.person_id, **extra},
    )


def _ask(
    *, via: str, person: User | None, case: Case | None, actor: User, request: HttpRequest | None
) -> SubjectAccessRequest:
    copy = SubjectAccessRequest.objects.create(
        via=via,
        person=person,
        case=case,
        requested_by=actor,
        expires_at=timezone.now() + dt.timedelta(hours=settings.DAYBOOK_REPORT_HOURS),
    )
    _audit(copy, Action.SUBJECT_ACCESS_REQUESTED, request=request)
    transaction.on_commit(lambda: subject_access_requested.send(SubjectAccessRequest, copy=copy))
    return copy


@transaction.atomic
def subject_access_request(
    *, person: User, request: HttpRequest | None = None
) -> SubjectAccessRequest:
    """A person asks, from their account, for everything held about them."""
    if not person.is_victim:
        # Staff hold other people's data in their accounts: their own requests go to the
        # service's data protection officer, outside Daybook.
        raise PermissionDenied
    return _ask(
        via=SubjectAccessRequest.Via.ACCOUNT,
        person=person,
        case=None,
        actor=person,
        request=request,
    )


@transaction.atomic
def subject_access_request_by_letter(
    *, case: Case, actor: User, request: HttpRequest | None = None
) -> SubjectAccessRequest:
    """A service manager produces the copy for a request the person made by letter (or any
    way other than their account): it covers the case, and its owner's account if any."""
    if not is_service_manager(actor) or case.service_id != actor.organisation_id:
        raise PermissionDenied
    return _ask(
        via=SubjectAccessRequest.Via.LETTER,
        person=case.owner,
        case=case,
        actor=actor,
        request=request,
    )


def _scope(copy: SubjectAccessRequest) -> list[Case]:
    if copy.case is not None:
        return [copy.case] if copy.case.erased_at is None else []
    return list(
        Case.objects.filter(owner=copy.person, erased_at__isnull=True).order_by("created_at")
    )


def subject_access_build(copy: SubjectAccessRequest) -> None:
    """Build the ZIP, seal it and store it; a failure is recorded by its kind only."""
    if not _start(copy):
        return
    try:
        data = _zip(copy)
    except Exception as error:  # recorded for the person; never half-stored
        _failed(copy, type(error).__name__)
        return
    _store(copy, data)


def _zip(copy: SubjectAccessRequest) -> bytes:
    produced_at = timezone.now()
    cases = _scope(copy)
    copy.covers = [case.pk for case in cases]
    found = collect.collect(person=copy.person, cases=cases, produced_at=produced_at)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("copy.pdf", document.copy_pdf(found.data, produced_at=produced_at))
        archive.writestr("copy.json", document.copy_json(found.data))
        for item in found.files:
            archive.writestr(item.path, item.data)
    return buffer.getvalue()


@transaction.atomic
def _start(copy: SubjectAccessRequest) -> bool:
    taken = SubjectAccessRequest.objects.filter(
        pk=copy.pk, status=SubjectAccessRequest.Status.QUEUED
    ).update(status=SubjectAccessRequest.Status.RUNNING)
    if taken:
        copy.status = SubjectAccessRequest.Status.RUNNING
    return bool(taken)


@transaction.atomic
def _failed(copy: SubjectAccessRequest, failure: str) -> None:
    """`failure` is the exception's class name, never its message (which may quote data)."""
    SubjectAccessRequest.objects.filter(pk=copy.pk).update(
        status=SubjectAccessRequest.Status.FAILED,
        error=f"The copy could not be produced ({failure}). Try again.",
        finished_at=timezone.now(),
    )
    copy.status = SubjectAccessRequest.Status.FAILED
    _audit(copy, Action.SUBJECT_ACCESS_FAILED, failure=failure)


def _store(copy: SubjectAccessRequest, data: bytes) -> None:
    """Store the sealed file, then mark the copy done and audit it in one transaction; if
    that transaction fails, the stored file is removed again."""
    key = crypto.new_data_key()
    # A copy of one case is kept in the case's own folder, so erasing the case deletes it too.
    folder = f"{copy.case.uid}/subject-access" if copy.case is not None else "subject_access"
    name = default_storage.save(
        f"{folder}/{copy.uid}", ContentFile(crypto.seal(key, data, copy.file_ad()))
    )
    try:
        with transaction.atomic():
            SubjectAccessRequest.objects.filter(pk=copy.pk).update(
                status=SubjectAccessRequest.Status.DONE,
                wrapped_key=crypto.wrap_data_key(key, copy.key_name()),
                storage_name=name,
                covers=copy.covers,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                finished_at=timezone.now(),
            )
            _audit(copy, Action.SUBJECT_ACCESS_BUILT, size=len(data))
    except BaseException:
        default_storage.delete(name)
        raise
    copy.status, copy.storage_name = SubjectAccessRequest.Status.DONE, name


def _holds_erased_case(copy: SubjectAccessRequest) -> bool:
    kept = Case.objects.filter(pk__in=copy.covers, erased_at__isnull=True).count()
    return kept < len(copy.covers)


def subject_access_expired(copy: SubjectAccessRequest) -> bool:
    """Expired, purged, or holding a case erased since it was produced."""
    if copy.expires_at <= timezone.now() or not copy.storage_name:
        return True
    return _holds_erased_case(copy)


def subject_access_bytes(
    copy: SubjectAccessRequest, *, actor: User, request: HttpRequest | None = None
) -> bytes:
    """The finished ZIP, for whoever `subject_access_for` let have it; audited."""
    if copy.wrapped_key is None:
        raise PermissionDenied
    with default_storage.open(copy.storage_name, "rb") as handle:
        sealed = handle.read()
    key = crypto.unwrap_data_key(bytes(copy.wrapped_key), copy.key_name())
    data = crypto.open_sealed(key, sealed, copy.file_ad())
    _audit(copy, Action.SUBJECT_ACCESS_DOWNLOADED, actor=actor, request=request)
    return data


@transaction.atomic
def subject_access_purge_expired() -> int:
    """Delete the files and keys of copies that have expired or that hold a case erased
    since (the rows stay for the audit trail). The files go last, once the rows are written."""
    stored = SubjectAccessRequest.objects.select_for_update().exclude(storage_name="")
    expired = [
        (copy.pk, copy.storage_name)
        for copy in stored.order_by("pk")
        if copy.expires_at <= timezone.now() or _holds_erased_case(copy)
    ]
    if not expired:
        return 0
    SubjectAccessRequest.objects.filter(pk__in=[pk for pk, _ in expired]).update(
        storage_name="", wrapped_key=None
    )
    for _pk, name in expired:
        default_storage.delete(name)
    return len(expired)


@transaction.atomic
def casework_withhold(
    *,
    record: CaseRecord,
    actor: User,
    because: str,
    request: HttpRequest | None = None,
) -> CaseRecord:
    """Mark a casework record as withheld from subject access (`because` one of
    `WithheldBecause`), or release it again (`because` empty). Managers only."""
    if not is_service_manager(actor) or record.case.service_id != actor.organisation_id:
        raise PermissionDenied
    if because and because not in WithheldBecause.values:
        raise ValueError("Choose why the record is withheld from the list.")
    record.withheld = because
    record.save(update_fields=["withheld"])
    audit_record(
        action=Action.CASEWORK_SAVED,
        actor=actor,
        subject=record,
        request=request,
        organisation_id=actor.organisation_id,
        extra={"case": record.case_id, "withheld": because or "released"},
    )
    return record
