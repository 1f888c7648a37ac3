"""Erasure requests and the tombstones erasure leaves."""

from django.conf import settings
from django.db import models

from daybook.accounts.models import Organisation
from daybook.cases.models import Case, new_uid


class ErasureRequest(models.Model):
    """A request to erase a case, waiting out its undo window (and, where the service asks for
    it, a second manager's approval) before it is carried out.

    The request outlives the case: once carried out its `case` is empty and its `tombstone`
    says what was erased. The optional words given with a service's decision are sealed with
    the master key while the request is open and dropped when it is carried out or cancelled,
    so that nothing written about the person survives the erasure; the reason code stays.
    """

    class Reason(models.TextChoices):
        PERSON = "person", "The person asked"
        RETENTION = "retention", "Retention period ended"
        SERVICE = "service", "The service decided"

    class ServiceReason(models.TextChoices):
        """Why a service decided to erase, when it did: a code, so that it can be kept."""

        OPENED_IN_ERROR = "opened_in_error", "Opened in error or a duplicate"
        NO_LONGER_NEEDED = "no_longer_needed", "No longer needed for the support given"
        UNLAWFULLY_HELD = "unlawfully_held", "Should not have been held"
        OTHER = "other", "Another reason"

    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="erasure_requests"
    )
    # The case's service when asked: a manager's list of erasures still finds the request once
    # the case is gone.
    service = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    service_reason = models.CharField(max_length=20, choices=ServiceReason.choices, blank=True)
    note_sealed = models.BinaryField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    needs_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # One open request a case at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(cancelled_at__isnull=True, carried_out_at__isnull=True),
                name="erasure_one_open_request_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Erasure ({self.get_reason_display()})"

    def note_ad(self) -> str:
        return f"erasure:{self.uid}:note"

    @property
    def is_open(self) -> bool:
        return self.cancelled_at is None and self.carried_out_at is None

    @property
    def awaiting_approval(self) -> bool:
        return self.is_open and self.needs_approval and self.approved_at is None

    @property
    def reason_words(self) -> str:
        if self.reason == self.Reason.SERVICE and self.service_reason:
            return f"{self.get_reason_display()}: {self.get_service_reason_display().lower()}"
        return self.get_reason_display()


class Tombstone(models.Model):
    """All that remains of an erased case: its reference, when it was opened, closed and
    erased, who erased it and why (a code). Nothing about the person."""

    request = models.OneToOneField(
        ErasureRequest, on_delete=models.PROTECT, related_name="tombstone"
    )
    reference = models.CharField(max_length=20, unique=True)
    # The erased case's id: its audit trail (kept, with no personal data) is found by it.
    case_number = models.BigIntegerField(unique=True)
    service = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField()
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=ErasureRequest.Reason.choices)
    service_reason = models.CharField(
        max_length=20, choices=ErasureRequest.ServiceReason.choices, blank=True
    )

    class Meta:
        ordering = ["-erased_at"]
        indexes = [models.Index(fields=["service", "-erased_at"])]

    def __str__(self) -> str:
        return f"{self.reference} (erased)"


class WithdrawnShare(models.Model):
    """What a police force is told when a log shared with it is erased: that a log shared on
    a date was withdrawn on a date, without the log's reference or anything in it."""

    police = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField()

    class Meta:
        ordering = ["-withdrawn_at"]
        indexes = [models.Index(fields=["police", "-withdrawn_at"])]

    def __str__(self) -> str:
        return "A shared log withdrawn"
