"""Identifiers matched across cases of different people, as keyed tokens, told to managers only."""

import pytest
from django.test import Client
from django.urls import reverse

from daybook.cases.services import case_open
from daybook.casework.services import perpetrator_add
from daybook.insights.identifiers import normalise, token
from daybook.insights.models import IdentifierToken, RepeatAlert
from daybook.insights.services import alerts_for
from daybook.sharing.services import share_create
from tests.conftest import Personas


@pytest.fixture
def other_case(personas: Personas):
    return case_open(created_by=personas.manager, owner=personas.outsider, service=personas.service)


def add(case, personas: Personas, **identifiers: object):
    values = {
        "names": ["M"],
        "aliases": [],
        "phones": [],
        "emails": [],
        "handles": [],
        "vehicles": [],
        "addresses": [],
        "date_of_birth": "",
    }
    return perpetrator_add(
        case=case, actor=personas.advocate, identifiers={**values, **identifiers}
    )


def test_the_same_number_written_differently_matches(case, other_case, personas: Personas) -> None:
    add(case, personas, phones=["07700 900123"])
    add(other_case, personas, phones=["+44 7700 900123"])
    alert = RepeatAlert.objects.get(case=case)
    assert (alert.other_case, alert.kind) == (other_case, "phones")
    assert RepeatAlert.objects.filter(case=other_case, other_case=case).exists()
    html = Client()
    html.force_login(personas.manager)
    page = html.get(reverse("home")).content.decode()
    assert f"{case.reference}</a> shares a phone number with case {other_case.reference}" in page
    assert "07700" not in page.split('data-testid="repeat-alerts"')[1].split("</ul>")[0]


@pytest.mark.parametrize(
    ("kind", "first", "second"),
    [
        ("vehicles", "ab12 cde", "AB12CDE"),
        ("emails", "Sam.Ex@Example.org", "sam.ex@example.org"),
        ("handles", "instagram: @SamEx", "Instagram:samex"),
    ],
)
def test_matching_works_across_formats(
    case, other_case, personas: Personas, kind: str, first: str, second: str
) -> None:
    add(case, personas, **{kind: [first]})
    add(other_case, personas, **{kind: [second]})
    assert RepeatAlert.objects.filter(case=case, kind=kind).exists()


def test_name_with_date_of_birth_matches_and_unrelated_identifiers_do_not(
    case, other_case, personas: Personas
) -> None:
    add(
        case,
        personas,
        names=["Mark  Smith"],
        date_of_birth="1980-01-02",
        phones=["07700 900111"],
        vehicles=["AB12 CDE"],
    )
    add(
        other_case,
        personas,
        names=["mark smith"],
        date_of_birth="1980-01-02",
        phones=["07700 900222"],
        vehicles=["AB12 CDF"],
    )
    assert set(RepeatAlert.objects.filter(case=case).values_list("kind", flat=True)) == {"name_dob"}
    add(other_case, personas, names=["Mark Smith"], date_of_birth="1981-01-02")
    assert RepeatAlert.objects.filter(case=case).count() == 1


def test_one_persons_two_logs_are_not_a_repeat_perpetrator(case, personas: Personas) -> None:
    second = case_open(created_by=personas.victim, owner=personas.victim)
    add(case, personas, phones=["07700 900123"])
    add(second, personas, phones=["07700 900123"])
    assert not RepeatAlert.objects.exists()


def test_only_managers_and_police_with_both_cases_shared_are_told(
    case, other_case, personas: Personas
) -> None:
    add(case, personas, phones=["07700 900123"])
    add(other_case, personas, phones=["07700900123"])
    assert alerts_for(personas.manager).count() == 2
    for persona in ("advocate", "victim", "other_advocate", "partner", "commissioner"):
        assert not alerts_for(getattr(personas, persona)).exists()
    assert not alerts_for(personas.police).exists()
    share_create(case=case, actor=personas.victim, police=personas.police_force)
    assert not alerts_for(personas.police).exists()
    share_create(case=other_case, actor=personas.outsider, police=personas.police_force)
    assert alerts_for(personas.police).count() == 2


def test_tokens_are_keyed_and_hold_no_identifier(
    case, personas: Personas, monkeypatch, tmp_path
) -> None:
    add(case, personas, phones=["07700 900123"])
    stored = IdentifierToken.objects.get()
    assert "7700" not in stored.token and len(stored.token) == 64
    assert stored.token == token("phones", normalise("phones", "+447700900123"))
    import base64
    import secrets

    from daybook import crypto

    other_key = tmp_path / "key"
    other_key.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    monkeypatch.delenv("DAYBOOK_IDENTIFIER_KEY", raising=False)
    monkeypatch.setenv("DAYBOOK_IDENTIFIER_KEY_FILE", str(other_key))
    crypto.identifier_key.cache_clear()
    try:
        assert token("phones", "+447700900123") != stored.token
    finally:
        crypto.identifier_key.cache_clear()
