from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    """A copy of everything held about a person, for them (or for a request made by letter)."""

    name = "daybook.subject_access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.subject_access import tasks  # noqa: F401  (connects the builder to requests)
