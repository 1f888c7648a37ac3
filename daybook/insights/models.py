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
