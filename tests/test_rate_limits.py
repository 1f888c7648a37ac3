"""Limits that slow whoever guesses without locking out the person, and pages that never say
who has an account."""

import datetime as dt
import os
import re
import subprocess
import sys
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daybook.accounts.models import Invitation
from daybook.audit.models import Action, AuditEvent
from daybook.cases.models import Task
from tests.conftest import PASSWORD, Personas
from tests.test_accounts import reauthenticate, sign_in_with_mfa

LOGIN = reverse("account_login")
REQUEST_CODE = reverse("account_request_login_code")
CONFIRM_CODE = reverse("account_confirm_login_code")
STALKER_NETWORK = "203.0.113.66"
REFUGE_NETWORK = "198.51.100.7"
OWNER_NETWORK = "192.0.2.10"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db) -> None:
    # Limits live in the cache: each test starts with none and leaves none behind.
    cache.clear()
    yield
    cache.clear()


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def guess(email: str, times: int, network: str = STALKER_NETWORK) -> None:
    for attempt in range(times):
        sign_in(Client(REMOTE_ADDR=network), email, f"guess number {attempt}")


def code_from_mail() -> str:
    return re.search(r"^([A-Z0-9-]{6,})$", mail.outbox[-1].body, re.MULTILINE).group(1)


def sign_in_with_code(client: Client, email: str):
    response = client.post(REQUEST_CODE, {"email": email})
    assert response["Location"] == CONFIRM_CODE, response.content.decode()
    return client.post(CONFIRM_CODE, {"code": code_from_mail()})


def test_wrong_passwords_for_someones_address_pause_passwords_for_that_address(
    personas: Personas,
) -> None:
    guess(personas.victim.email, 5)
    owner = Client(REMOTE_ADDR=OWNER_NETWORK)
    response = sign_in(owner, personas.victim.email)
    # Even the right password waits: otherwise guessing would not be slowed at all.
    assert response.status_code == 200
    assert not signed_in(owner)
    html = response.content.decode()
    assert "Sign in with a code sent to your e-mail address instead" in html
    assert reverse("account_request_login_code") in html


def test_the_owner_still_gets_in_with_a_code_sent_to_their_address(personas: Personas) -> None:
    guess(personas.victim.email, 8)
    owner = Client(REMOTE_ADDR=OWNER_NETWORK)
    assert not signed_in(owner) and sign_in(owner, personas.victim.email).status_code == 200
    response = sign_in_with_code(owner, personas.victim.email)
    assert response.status_code == 302
    assert signed_in(owner)
    assert owner.get(reverse("home")).status_code == 200
    assert mail.outbox[-1].subject == "Daybook: your account"


def test_a_code_cannot_be_used_from_the_guessers_browser(personas: Personas) -> None:
    # The code goes to the address; the guesser's own session has no code to match.
    stalker = Client(REMOTE_ADDR=STALKER_NETWORK)
    stalker.post(REQUEST_CODE, {"email": personas.victim.email})
    for guess_code in ("AAAAAA", "123456", "ZZZZZZ"):
        stalker.post(CONFIRM_CODE, {"code": guess_code})
    assert not signed_in(stalker)


def test_asking_for_codes_cannot_keep_the_owner_out_for_long(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(6):
        Client(REMOTE_ADDR=STALKER_NETWORK).post(REQUEST_CODE, {"email": personas.victim.email})
    assert len(mail.outbox) == 3  # the person's inbox is not flooded
    owner = Client(REMOTE_ADDR=OWNER_NETWORK)
    paused = owner.post(REQUEST_CODE, {"email": personas.victim.email}).content.decode()
    assert "Wait a minute, then ask again." in paused
    later = time.time() + 61
    monkeypatch.setattr("allauth.core.internal.ratelimit.time.time", lambda: later)
    assert sign_in_with_code(owner, personas.victim.email).status_code == 302
    assert signed_in(owner)


def test_guessing_is_slowed_to_a_few_tries_every_five_minutes(personas: Personas) -> None:
    guess(personas.victim.email, 5)
    before = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).count()
    stalker = Client(REMOTE_ADDR=STALKER_NETWORK)
    response = sign_in(stalker, personas.victim.email)  # the right password, too late
    assert response.status_code == 200
    assert not signed_in(stalker)
    assert "Too many attempts" in response.content.decode()
    refused = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).count() - before
    assert refused == 1


def test_another_host_name_gives_no_fresh_allowance(personas: Personas) -> None:
    for host in ("localhost", "127.0.0.1", "testserver"):
        for attempt in range(2):
            client = Client(REMOTE_ADDR=STALKER_NETWORK, HTTP_HOST=host)
            sign_in(client, personas.victim.email, f"guess {attempt}")
    response = sign_in(
        Client(REMOTE_ADDR=STALKER_NETWORK, HTTP_HOST="localhost"), personas.victim.email
    )
    assert "Too many attempts" in response.content.decode()


def test_one_person_guessing_does_not_lock_out_everyone_on_a_refuges_network(
    personas: Personas,
) -> None:
    guess(personas.victim.email, 40, network=REFUGE_NETWORK)
    guess(personas.outsider.email, 40, network=REFUGE_NETWORK)
    # Someone else at the refuge mistypes their own password a couple of times.
    neighbour = Client(REMOTE_ADDR=REFUGE_NETWORK)
    sign_in(neighbour, personas.advocate.email, "typo")
    sign_in(neighbour, personas.advocate.email, "typo again")
    response = sign_in(neighbour, personas.advocate.email)
    assert response["Location"] == reverse("mfa_authenticate")
    for _ in range(30):
        sign_in(Client(REMOTE_ADDR=REFUGE_NETWORK), "someone.new@example.org", "no account")
    other = Client(REMOTE_ADDR=REFUGE_NETWORK)
    response = sign_in(other, personas.partner.email)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")


def test_behind_the_proxy_each_network_keeps_its_own_allowance(
    personas: Personas,
    settings,
) -> None:
    settings.DAYBOOK_TRUSTED_PROXIES = ("10.0.0.2/32",)
    for _ in range(70):
        client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=STALKER_NETWORK)
        sign_in(client, f"someone{_}@example.org", "no account")
    assert (
        "Too many attempts"
        in sign_in(
            Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=STALKER_NETWORK), "x@example.org"
        ).content.decode()
    )
    # Someone elsewhere arrives through the same proxy and is not refused.
    owner = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"10.9.9.9, {OWNER_NETWORK}")
    assert sign_in(owner, personas.victim.email).status_code == 302
    assert signed_in(owner)


@pytest.mark.parametrize(
    ("proxies", "trusted"),
    [("10.0.0.2, 10.1.0.0/16", "('10.0.0.2/32', '10.1.0.0/16')"), ("", "()")],
)
def test_the_proxy_setting_decides_whose_address_is_counted(proxies: str, trusted: str) -> None:
    environment = {**os.environ, "DAYBOOK_TRUSTED_PROXIES": proxies}
    code = "import daybook.settings as s; print(s.DAYBOOK_TRUSTED_PROXIES)"
    result = subprocess.run(  # noqa: S603 (a fixed command)
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == trusted


def test_the_owner_sees_the_attempts_on_their_account_page(personas: Personas) -> None:
    guess(personas.victim.email, 7)
    owner = Client(REMOTE_ADDR=OWNER_NETWORK)
    sign_in(owner, personas.victim.email)
    sign_in_with_code(owner, personas.victim.email)
    html = owner.get(reverse("accounts:security")).content.decode()
    # Five wrong passwords, two refused guesses and the owner's own refused password.
    assert "8 failed attempts to sign in to your account in the last 30 days" in html
    assert html.count("Failed sign-in attempt") == 8
    assert html.count("Not let in: too many tries in a short time") == 3
    assert STALKER_NETWORK in html


def test_the_owner_is_told_of_the_attempts_when_they_next_sign_in(personas: Personas) -> None:
    email = personas.victim.email
    assert sign_in(Client(REMOTE_ADDR=OWNER_NETWORK), email).status_code == 302
    guess(email, 3)
    owner = Client(REMOTE_ADDR=OWNER_NETWORK)
    home = owner.get(sign_in(owner, email)["Location"]).content.decode()
    assert "Since you last signed in, there were 3 failed attempts to sign in" in home
    # Told once: the next sign-in has nothing new to say.
    again = Client(REMOTE_ADDR=OWNER_NETWORK)
    assert "failed attempt" not in again.get(sign_in(again, email)["Location"]).content.decode()


def test_the_code_does_not_skip_two_step_verification_for_staff(personas: Personas) -> None:
    guess(personas.advocate.email, 6)
    advocate = Client(REMOTE_ADDR=OWNER_NETWORK)
    response = sign_in_with_code(advocate, personas.advocate.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in(advocate)


def test_signing_up_and_asking_for_a_code_answer_the_same_whatever_the_address(
    personas: Personas,
) -> None:
    signup = reverse("account_signup")
    answers = []
    for email in (personas.victim.email, "nobody.yet@example.org"):
        data = {"email": email, "password1": "a new long passphrase", "password2": ""}
        data["password2"] = data["password1"]
        signed_up = Client(REMOTE_ADDR=OWNER_NETWORK).post(signup, data)
        asked = Client(REMOTE_ADDR=OWNER_NETWORK).post(REQUEST_CODE, {"email": email})
        answers.append((signed_up.status_code, signed_up.get("Location"), asked["Location"]))
    assert answers[0] == answers[1]
    page = Client(REMOTE_ADDR=OWNER_NETWORK)
    page.post(REQUEST_CODE, {"email": "nobody@example.org"})
    html = page.get(CONFIRM_CODE).content.decode()
    assert "If nobody@example.org has an account, we have sent a code to it" in html


def test_adding_an_address_someone_else_has_answers_as_for_a_free_one(
    personas: Personas,
) -> None:
    client = Client(REMOTE_ADDR=OWNER_NETWORK)
    sign_in(client, personas.victim.email)
    reauthenticate(client)
    url = reverse("account_email")
    taken = client.post(url, {"action_add": "", "email": personas.outsider.email})
    free = client.post(url, {"action_add": "", "email": "free.address@example.org"})
    assert taken.status_code == free.status_code
    # Both go on to "Confirm your e-mail address", as for any address.
    assert taken["Location"] == free["Location"] == reverse("account_email_verification_sent")
    assert "already" not in taken.content.decode()


def test_wrong_authenticator_codes_say_to_wait_not_to_ask_for_an_e_mail_code(
    personas: Personas,
) -> None:
    advocate = Client(REMOTE_ADDR=OWNER_NETWORK)
    assert sign_in(advocate, personas.advocate.email)["Location"] == reverse("mfa_authenticate")
    for _ in range(5):
        advocate.post(reverse("mfa_authenticate"), {"code": "000000"})
    html = advocate.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode()
    assert "Too many wrong codes in a short time. Wait a few minutes" in html
    assert "code sent to your e-mail address" not in html
    assert not signed_in(advocate)


def test_the_invitation_form_answers_the_same_whether_or_not_an_account_exists(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    manager = Client()
    sign_in_with_mfa(manager, personas.manager)
    reauthenticate(manager)
    url = reverse("accounts:invite", args=[personas.service.pk])
    answers = []
    for email in ("new.advocate@example.org", personas.victim.email.upper()):
        with django_capture_on_commit_callbacks(execute=True):
            response = manager.post(url, {"email": email, "role": "advocate"})
        page = manager.get(response["Location"]).content.decode()
        answers.append((response.status_code, response["Location"], page.count(email.lower())))
        assert "We have sent an invitation if the address can receive one." in page
    assert answers[0][:2] == answers[1][:2]
    assert answers[1][2] == 1  # listed like any invitation
    new, existing = mail.outbox[-2:]
    assert new.subject == existing.subject == "Daybook: your account"
    assert "/account/invitation/" in new.body
    # The person who already has an account is told, and gets no link that could never work.
    assert existing.to == [personas.victim.email.lower()]
    assert "already has an account" in existing.body
    assert "/account/invitation/" not in existing.body
    assert Invitation.objects.filter(email=personas.victim.email.lower()).count() == 1
    victim = personas.victim
    victim.refresh_from_db()
    assert (victim.role, victim.organisation) == ("victim", None)


SELF_REFERRAL = {
    "name": "Robin",
    "safe_channels": ["phone"],
    "phone": "07700 900123",
    "voicemail_safe": "no",
    "urgency": "soon",
    "consent": "on",
}


def test_the_public_self_referral_is_rate_limited_kindly(personas: Personas) -> None:
    from daybook.cases.models import Referral

    url = reverse("cases:refer_yourself")
    statuses = []
    for _ in range(11):
        client = Client(REMOTE_ADDR=STALKER_NETWORK)
        client.post(reverse("public:before_you_continue"), {"next": "/"})
        statuses.append(client.post(url, SELF_REFERRAL).status_code)
    assert statuses == [302] * 10 + [429]
    assert Referral.objects.count() == 10
    client = Client(REMOTE_ADDR=STALKER_NETWORK)
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    response = client.post(url, SELF_REFERRAL)
    html = response.content.decode()
    assert response.status_code == 429
    assert "Your answers are still here" in html and "call 999" in html
    assert 'value="Robin"' in html
    assert "govuk-error-summary" in html
    # A mistake in the form costs nothing and says what to fix.
    wrong = client.post(url, {**SELF_REFERRAL, "consent": ""})
    assert wrong.status_code == 200
    # Someone on another network is not affected.
    elsewhere = Client(REMOTE_ADDR=OWNER_NETWORK)
    elsewhere.post(reverse("public:before_you_continue"), {"next": "/"})
    assert elsewhere.post(url, SELF_REFERRAL).status_code == 302


def test_the_advocates_tasks_are_only_from_cases_they_may_still_see(personas: Personas) -> None:
    from daybook.cases.services import case_open

    kept = case_open(
        created_by=personas.manager,
        service=personas.service,
        advocates=(personas.advocate,),
        label="Client A",
    )
    moved = case_open(
        created_by=personas.manager,
        service=personas.service,
        advocates=(personas.advocate,),
        label="Client B",
    )
    due = timezone.localdate() + dt.timedelta(days=3)
    visible = Task.objects.create(case=kept, due_on=due, assignee=personas.advocate)
    Task.objects.create(case=moved, due_on=due, assignee=personas.advocate)
    moved.advocates.remove(personas.advocate)
    client = Client()
    client.force_login(personas.advocate)
    response = client.get(reverse("home"))
    assert [task for task, _title in response.context["my_tasks"]] == [visible]
