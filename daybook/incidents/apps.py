from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    """The log: entries, amendments, withdrawals and evidence files in a per-case hash chain."""

    name = "daybook.incidents"
    default_auto_field = "django.db.models.BigAutoField"
