"""Service statistics: known data gives known figures, small counts are suppressed, people
without consent are left out, and only managers and the commissioner see them."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daybook.accounts.models import Organisation
from daybook.audit.models import Action, AuditEvent
from daybook.cases.models import Consent, OutcomeMeasure, ProtectiveOrder, Referral
from daybook.cases.services import case_open
from daybook.insights import statistics
from daybook.risk.models import Screening
from tests.conftest import Personas

TODAY = timezone.localdate()
START, END = TODAY - dt.timedelta(days=364), TODAY


def person(personas: Personas, service: Organisation, *, consent: bool = True, waited: int = 2,
           domestic: bool | None = True, withdrawn: bool = False):  # fmt: skip
    """A person referred 30 days ago and first contacted `waited` days later."""
    case = case_open(created_by=personas.manager, owner=None, service=service)
    referred = timezone.now() - dt.timedelta(days=30)
    case.referred_at, case.domestic = referred, domestic
    case.first_contact_at = referred + dt.timedelta(days=waited)
    case.save()
    Referral.objects.create(
        service=service, source="partner", status="accepted", case=case, details_sealed=b"x"
    )
    if consent:
        Consent.objects.create(
            case=case,
            created_by=personas.manager,
            purpose="statistics",
            how="verbal",
            withdrawn_at=timezone.now() if withdrawn else None,
        )
    return case


def table(found: statistics.Statistics, title: str) -> dict[str, list]:
    (chosen,) = [t for t in found.tables if t.title.startswith(title)]
    return dict(chosen.rows)


def build(personas: Personas) -> statistics.Statistics:
    services = Organisation.objects.filter(pk=personas.service.pk)
    return statistics.build(services, START, END)


def test_known_data_gives_the_expected_figures(personas: Personas) -> None:
    cases = [person(personas, personas.service, waited=days) for days in (1, 2, 3, 4, 5, 6)]
    for case in cases[:5]:
        Screening.objects.create(
            case=case, created_by=personas.manager, yes_count=6, computed_level="high",
            level="high", review_due=TODAY,
        )  # fmt: skip
    ProtectiveOrder.objects.bulk_create(
        ProtectiveOrder(case=case, created_by=personas.manager, kind="spo", status=status)
        for case, status in zip(cases, ["granted"] * 5 + ["refused"], strict=True)
    )
    found = build(personas)
    assert table(found, "People supported")["New in the period"] == [6]
    waits = table(found, "Days from referral")
    assert waits["Median"] == [3.5] and waits["90th percentile"] == [6.0]
    assert table(found, "Referrals")["Partner agency"] == [0, 6, 0, 0, 6]
    assert table(found, "Domestic")["Domestic (an ex-partner or family member)"] == [6]
    assert table(found, "Risk at intake")["High"] == [5, 0]
    assert table(found, "Protective orders")["Stalking Protection Order"] == [6, 5]


def test_counts_under_five_are_suppressed_and_five_is_shown(personas: Personas) -> None:
    for _ in range(4):
        person(personas, personas.service)
    found = build(personas)
    assert table(found, "People supported")["New in the period"] == ["fewer than 5"]
    assert "Median" not in table(found, "Days from referral")
    person(personas, personas.service)
    found = build(personas)
    assert table(found, "People supported")["New in the period"] == [5]
    assert "Median" in table(found, "Days from referral")


def test_people_without_consent_are_left_out_of_every_figure(personas: Personas) -> None:
    for _ in range(5):
        person(personas, personas.service)
    person(personas, personas.service, consent=False, domestic=False)
    person(personas, personas.service, withdrawn=True, domestic=False)
    found = build(personas)
    assert table(found, "People supported")["New in the period"] == [5]
    assert table(found, "Referrals")["Partner agency"][-1] == 5
    assert table(found, "Domestic")["Non-domestic"] == [0]


def test_outcomes_are_averaged_only_over_five_or_more_people(personas: Personas) -> None:
    cases = [person(personas, personas.service) for _ in range(5)]
    for number, case in enumerate(cases):
        case.closed_at = timezone.now() - dt.timedelta(days=1)
        case.save()
        for stage, score in (("intake", 2), ("exit", 4 if number else 2)):
            OutcomeMeasure.objects.create(
                case=case, created_by=personas.manager, stage=stage, measured_on=TODAY,
                coping=score, feeling_safe=score, health_wellbeing=score,
                informed_empowered=score, justice_confidence=score,
            )  # fmt: skip
    rows = table(build(personas), "Outcome measures")
    assert rows["Feeling safe"] == ["+1.6", "fewer than 5"]  # 4 of 5 improved by 2
    cases[0].delete()
    assert table(build(personas), "Outcome measures")["Feeling safe"][0] == "not shown"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_sees_their_service_and_the_commissioner_every_service(
    personas: Personas,
) -> None:
    for _ in range(5):
        person(personas, personas.service)
        person(personas, personas.other_service)
    url = reverse("insights:statistics")
    manager = client_for(personas.manager).get(url).content.decode()
    assert "Northshire Stalking Service" in manager and "Southshire" not in manager
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">5</td>' in manager
    commissioner = client_for(personas.commissioner).get(url).content.decode()
    # The commissioner's menu holds the statistics and their account, nothing about cases.
    assert f'href="{url}"' in commissioner and "Cases" not in commissioner
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">10</td>' in commissioner
    one = client_for(personas.commissioner).get(url, {
        "start": START.isoformat(), "end": END.isoformat(), "service": personas.other_service.pk,
    }).content.decode()  # fmt: skip
    assert "Southshire" in one and ">10<" not in one
    assert AuditEvent.objects.filter(
        action=Action.STATISTICS_VIEWED, actor=personas.commissioner
    ).exists()


@pytest.mark.parametrize("persona", ["advocate", "victim", "police", "partner", "administrator"])
def test_nobody_else_sees_statistics(personas: Personas, persona: str) -> None:
    client = client_for(getattr(personas, persona))
    for name in ("insights:statistics", "insights:statistics_csv", "insights:statistics_pdf"):
        assert client.get(reverse(name)).status_code == 403


def test_a_manager_cannot_ask_for_another_service(personas: Personas) -> None:
    for _ in range(5):
        person(personas, personas.other_service)
    html = (
        client_for(personas.manager)
        .get(reverse("insights:statistics"), {"service": personas.other_service.pk})
        .content.decode()
    )
    assert "Southshire" not in html


def test_downloads_need_reauthentication_and_keep_the_suppression(personas: Personas) -> None:
    from tests.test_accounts import reauthenticate, sign_in_with_mfa

    for _ in range(3):
        person(personas, personas.service)
    client = Client()
    sign_in_with_mfa(client, personas.manager)
    csv_url = reverse("insights:statistics_csv")
    assert client.get(csv_url)["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    response = client.get(csv_url)
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["New in the period", "fewer than 5"] in rows
    document = client.get(reverse("insights:statistics_pdf"))
    assert document.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=Action.STATISTICS_EXPORTED).count() == 2


def test_a_period_that_ends_before_it_starts_is_refused_kindly(personas: Personas) -> None:
    response = client_for(personas.manager).get(
        reverse("insights:statistics"), {"start": "2026-10-01", "end": "2026-09-01"}
    )
    assert "The start of the period must be before its end." in response.content.decode()


def test_the_commissioner_reaches_no_case_or_referral(personas: Personas, case) -> None:
    from tests.test_permission_matrix import case_patterns

    referral = Referral.objects.create(
        service=personas.service, source="partner", case=case, details_sealed=b"x"
    )
    client = client_for(personas.commissioner)
    for name, route in case_patterns():
        if route.count("<") == 1:  # the case id alone: every case page
            url = reverse(name, args=[case.pk])
            response = client.get(url)
            if response.status_code == 405:  # an action: try it
                response = client.post(url)
            assert response.status_code in (403, 404), name
    assert client.get(reverse("cases:referrals")).status_code == 403
    assert client.get(reverse("cases:referral", args=[referral.pk])).status_code == 404
    assert case.reference not in client.get(reverse("incidents:log_list")).content.decode()
