from django.apps import AppConfig


class HealthConfig(AppConfig):
    """What a load balancer asks: is this process alive, and is the instance ready to serve."""

    name = "daybook.health"
    default_auto_field = "django.db.models.BigAutoField"
