"""Who may reach a log: the owner, their allocated advocate and the holding service's manager.

Everyone else gets 404 for every log URL, as if the log did not exist.
"""

import pytest
from django.test import Client
from django.urls import resolve, reverse

from daybook.incidents.evidence import check_upload
from daybook.incidents.services import evidence_add
from tests.conftest import Personas
from tests.test_evidence import PNG


@pytest.fixture
def evidence(entry, personas: Personas):
    return evidence_add(
        entry=entry, author=personas.victim, how="victim", checked=check_upload("a.png", PNG)
    )


def case_urls(case, entry, evidence) -> list[tuple[str, str]]:
    c, e, v = case.pk, entry.pk, evidence.pk
    return [
        ("GET", reverse("incidents:log", args=[c])),
        ("GET", reverse("incidents:record", args=[c])),
        ("GET", reverse("incidents:entry", args=[c, e])),
        ("GET", reverse("incidents:amend", args=[c, e])),
        ("GET", reverse("incidents:withdraw", args=[c, e])),
        ("GET", reverse("incidents:evidence_preview", args=[c, v])),
        ("GET", reverse("incidents:evidence_withdraw", args=[c, v])),
        ("POST", reverse("incidents:evidence_upload", args=[c, e])),
        ("POST", reverse("incidents:log_verify", args=[c])),
        ("GET", reverse("incidents:evidence_download", args=[c, v])),
        ("GET", reverse("incidents:log_download", args=[c])),
    ]


@pytest.mark.parametrize(
    "persona", ["outsider", "other_advocate", "police", "partner", "commissioner", "administrator"]
)
def test_people_without_access_get_404_everywhere(
    personas: Personas,
    case,
    entry,
    evidence,
    persona: str,
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    for method, url in case_urls(case, entry, evidence):
        response = client.get(url) if method == "GET" else client.post(url)
        assert response.status_code == 404, (persona, url)


READ = ("incidents:log", "incidents:entry", "incidents:evidence_preview")


@pytest.mark.parametrize("persona", ["victim", "advocate", "manager"])
def test_owner_advocate_and_manager_can_read(
    personas: Personas,
    case,
    entry,
    evidence,
    persona: str,
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    for _method, url in case_urls(case, entry, evidence)[:7]:
        writes = resolve(url).view_name not in READ
        expected = 403 if persona == "manager" and writes else 200
        assert client.get(url).status_code == expected, (persona, url)


def test_the_manager_reads_the_log_but_is_not_offered_to_write_in_it(
    personas: Personas, case, entry, evidence
) -> None:
    """What the pages offer is what the policy allows: no button leads to a 403."""
    client = Client()
    client.force_login(personas.manager)
    log = client.get(reverse("incidents:log", args=[case.pk])).content.decode()
    shown = client.get(reverse("incidents:entry", args=[case.pk, entry.pk])).content.decode()
    for page, name, args in (
        (log, "incidents:record", [case.pk]),
        (log, "imports:start", [case.pk]),
        (log, "sharing:case", [case.pk]),
        (shown, "incidents:amend", [case.pk, entry.pk]),
        (shown, "incidents:withdraw", [case.pk, entry.pk]),
        (shown, "incidents:evidence_withdraw", [case.pk, evidence.pk]),
        (shown, "incidents:evidence_upload", [case.pk, entry.pk]),
    ):
        assert reverse(name, args=args) not in page, name
    advocate = Client()
    advocate.force_login(personas.advocate)
    offered = advocate.get(reverse("incidents:log", args=[case.pk])).content.decode()
    assert reverse("incidents:record", args=[case.pk]) in offered


def test_an_advocate_of_the_same_service_not_allocated_gets_404(
    personas: Personas,
    case,
) -> None:
    from daybook.accounts.models import Role
    from tests.conftest import make_user

    colleague = make_user("colleague@example.org", Role.ADVOCATE, personas.service, mfa=True)
    client = Client()
    client.force_login(colleague)
    assert client.get(reverse("incidents:log", args=[case.pk])).status_code == 404


def test_unknown_ids_get_404(personas: Personas, case, entry) -> None:
    client = Client()
    client.force_login(personas.victim)
    assert client.get(reverse("incidents:log", args=[999999])).status_code == 404
    assert client.get(reverse("incidents:entry", args=[case.pk, 999999])).status_code == 404
    assert client.get("/logs/abc/").status_code == 404


def test_an_entry_cannot_be_reached_through_another_case(personas: Personas, entry) -> None:
    from daybook.cases.services import case_open

    own = case_open(created_by=personas.outsider, owner=personas.outsider)
    client = Client()
    client.force_login(personas.outsider)
    assert client.get(reverse("incidents:entry", args=[own.pk, entry.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(case) -> None:
    response = Client().get(reverse("incidents:log", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_lists_show_only_what_each_person_may_see(personas: Personas, case) -> None:
    from daybook.cases.access import cases_visible_to

    assert list(cases_visible_to(personas.victim)) == [case]
    assert list(cases_visible_to(personas.advocate)) == [case]
    assert list(cases_visible_to(personas.manager)) == [case]
    for persona in ("other_advocate", "outsider", "police", "partner", "commissioner"):
        assert not cases_visible_to(getattr(personas, persona)).exists()
