"""Account pages speak Daybook: one vocabulary, named devices, and the name people choose."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from daybook.accounts.devices import device_name
from daybook.accounts.models import User
from daybook.audit.models import Action, AuditEvent
from daybook.cases.services import case_open
from daybook.reports.chronology import build
from tests.conftest import PASSWORD, Personas
from tests.test_accounts import reauthenticate, sign_in

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
SAFARI_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)
CHROME_ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAMSUNG_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36"
)
CHROMEBOOK = (
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)

# Words allauth ships with that Daybook says differently; none may reach a page.
STOCK_WORDS = (
    "Reauthenticate",
    "reauthenticate",
    "Confirm Access",
    "Two-Factor",
    "two-factor",
    "Authenticator App",
    "Activate",
    "Deactivate",
    "Recovery Codes",
    "Sign In",
    "Sign Out",
    "Started At",
    "IP Address",
    "Email Addresses",
    "Password Reset",
    "Change Password",
    "Forgot your password",
    "(again)",
    "Please",
    "Incorrect code",
    "are not correct",
    "Mozilla/5.0",
)


def visible_text(html: str) -> str:
    """What a person reads: no markup, scripts or attribute values (URLs say "reauthenticate")."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def assert_daybook_words(html: str, *expected: str) -> None:
    text = visible_text(html)
    for words in expected:
        assert words in text, f"{words!r} missing from: {text}"
    for words in STOCK_WORDS:
        assert words not in text, f"stock wording {words!r} in: {text}"


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (CHROME_LINUX, "Chrome on Linux computer"),
        (CHROME_ANDROID, "Chrome on Android phone"),
        (FIREFOX_WINDOWS, "Firefox on Windows computer"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (SAFARI_IPAD, "Safari on iPad"),
        (SAFARI_MAC, "Safari on Mac"),
        (EDGE_WINDOWS, "Edge on Windows computer"),
        (CHROME_ANDROID_TABLET, "Chrome on Android tablet"),
        (SAMSUNG_PHONE, "Samsung Internet on Android phone"),
        (CHROMEBOOK, "Chrome on Chromebook"),
        ("", "An unknown browser on an unknown device"),
        ("Phone browser", "An unknown browser on an unknown device"),
    ],
)
def test_devices_are_named_by_browser_and_device(user_agent: str, name: str) -> None:
    assert device_name(user_agent) == name


def test_the_session_list_names_each_device_and_never_shows_the_raw_string(
    personas: Personas,
) -> None:
    laptop = Client(HTTP_USER_AGENT=CHROME_LINUX)
    phone = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    work = Client(HTTP_USER_AGENT=FIREFOX_WINDOWS)
    for client in (laptop, phone, work):
        sign_in(client, personas.victim.email)
    html = laptop.get(reverse("usersessions_list")).content.decode()
    assert_daybook_words(
        html,
        "Where you are signed in",
        "Chrome on Linux computer",
        "Chrome on Android phone",
        "Firefox on Windows computer",
        "This device",
        "Last used just now",
        "Sign out of all other devices",
    )
    for raw in (CHROME_LINUX, CHROME_ANDROID, FIREFOX_WINDOWS, "AppleWebKit", "Gecko"):
        assert raw not in html
    # "This device" marks the laptop's own session, and only that one.
    sessions = visible_text(html)
    assert sessions.count("This device") == 1
    assert re.search(r"Chrome on Linux computer This device", sessions)
    # A table of sessions once pushed narrow phones sideways; it is a summary list now.
    assert "<table" not in html


def test_ending_the_other_sessions_keeps_this_one(personas: Personas) -> None:
    laptop = Client(HTTP_USER_AGENT=CHROME_LINUX)
    phone = Client(HTTP_USER_AGENT=CHROME_ANDROID)
    sign_in(laptop, personas.victim.email)
    sign_in(phone, personas.victim.email)
    # The banner after signing in names nobody: someone may be looking at the screen.
    home = visible_text(laptop.get(reverse("home")).content.decode())
    assert "You are signed in." in home
    assert personas.victim.email not in home
    response = laptop.post(reverse("usersessions_list"), {}, follow=True)
    html = response.content.decode()
    assert_daybook_words(html, "You have signed out of all your other devices.")
    assert "Chrome on Android phone" not in html
    assert "You are not signed in anywhere else." in visible_text(html)
    assert phone.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("persona", ["victim", "manager"])
def test_account_pages_use_daybook_words(personas: Personas, persona: str) -> None:
    user = getattr(personas, persona)
    client = Client(HTTP_USER_AGENT=CHROME_LINUX)
    client.force_login(user)
    pages = {
        "accounts:security": ("Your account and security", "Two-step verification"),
        "accounts:name": ("What should we call you?",) if user.is_victim else ("Your name",),
        "account_change_password": ("Change your password", "Current password", "New password"),
        "account_email": ("Your e-mail address",),
        "account_logout": ("Sign out",),
        "account_reauthenticate": ("Confirm it's you",),
        "mfa_index": ("Two-step verification", "Authenticator app", "Recovery codes"),
        "usersessions_list": ("Where you are signed in", "Chrome on Linux computer"),
    }
    for name, words in pages.items():
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_daybook_words(response.content.decode(), *words)
    # Pages behind "Confirm it's you" first ask for it in Daybook's words.
    asked = client.get(reverse("mfa_generate_recovery_codes"), follow=True)
    assert_daybook_words(asked.content.decode(), "Confirm it's you")
    reauthenticate(client)
    if persona == "victim":
        html = client.get(reverse("mfa_activate_totp")).content.decode()
        assert_daybook_words(html, "Set up two-step verification", "authenticator app")
    else:
        for name, words in {
            "mfa_reauthenticate": ("Confirm it's you", "authenticator app", "recovery codes"),
            "mfa_deactivate_totp": ("Turn off two-step verification",),
            "mfa_view_recovery_codes": ("Your recovery codes",),
            "mfa_generate_recovery_codes": ("Get new recovery codes",),
        }.items():
            response = client.get(reverse(name))
            assert response.status_code == 200, name
            assert_daybook_words(response.content.decode(), *words)


def test_pages_before_signing_in_use_daybook_words(personas: Personas) -> None:
    client = Client()
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    for name, words in {
        "account_login": ("Sign in", "E-mail address", "I have forgotten my password"),
        "account_signup": ("What should we call you? (optional)", "Create a password"),
        "account_reset_password": ("Reset your password", "E-mail address"),
        "account_reset_password_done": ("Check your e-mail",),
    }.items():
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_daybook_words(response.content.decode(), *words)
    broken = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "nope"}),
        follow=True,
    )
    assert_daybook_words(broken.content.decode(), "This link cannot be used")


def test_the_two_step_sign_in_page_uses_daybook_words(personas: Personas) -> None:
    client = Client()
    response = sign_in(client, personas.manager.email)
    assert response["Location"] == reverse("mfa_authenticate")
    html = client.get(reverse("mfa_authenticate")).content.decode()
    assert_daybook_words(
        html,
        "Two-step verification",
        "Enter the code from your authenticator app",
        "recovery codes",
        "Cancel and sign out",
    )
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode()
    assert_daybook_words(
        wrong, "There is a problem", "The code is not right", "use one of your recovery codes"
    )


def test_a_wrong_password_is_answered_in_daybook_words(personas: Personas) -> None:
    html = sign_in(Client(), personas.victim.email, "not the password").content.decode()
    assert_daybook_words(html, "There is a problem", "The e-mail address or password is not right")


def test_a_password_reset_uses_daybook_words_from_start_to_end(
    client: Client, personas: Personas
) -> None:
    response = client.post(reverse("account_reset_password"), {"email": personas.victim.email})
    assert_daybook_words(client.get(response["Location"]).content.decode(), "Check your e-mail")
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page = client.get(link, follow=True)
    assert_daybook_words(page.content.decode(), "Choose a new password", "New password")
    new_password = "a different horse battery"
    done = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
        follow=True,
    )
    assert_daybook_words(done.content.decode(), "Password changed")
    personas.victim.refresh_from_db()
    assert personas.victim.check_password(new_password)


def sign_up(client: Client, email: str, name: str) -> User:
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    response = client.post(
        reverse("account_signup"),
        {"name": name, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()
    verifying = client.get(response["Location"]).content.decode()
    assert_daybook_words(verifying, "Confirm your e-mail address", f"sent a code to {email}")
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    response = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert response.status_code == 302
    return User.objects.get(email=email)


def test_the_name_given_at_sign_up_is_used_in_reports(client: Client, db) -> None:
    user = sign_up(client, "sam@example.org", "  Sam   Rivers ")
    assert user.name == "Sam Rivers"
    assert "Sam Rivers" in visible_text(client.get(reverse("accounts:security")).content.decode())
    case = case_open(created_by=user, owner=user)
    chronology = build(case, profile="police", produced_by=user, charts_wanted=False)
    assert chronology.subject == "Sam Rivers"
    assert chronology.produced_by == "Sam Rivers"


def test_without_a_name_reports_say_not_given(client: Client, db) -> None:
    user = sign_up(client, "no.name@example.org", "")
    assert user.name == ""
    case = case_open(created_by=user, owner=user)
    chronology = build(case, profile="police", produced_by=user, charts_wanted=False)
    assert chronology.subject == "Not given"
    assert "Person" not in chronology.subject
    # The report may reach the other side: it never prints the person's e-mail address.
    assert chronology.produced_by == "The person whose log this is"
    assert "no.name@example.org" not in chronology.produced_by
    page = visible_text(client.get(reverse("accounts:security")).content.decode())
    assert "What we call you Not given" in page


def test_people_change_what_we_call_them_and_it_is_audited(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.victim)
    response = client.post(reverse("accounts:name"), {"name": "Jo"})
    assert response["Location"] == reverse("accounts:security")
    personas.victim.refresh_from_db()
    assert personas.victim.name == "Jo"
    event = AuditEvent.objects.get(action=Action.NAME_CHANGED)
    assert event.actor_id == personas.victim.pk
    # The audit trail says that it changed, never the name itself.
    assert "Jo" not in str(event.extra)
    client.post(reverse("accounts:name"), {"name": ""})
    personas.victim.refresh_from_db()
    assert personas.victim.name == ""
    case = case_open(created_by=personas.victim, owner=personas.victim)
    built = build(case, profile="police", produced_by=personas.victim, charts_wanted=False)
    assert built.subject == "Not given"


def test_a_name_that_is_too_long_is_refused_kindly(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.victim)
    response = client.post(reverse("accounts:name"), {"name": "x" * 151})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    personas.victim.refresh_from_db()
    assert personas.victim.name == "Victim"


def test_staff_keep_a_name_because_colleagues_see_it(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.advocate)
    page = visible_text(client.get(reverse("accounts:name")).content.decode())
    assert "Colleagues and the people you support see this name." in page
    assert "reports" not in page
    refused = client.post(reverse("accounts:name"), {"name": "  "})
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    client.post(reverse("accounts:name"), {"name": "Alex Advocate"})
    personas.advocate.refresh_from_db()
    assert personas.advocate.name == "Alex Advocate"


@pytest.mark.parametrize(
    ("persona", "sees_team"),
    [("manager", True), ("administrator", True), ("advocate", False), ("police", False)],
)
def test_only_people_who_manage_a_team_see_its_link(
    personas: Personas, persona: str, sees_team: bool
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    html = client.get(reverse("home")).content.decode()
    assert ("Team and invitations" in html) is sees_team


def test_changing_the_e_mail_address_asks_to_confirm_it_is_them_first(
    personas: Personas,
) -> None:
    client = Client()
    client.force_login(personas.victim)
    assert client.get(reverse("account_email")).status_code == 200
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "someone.else@example.org"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="someone.else@example.org").exists()
