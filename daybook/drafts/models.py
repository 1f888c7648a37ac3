from django.conf import settings
from django.db import models

from daybook.cases.models import new_uid


class Draft(models.Model):
    """What one person has written in one form and not yet sent.

    The text is sealed: with the case's data key when the form belongs to a case (erasing the
    case shreds its drafts too), otherwise with the master key. Either way the owner, the row
    and the form are bound in as associated data, so a sealed payload copied to another row
    or person does not open. One draft per person and form; each save replaces it.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Names the form and its object, e.g. "incidents.amend:12:345"; see kinds.py.
    form_key = models.CharField(max_length=100)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    resume_url = models.CharField(max_length=300)
    payload_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "form_key"], name="one_draft_per_form")
        ]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return f"Draft {self.pk}"

    @property
    def associated(self) -> str:
        return f"draft:{self.uid}:{self.owner_id}:{self.form_key}"
