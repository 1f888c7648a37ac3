from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Consented, revocable sharing of a log with a police force, and who has seen it."""

    name = "daybook.sharing"
    default_auto_field = "django.db.models.BigAutoField"
