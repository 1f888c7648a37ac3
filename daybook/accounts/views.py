from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from daybook.accounts import services
from daybook.accounts.access import organisation_for_team
from daybook.accounts.forms import (
    InvitationAcceptForm,
    InvitationForm,
    NameForm,
    RoleChangeForm,
)
from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.mfa import has_totp
from daybook.accounts.models import Organisation, User
from daybook.accounts.policy import (
    grantable_roles,
    is_service_manager,
    may_change_role,
    organisations_for_team_management,
)
from daybook.accounts.sudo import require_sudo
from daybook.audit.models import SIGN_IN_ACTIONS, Action
from daybook.audit.services import audit_events_about
from daybook.ui.forms import submitted

FAILED_ATTEMPTS_WINDOW = timedelta(days=30)


@require_http_methods(["GET", "HEAD"])
def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own sign-ins, failed attempts and exits, newest first."""
    about = audit_events_about(request.user)
    events = about.filter(action__in=SIGN_IN_ACTIONS)[:30]
    # Counted apart from the list, so a burst of attempts cannot hide how many there were.
    since = timezone.now() - FAILED_ATTEMPTS_WINDOW
    failed = about.filter(action=Action.SIGN_IN_FAILED, at__gte=since).count()
    return render(
        request,
        "accounts/security.html",
        {"events": events, "has_totp": has_totp(request.user), "failed_attempts": failed},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def name_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the person would like to be called; optional, and used in their reports."""
    initial = {"name": request.user.name}
    form = NameForm(submitted(request), initial=initial, victim=request.user.is_victim)
    if request.method == "POST" and form.is_valid():
        services.user_name_change(
            user=request.user, name=form.cleaned_data["name"], request=request
        )
        if not request.user.is_victim:
            messages.success(request, "Your name has been changed.")
        elif request.user.name:
            messages.success(request, "Saved. Your reports will use this name.")
        else:
            messages.success(request, 'Saved. Your reports will say "Not given".')
        return redirect("accounts:security")
    return render(request, "accounts/name.html", {"form": form})


@require_http_methods(["GET", "HEAD"])
def teams(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = list(organisations_for_team_management(request.user))
    if is_service_manager(request.user) and len(organisations) == 1:
        return redirect("accounts:team", organisation_id=organisations[0].pk)
    if not organisations:
        return render(request, "404.html", status=404)
    return render(request, "accounts/teams.html", {"organisations": organisations})


def _team_context(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    invite_form: InvitationForm | None = None,
) -> dict[str, Any]:
    roles = grantable_roles(request.user, organisation)
    return {
        "organisation": organisation,
        "members": [
            (member, may_change_role(request.user, member, organisation))
            for member in organisation.members.order_by("name", "email")
        ],
        "invitations": organisation.invitations.filter(accepted_at__isnull=True)[:50],
        "invite_form": invite_form or InvitationForm(roles=roles),
        "role_choices": roles,
    }


@require_http_methods(["GET", "HEAD"])
def team(request: AuthenticatedHttpRequest, organisation_id: int) -> HttpResponse:
    organisation = organisation_for_team(request.user, organisation_id)
    return render(request, "accounts/team.html", _team_context(request, organisation))


@require_POST
def invite(request: AuthenticatedHttpRequest, organisation_id: int) -> HttpResponse:
    organisation = organisation_for_team(request.user, organisation_id)
    require_sudo(request)
    form = InvitationForm(request.POST, roles=grantable_roles(request.user, organisation))
    if form.is_valid():
        services.invitation_send(
            actor=request.user,
            organisation=organisation,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            request=request,
        )
        # The same words whatever the address: the page never says who has an account.
        messages.success(request, "We have sent an invitation if the address can receive one.")
        return redirect("accounts:team", organisation_id=organisation.pk)
    context = _team_context(request, organisation, invite_form=form)
    return render(request, "accounts/team.html", context, status=400)


@require_POST
def change_role(
    request: AuthenticatedHttpRequest, organisation_id: int, user_id: int
) -> HttpResponse:
    organisation = organisation_for_team(request.user, organisation_id)
    member = get_object_or_404(User, pk=user_id, organisation=organisation)
    require_sudo(request)
    form = RoleChangeForm(request.POST, roles=grantable_roles(request.user, organisation))
    if not form.is_valid():
        messages.error(request, "Choose one of the roles listed.")
        return redirect("accounts:team", organisation_id=organisation.pk)
    try:
        services.user_role_change(
            actor=request.user, user=member, role=form.cleaned_data["role"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Role changed.")
    return redirect("accounts:team", organisation_id=organisation.pk)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_unusable.html", status=404)
    form = InvitationAcceptForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except ValidationError:
            return render(request, "accounts/invitation_unusable.html", status=404)
        messages.success(
            request, "Your account is ready. Sign in, then set up two-step verification."
        )
        return redirect("account_login")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


@require_POST
def deactivate(
    request: AuthenticatedHttpRequest, organisation_id: int, user_id: int
) -> HttpResponse:
    """Switch off a member of staff's account. Staff accounts are never deleted, so that
    everything the audit says they did stays true."""
    organisation = organisation_for_team(request.user, organisation_id)
    member = get_object_or_404(User, pk=user_id, organisation=organisation)
    require_sudo(request)
    try:
        services.staff_deactivate(actor=request.user, user=member, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, "You cannot deactivate this account.")
    else:
        messages.success(request, "Account deactivated. They can no longer sign in.")
    return redirect("accounts:team", organisation_id=organisation.pk)
