import secrets

from django.conf import settings
from django.db import models

from daybook.accounts.models import Organisation

GENESIS = "0" * 64
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_uid() -> str:
    return secrets.token_hex(16)


def new_reference() -> str:
    """A short reference that says nothing about how many cases exist or when one was opened."""
    letters = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"DB-{letters[:4]}-{letters[4:]}"


class Case(models.Model):
    """One person's log about one stalking situation, and the key that protects it.

    Owned by a victim (who may have no service yet), and/or held by a support service
    with assigned advocates. `chain_seq` and `chain_head` are the end of the log's hash
    chain; appends lock this row so the chain can never fork.
    """

    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    reference = models.CharField(max_length=20, unique=True, default=new_reference)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    service = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    advocates = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases"
    )
    label_sealed = models.BinaryField(null=True, blank=True)
    wrapped_key = models.BinaryField(null=True)
    key_id = models.CharField(max_length=16)
    chain_seq = models.PositiveIntegerField(default=0)
    chain_head = models.CharField(max_length=64, default=GENESIS)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="case_has_owner_or_service",
                condition=models.Q(owner__isnull=False) | models.Q(service__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.reference
