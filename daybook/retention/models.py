"""Retention reviews of closed cases."""

from django.conf import settings
from django.db import models

from daybook.accounts.models import Organisation
from daybook.cases.models import Case


class RetentionReview(models.Model):
    """A closed case found due for its retention review, and what the service's manager
    decided: keep it longer (with a reason, until a date) or ask for it to be erased.

    The daily task opens a review (no decision yet) for each case that has become due; a case
    has at most one review waiting, so the task lists it once. Nothing is erased without a
    decision here. Only codes and dates are kept: nothing written about the person."""

    class Decision(models.TextChoices):
        KEEP = "keep", "Kept for longer"
        ERASE = "erase", "Erasure asked for"

    class KeepReason(models.TextChoices):
        CRIMINAL_PROCEEDINGS = "criminal_proceedings", "Criminal proceedings are still going on"
        COURT_ORDER = "court_order", "A court order or civil claim still needs the record"
        PERSON_ASKED = "person_asked", "The person asked for their record to be kept"
        SAFEGUARDING = "safeguarding", "A safeguarding concern is still open"
        LEGAL_DUTY = "legal_duty", "Another legal duty to keep it"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="retention_reviews")
    # The holding service when the review opened: its manager's list is read by this column.
    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    opened_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    keep_reason = models.CharField(max_length=24, choices=KeepReason.choices, blank=True)
    keep_until = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            # A case waits for one review at a time: the daily task lists it once.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(decision=""),
                name="retention_one_waiting_review_per_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="keep")
                | (models.Q(keep_until__isnull=False) & ~models.Q(keep_reason="")),
                name="retention_kept_with_reason_and_date",
            ),
        ]
        indexes = [models.Index(fields=["service", "decision", "due_on"])]

    def __str__(self) -> str:
        return f"Retention review due {self.due_on:%-d %b %Y}"

    @property
    def waiting(self) -> bool:
        return not self.decision


class RetentionPeriodChange(models.Model):
    """A manager changing how long their service keeps closed cases: who, when, from and to.
    The service's own history of its retention rule, kept for as long as the service."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="retention_changes"
    )
    years_before = models.PositiveSmallIntegerField()
    years_after = models.PositiveSmallIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"Retention changed from {self.years_before} to {self.years_after} years"
