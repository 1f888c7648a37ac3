from django.conf import settings
from django.db import models

from daybook.cases.models import Case, new_uid


class Report(models.Model):
    """A chronology, bundle or pack built in the background, stored sealed until it expires."""

    class Kind(models.TextChoices):
        CHRONOLOGY = "chronology", "Chronology (PDF)"
        BUNDLE = "bundle", "Evidence bundle (ZIP)"
        SPO = "spo", "Stalking Protection Order pack (PDF)"
        VPS = "vps", "Victim personal statement draft (PDF)"
        STATEMENT = "statement", "Witness statement draft (PDF)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    profile = models.CharField(max_length=12, default="police")
    share = models.ForeignKey(
        "sharing.Share", null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    # What the requester wrote for it (a pseudonym, a VPS's answers, an SPO's necessity):
    # sealed with the case's key, so erasing the case erases it too.
    options_sealed = models.BinaryField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def options_ad(self) -> str:
        return f"report:{self.uid}:options"

    @property
    def filename(self) -> str:
        extension = "zip" if self.kind == self.Kind.BUNDLE else "pdf"
        return f"{self.case.reference}-{self.kind}-{self.profile}.{extension}"
