from django.apps import AppConfig


class ErasureConfig(AppConfig):
    """Erasing a case: the request, its undo window and approval, and deleting everything but a
    tombstone."""

    name = "daybook.erasure"
    default_auto_field = "django.db.models.BigAutoField"
