"""Leaving: a person deletes their account and logs, with a 7-day window to change their mind;
once their logs are erased the account is anonymised and switched off. Staff accounts are
deactivated, never deleted."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daybook.accounts.models import User
from daybook.accounts.services import user_anonymise
from daybook.audit.models import Action, AuditEvent
from daybook.cases.models import Case, Referral
from daybook.cases.services import case_open
from daybook.casework.services import referral_make
from daybook.drafts.kinds import form_key, place_of
from daybook.drafts.models import Draft
from daybook.drafts.services import draft_save
from daybook.erasure.models import ErasureRequest
from daybook.erasure.services import erasure_approve, erasures_carry_out_due
from daybook.incidents.services import entry_record
from daybook.subject_access.leaving import (
    account_deletion_request,
    account_deletions_carry_out_due,
)
from daybook.subject_access.models import AccountDeletion
from tests.conftest import Personas, entry_values
from tests.test_accounts import reauthenticate, sign_in, sign_in_with_mfa


@pytest.fixture
def own_log(personas: Personas) -> Case:
    """A log the person keeps by themselves, with no service."""
    case = case_open(created_by=personas.victim, owner=personas.victim)
    entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    return case


def _signed_in(personas: Personas) -> Client:
    client = Client()
    sign_in(client, personas.victim.email)
    reauthenticate(client)
    return client


def _window_passes() -> None:
    past = timezone.now() - dt.timedelta(minutes=1)
    AccountDeletion.objects.update(due_at=past)
    ErasureRequest.objects.update(due_at=past)


def test_asking_to_leave_asks_to_erase_each_log_and_shows_the_date(
    own_log: Case, personas: Personas
) -> None:
    client = _signed_in(personas)
    response = client.post(reverse("subject_access:leave"), follow=True)
    page = response.content.decode()
    due = timezone.localtime(timezone.now() + dt.timedelta(days=7)).strftime("%-d %B %Y")
    assert f"Your account and log will be deleted on {due}." in " ".join(page.split())
    erasure = ErasureRequest.objects.get(case=own_log)
    assert erasure.reason == ErasureRequest.Reason.PERSON and erasure.is_open
    assert AuditEvent.objects.filter(
        action=Action.ACCOUNT_DELETION_REQUESTED, actor=personas.victim
    ).exists()
    # Wherever they land, they see the date and the way to cancel.
    for name in ("home", "accounts:security"):
        text = " ".join(client.get(reverse(name)).content.decode().split())
        assert f"Your account and log will be deleted on {due}." in text, name
        assert "Cancel the deletion" in text
    # Nothing is deleted yet: the person still signs in and reads their log.
    assert account_deletions_carry_out_due() == 0
    assert client.get(reverse("incidents:log", args=[own_log.pk])).status_code == 200


def test_asking_to_leave_needs_the_person_to_confirm_its_them(
    own_log: Case, personas: Personas
) -> None:
    client = Client()
    sign_in(client, personas.victim.email)
    response = client.post(reverse("subject_access:leave"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AccountDeletion.objects.exists()


def test_cancelling_keeps_the_account_and_the_log(own_log: Case, personas: Personas) -> None:
    client = _signed_in(personas)
    client.post(reverse("subject_access:leave"))
    response = client.post(reverse("subject_access:leave_cancel"), follow=True)
    assert "Cancelled. Your account and your log will be kept." in response.content.decode()
    erasure = ErasureRequest.objects.get(case=own_log)
    assert erasure.cancelled_at is not None
    assert AccountDeletion.objects.get().cancelled_at is not None
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_DELETION_CANCELLED).exists()
    _window_passes()
    assert erasures_carry_out_due() == 0
    assert account_deletions_carry_out_due() == 0
    assert Case.objects.filter(pk=own_log.pk).exists()
    # And the person may ask again.
    client.post(reverse("subject_access:leave"))
    assert AccountDeletion.objects.filter(cancelled_at__isnull=True).count() == 1


def test_once_the_window_passes_the_log_is_erased_and_the_account_anonymised(
    own_log: Case, personas: Personas
) -> None:
    victim = personas.victim
    referral_form = form_key("cases.referral")
    draft_save(
        owner=victim,
        key=referral_form,
        place=place_of(victim, referral_form),
        payload={"fields": {"situation": ["Half written"]}, "texts": []},
    )
    # A referral they made themselves that never became a case: what they said of themselves.
    waiting = referral_make(
        service=personas.service,
        source=Referral.Source.SELF_ACCOUNT,
        details={"name": "Vic Tim", "situation": "He waits outside my work"},
        referrer=victim,
    )
    client = _signed_in(personas)
    client.post(reverse("subject_access:leave"))
    signed_in_before = AuditEvent.objects.filter(actor=victim).count()
    _window_passes()
    assert erasures_carry_out_due() == 1
    assert account_deletions_carry_out_due() == 1

    user = User.objects.get(pk=victim.pk)
    assert not user.is_active and user.name == "" and not user.has_usable_password()
    assert victim.email not in user.email
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Case.objects.filter(owner=user).exists()
    assert not Draft.objects.filter(owner=user).exists()
    assert not Referral.objects.filter(pk=waiting.pk).exists()
    # The audit still says truly who did what: its rows still point at the row.
    assert AuditEvent.objects.filter(actor=user).count() >= signed_in_before
    assert AuditEvent.objects.filter(
        action=Action.ACCOUNT_DELETED, subject_id=str(user.pk)
    ).exists()
    # Signed out everywhere, and the old address no longer signs in.
    assert client.get(reverse("accounts:security"))["Location"].startswith(reverse("account_login"))
    assert sign_in(Client(), victim.email).status_code == 200


def test_a_log_a_service_holds_waits_for_the_service_before_the_account_closes(
    case: Case, personas: Personas
) -> None:
    client = _signed_in(personas)
    page = client.post(reverse("subject_access:leave"), follow=True).content.decode()
    assert "once the service has agreed" in page
    _window_passes()
    assert erasures_carry_out_due() == 0
    assert account_deletions_carry_out_due() == 0
    assert User.objects.get(pk=personas.victim.pk).is_active
    erasure_approve(erasure=ErasureRequest.objects.get(case=case), actor=personas.manager)
    assert erasures_carry_out_due() == 1
    assert account_deletions_carry_out_due() == 1
    assert not User.objects.get(pk=personas.victim.pk).is_active


def test_staff_accounts_are_never_deleted(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        user_anonymise(user=personas.advocate)
    with pytest.raises(PermissionDenied):
        account_deletion_request(person=personas.advocate)
    advocate = Client()
    advocate.force_login(personas.advocate)
    assert advocate.get(reverse("subject_access:leave")).status_code == 404
    assert advocate.post(reverse("subject_access:leave")).status_code == 404
    assert User.objects.get(pk=personas.advocate.pk).is_active


def test_a_manager_deactivates_a_member_of_staff(personas: Personas) -> None:
    advocate = Client()
    sign_in_with_mfa(advocate, personas.advocate)
    manager = Client()
    manager.force_login(personas.manager)
    reauthenticate(manager)
    url = reverse("accounts:deactivate", args=[personas.service.pk, personas.advocate.pk])
    response = manager.post(url, follow=True)
    assert "Account deactivated" in response.content.decode()
    user = User.objects.get(pk=personas.advocate.pk)
    assert not user.is_active and user.email == personas.advocate.email  # kept, not deleted
    assert AuditEvent.objects.filter(
        action=Action.ACCOUNT_DEACTIVATED, actor=personas.manager, subject_id=str(user.pk)
    ).exists()
    assert advocate.get(reverse("accounts:security"))["Location"].startswith(
        reverse("account_login")
    )
    # Not themselves; and a manager of another service cannot reach this team at all.
    own = reverse("accounts:deactivate", args=[personas.service.pk, personas.manager.pk])
    page = manager.post(own, follow=True).content.decode()
    assert "You cannot deactivate your own account." in page
    assert User.objects.get(pk=personas.manager.pk).is_active
    other = Client()
    other.force_login(personas.other_advocate)
    assert other.post(url).status_code == 404
