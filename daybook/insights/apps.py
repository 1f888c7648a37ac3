from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Patterns in and across logs: rhythm and escalation in each log, repeat perpetrators
    across cases."""

    name = "daybook.insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.insights import tasks  # noqa: F401  (checks a log for escalation as it changes)
