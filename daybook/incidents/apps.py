from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    """The log: entries, amendments, withdrawals and evidence files in a per-case hash chain."""

    name = "daybook.incidents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.incidents import tasks  # noqa: F401  (checks a log in the background as it changes)
