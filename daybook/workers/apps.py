from django.apps import AppConfig


class WorkersConfig(AppConfig):
    """The background task workers: each one's heartbeat, and tasks a dead worker left behind."""

    name = "daybook.workers"
    default_auto_field = "django.db.models.BigAutoField"
