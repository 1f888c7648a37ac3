from django.apps import AppConfig


class DraftsConfig(AppConfig):
    """Text people have started writing but not yet sent, sealed until they come back."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "daybook.drafts"

    def ready(self) -> None:
        # Drafts outside a case are sealed with the master key: rotating it reaches them.
        from daybook.drafts.rotation import register_drafts

        register_drafts()
