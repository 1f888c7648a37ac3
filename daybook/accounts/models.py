from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SUPPORT_SERVICE = "support_service", "Support service"
        POLICE_FORCE = "police_force", "Police force"
        PARTNER_AGENCY = "partner_agency", "Partner agency"
        COMMISSIONER = "commissioner", "Commissioner's office"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # A support service's privacy settings: how long a closed case is kept before it is
    # reviewed for erasure, and whether erasing one needs a second manager's approval.
    retention_years = models.PositiveSmallIntegerField(default=6)
    erasure_needs_second_approval = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VICTIM = "victim", "Victim or survivor"
    ADVOCATE = "advocate", "Advocate"
    SERVICE_MANAGER = "service_manager", "Service manager"
    POLICE_LIAISON = "police_liaison", "Police liaison"
    PARTNER_REFERRER = "partner_referrer", "Partner referrer"
    COMMISSIONER_VIEWER = "commissioner_viewer", "Commissioner viewer"
    ADMINISTRATOR = "administrator", "Administrator"


# The one place that says which kind of organisation each staff role belongs to.
ROLE_ORGANISATION_KIND = {
    Role.ADVOCATE: Organisation.Kind.SUPPORT_SERVICE,
    Role.SERVICE_MANAGER: Organisation.Kind.SUPPORT_SERVICE,
    Role.POLICE_LIAISON: Organisation.Kind.POLICE_FORCE,
    Role.PARTNER_REFERRER: Organisation.Kind.PARTNER_AGENCY,
    Role.COMMISSIONER_VIEWER: Organisation.Kind.COMMISSIONER,
    Role.ADMINISTRATOR: Organisation.Kind.SUPPORT_SERVICE,
}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in. Victims belong to no organisation; staff belong to exactly one."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.VICTIM)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="victims_have_no_organisation",
                condition=~models.Q(role="victim", organisation__isnull=False),
            ),
            models.CheckConstraint(
                name="staff_have_an_organisation",
                condition=models.Q(role="victim") | models.Q(organisation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_staff_member(self) -> bool:
        return self.role != Role.VICTIM

    @property
    def is_victim(self) -> bool:
        return self.role == Role.VICTIM

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else ""


class Invitation(models.Model):
    """A one-time link that lets a member of staff create their account in an organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=30, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.organisation} as {self.get_role_display()}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
