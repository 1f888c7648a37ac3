"""Escalation: synthetic logs with known patterns are found, and a steady log raises nothing."""

import datetime as dt
import math
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daybook.cases.models import ProtectiveOrder
from daybook.incidents.services import entry_record
from daybook.insights import escalation
from daybook.insights.models import EscalationAlert
from daybook.insights.services import escalation_check
from tests.conftest import Personas, entry_values

LONDON = zoneinfo.ZoneInfo("Europe/London")
MESSAGE = {
    "channel": "text_message",
    "place_kind": "online",
    "behaviours": ["contacting"],
    "seen": "not_applicable",
    "feared_violence": False,
    "changed_daily_life": False,
}


def log_at(case, personas: Personas, when: dt.datetime, **overrides: object):
    local = when.astimezone(LONDON)
    values = entry_values(
        **{
            **MESSAGE,
            "occurred_on": local.date().isoformat(),
            "occurred_time": local.strftime("%H:%M"),
            **overrides,
        }
    )
    return entry_record(case=case, author=personas.victim, how="victim", values=values)


def steady(case, personas: Personas, weeks: int, per_week: int, *, ending: dt.datetime) -> None:
    """`per_week` messages a week, evenly spaced, for `weeks` weeks up to `ending`."""
    for week in range(weeks):
        for n in range(per_week):
            offset = dt.timedelta(weeks=weeks - week) - dt.timedelta(days=7 * n / per_week)
            log_at(case, personas, ending - offset + dt.timedelta(hours=3))


def kinds(case) -> list[str]:
    return [finding.kind for finding in escalation.findings(case)]


def test_the_rise_test_matches_the_binomial_tail() -> None:
    assert escalation.rise_p_value(10, 0, 0.5) == pytest.approx(1 / 1024)
    exact = sum(math.comb(20, k) * 0.25**k * 0.75 ** (20 - k) for k in range(8, 21))
    assert escalation.rise_p_value(8, 12, 0.25) == pytest.approx(exact)
    assert escalation.rise_p_value(0, 50, 0.2) == 1.0
    # Thousands of incidents: summed in logs, no overflow.
    assert 0 <= escalation.rise_p_value(2000, 3000, 0.3) < 1e-10


def test_a_rate_that_doubles_raises_a_frequency_alert(personas: Personas, case) -> None:
    now = timezone.now()
    steady(case, personas, 20, 3, ending=now - dt.timedelta(weeks=4))
    steady(case, personas, 4, 6, ending=now - dt.timedelta(hours=1))
    (alert,) = escalation_check(case)
    assert alert.kind == "frequency"
    assert alert.facts["recent"] == 24 and alert.facts["before"] == 60
    assert "24 in the last 4 weeks" in alert.explanation
    assert "by chance" in alert.explanation and alert.facts["p_value"] < 0.01
    assert escalation_check(case) == []  # raised once


def test_a_steady_log_raises_no_alert(personas: Personas, case) -> None:
    steady(case, personas, 24, 3, ending=timezone.now() - dt.timedelta(hours=2))
    assert escalation.findings(case) == []
    assert escalation_check(case) == []


def test_a_small_wobble_is_not_called_a_rise(personas: Personas, case) -> None:
    now = timezone.now()
    steady(case, personas, 20, 2, ending=now - dt.timedelta(weeks=4))
    steady(case, personas, 4, 3, ending=now - dt.timedelta(hours=2))
    assert "frequency" not in kinds(case)


def test_a_first_home_visit_after_online_contact_is_found(personas: Personas, case) -> None:
    now = timezone.now()
    steady(case, personas, 10, 2, ending=now - dt.timedelta(weeks=1))
    log_at(
        case,
        personas,
        now - dt.timedelta(days=3),
        channel="in_person",
        place_kind="home",
        behaviours=["turning_up"],
        seen="identified",
    )
    found = {finding.kind: finding for finding in escalation.findings(case)}
    assert {"in_person", "home_or_work"} <= set(found)
    assert found["home_or_work"].explanation.startswith("First visit to home, work or school")
    assert "after contact that was only remote" in found["in_person"].explanation


def test_in_person_from_the_start_is_not_a_change(personas: Personas, case) -> None:
    log_at(case, personas, timezone.now() - dt.timedelta(days=2), channel="in_person")
    assert "in_person" not in kinds(case)


def test_a_first_threat_and_violence_are_found(personas: Personas, case) -> None:
    now = timezone.now()
    steady(case, personas, 6, 2, ending=now - dt.timedelta(weeks=2))
    log_at(case, personas, now - dt.timedelta(days=5), behaviours=["threats"])
    log_at(case, personas, now - dt.timedelta(days=1), behaviours=["violence"], channel="in_person")
    assert {"threat", "violence"} <= set(kinds(case))


def test_an_old_first_threat_is_history_not_an_alert(personas: Personas, case) -> None:
    now = timezone.now()
    log_at(case, personas, now - dt.timedelta(weeks=30), behaviours=["threats"])
    steady(case, personas, 10, 2, ending=now - dt.timedelta(days=1))
    assert "threat" not in kinds(case)


def test_a_breach_is_found_by_behaviour_and_by_link_to_an_order(personas: Personas, case) -> None:
    now = timezone.now()
    steady(case, personas, 6, 2, ending=now - dt.timedelta(weeks=2))
    log_at(case, personas, now - dt.timedelta(days=4), behaviours=["order_breach"])
    linked = log_at(case, personas, now - dt.timedelta(days=2))
    order = ProtectiveOrder.objects.create(
        case=case, created_by=personas.advocate, kind="spo", status="granted"
    )
    order.breaches.add(linked)
    breaches = [finding for finding in escalation.findings(case) if finding.kind == "breach"]
    assert len(breaches) == 2
    assert "broken" in breaches[0].explanation


def test_a_new_kind_of_behaviour_is_found(personas: Personas, case) -> None:
    now = timezone.now()
    steady(case, personas, 10, 2, ending=now - dt.timedelta(weeks=1))
    log_at(case, personas, now - dt.timedelta(days=5), behaviours=["tracking"], channel="tracking")
    (finding,) = [f for f in escalation.findings(case) if f.kind == "new_behaviour"]
    assert finding.explanation.startswith("A new kind of behaviour: Tracking where I am")


def test_recording_a_threat_raises_an_alert_for_the_advocate_to_acknowledge(
    personas: Personas, case, django_capture_on_commit_callbacks
) -> None:
    now = timezone.now()
    steady(case, personas, 6, 2, ending=now - dt.timedelta(weeks=2))
    with django_capture_on_commit_callbacks(execute=True):
        log_at(case, personas, now - dt.timedelta(hours=3), behaviours=["threats"])
    alert = EscalationAlert.objects.get(case=case, kind="threat")
    advocate = Client()
    advocate.force_login(personas.advocate)
    home = advocate.get(reverse("home")).content.decode()
    assert "First threat" in home and reverse("risk:screening", args=[case.pk]) in home
    manager = Client()
    manager.force_login(personas.manager)
    assert "First threat" in manager.get(reverse("home")).content.decode()
    other = Client()
    other.force_login(personas.other_advocate)
    assert "First threat" not in other.get(reverse("home")).content.decode()
    url = reverse("insights:acknowledge", args=[case.pk, alert.pk])
    assert advocate.post(url, {"note": ""}).status_code == 200  # a note is needed
    response = advocate.post(url, {"note": "Re-screened with her today: high risk, MARAC."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == personas.advocate and alert.acknowledged_at is not None
    assert b"MARAC" not in bytes(alert.note_sealed)
    assert "First threat" not in advocate.get(reverse("home")).content.decode()
