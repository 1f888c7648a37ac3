from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Backing an instance up and restoring it, and telling when a restore went back in time."""

    name = "daybook.backups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.backups.ledger import checkpoint_issued_received
        from daybook.incidents.signals import checkpoint_issued

        checkpoint_issued.connect(checkpoint_issued_received, dispatch_uid="checkpoint-ledger")
