"""Behind trusted proxies the client's own address reaches the audit, the rate limits and the
list of sessions; a forged X-Forwarded-For from anyone else changes nothing.

The proxies here: a load balancer at 10.0.0.2 and an internal tier of reverse proxies in
10.1.0.0/16 (DAYBOOK_TRUSTED_PROXIES)."""

import os
import subprocess
import sys

import pytest
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from daybook.audit.models import Action, AuditEvent
from daybook.audit.services import client_ip
from tests.conftest import PASSWORD, Personas
from tests.test_rate_limits import SELF_REFERRAL

BALANCER = "10.0.0.2"
INNER_PROXY = "10.1.4.5"
STALKER = "203.0.113.66"
REFUGE = "198.51.100.7"
OWNER = "192.0.2.10"


@pytest.fixture(autouse=True)
def _behind_the_proxies(settings, db) -> None:
    settings.DAYBOOK_TRUSTED_PROXIES = ("10.0.0.2/32", "10.1.0.0/16")
    cache.clear()
    yield
    cache.clear()


def address_of(remote: str, forwarded_for: str | None = None) -> str | None:
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_ip(RequestFactory().get("/", **headers))


def failed_sign_in_from(client: Client, email: str) -> AuditEvent:
    newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client.post(reverse("account_login"), {"login": email, "password": "not the password"})
    return AuditEvent.objects.get(pk__gt=newest, action=Action.SIGN_IN_FAILED)


# --- Forged headers ---------------------------------------------------------------------


def test_a_forged_header_from_an_untrusted_address_is_ignored() -> None:
    assert address_of(STALKER, REFUGE) == STALKER
    assert address_of(STALKER, f"{REFUGE}, {BALANCER}") == STALKER


def test_a_forged_header_changes_neither_the_audit_address_nor_the_rate_limit(
    personas: Personas,
) -> None:
    # Every guess claims to come from somewhere else; all are counted against the stalker's
    # own connecting address, and the audit rows say so.
    for attempt in range(60):
        forged = Client(REMOTE_ADDR=STALKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt + 1}")
        event = failed_sign_in_from(forged, f"someone{attempt}@example.org")
        assert event.ip == STALKER
    refused = Client(REMOTE_ADDR=STALKER, HTTP_X_FORWARDED_FOR="192.0.2.200").post(
        reverse("account_login"), {"login": "another@example.org", "password": "a guess"}
    )
    assert "Too many attempts" in refused.content.decode()
    # The addresses the forger named keep their own allowance.
    owner = Client(REMOTE_ADDR="192.0.2.1")
    owner.post(reverse("account_login"), {"login": personas.victim.email, "password": PASSWORD})
    assert "_auth_user_id" in owner.session


# --- Genuine headers --------------------------------------------------------------------


def test_through_one_trusted_proxy_the_client_is_the_address_it_forwarded() -> None:
    assert address_of(BALANCER, REFUGE) == REFUGE
    # What the client wrote itself stands to the left of what the proxy added: not believed.
    assert address_of(BALANCER, f"{OWNER}, {REFUGE}") == REFUGE


def test_through_two_trusted_proxies_the_client_is_the_first_untrusted_address() -> None:
    assert address_of(BALANCER, f"{REFUGE}, {INNER_PROXY}") == REFUGE
    assert address_of(INNER_PROXY, f"{STALKER}, {REFUGE}, {BALANCER}") == REFUGE


def test_a_client_inside_a_trusted_network_is_the_leftmost_address() -> None:
    assert address_of(BALANCER, f"{INNER_PROXY}") == INNER_PROXY


def test_malformed_values_are_ignored() -> None:
    assert address_of(BALANCER, "unknown") == BALANCER
    assert address_of(BALANCER, "") == BALANCER
    assert address_of(BALANCER, ",,,") == BALANCER
    # Past a value that is not an address nothing is vouched for: the last trusted hop stands.
    assert address_of(BALANCER, f"{REFUGE}, <script>, {INNER_PROXY}") == INNER_PROXY
    assert address_of(BALANCER, f"nonsense, {REFUGE}") == REFUGE
    assert address_of("not an address", REFUGE) is None


def test_ports_brackets_and_mapped_addresses_are_read_as_proxies_write_them() -> None:
    assert address_of(BALANCER, f"{REFUGE}:51234") == REFUGE
    assert address_of(BALANCER, "[2001:db8::7]:443") == "2001:db8::7"
    assert address_of(BALANCER, "2001:db8::7") == "2001:db8::7"
    assert address_of("::ffff:10.0.0.2", REFUGE) == REFUGE


def test_without_trusted_proxies_the_header_is_never_read(settings) -> None:
    settings.DAYBOOK_TRUSTED_PROXIES = ()
    assert address_of(BALANCER, REFUGE) == BALANCER


def test_sign_in_audit_rows_and_sessions_record_the_real_address(personas: Personas) -> None:
    behind = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=f"{OWNER}, {INNER_PROXY}")
    newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = behind.post(
        reverse("account_login"), {"login": personas.victim.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    signed_in = AuditEvent.objects.get(pk__gt=newest, action=Action.SIGNED_IN)
    assert signed_in.ip == OWNER
    assert UserSession.objects.get(user=personas.victim).ip == OWNER
    assert (
        failed_sign_in_from(
            Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=STALKER), personas.victim.email
        ).ip
        == STALKER
    )


# --- Rate limits per real client ----------------------------------------------------------


def refer_themselves(client: Client) -> int:
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    return client.post(reverse("cases:refer_yourself"), SELF_REFERRAL).status_code


def test_two_clients_behind_one_proxy_do_not_share_a_rate_limit(personas: Personas) -> None:
    def through_the_balancer(client_address: str) -> Client:
        return Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=client_address)

    statuses = [refer_themselves(through_the_balancer(STALKER)) for _ in range(11)]
    assert statuses == [302] * 10 + [429]
    # Someone else arriving through the same balancer still gets through, and so does a
    # client whose request passed through the inner tier as well.
    assert refer_themselves(through_the_balancer(REFUGE)) == 302
    assert refer_themselves(through_the_balancer(f"{OWNER}, {INNER_PROXY}")) == 302
    # The limited client cannot escape its limit by writing another address in front.
    assert refer_themselves(through_the_balancer(f"{OWNER}, {STALKER}")) == 429


# --- The setting ------------------------------------------------------------------------


def settings_with(**environment: str) -> subprocess.CompletedProcess:
    code = "import daybook.settings as s; print(s.DAYBOOK_TRUSTED_PROXIES)"
    return subprocess.run(  # noqa: S603 (a fixed command)
        [sys.executable, "-c", code],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_proxy_list_that_is_not_addresses_stops_start_up() -> None:
    result = settings_with(DAYBOOK_TRUSTED_PROXIES="10.0.0.2, the load balancer")
    assert result.returncode != 0
    assert "DAYBOOK_TRUSTED_PROXIES: 'the load balancer' is not an IP address" in result.stderr


def test_behind_a_proxy_without_naming_it_stops_start_up() -> None:
    result = settings_with(DAYBOOK_BEHIND_PROXY="true", DAYBOOK_TRUSTED_PROXIES="")
    assert result.returncode != 0
    assert "set DAYBOOK_TRUSTED_PROXIES" in result.stderr
    named = settings_with(DAYBOOK_BEHIND_PROXY="true", DAYBOOK_TRUSTED_PROXIES="10.0.0.0/24")
    assert named.stdout.strip() == "('10.0.0.0/24',)"


def test_https_is_believed_only_from_a_trusted_proxy(settings) -> None:
    """Behind a proxy, "X-Forwarded-Proto: https" says the person used HTTPS. Written by
    someone reaching Daybook directly, it is dropped: their plain HTTP request is still sent
    to HTTPS, and no secure-only cookie or page is given over it."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    page = reverse("public:stalking")
    direct = Client(REMOTE_ADDR=STALKER, HTTP_X_FORWARDED_PROTO="https")
    response = direct.get(page)
    assert response.status_code == 301 and response["Location"].startswith("https://")
    forwarded = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_PROTO="https")
    assert forwarded.get(page).status_code == 200
    # From the balancer over plain HTTP, the person is sent to HTTPS too.
    assert Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_PROTO="http").get(page).status_code == 301


def test_forwarding_headers_from_an_untrusted_address_reach_no_view(settings) -> None:
    from daybook.public.middleware import FORWARDED_HEADERS, UntrustedForwardingMiddleware

    seen = {}

    def view(request):
        seen.update({name: request.META.get(name) for name in FORWARDED_HEADERS})
        return HttpResponse()

    headers = dict.fromkeys(FORWARDED_HEADERS, "forged")
    UntrustedForwardingMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR=STALKER, **headers))
    assert set(seen.values()) == {None}
    UntrustedForwardingMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR=BALANCER, **headers))
    assert set(seen.values()) == {"forged"}
