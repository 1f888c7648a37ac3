from django.conf import settings
from django.db import models

from daybook.cases.models import Case, Perpetrator


class IdentifierToken(models.Model):
    """A keyed token of one identifier of a perpetrator: matchable, not readable."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    perpetrator = models.ForeignKey(Perpetrator, on_delete=models.CASCADE, related_name="tokens")
    kind = models.CharField(max_length=12)
    token = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return self.kind


class RepeatAlert(models.Model):
    """Two cases of different people share an identifier. Says which kind, and the other case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="repeat_alerts")
    other_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "other_case", "kind"], name="one_alert_per_match"
            )
        ]

    def __str__(self) -> str:
        return f"Possible repeat perpetrator ({self.kind})"

    def get_kind_label(self) -> str:
        from daybook.insights.identifiers import KINDS

        return KINDS.get(self.kind, self.kind)


class EscalationAlert(models.Model):
    """A sign that a log is escalating (see escalation.py): raised once, shown to the case's
    advocates and its service's manager until one of them acknowledges it with a note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalation_alerts")
    kind = models.CharField(max_length=20)
    signature = models.CharField(max_length=80)
    facts = models.JSONField()  # counts, dates and behaviour codes: never narrative
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note_sealed = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "signature"], name="escalation_raised_once")
        ]
        indexes = [models.Index(fields=["acknowledged_at", "case"], name="escalation_open")]

    def __str__(self) -> str:
        return f"Escalation: {self.kind}"

    @property
    def explanation(self) -> str:
        from daybook.insights.escalation import explain

        return explain(self.kind, self.facts)
