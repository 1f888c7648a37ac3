"""A person leaving Daybook: their logs erased and their account closed, after an undo window.

Asking erases nothing at once. Each log they own gets an erasure request with the erasure
app's undo window; until it passes they can sign in and cancel everything. Once their logs
are erased, their account is anonymised and switched off (`accounts.services.user_anonymise`):
the row stays so the audit's references stay true. A log a service holds may also wait for
the service's decision, and the account stays open until it is erased.
"""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from daybook.accounts.models import User
from daybook.accounts.services import user_anonymise
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case, Referral
from daybook.drafts.models import Draft
from daybook.erasure.models import ErasureRequest
from daybook.erasure.services import (
    UNDO_DAYS,
    erasure_cancel,
    erasure_pending,
    erasure_request,
)
from daybook.erasure.signals import ACCOUNT, Erased, erased_for_good
from daybook.subject_access.models import AccountDeletion, SubjectAccessRequest

logger = logging.getLogger(__name__)


def _own_logs(person: User) -> list[Case]:
    return list(Case.objects.filter(owner=person, erased_at__isnull=True).order_by("pk"))


def account_deletion_pending(person: User) -> AccountDeletion | None:
    return AccountDeletion.objects.filter(
        person=person, cancelled_at__isnull=True, carried_out_at__isnull=True
    ).first()


@transaction.atomic
def account_deletion_request(
    *, person: User, request: HttpRequest | None = None
) -> AccountDeletion:
    """Ask for the person's account and every log they own to be deleted after the undo
    window. Staff accounts are refused: they are deactivated, never deleted."""
    if person.is_staff_member:
        raise PermissionDenied("Staff accounts are deactivated by a manager, never deleted.")
    if account_deletion_pending(person) is not None:
        raise ValidationError("Your account is already due to be deleted.")
    now = timezone.now()
    deletion = AccountDeletion.objects.create(
        person=person, due_at=now + dt.timedelta(days=UNDO_DAYS)
    )
    logs = _own_logs(person)
    for case in logs:
        if erasure_pending(case) is None:
            erasure_request(
                case=case, actor=person, reason=ErasureRequest.Reason.PERSON, request=request
            )
    audit_record(
        action=Action.ACCOUNT_DELETION_REQUESTED,
        actor=person,
        subject=person,
        request=request,
        extra={"deletion": deletion.pk, "logs": len(logs)},
    )
    return deletion


@transaction.atomic
def account_deletion_cancel(*, person: User, request: HttpRequest | None = None) -> AccountDeletion:
    """Stop the deletion, and the erasure of each of the person's logs with it."""
    deletion = (
        AccountDeletion.objects.select_for_update()
        .filter(person=person, cancelled_at__isnull=True, carried_out_at__isnull=True)
        .first()
    )
    if deletion is None:
        raise ValidationError("Your account is not due to be deleted.")
    for case in _own_logs(person):
        erasure = erasure_pending(case)
        if erasure is not None and erasure.reason == ErasureRequest.Reason.PERSON:
            erasure_cancel(erasure=erasure, actor=person, request=request)
    deletion.cancelled_at = timezone.now()
    deletion.save(update_fields=["cancelled_at"])
    audit_record(
        action=Action.ACCOUNT_DELETION_CANCELLED,
        actor=person,
        subject=person,
        request=request,
        extra={"deletion": deletion.pk},
    )
    return deletion


def account_deletion_due_on(deletion: AccountDeletion) -> dt.datetime:
    """When the account and logs will be deleted: the latest of the account's own window and
    its logs' erasures."""
    latest = deletion.due_at
    for case in _own_logs(deletion.person):
        erasure = erasure_pending(case)
        if erasure is not None and erasure.due_at > latest:
            latest = erasure.due_at
    return latest


def account_deletion_waits_for_service(deletion: AccountDeletion) -> bool:
    """Whether a log's erasure waits for its service's decision before it can go ahead."""
    for case in _own_logs(deletion.person):
        erasure = erasure_pending(case)
        if erasure is not None and erasure.needs_approval and erasure.approved_at is None:
            return True
    return False


def _carry_out(deletion: AccountDeletion, *, restore: str = "") -> bool:
    """Close the account. `restore` is given when a restored backup brought back an account
    closed after the backup was taken (`account_deletion_carry_out_again`)."""
    with transaction.atomic():
        deletion = (
            AccountDeletion.objects.select_for_update(of=("self",))
            .select_related("person")
            .get(pk=deletion.pk)
        )
        if not deletion.pending or _own_logs(deletion.person):
            return False
        if restore:
            audit_record(
                action=Action.ERASED_AGAIN_AFTER_RESTORE,
                subject=deletion.person,
                extra={"kind": ACCOUNT, "deletion": deletion.pk, "restore": restore},
            )
        copies = list(
            SubjectAccessRequest.objects.filter(person=deletion.person).exclude(storage_name="")
        )
        SubjectAccessRequest.objects.filter(pk__in=[copy.pk for copy in copies]).update(
            storage_name="", wrapped_key=None
        )
        # Forms they started and never sent go too (those of their logs went with the logs),
        # and referrals they made themselves that never became a case (one that did went with
        # its case): what they said of themselves, waiting or declined.
        Draft.objects.filter(owner=deletion.person).delete()
        Referral.objects.filter(
            referrer=deletion.person, source=Referral.Source.SELF_ACCOUNT, case__isnull=True
        ).delete()
        user_anonymise(user=deletion.person)
        deletion.carried_out_at = timezone.now()
        deletion.save(update_fields=["carried_out_at"])
        if not restore:
            # Kept outside the database too, so that restoring an older backup closes it again.
            erased = Erased(
                kind=ACCOUNT, subject=str(deletion.person_id), erased_at=deletion.carried_out_at
            )
            transaction.on_commit(
                lambda: erased_for_good.send(sender=Erased, erased=erased), robust=True
            )
    for copy in copies:  # sealed with keys that no longer exist; removed after the commit
        default_storage.delete(copy.storage_name)
    return True


def account_deletion_carry_out_again(*, erased: Erased, restore: str) -> bool:
    """Close again an account that a restored backup brought back although it had been closed
    after the backup was taken (`erased`, as the erasure ledger kept it), through the same
    steps as the first time. Its logs must have been erased again first (`restore` does those
    before the accounts). Returns whether it was closed: False when the restored database does
    not hold the account, or holds it closed already. Raises ValidationError when the person
    still owns a log (its erasure is missing from the ledger): it must be erased first."""
    if not erased.subject.isdigit():
        return False
    person = User.objects.filter(pk=int(erased.subject), is_active=True).first()
    if person is None or person.is_staff_member:
        return False
    if _own_logs(person):
        raise ValidationError("The person still owns a log that has not been erased.")
    deletion = account_deletion_pending(person)
    if deletion is None:  # asked for after the backup was taken
        deletion = AccountDeletion.objects.create(person=person, due_at=erased.erased_at)
    return _carry_out(deletion, restore=restore)


def account_deletions_carry_out_due(now: dt.datetime | None = None) -> int:
    """Close every account whose window has passed and whose logs have all been erased.
    Run after the erasures are carried out (the daily task does both, in that order)."""
    now = now or timezone.now()
    done = 0
    for deletion in AccountDeletion.objects.filter(
        cancelled_at__isnull=True, carried_out_at__isnull=True, due_at__lte=now
    ):
        try:
            done += _carry_out(deletion)
        except Exception as failure:  # by its kind only: a message or traceback may quote data
            logger.error(
                "Account deletion %s could not be carried out: %s",
                deletion.pk,
                type(failure).__name__,
            )
    return done
