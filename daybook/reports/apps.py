from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Police-ready chronologies, verifiable evidence bundles, and SPO and VPS packs."""

    name = "daybook.reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.reports import tasks  # noqa: F401  (connects the builder to requests)
