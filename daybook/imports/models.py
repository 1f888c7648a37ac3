from django.conf import settings
from django.db import models

from daybook.cases.models import Case, new_uid


class ImportJob(models.Model):
    """One uploaded export, from upload through preview and choices to the finished import."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Waiting for your choices"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    format = models.CharField(max_length=20)
    storage_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    name_sealed = models.BinaryField()
    summary_sealed = models.BinaryField(null=True, blank=True)
    # How to import (time zone, grouping, a CSV's column names): codes, never a person's words.
    options = models.JSONField(default=dict, blank=True)
    # Whose messages are the stalker's: names as the export wrote them, sealed with the case key.
    stalkers_sealed = models.BinaryField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)
    already_there = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of a {self.format} export"


class ImportedRecord(models.Model):
    """The entry one exported message became, so importing it again adds nothing twice."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(max_length=64)
    entry = models.ForeignKey("incidents.Entry", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "dedupe_key"], name="imported_once_per_case")
        ]

    def __str__(self) -> str:
        return self.dedupe_key[:12]


class ImportSource(models.Model):
    """Each uploaded file that contained a record: a second, overlapping export is recorded here."""

    record = models.ForeignKey(ImportedRecord, on_delete=models.CASCADE, related_name="sources")
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="sources")
    locator = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "job"], name="one_source_per_job")]

    def __str__(self) -> str:
        return self.locator
