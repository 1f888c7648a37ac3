from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Patterns in and across logs: rhythm and escalation in each log, repeat perpetrators
    across cases."""

    name = "daybook.insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.incidents.signals import log_changed
        from daybook.insights.receivers import check_escalation

        log_changed.connect(check_escalation, dispatch_uid="insights.check_escalation")
