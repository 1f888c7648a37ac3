from django.apps import AppConfig


class RiskConfig(AppConfig):
    """Stalking risk screening, risk levels, MARAC referrals and safety plans."""

    name = "daybook.risk"
    default_auto_field = "django.db.models.BigAutoField"
