from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Backing an instance up and restoring it, and telling when a restore went back in time."""

    name = "daybook.backups"
    default_auto_field = "django.db.models.BigAutoField"
