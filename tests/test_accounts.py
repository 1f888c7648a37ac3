import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from daybook.accounts.models import Invitation, Role, User
from daybook.audit.models import Action, AuditEvent
from tests.conftest import PASSWORD, Personas, make_user, totp_code

LOGIN = reverse("account_login")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db) -> None:
    cache.clear()


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def sign_in_with_mfa(client: Client, user: User) -> None:
    response = sign_in(client, user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert response.status_code == 302, response.content.decode()


def test_victim_signs_in_with_email_and_password(client: Client, personas: Personas) -> None:
    response = sign_in(client, personas.victim.email)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.SIGNED_IN, actor=personas.victim).exists()


def reauthenticate(client: Client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_answer(
    client: Client, personas: Personas
) -> None:
    wrong = sign_in(client, personas.victim.email, "not the password")
    unknown = sign_in(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    message = "The e-mail address or password is not right."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()


def test_failed_sign_ins_are_audited_and_shown_to_the_account_owner(
    client: Client, personas: Personas
) -> None:
    sign_in(Client(), personas.victim.email, "guess one")
    sign_in(client, personas.victim.email)
    assert AuditEvent.objects.filter(
        action=Action.SIGN_IN_FAILED, subject_id=str(personas.victim.pk)
    ).exists()
    html = client.get(reverse("accounts:security")).content.decode()
    assert "Failed sign-in attempt" in html
    assert "Signed in" in html


def test_sign_in_is_rate_limited_per_account(client: Client, personas: Personas) -> None:
    for _ in range(5):
        sign_in(Client(), personas.victim.email, "wrong password")
    response = sign_in(client, personas.victim.email)  # even the right password is refused now
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_password_reset_does_not_reveal_whether_an_account_exists(
    client: Client, personas: Personas
) -> None:
    url = reverse("account_reset_password")
    known = client.post(url, {"email": personas.victim.email})
    unknown = client.post(url, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert all(message.subject == "Daybook: your account" for message in mail.outbox)


def test_password_reset_is_rate_limited(client: Client, personas: Personas) -> None:
    url = reverse("account_reset_password")
    statuses = [client.post(url, {"email": personas.victim.email}).status_code for _ in range(5)]
    assert 429 in statuses
    assert len(mail.outbox) <= 3


@pytest.mark.parametrize(
    "role",
    [
        Role.ADVOCATE,
        Role.SERVICE_MANAGER,
        Role.POLICE_LIAISON,
        Role.PARTNER_REFERRER,
        Role.COMMISSIONER_VIEWER,
        Role.ADMINISTRATOR,
    ],
)
def test_staff_without_mfa_can_do_nothing_until_enrolled(
    client: Client, personas: Personas, role: Role
) -> None:
    organisation = {
        Role.POLICE_LIAISON: personas.police_force,
        Role.PARTNER_REFERRER: personas.partner_agency,
        Role.COMMISSIONER_VIEWER: personas.commissioner_office,
    }.get(role, personas.service)
    user = make_user(f"new.{role}@example.org", role, organisation, mfa=False)
    assert sign_in(client, user.email).status_code == 302
    for url in (reverse("home"), reverse("accounts:security"), reverse("usersessions_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    # Enrolment itself asks for the password again, as adding an authenticator is sensitive.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    reauthenticate(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert client.get(reverse("public:get_help")).status_code == 200


def test_staff_enrol_in_mfa_and_are_then_let_in(
    client: Client, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    user = make_user("fresh@example.org", Role.ADVOCATE, personas.service, mfa=False)
    sign_in(client, user.email)
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.MFA_ADDED, actor=user).exists()


def test_staff_with_mfa_must_give_a_code_to_sign_in(client: Client, personas: Personas) -> None:
    response = sign_in(client, personas.advocate.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert AuditEvent.objects.filter(action=Action.MFA_FAILED).exists()
    client.post(reverse("mfa_authenticate"), {"code": totp_code(personas.advocate)})
    assert client.get(reverse("home")).status_code == 200


def test_victims_are_offered_mfa_but_not_forced(client: Client, personas: Personas) -> None:
    sign_in(client, personas.victim.email)
    html = client.get(reverse("accounts:security")).content.decode()
    assert "Turn on" in html
    assert client.get(reverse("home")).status_code == 200


def test_session_list_shows_sessions_and_ends_the_others(personas: Personas) -> None:
    laptop, phone = Client(), Client(HTTP_USER_AGENT="Phone browser")
    sign_in(laptop, personas.victim.email)
    sign_in(phone, personas.victim.email)
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert page.context["session_count"] == 2
    laptop.post(reverse("usersessions_list"), {})
    assert laptop.get(reverse("home")).status_code == 200
    assert phone.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action=Action.SESSIONS_ENDED, actor=personas.victim).exists()


def test_anyone_can_register_as_a_victim(client: Client, db) -> None:
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    response = client.post(
        reverse("account_signup"),
        {"email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    assert mail.outbox[-1].subject == "Daybook: your account"
    response = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.role == Role.VICTIM
    assert user.organisation is None
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("home")).status_code == 200


def test_weak_passwords_are_refused_at_registration(client: Client, db) -> None:
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    response = client.post(
        reverse("account_signup"),
        {"email": "weak@example.org", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="weak@example.org").exists()


# --- Organisations, invitations and roles -----------------------------------------


def test_manager_invites_an_advocate_who_joins_the_service(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    manager = Client()
    sign_in_with_mfa(manager, personas.manager)
    reauthenticate(manager)
    url = reverse("accounts:invite", args=[personas.service.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url, {"email": "Joiner@Example.org", "role": "advocate"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="joiner@example.org")
    assert invitation.role == Role.ADVOCATE
    assert invitation.organisation == personas.service
    message = mail.outbox[-1]
    assert message.subject == "Daybook: your account"
    link = re.search(r"http://testserver(/account/invitation/\S+/)", message.body).group(1)
    assert AuditEvent.objects.filter(action=Action.INVITATION_SENT, actor=personas.manager).exists()

    joiner = Client()
    response = joiner.post(link, {"name": "Jo Iner", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="joiner@example.org")
    assert (user.role, user.organisation) == (Role.ADVOCATE, personas.service)
    assert (
        joiner.post(link, {"name": "x", "password1": PASSWORD, "password2": PASSWORD}).status_code
        == 404
    )
    sign_in(joiner, user.email)
    assert joiner.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


def test_invitations_need_recent_re_authentication(client: Client, personas: Personas) -> None:
    sign_in_with_mfa(client, personas.manager)
    url = reverse("accounts:invite", args=[personas.service.pk])
    response = client.post(url, {"email": "later@example.org", "role": "advocate"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Invitation.objects.filter(email="later@example.org").exists()
    # Confirming the password carries out the action that was asked for.
    response = client.post(
        reverse("account_reauthenticate") + f"?next={url}", {"password": PASSWORD}
    )
    assert Invitation.objects.filter(email="later@example.org").exists()

    session = client.session
    session["account_authentication_methods"] = [
        {**record, "at": record["at"] - 3600}
        for record in session["account_authentication_methods"]
    ]
    session.save()
    response = client.post(url, {"email": "stale@example.org", "role": "advocate"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Invitation.objects.filter(email="stale@example.org").exists()


def test_manager_cannot_grant_a_role_from_another_kind_of_organisation(
    client: Client, personas: Personas
) -> None:
    sign_in_with_mfa(client, personas.manager)
    reauthenticate(client)
    url = reverse("accounts:invite", args=[personas.service.pk])
    response = client.post(url, {"email": "cop@example.org", "role": "police_liaison"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("persona", ["advocate", "other_advocate", "police", "victim"])
def test_only_managers_and_administrators_reach_a_team(personas: Personas, persona: str) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("accounts:team", args=[personas.service.pk])).status_code == 404
    url = reverse("accounts:invite", args=[personas.service.pk])
    assert client.post(url, {"email": "x@example.org", "role": "advocate"}).status_code == 404
    assert not Invitation.objects.exists()


def test_manager_of_another_service_cannot_reach_this_team(personas: Personas) -> None:
    other_manager = make_user(
        "m2@example.org", Role.SERVICE_MANAGER, personas.other_service, mfa=True
    )
    client = Client()
    client.force_login(other_manager)
    assert client.get(reverse("accounts:team", args=[personas.service.pk])).status_code == 404


def test_administrator_invites_a_police_liaison(client: Client, personas: Personas) -> None:
    sign_in_with_mfa(client, personas.administrator)
    reauthenticate(client)
    url = reverse("accounts:invite", args=[personas.police_force.pk])
    response = client.post(url, {"email": "dc@example.org", "role": "police_liaison"})
    assert response.status_code == 302
    assert Invitation.objects.get(email="dc@example.org").organisation == personas.police_force


def test_role_change_is_audited(client: Client, personas: Personas) -> None:
    sign_in_with_mfa(client, personas.manager)
    reauthenticate(client)
    url = reverse("accounts:change_role", args=[personas.service.pk, personas.advocate.pk])
    client.post(url, {"role": "service_manager"})
    personas.advocate.refresh_from_db()
    assert personas.advocate.role == Role.SERVICE_MANAGER
    event = AuditEvent.objects.get(action=Action.ROLE_CHANGED)
    assert event.extra == {"from": "advocate", "to": "service_manager"}


def test_forged_role_change_changes_nothing(client: Client, personas: Personas) -> None:
    sign_in_with_mfa(client, personas.manager)
    reauthenticate(client)
    url = reverse("accounts:change_role", args=[personas.service.pk, personas.advocate.pk])
    client.post(url, {"role": "administrator"})
    personas.advocate.refresh_from_db()
    assert personas.advocate.role == Role.ADVOCATE
    outsider_url = reverse("accounts:change_role", args=[personas.service.pk, personas.police.pk])
    assert client.post(outsider_url, {"role": "advocate"}).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.ROLE_CHANGED).exists()


def test_victims_cannot_belong_to_an_organisation(personas: Personas) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=personas.victim.pk).update(organisation=personas.service)


# --- Audit -----------------------------------------------------------------------


def test_audit_events_cannot_be_changed_or_deleted(personas: Personas) -> None:
    sign_in(Client(), personas.victim.email)
    event = AuditEvent.objects.first()
    event.action = Action.SIGNED_OUT
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_sign_out_is_audited(client: Client, personas: Personas) -> None:
    sign_in(client, personas.victim.email)
    client.post(reverse("account_logout"))
    assert AuditEvent.objects.filter(action=Action.SIGNED_OUT, actor=personas.victim).exists()
