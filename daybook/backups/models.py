from django.db import models

from daybook.cases.models import Case


class Restore(models.Model):
    """A restore of this instance from a backup: written into the restored database itself,
    so the instance keeps knowing it went back to the moment the backup was taken."""

    backup_id = models.CharField(max_length=36)
    backup_taken_at = models.DateTimeField()
    restored_at = models.DateTimeField()
    ledger_checkpoints = models.PositiveIntegerField(
        help_text="Checkpoints read from the ledger whose signatures held."
    )
    ledger_lines_left_out = models.PositiveIntegerField(
        help_text="Ledger lines that could not be read or whose signatures did not hold."
    )

    class Meta:
        ordering = ["-restored_at", "-pk"]

    def __str__(self) -> str:
        return f"Restore of the backup taken at {self.backup_taken_at:%Y-%m-%d %H:%M}"


class RestoredBehind(models.Model):
    """A log the restore brought back to before a checkpoint that had been issued of it: the
    checkpoint said the log had `checkpoint_sequence` records, the restored log had
    `restored_sequence`. `case` is empty when the log was not in the backup at all (it was
    started after the backup was taken); `case_reference` names it either way."""

    restore = models.ForeignKey(Restore, on_delete=models.CASCADE, related_name="behind")
    case = models.ForeignKey(
        Case, null=True, on_delete=models.CASCADE, related_name="restored_behind"
    )
    case_reference = models.CharField(max_length=20)
    checkpoint_issued_at = models.DateTimeField()
    checkpoint_sequence = models.PositiveIntegerField()
    restored_sequence = models.PositiveIntegerField()

    class Meta:
        ordering = ["restore", "case_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["restore", "case_reference"], name="one_finding_per_log_per_restore"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_reference} behind a checkpoint by {self.records_missing} records"

    @property
    def records_missing(self) -> int:
        return self.checkpoint_sequence - self.restored_sequence
