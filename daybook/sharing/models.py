from django.conf import settings
from django.db import models

from daybook.accounts.models import Organisation
from daybook.cases.models import Case


class Share(models.Model):
    """A log shared with a police force: the whole log, the entries between two dates (either
    may be open), or chosen entries. The whole log and a date range include entries added
    later that fall within them. Revoking it takes effect at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    police = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="shares")
    whole_log = models.BooleanField(default=True)
    entries = models.ManyToManyField("incidents.Entry", blank=True, related_name="+")
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    # Whether the police may see what the person wrote under "Details to keep private", marked
    # as not for disclosure. The person's choice for this share; no unless they choose it.
    include_private = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["police", "revoked_at"])]

    def __str__(self) -> str:
        return f"Shared with {self.police}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def what(self) -> str:
        """What is shared, in the words the person's sharing page uses."""
        if not self.whole_log:
            return "chosen entries" + (f" up to {self.until:%-d %b %Y}" if self.until else "")
        if not (self.since or self.until):
            return "the whole log"
        start = f" from {self.since:%-d %b %Y}" if self.since else ""
        end = f" up to {self.until:%-d %b %Y}" if self.until else ""
        return f"the entries{start}{end}"
