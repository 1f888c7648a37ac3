from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Patterns in and across logs: rhythm and escalation in each log, repeat perpetrators
    across cases."""

    name = "daybook.insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.incidents.signals import log_changed
        from daybook.insights import receivers

        log_changed.connect(receivers.log_changed, dispatch_uid="insights.log_changed")
