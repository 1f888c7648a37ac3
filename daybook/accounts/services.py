"""Every write to people, organisations and invitations, each audited in its transaction."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from daybook.accounts.adapter import NEUTRAL_SUBJECT
from daybook.accounts.models import ROLE_ORGANISATION_KIND, Invitation, Organisation, Role, User
from daybook.accounts.policy import grantable_roles
from daybook.audit.models import Action
from daybook.audit.services import audit_record

INVITATION_LIFETIME = timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def organisation_create(*, actor: User | None, name: str, kind: str) -> Organisation:
    if actor is not None and not actor.has_perm("accounts.create_organisation"):
        raise PermissionDenied
    organisation = Organisation(name=name, kind=kind)
    organisation.full_clean()
    organisation.save()
    audit_record(
        action=Action.ORGANISATION_CREATED,
        actor=actor,
        subject=organisation,
        organisation_id=organisation.pk,
        extra={"kind": kind},
    )
    return organisation


@transaction.atomic
def invitation_send(
    *, actor: User, organisation: Organisation, email: str, role: str, request: HttpRequest
) -> Invitation:
    """Invite someone to join `organisation` with `role`, by a link that works once.

    The manager learns nothing about whether the address already has an account: the
    invitation is recorded and listed either way, but someone who already has an account is
    sent a neutral notice instead of the link (an address belongs to one account only).
    """
    if role not in grantable_roles(actor, organisation):
        raise PermissionDenied
    email = email.strip().lower()
    has_account = User.objects.filter(email__iexact=email).exists()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    if has_account:
        body = render_to_string(
            "accounts/email/invitation_existing_account.txt",
            {"service_name": settings.DAYBOOK_SERVICE_NAME},
        )
    else:
        link = request.build_absolute_uri(reverse("accounts:invitation_accept", args=[token]))
        body = render_to_string(
            "accounts/email/invitation.txt",
            {
                "link": link,
                "service_name": settings.DAYBOOK_SERVICE_NAME,
                "invitation": invitation,
            },
        )
    audit_record(
        action=Action.INVITATION_SENT,
        actor=actor,
        subject=invitation,
        request=request,
        organisation_id=organisation.pk,
        extra={"role": role},
    )
    # Sent after commit so a failed transaction never leaves a working link behind.
    transaction.on_commit(
        lambda: send_mail(
            f"{settings.DAYBOOK_SERVICE_NAME}: {NEUTRAL_SUBJECT.lower()}",
            body,
            None,
            [email],
        )
    )
    return invitation


def invitation_from_token(token: str) -> Invitation | None:
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, name: str, password: str, request: HttpRequest | None = None
) -> User:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError("This invitation has already been used or has expired.")
    user = User.objects.create_user(
        invitation.email,
        password,
        name=name,
        role=invitation.role,
        organisation=invitation.organisation,
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        action=Action.INVITATION_ACCEPTED,
        actor=user,
        subject=invitation,
        request=request,
        organisation_id=invitation.organisation_id,
        extra={"role": invitation.role},
    )
    return user


@transaction.atomic
def user_role_change(
    *, actor: User, user: User, role: str, request: HttpRequest | None = None
) -> User:
    organisation = user.organisation
    if organisation is None or role not in grantable_roles(actor, organisation):
        raise PermissionDenied
    if user.role not in grantable_roles(actor, organisation):
        raise PermissionDenied
    if user.pk == actor.pk:
        raise ValidationError("You cannot change your own role.")
    previous = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit_record(
        action=Action.ROLE_CHANGED,
        actor=actor,
        subject=user,
        request=request,
        organisation_id=organisation.pk,
        extra={"from": previous, "to": role},
    )
    return user


@transaction.atomic
def staff_user_create(
    *, email: str, password: str, name: str, role: str, organisation: Organisation
) -> User:
    """Create a member of staff directly (demo data and the first administrator)."""
    if ROLE_ORGANISATION_KIND[Role(role)] != organisation.kind:
        raise ValidationError("That role does not belong in that kind of organisation.")
    user = User.objects.create_user(
        email, password, name=name, role=role, organisation=organisation
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    audit_record(
        action=Action.ACCOUNT_CREATED,
        subject=user,
        organisation_id=organisation.pk,
        extra={"role": role},
    )
    return user


@transaction.atomic
def user_name_change(*, user: User, name: str, request: HttpRequest | None = None) -> User:
    """What the person asked to be called: shown to them and used in their reports."""
    name = " ".join(name.split())[:150]
    if name == user.name:
        return user
    user.name = name
    user.save(update_fields=["name"])
    # Only that it changed: the name itself stays out of the audit trail.
    audit_record(
        action=Action.NAME_CHANGED,
        actor=user,
        subject=user,
        request=request,
        organisation_id=user.organisation_id,
        extra={"given": bool(name)},
    )
    return user


# --- Leaving: accounts closed, never deleted ---------------------------------------------------


def _end_sessions(user: User) -> None:
    """Sign the account out everywhere: every session it holds is ended."""
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user=user):
        session.end()


@transaction.atomic
def user_anonymise(*, user: User) -> User:
    """Close a person's account once their logs are erased: the row stays, so every audit
    event that names it stays true, but nothing in it says who they were. Their e-mail
    addresses, name, password, two-step verification and sessions go.

    Staff accounts are never closed this way: they are deactivated (`staff_deactivate`), so
    that what they did stays attributable."""
    from allauth.mfa.models import Authenticator

    if user.is_staff_member:
        raise PermissionDenied("Staff accounts are deactivated, never deleted.")
    _end_sessions(user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.name = ""
    user.set_unusable_password()
    user.is_active = False
    user.save(update_fields=["email", "name", "password", "is_active"])
    audit_record(action=Action.ACCOUNT_DELETED, subject=user)
    return user


@transaction.atomic
def staff_deactivate(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    """Switch off a member of staff's account: they can no longer sign in, their sessions end,
    and everything they did stays attributed to them. Only someone who could change their role
    may do it (a manager of their service, or an administrator), never to themselves."""
    organisation = user.organisation
    if not user.is_staff_member or organisation is None:
        raise PermissionDenied
    if user.pk == actor.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if user.role not in grantable_roles(actor, organisation):
        raise PermissionDenied
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions(user)
    audit_record(
        action=Action.ACCOUNT_DEACTIVATED,
        actor=actor,
        subject=user,
        request=request,
        organisation_id=organisation.pk,
        extra={"role": user.role},
    )
    return user
