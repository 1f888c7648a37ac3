from django.apps import AppConfig


class UiConfig(AppConfig):
    """GOV.UK Frontend components and the one adapter every form renders through."""

    name = "daybook.ui"
