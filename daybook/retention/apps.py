from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """When a closed case is due for its retention review, and what its review decided."""

    name = "daybook.retention"
    default_auto_field = "django.db.models.BigAutoField"
