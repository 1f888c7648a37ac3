from django.apps import AppConfig


class DraftsConfig(AppConfig):
    """Text people have started writing but not yet sent, sealed until they come back."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "daybook.drafts"
