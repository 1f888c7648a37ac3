from django.apps import AppConfig


class PoliceConfig(AppConfig):
    """The police's view: the logs shared with their force, the reports they request of them,
    and the alerts about them — nothing a victim has not chosen to share."""

    name = "daybook.police"
    label = "police"
