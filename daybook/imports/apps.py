from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Turning exported chats, texts, calls and e-mails into log entries, exactly and once."""

    name = "daybook.imports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.imports import tasks  # noqa: F401  (connects the runner to the queue)
