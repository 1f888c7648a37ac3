"""Subject access requests and the copies produced for them, and people's requests to leave."""

from django.conf import settings
from django.db import models

from daybook.cases.models import Case, new_uid


class SubjectAccessRequest(models.Model):
    """A copy of everything held about one person, built in the background as a ZIP (a PDF
    to read and a JSON file for machines), sealed with a key of its own until it expires.

    Asked for by the person from their account (`person` set), or by a service manager for a
    request made by letter (`case` set: the copy covers that case, and the manager hands the
    file over outside Daybook)."""

    class Via(models.TextChoices):
        ACCOUNT = "account", "From their account"
        LETTER = "letter", "By letter, produced by the service"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    via = models.CharField(max_length=10, choices=Via.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subject_access_requests",
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    # The copy's own key, wrapped by the master key: destroyed with the file when it expires.
    wrapped_key = models.BinaryField(null=True, blank=True)
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # The ids of the cases the copy holds, so that a copy holding a case erased since is
    # deleted at once rather than when it expires.
    covers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="subject_access_names_person_or_case",
                condition=models.Q(person__isnull=False) | models.Q(case__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"Copy of everything held ({self.get_status_display().lower()})"

    def key_name(self) -> str:
        return f"subject-access:{self.uid}"

    def file_ad(self) -> str:
        return f"subject-access:{self.uid}:file"

    @property
    def filename(self) -> str:
        return f"daybook-copy-{self.created_at:%Y-%m-%d}.zip"


class AccountDeletion(models.Model):
    """A person's request to delete their account and their logs. Their logs' erasures are
    asked for at once with the undo window; the account is closed once the window has passed
    and the erasures have been carried out."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_deletions"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(cancelled_at__isnull=True, carried_out_at__isnull=True),
                name="one_open_account_deletion_per_person",
            )
        ]

    def __str__(self) -> str:
        return "Account deletion"

    @property
    def pending(self) -> bool:
        return self.cancelled_at is None and self.carried_out_at is None
