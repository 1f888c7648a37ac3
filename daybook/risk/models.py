from django.db import models

from daybook.cases.models import CaseRecord


class Level(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


LEVEL_ORDER = {Level.STANDARD: 0, Level.MEDIUM: 1, Level.HIGH: 2}


class Screening(CaseRecord):
    """A stalking risk screening: answers (sealed), the level they point to, and the level
    decided, which professional judgement may raise but never lower."""

    yes_count = models.PositiveSmallIntegerField()
    computed_level = models.CharField(max_length=10, choices=Level.choices)
    level = models.CharField(max_length=10, choices=Level.choices, db_index=True)
    review_due = models.DateField(db_index=True)
    reviewed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} risk"


class MaracReferral(CaseRecord):
    class Criterion(models.TextChoices):
        VISIBLE_HIGH_RISK = "visible_high_risk", "Visible high risk"
        JUDGEMENT = "judgement", "Professional judgement"
        ESCALATION = "escalation", "Potential escalation"
        REPEAT = "repeat", "Repeat referral within 12 months"

    criteria = models.JSONField(default=list)
    referred_on = models.DateField()
    meeting_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return "MARAC referral"


class SafetyAction(CaseRecord):
    class Area(models.TextChoices):
        HOME = "home", "Home"
        TRAVEL = "travel", "Travel"
        WORK_OR_SCHOOL = "work_or_school", "Work or school"
        ONLINE = "online", "Online and devices"
        CHILDREN = "children", "Children"
        PETS = "pets", "Pets"
        EMERGENCY = "emergency", "Emergency plan"

    class Owner(models.TextChoices):
        PERSON = "person", "The person"
        ADVOCATE = "advocate", "The advocate"
        OTHER_AGENCY = "other_agency", "Another agency"

    class Status(models.TextChoices):
        TO_DO = "to_do", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    area = models.CharField(max_length=20, choices=Area.choices)
    owner = models.CharField(max_length=15, choices=Owner.choices)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.TO_DO)
    review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["area", "created_at"]

    def __str__(self) -> str:
        return f"Safety action ({self.get_area_display().lower()})"
