"""Erasing a case: asking, the undo window, a second manager's approval, cancelling, and
carrying it out so that only a tombstone and the audit trail remain.

Who may do what:

- a manager of the service holding a case may ask for it to be erased (with a reason) and may
  cancel an open request; where the service asks for it (`erasure_needs_second_approval`) a
  different manager of that service approves before it can be carried out;
- the person may ask for their own self-held log to be erased; they may also ask for the
  erasure of a log they own that a service holds, which a manager of that service approves;
- the person whose log it is may always cancel within the undo window (protection against
  being made to delete it); advocates can do neither.

A request is carried out by `erasures_carry_out_due`, run daily by the `erasures_carry_out`
task, once its window has passed and any approval it needs is given.
"""

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from daybook import crypto
from daybook.accounts.models import User
from daybook.accounts.policy import is_owner, is_service_manager, manages_holding_service
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case
from daybook.cases.services import case_erase
from daybook.erasure.deletion import delete_everything_about
from daybook.erasure.models import ErasureRequest, Tombstone
from daybook.erasure.signals import CASE, Erased, erased_for_good

logger = logging.getLogger(__name__)

UNDO_DAYS = 7


class ErasureRefused(Exception):
    """The erasure cannot be asked for, approved or cancelled; the message says why, kindly."""


# --- Who may ----------------------------------------------------------------------------------


def may_request_erasure(user: User, case: Case) -> bool:
    """A manager of the holding service, or the person whose log it is."""
    if case.erased_at is not None:
        return False
    return bool(manages_holding_service(user, case) or is_owner(user, case))


def may_cancel_erasure(user: User, erasure: ErasureRequest) -> bool:
    """The person whose log it is, always within the window; a manager of the service."""
    case = erasure.case
    if case is None or not erasure.is_open:
        return False
    return bool(is_owner(user, case) or manages_holding_service(user, case))


def may_approve_erasure(user: User, erasure: ErasureRequest) -> bool:
    """A manager of the holding service other than the one who asked."""
    case = erasure.case
    if case is None or not erasure.awaiting_approval:
        return False
    return bool(manages_holding_service(user, case) and erasure.requested_by_id != user.pk)


# --- Asking, approving, cancelling ------------------------------------------------------------


def erasure_pending(case: Case) -> ErasureRequest | None:
    """The case's open request (asked for, neither cancelled nor carried out), if any."""
    return (
        ErasureRequest.objects.filter(
            case=case, cancelled_at__isnull=True, carried_out_at__isnull=True
        )
        .select_related("requested_by", "approved_by")
        .first()
    )


@transaction.atomic
def erasure_request(
    *,
    case: Case,
    actor: User,
    reason: str,
    note: str = "",
    service_reason: str = "",
    request: HttpRequest | None = None,
) -> ErasureRequest:
    """Ask for `case` to be erased `UNDO_DAYS` from now.

    A service's own decision (`Reason.SERVICE`) carries a `service_reason` code; `note` is the
    optional words with it, sealed with the master key until the erasure is carried out or
    cancelled, then dropped. Raises `ErasureRefused` with a message for the person.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.erased_at is not None:
        raise ErasureRefused("This log has already been erased.")
    if not may_request_erasure(actor, case):
        raise ErasureRefused("You cannot erase this log.")
    if reason not in ErasureRequest.Reason.values:
        raise ErasureRefused("Choose why the log is to be erased.")
    if reason == ErasureRequest.Reason.SERVICE:
        if service_reason not in ErasureRequest.ServiceReason.values:
            raise ErasureRefused("Choose the service's reason for erasing this log.")
    else:
        service_reason, note = "", ""  # the words go with a service's decision only
    if erasure_pending(case) is not None:
        raise ErasureRefused("This log is already due to be erased.")
    now = timezone.now()
    by_manager = bool(is_service_manager(actor))
    needs_approval = case.service is not None and (
        # The person asking to erase a log a service holds: the service decides.
        not by_manager or case.service.erasure_needs_second_approval
    )
    erasure = ErasureRequest(
        case=case,
        service=case.service,
        reason=reason,
        service_reason=service_reason,
        requested_by=actor,
        requested_at=now,
        due_at=now + dt.timedelta(days=UNDO_DAYS),
        needs_approval=needs_approval,
    )
    if note.strip():
        erasure.note_sealed = crypto.seal_text(crypto.master_key(), note.strip(), erasure.note_ad())
    erasure.save()
    audit_record(
        action=Action.ERASURE_REQUESTED,
        actor=actor,
        subject=case,
        request=request,
        organisation_id=case.service_id,
        extra={"erasure": erasure.pk, "reason": reason, "service_reason": service_reason},
    )
    return erasure


def erasure_note(erasure: ErasureRequest) -> str:
    """The words given with a service's decision, while the request is open."""
    if not erasure.note_sealed:
        return ""
    return crypto.open_text(crypto.master_key(), bytes(erasure.note_sealed), erasure.note_ad())


def _locked(erasure: ErasureRequest) -> ErasureRequest:
    return (
        ErasureRequest.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=erasure.pk)
    )


@transaction.atomic
def erasure_approve(
    *, erasure: ErasureRequest, actor: User, request: HttpRequest | None = None
) -> ErasureRequest:
    """A second manager of the same service agrees; the erasure still waits out its window."""
    erasure = _locked(erasure)
    if not erasure.is_open:
        raise ErasureRefused("This erasure has already been cancelled or carried out.")
    if not erasure.needs_approval or erasure.approved_at is not None:
        raise ErasureRefused("This erasure does not need approving.")
    if erasure.requested_by_id == actor.pk:
        raise ErasureRefused("Another manager of the service must approve this erasure.")
    if not may_approve_erasure(actor, erasure):
        raise ErasureRefused("You cannot approve this erasure.")
    erasure.approved_by, erasure.approved_at = actor, timezone.now()
    erasure.save(update_fields=["approved_by", "approved_at"])
    audit_record(
        action=Action.ERASURE_APPROVED,
        actor=actor,
        subject=erasure.case,
        request=request,
        organisation_id=erasure.service_id,
        extra={"erasure": erasure.pk},
    )
    return erasure


@transaction.atomic
def erasure_cancel(
    *, erasure: ErasureRequest, actor: User, request: HttpRequest | None = None
) -> ErasureRequest:
    """Stop an erasure before it is carried out; its sealed words are dropped."""
    erasure = _locked(erasure)
    if not erasure.is_open:
        raise ErasureRefused("This erasure has already been cancelled or carried out.")
    if not may_cancel_erasure(actor, erasure):
        raise ErasureRefused("You cannot cancel this erasure.")
    erasure.cancelled_by, erasure.cancelled_at = actor, timezone.now()
    erasure.note_sealed = None
    erasure.save(update_fields=["cancelled_by", "cancelled_at", "note_sealed"])
    audit_record(
        action=Action.ERASURE_CANCELLED,
        actor=actor,
        subject=erasure.case,
        request=request,
        organisation_id=erasure.service_id,
        extra={"erasure": erasure.pk},
    )
    return erasure


# --- Carrying out -----------------------------------------------------------------------------


def erasures_due(now: dt.datetime | None = None) -> Iterable[ErasureRequest]:
    now = now or timezone.now()
    open_requests = ErasureRequest.objects.filter(
        cancelled_at__isnull=True, carried_out_at__isnull=True, case__isnull=False, due_at__lte=now
    )
    return open_requests.exclude(needs_approval=True, approved_at__isnull=True).order_by("due_at")


def erasures_carry_out_due(now: dt.datetime | None = None) -> int:
    """Carry out every request whose window has passed and whose approval (if needed) is
    given. Each is its own transaction, so one that fails leaves the others done. Returns how
    many were carried out."""
    done = 0
    for erasure in list(erasures_due(now)):
        try:
            erasure_carry_out(erasure=erasure)
        except Exception as failure:
            # The class only: a database error's message may quote a row's values.
            logger.error(
                "Erasure %s could not be carried out: %s", erasure.pk, type(failure).__name__
            )
            continue
        done += 1
    return done


def erasure_carry_out(*, erasure: ErasureRequest) -> Tombstone:
    """Delete everything about the case and its person, destroy its key, leave a tombstone.

    The database work is one transaction; stored files are deleted after it commits (a file
    left by a failure is sealed with a key that no longer exists)."""
    with transaction.atomic():
        erasure = _locked(erasure)
        if not erasure.is_open or erasure.case is None:
            raise ErasureRefused("This erasure has already been cancelled or carried out.")
        if erasure.awaiting_approval:
            raise ErasureRefused("This erasure is waiting for a second manager's approval.")
        case = Case.objects.select_for_update().get(pk=erasure.case.pk)
        tombstone, stored = _erase_case(case=case, erasure=erasure)
        erased = Erased(
            kind=CASE,
            subject=tombstone.reference,
            erased_at=tombstone.erased_at,
            request=erasure.uid,
            reason=erasure.reason,
            service_reason=erasure.service_reason,
        )
        # Kept outside the database too, so that restoring an older backup erases it again.
        transaction.on_commit(
            lambda: erased_for_good.send(sender=Erased, erased=erased), robust=True
        )
    _delete_stored(stored)
    _checkpoint_wal()
    return tombstone


def erasure_carry_out_again(*, erased: Erased, restore: str) -> Tombstone | None:
    """Erase again a case that a restored backup brought back although it had been erased
    after the backup was taken (`erased`, as the erasure ledger kept it). Rows, files and the
    key go as they did the first time, through the same steps, and the tombstone is the one
    left then: its request, reason codes and time. `restore` names the restore (a backup's id,
    or the moment a database was recovered to) in the audit.

    Returns None when the restored database does not hold the case (erased before the backup
    was taken, or started after it)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(reference=erased.subject).first()
        if case is None or case.erased_at is not None:
            return None
        erasure = _request_again(case=case, erased=erased)
        audit_record(
            action=Action.ERASED_AGAIN_AFTER_RESTORE,
            subject=case,
            organisation_id=case.service_id,
            extra={"kind": CASE, "erasure": erasure.pk, "restore": restore},
        )
        tombstone, stored = _erase_case(case=case, erasure=erasure, now=erased.erased_at)
    _delete_stored(stored)
    _checkpoint_wal()
    return tombstone


def _request_again(*, case: Case, erased: Erased) -> ErasureRequest:
    """The request that was carried out: still open in the restored database when it was
    asked for before the backup; made again, under its own uid and dated when it was carried
    out, when it was asked for after (who asked is not kept outside the database)."""
    open_requests = ErasureRequest.objects.select_for_update().filter(
        case=case, cancelled_at__isnull=True, carried_out_at__isnull=True
    )
    found = open_requests.filter(uid=erased.request).first()
    if found is not None:
        return found
    # Another request still open here was cancelled after the backup: only one can be open.
    for other in open_requests:
        other.cancelled_at, other.note_sealed = erased.erased_at, None
        other.save(update_fields=["cancelled_at", "note_sealed"])
    taken = ErasureRequest.objects.filter(uid=erased.request).exists()
    reason = erased.reason if erased.reason in ErasureRequest.Reason.values else ""
    service_reason = erased.service_reason
    if service_reason not in ErasureRequest.ServiceReason.values:
        service_reason = ""
    return ErasureRequest.objects.create(
        **({} if taken or not erased.request else {"uid": erased.request}),
        case=case,
        service=case.service,
        reason=reason or ErasureRequest.Reason.PERSON,
        service_reason=service_reason,
        requested_by=None,
        requested_at=erased.erased_at,
        due_at=erased.erased_at,
    )


def _erase_case(
    *, case: Case, erasure: ErasureRequest, now: dt.datetime | None = None
) -> tuple[Tombstone, list[str]]:
    now = now or timezone.now()
    tombstone = Tombstone.objects.create(
        request=erasure,
        reference=case.reference,
        case_number=case.pk,
        service=case.service,
        opened_at=case.created_at,
        closed_at=case.closed_at,
        erased_at=now,
        erased_by_id=erasure.requested_by_id,
        reason=erasure.reason,
        service_reason=erasure.service_reason,
    )
    stored = delete_everything_about(case, now=now)
    # Last, the key: the step that also makes old backups of the case unreadable.
    case_erase(case=case, actor=erasure.requested_by)
    Case.objects.filter(pk=case.pk).delete()
    erasure.carried_out_at, erasure.note_sealed = now, None
    erasure.save(update_fields=["carried_out_at", "note_sealed"])
    return tombstone, stored


def _delete_stored(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("A stored file of an erased case could not be deleted")


def _checkpoint_wal() -> None:
    """Fold the write-ahead log back into the database so erased pages, overwritten there by
    `secure_delete`, do not linger in the -wal file. Only outside a transaction: inside one
    (a caller's own) there is nothing committed to fold yet."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except DatabaseError:
            logger.warning("The database's write-ahead log could not be checkpointed")
