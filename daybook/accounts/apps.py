from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People, organisations and roles; MFA, sessions and re-authentication."""

    name = "daybook.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.accounts import policy  # noqa: F401  (registers every permission)
