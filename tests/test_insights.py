"""The patterns page of a log: what it counts, who sees which version, and imported messages."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daybook.imports import services as imports
from daybook.insights import patterns
from daybook.ui import charts
from tests.conftest import Personas
from tests.test_escalation import LONDON, log_at, steady


def page(user, case) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("insights:patterns", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def friday_nights(case, personas: Personas, weeks: int) -> None:
    today = timezone.now().astimezone(LONDON).date()
    friday = today - dt.timedelta(days=(today.weekday() - 4) % 7 + 7)
    for week in range(weeks):
        night = friday - dt.timedelta(weeks=week)
        for day, hour, minute in (
            (night, 22, 30),
            (night, 23, 15),
            (night + dt.timedelta(1), 0, 45),
        ):
            when = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
            log_at(case, personas, when, channel="in_person", place_kind="public_place")


def test_a_friday_night_rhythm_is_found_and_shown(personas: Personas, case) -> None:
    friday_nights(case, personas, 6)
    log_at(case, personas, timezone.now() - dt.timedelta(days=40))  # one at another time
    finding = patterns.rhythm_finding(patterns.rhythm(case))
    assert finding == (
        "18 of the 19 incidents with a time (95%) happened on Fridays between 22:00 and 02:00."
    )
    assert finding in page(personas.advocate, case)


def test_no_rhythm_is_claimed_for_scattered_incidents(personas: Personas, case) -> None:
    start = timezone.now() - dt.timedelta(days=30)
    for day in range(28):  # a different weekday and hour each time
        log_at(case, personas, start + dt.timedelta(days=day, hours=(day * 5) % 24))
    assert patterns.rhythm_finding(patterns.rhythm(case)) is None


def test_the_page_counts_what_the_log_holds(personas: Personas, case) -> None:
    now = timezone.now()
    steady(case, personas, 4, 2, ending=now - dt.timedelta(days=3))
    log_at(case, personas, now - dt.timedelta(days=2), channel="in_person", place_kind="home",
           behaviours=["turning_up", "watching"], feared_violence=True)  # fmt: skip
    html = page(personas.advocate, case)
    assert '<dd class="govuk-summary-list__value">9</dd>' in html
    assert 'data-testid="days-since-last">2<' in html
    # Charts carry a title and a description, and their numbers come as tables too.
    assert html.count('role="img"') == 4 and "<desc>" in html
    assert "Incidents per week as a table" in html
    assert "Loitering (s.2A(3)(e))" in html and "Watching or spying (s.2A(3)(g))" in html
    assert "First visit to home, work or school" in html
    weeks = patterns.weekly(case)
    assert sum(count for _week, count in weeks) == 9
    assert patterns.overview(case).places[0] == ("Online", 8)


def test_the_person_sees_a_gentler_page_without_alerts(personas: Personas, case) -> None:
    from daybook.insights.models import EscalationAlert

    log_at(case, personas, timezone.now() - dt.timedelta(days=1), behaviours=["threats"])
    EscalationAlert.objects.create(
        case=case, kind="threat", signature="t", facts={"on": "2026-11-01"}
    )
    html = page(personas.victim, case)
    assert "Your log over time" in html and "First threat" not in html
    assert "Signs of escalation" not in html and "by chance" not in html
    assert "Signs of escalation" in page(personas.advocate, case)


def test_people_without_the_case_get_not_found(personas: Personas, case) -> None:
    url = reverse("insights:patterns", args=[case.pk])
    for user in (
        personas.other_advocate,
        personas.commissioner,
        personas.police,
        personas.outsider,
    ):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_imported_night_messages_feed_the_analysis(
    personas: Personas, case, django_capture_on_commit_callbacks
) -> None:
    night = (timezone.now() - dt.timedelta(days=2)).astimezone(LONDON).date()
    stamp = f"{night:%d/%m/%Y}"
    lines = [
        f"{stamp}, 0{hour}:{minute:02d} - Sam Ex: you up?"
        for hour in (1, 2, 3)
        for minute in range(0, 60, 4)
    ]
    lines += [f"{stamp}, 01:07 - Sam Ex: Missed voice call", f"{stamp}, 09:00 - Me: stop"]
    job = imports.import_upload(
        case=case, actor=personas.victim, name="chat.txt", data=("\n".join(lines) + "\n").encode()
    )
    imports.import_configure(
        job=job,
        options={"stalkers": ["Sam Ex"], "time_zone": "Europe/London", "date_order": "dmy"},
        actor=job.created_by,
    )
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_run(job)
    night_contact = patterns.overview(case).night
    assert (night_contact.messages, night_contact.calls) == (45, 1)
    assert night_contact.sentence().startswith("45 messages and 1 call between 00:00 and 05:00")
    assert "45 messages and 1 call between 00:00 and 05:00" in page(personas.victim, case)
    assert "Messaging app" in page(personas.advocate, case)


def test_chart_labels_are_escaped() -> None:
    chart = charts.bars("<b>", ["<script>x</script>"], [3], description='"quoted" & more')
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert "<title>&lt;b&gt;</title>" in chart.svg and "&quot;quoted&quot; &amp; more" in chart.svg
    assert chart.data_uri.startswith("data:image/svg+xml;base64,")


def test_the_person_reaches_their_patterns_from_their_home_page(personas: Personas, case) -> None:
    client = Client()
    client.force_login(personas.victim)
    home = client.get(reverse("home")).content.decode()
    assert reverse("insights:patterns", args=[case.pk]) in home and "Your log over time" in home
