from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Backing an instance up and restoring it, and telling when a restore went back in time."""

    name = "daybook.backups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daybook.backups.ledger import checkpoint_issued_received
        from daybook.incidents.signals import checkpoint_issued

        checkpoint_issued.connect(checkpoint_issued_received, dispatch_uid="checkpoint-ledger")

        from daybook.backups.erasure_ledger import erased_received
        from daybook.erasure.signals import erased_for_good

        erased_for_good.connect(erased_received, dispatch_uid="erasure-ledger")
