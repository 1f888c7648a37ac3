from collections.abc import Iterable
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from allauth.usersessions.models import UserSession
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from daybook.accounts.models import User
from daybook.audit.models import Action
from daybook.audit.services import audit_events_about, audit_record, client_ip

NEUTRAL_SUBJECT = "Your account"


class AccountAdapter(DefaultAccountAdapter):
    """Neutral e-mail and audited failed sign-ins; sign-up always creates a victim account."""

    # The messages people meet most, in Daybook's words rather than the library's.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "This account has been switched off.",
        "email_password_mismatch": "The e-mail address or password is not right.",
        "email_taken": "This e-mail address already has an account.",
        "enter_current_password": "Enter your current password.",
        "incorrect_code": "The code is not right. Check it and try again.",
        "incorrect_password": "The password is not right.",
        "invalid_password_reset": "This link to reset your password cannot be used.",
        "rate_limited": "Too many tries in a short time. Wait a minute, then try again.",
        "same_as_current": "That is the same as the one you have now.",
        "select_only_one": "Choose one e-mail address.",
        "too_many_login_attempts": "Too many attempts in a short time. Sign in with a code "
        "sent to your e-mail address instead, or wait a few minutes, then try again.",
    }

    def render_mail(
        self,
        template_prefix: str,
        email: str,
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        # Someone may read the person's inbox: no subject line says what Daybook is for.
        message = super().render_mail(template_prefix, email, context, headers=headers)
        message.subject = f"{settings.DAYBOOK_SERVICE_NAME}: {NEUTRAL_SUBJECT.lower()}"
        return message

    def save_user(
        self, request: HttpRequest, user: User, form: forms.Form, commit: bool = True
    ) -> User:
        # The optional "What should we call you?" answer; reports use it instead of a label.
        user.name = (form.cleaned_data.get("name") or "")[:150]
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits and its list of sessions ask here; the audit asks client_ip.
        # One answer for both, from DAYBOOK_TRUSTED_PROXIES, instead of allauth's count of
        # proxies, which believes X-Forwarded-For from whoever sends it.
        address = client_ip(request)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts per host name as well; every name in ALLOWED_HOSTS would then give a
        # guesser another allowance for the same address. One count per address.
        return str(credentials.get("email") or "").strip().lower()

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            # Refused before the password is even checked: still an attempt on the person's
            # account, and they see it on their account page like any other.
            _record_failed_sign_in(request, credentials, refused=True)
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        _record_failed_sign_in(request, credentials, refused=False)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        # Told at once rather than left on a page the person may never open.
        failed = failed_sign_ins_since_last_sign_in(user)
        if failed:
            messages.warning(
                request,
                f"Since you last signed in, there {'was' if failed == 1 else 'were'} {failed} "
                f"failed attempt{'' if failed == 1 else 's'} to sign in to your account. "
                "If that was not you, see them under Account and change your password.",
            )
        return response


def failed_sign_ins_since_last_sign_in(user: User) -> int:
    """Failed attempts on `user`'s account since the sign-in before the one just made."""
    about = audit_events_about(user)
    sign_ins = about.filter(action=Action.SIGNED_IN).order_by("-at").values_list("at", flat=True)
    previous = sign_ins[1:2].first()
    failed = about.filter(action=Action.SIGN_IN_FAILED)
    if previous is not None:
        failed = failed.filter(at__gt=previous)
    return failed.count()


def _record_failed_sign_in(request: HttpRequest, credentials: dict, *, refused: bool) -> None:
    email = str(credentials.get("email") or "")
    user = User.objects.filter(email__iexact=email).first() if email else None
    audit_record(
        action=Action.SIGN_IN_FAILED,
        subject=user,
        request=request,
        extra={"refused": True} if refused else None,
    )


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": "You cannot add an e-mail address while two-step verification is on.",
        "cannot_delete_authenticator": "You cannot turn off two-step verification.",
        "cannot_generate_recovery_codes": "Set up two-step verification before you get "
        "recovery codes.",
        "incorrect_code": "The code is not right. Check your authenticator app and try again, "
        "or use one of your recovery codes.",
        "unverified_email": "Confirm your e-mail address before you set up two-step verification.",
    }


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    @transaction.atomic
    def end_sessions(self, sessions: Iterable[UserSession]) -> None:
        sessions = list(sessions)
        super().end_sessions(sessions)
        if sessions:
            user = sessions[0].user
            audit_record(
                action=Action.SESSIONS_ENDED,
                actor=user,
                subject=user,
                extra={"count": len(sessions)},
            )
