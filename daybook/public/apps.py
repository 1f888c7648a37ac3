from django.apps import AppConfig


class PublicConfig(AppConfig):
    """Pages anyone can see: recognise it, get help, staying safe, cookies and Exit this page."""

    name = "daybook.public"
