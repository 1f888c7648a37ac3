from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Patterns in and across logs: repeat perpetrators across cases, for now."""

    name = "daybook.insights"
    default_auto_field = "django.db.models.BigAutoField"
