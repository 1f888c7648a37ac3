"""Audit events for sign-in, sign-out and MFA changes made inside django-allauth.

Those writes happen in allauth's own code, so its signals are the only seam;
the receivers record the event and do nothing else.
"""

from collections.abc import Callable
from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from daybook.audit.models import Action
from daybook.audit.services import audit_record


@receiver(auth_signals.user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=Action.SIGNED_IN, actor=user, subject=user, request=request)


@receiver(auth_signals.user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        action = Action.QUICK_EXIT if getattr(request, "quick_exit", False) else Action.SIGNED_OUT
        audit_record(action=action, actor=user, subject=user, request=request)


@receiver(account_signals.user_signed_up)
def _signed_up(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=Action.ACCOUNT_CREATED, actor=user, subject=user, request=request)


@receiver(account_signals.password_changed)
def _password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=Action.PASSWORD_CHANGED, actor=user, subject=user, request=request)


@receiver(account_signals.password_reset)
def _password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=Action.PASSWORD_RESET, actor=None, subject=user, request=request)


def _mfa_event(action: Action) -> Callable[..., None]:
    def record(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
        audit_record(
            action=action,
            actor=user if action != Action.MFA_FAILED else None,
            subject=user,
            request=request,
            extra={"type": authenticator.type},
        )

    return record


_mfa_receivers = {
    Action.MFA_ADDED: mfa_signals.authenticator_added,
    Action.MFA_REMOVED: mfa_signals.authenticator_removed,
    Action.MFA_RESET: mfa_signals.authenticator_reset,
    Action.MFA_FAILED: mfa_signals.authentication_failed,
}
for _action, _signal in _mfa_receivers.items():
    _signal.connect(_mfa_event(_action), weak=False, dispatch_uid=f"audit-{_action}")
