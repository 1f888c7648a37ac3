from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Append-only audit events: who did or saw what, when and from where."""

    name = "daybook.audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.audit import receivers  # noqa: F401  (connects sign-in and MFA signals)
