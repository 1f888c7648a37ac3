"""Reading casework: its sections, perpetrators, and the referrals and consultations each
person may see."""

from typing import Any

from django.db.models import Q, QuerySet

from daybook.accounts.models import User
from daybook.accounts.policy import (
    is_advocate,
    is_professional_referrer,
    is_service_manager,
    is_service_staff,
    is_victim,
)
from daybook.cases.contact import channel_labels
from daybook.cases.models import Case, Consultation, Perpetrator, Referral
from daybook.cases.sealing import open_for
from daybook.casework.sections import Section


def perpetrators(case: Case) -> list[dict[str, Any]]:
    return [
        open_for(case, item.sealed, item.associated(), default={})
        for item in Perpetrator.objects.filter(case=case)
    ]


def section_rows(
    case: Case, section: Section, *, victim_view: bool = False
) -> list[dict[str, Any]]:
    """Each record of `section` as label/value rows, in its form's order."""
    form = section.form()
    rows = []
    for record in section.model._default_manager.filter(case=case).order_by("-created_at"):
        sealed = open_for(case, record.sealed, record.associated(), default={})
        items = []
        for name, field in form.fields.items():
            if victim_view and name not in section.victim_sees:
                continue
            if name in section.sealed:
                value = sealed.get(name) or ""
            elif name in section.many:
                # One a line: an entry's own label has commas in it.
                # Distinct: an entry that broke two conditions of an order is one entry.
                value = "\n".join(str(item) for item in getattr(record, name).distinct())
            elif name == "done":
                value = "Yes" if getattr(record, "done_at", None) else "No"
            else:
                display = getattr(record, f"get_{name}_display", None)
                value = display() if display else getattr(record, name, "")
                if isinstance(value, list):
                    labels = dict(getattr(field, "choices", []))
                    value = ", ".join(str(labels.get(item, item)) for item in value)
            items.append((field.label, "" if value is None else value))
        rows.append({"record": record, "items": items})
    return rows


def section_initial(case: Case, section: Section, record: Any) -> dict[str, Any]:
    initial = open_for(case, record.sealed, record.associated(), default={})
    for name in section.form.base_fields:
        if name in section.sealed:
            continue
        if name in section.many:
            initial[name] = list(getattr(record, name).values_list("pk", flat=True))
        elif name == "done":
            initial[name] = bool(record.done_at)
        else:
            initial[name] = getattr(record, name, None)
    return initial


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    """The referrals table of issue 4: own, own service's, or own organisation's."""
    referrals = Referral.objects.select_related(
        "service", "case", "referrer", "referrer_organisation"
    )
    if is_service_staff(user):
        return referrals.filter(service=user.organisation_id)
    if is_victim(user) or is_professional_referrer(user):
        return referrals.filter(referrer=user)
    return referrals.none()


def consultations_visible_to(user: User) -> QuerySet[Consultation]:
    consultations = Consultation.objects.select_related(
        "service", "advisor", "requested_by__organisation"
    )
    if is_advocate(user):
        # Their own, and requests to their service that nobody has answered yet.
        waiting = Q(requested_by__isnull=False, advisor__isnull=True)
        return consultations.filter(Q(advisor=user) | waiting, service=user.organisation_id)
    if is_service_manager(user):
        return consultations.filter(service=user.organisation_id)
    if is_professional_referrer(user):
        return consultations.filter(requested_by=user)
    return consultations.none()


def referrals_filtered(
    user: User, *, status: str = "", urgency: str = "", source: str = ""
) -> QuerySet[Referral]:
    """The referrals `user` may see, narrowed by the list's filters (each optional)."""
    referrals = referrals_visible_to(user)
    if status:
        referrals = referrals.filter(status=status)
    if urgency:
        referrals = referrals.filter(urgency=urgency)
    if source:
        referrals = referrals.filter(source=source)
    return referrals


def referral_safe_contact(details: dict[str, Any]) -> dict[str, str]:
    """How and when a referred person may safely be contacted, in words, for the top of the
    referral. Referrals made before the forms asked for channels name the details given."""
    channels = details.get("safe_channels")
    if channels is None:
        channels = [name for name in ("phone", "email") if details.get(name)]
    voicemail = {
        "yes": "A voicemail is safe",
        "no": "Do not leave a voicemail",
    }.get(details.get("voicemail_safe", ""), "Not known whether a voicemail is safe")
    return {
        "channels": channel_labels(channels),
        "phone": details.get("phone", "") if {"phone", "text"} & set(channels) else "",
        "email": details.get("email", "") if "email" in channels else "",
        "times": details.get("safe_times", ""),
        "voicemail": voicemail,
        "never": channel_labels(details.get("never_channels") or []),
    }
