from django.apps import AppConfig


class CasesConfig(AppConfig):
    """Cases: whose log it is, which service holds it, and who may see it."""

    name = "daybook.cases"
    default_auto_field = "django.db.models.BigAutoField"
