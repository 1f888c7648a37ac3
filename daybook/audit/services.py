from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from daybook.audit.models import Action, AuditEvent
from daybook.proxies import client_address


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person making `request`: the connecting address, or behind the
    proxies of ``DAYBOOK_TRUSTED_PROXIES`` the one they forwarded (daybook/proxies.py). Audit
    rows, rate limits and the list of a person's sessions all use this one answer."""
    if request is None:
        return None
    return client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        settings.DAYBOOK_TRUSTED_PROXIES,
    )


def audit_record(
    *,
    action: Action,
    actor: Any = None,
    subject: models.Model | None = None,
    request: HttpRequest | None = None,
    organisation_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction of the change it records.

    `extra` holds codes and ids only — never names, narratives or identifiers.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        organisation_id=organisation_id,
        ip=client_ip(request),
        extra=extra or {},
    )


def audit_events_about(subject: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        subject_type=subject._meta.label_lower, subject_id=str(subject.pk)
    )
