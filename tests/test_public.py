import re

import pytest
from django.test import Client
from django.urls import reverse

PUBLIC_PAGES = [
    "public:start",
    "public:stalking",
    "public:get_help",
    "public:staying_safe",
    "public:cookies",
    "public:before_you_continue",
    "account_login",
]


@pytest.fixture
def explained_client(client: Client) -> Client:
    """A visitor who has already seen the Exit this page explanation."""
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_open_without_signing_in_and_offer_exit(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-exit-this-page__button" in html
    assert f'href="{reverse("public:exit")}"' in html
    assert "<title>" in html and "– Daybook</title>" in html


@pytest.mark.django_db
def test_service_name_is_configurable(client: Client, settings) -> None:
    settings.DAYBOOK_SERVICE_NAME = "Northshire Support"
    html = client.get(reverse("public:start")).content.decode()
    assert "– Northshire Support</title>" in html
    assert "Daybook" not in html


@pytest.mark.django_db
def test_get_help_shows_emergency_numbers_and_the_services_contact(
    client: Client, settings
) -> None:
    settings.DAYBOOK_SERVICE_PHONE = "01234 567890"
    html = client.get(reverse("public:get_help")).content.decode()
    assert 'href="tel:999"' in html
    assert 'href="tel:101"' in html
    assert "01234 567890" in html


@pytest.mark.django_db
def test_self_check_asks_for_the_exit_explanation_first(client: Client) -> None:
    response = client.get(reverse("public:self_check"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("public:before_you_continue"))
    response = client.post(
        reverse("public:before_you_continue"), {"next": reverse("public:self_check")}
    )
    assert response["Location"] == reverse("public:self_check")
    assert client.get(reverse("public:self_check")).status_code == 200


@pytest.mark.django_db
def test_interruption_never_redirects_off_site(client: Client) -> None:
    response = client.post(reverse("public:before_you_continue"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("public:start")


def _answers(**overrides: str) -> dict[str, str]:
    names = ["contact", "turning_up", "following", "online", "others", "property", "threats"]
    answers = dict.fromkeys(names, "no") | {"repeated": "no", "afraid": "no"}
    return answers | overrides


@pytest.mark.django_db
def test_self_check_with_repeated_behaviours_points_to_stalking_and_next_steps(
    explained_client: Client,
) -> None:
    response = explained_client.post(
        reverse("public:self_check"),
        _answers(contact="yes", turning_up="yes", repeated="yes", afraid="yes"),
        follow=True,
    )
    assert response.status_code == 200
    assert response.context["likely_stalking"] is True
    assert response.context["feels_afraid"] is True
    html = response.content.decode()
    assert reverse("account_signup") in html
    assert reverse("public:get_help") in html
    assert "tel:999" in html


@pytest.mark.django_db
def test_self_check_with_no_signs_still_offers_help(explained_client: Client) -> None:
    response = explained_client.post(reverse("public:self_check"), _answers(), follow=True)
    assert response.context["likely_stalking"] is False
    assert response.context["any_yes"] is False
    assert reverse("public:get_help") in response.content.decode()


@pytest.mark.django_db
def test_self_check_with_missing_or_forged_answers_says_what_is_wrong(
    explained_client: Client,
) -> None:
    answers = _answers(contact="definitely")
    del answers["threats"]
    response = explained_client.post(reverse("public:self_check"), answers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose yes, no or not sure" in html
    assert "Select a valid choice" in html


@pytest.mark.django_db
def test_exit_ends_the_session_and_goes_to_the_neutral_site(client: Client, personas) -> None:
    client.force_login(personas.victim)
    response = client.get(reverse("public:exit"))
    assert response.status_code == 302
    assert response["Location"] == "https://www.bbc.co.uk/weather"
    assert "cookies" in response["Clear-Site-Data"]
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_exit_destination_is_configurable(client: Client, settings) -> None:
    settings.DAYBOOK_EXIT_URL = "https://example.org/news"
    assert client.get(reverse("public:exit"))["Location"] == "https://example.org/news"


@pytest.mark.django_db
def test_unknown_address_gets_a_kind_not_found_page(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_private_pages_need_sign_in(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_security_headers(client: Client) -> None:
    response = client.get(reverse("public:start"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w+/=-]+'", csp)
    assert "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no third-party source of any kind
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_inline_scripts_carry_the_csp_nonce(client: Client) -> None:
    response = client.get(reverse("public:start"))
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_pages_load_nothing_from_another_host(client: Client, name: str) -> None:
    html = client.get(reverse(name)).content.decode()
    loaded = re.findall(r'<(?:script|link|img|iframe)\b[^>]*(?:src|href)="([^"]+)"', html)
    assert loaded
    assert all(url.startswith("/") and not url.startswith("//") for url in loaded), loaded


def test_secure_cookies_and_hsts_are_on_by_default() -> None:
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.pop('DAYBOOK_HTTPS', None);"
        "os.environ['DJANGO_SETTINGS_MODULE']='daybook.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.DEBUG)"
    )
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.split() == ["True", "True", "True", "False"]


@pytest.mark.django_db
def test_forms_work_when_the_browser_sends_a_null_origin() -> None:
    """`Referrer-Policy: no-referrer` makes browsers send `Origin: null` on form posts."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("public:before_you_continue"))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("public:before_you_continue"),
        {"next": "/", "csrfmiddlewaretoken": str(token)},
        HTTP_ORIGIN="null",
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_post_from_another_site_or_without_a_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("public:before_you_continue"))
    url = reverse("public:before_you_continue")
    assert client.post(url, {"next": "/"}, HTTP_ORIGIN="null").status_code == 403
    assert client.post(url, {"next": "/"}, HTTP_ORIGIN="https://evil.example").status_code == 403
