"""Smaller faults found by trying Daybook as people use it: statistics that say whom they leave
out, chart axes, dates read from photos, empty uploads, plural words, helplines and the
partner's advice page."""

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from daybook.insights import statistics
from daybook.ui import charts
from tests.conftest import Personas
from tests.test_service_statistics import build, person


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Statistics say whom they leave out ---------------------------------------------------


def test_people_without_consent_are_counted_as_left_out(personas: Personas) -> None:
    for _ in range(5):
        person(personas, personas.service)
    for _ in range(6):
        person(personas, personas.service, consent=False)
    person(personas, personas.service, withdrawn=True)
    person(personas, personas.other_service, consent=False)  # another service's person
    found = build(personas)
    assert found.left_out == 7
    assert found.left_out_sentence == (
        "7 people were left out because they have not agreed to be counted in statistics."
    )


def test_left_out_is_suppressed_under_five_like_any_count(personas: Personas) -> None:
    for _ in range(5):
        person(personas, personas.service)
    assert build(personas).left_out == 0
    assert "Nobody" in build(personas).left_out_sentence
    person(personas, personas.service, consent=False)
    found = build(personas)
    assert found.left_out == statistics.SUPPRESSED
    assert found.left_out_sentence == (
        "Fewer than 5 people were left out because they have not agreed to be counted in "
        "statistics."
    )


def test_the_page_csv_and_pdf_say_who_was_left_out(personas: Personas) -> None:
    from tests.test_accounts import reauthenticate, sign_in_with_mfa

    for _ in range(5):
        person(personas, personas.service, consent=False)
    sentence = "5 people were left out because they have not agreed to be counted in statistics."
    page = client_for(personas.manager).get(reverse("insights:statistics")).content.decode()
    assert sentence in page
    client = Client()
    sign_in_with_mfa(client, personas.manager)
    reauthenticate(client)
    rows = list(csv.reader(io.StringIO(client.get(reverse("insights:statistics_csv")).text)))
    assert ["Left out", sentence] in rows
    document = client.get(reverse("insights:statistics_pdf")).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    assert sentence in " ".join(text.split())


# --- Chart axes ------------------------------------------------------------------------


@pytest.mark.parametrize("largest", [*range(0, 60), 99, 100, 101, 456, 999, 1234, 87_654])
def test_axis_ticks_are_whole_evenly_spaced_and_reach_the_largest(largest: int) -> None:
    scale = charts.ticks(largest)
    step = scale[1] - scale[0]
    assert scale[0] == 0 and scale[-1] >= largest
    assert all(b - a == step for a, b in zip(scale, scale[1:], strict=False))
    assert re.fullmatch(r"[125]0*", str(step)), step  # 1, 2, 5, 10, 20, 50…
    assert len(scale) <= 6
    assert scale[-1] - step < max(largest, 1)  # no empty step above the tallest bar


def test_small_and_large_axes_read_as_people_expect() -> None:
    assert charts.ticks(3) == [0, 1, 2, 3]
    assert charts.ticks(0) == [0, 1]
    assert charts.ticks(17) == [0, 5, 10, 15, 20]
    assert charts.ticks(456) == [0, 100, 200, 300, 400, 500]


def test_a_chart_of_three_is_labelled_0_1_2_3() -> None:
    chart = charts.bars("Incidents per week", ["a", "b"], [1, 3], description="d")
    labels = re.findall(r'text-anchor="end"[^>]*>(\d+)</text>', str(chart))
    assert labels == ["0", "1", "2", "3"]
    stacked = charts.stacked_bars("By kind", ["a"], {"x": [7], "y": [5]}, description="d")
    labels = re.findall(r'text-anchor="end"[^>]*>(\d+)</text>', str(stacked))
    assert labels == ["0", "5", "10", "15"]


# --- Photo dates and empty uploads -------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("2026:11:21 22:04:10", "21 November 2026 at 22:04"),
        ("2026:01:02 07:05:00\x00", "2 January 2026 at 07:05"),
        ("2026:11:21", "21 November 2026"),
        ("not a date", "not a date"),  # the photo's own claim is kept when unreadable
    ],
)
def test_photo_dates_read_as_people_write_them(raw: str, shown: str) -> None:
    from daybook.incidents.evidence import taken_display

    assert taken_display(raw) == shown


def test_the_entry_page_shows_a_photos_date_in_words(personas: Personas, case, entry) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_evidence import jpeg_with_exif

    client = client_for(personas.victim)
    url = reverse("incidents:evidence_upload", args=[case.pk, entry.pk])
    photo = SimpleUploadedFile("door.jpg", jpeg_with_exif(), "image/jpeg")
    html = client.post(url, {"file": photo}, follow=True).content.decode()
    assert "2 October 2026 at 21:31" in html and "2026:10:02" not in html


def test_an_upload_with_no_file_says_choose_a_file(personas: Personas, case, entry) -> None:
    from daybook.incidents.models import Evidence

    client = client_for(personas.victim)
    url = reverse("incidents:evidence_upload", args=[case.pk, entry.pk])
    response = client.post(url, {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and 'href="#id_file">Choose a file to add</a>' in html
    assert "<title>Error: " in html
    assert not Evidence.objects.exists()


# --- Words that agree with their numbers -------------------------------------------------


def test_one_month_and_one_incident_are_singular() -> None:
    from daybook.reports.forms import VpsForm

    form = VpsForm(facts={"count": 1, "months": 1})
    first = str(next(iter(form.fields.values())).help_text)
    assert first.startswith("Your log has 1 incident over about 1 month. ")
    form = VpsForm(facts={"count": 12, "months": 3})
    assert str(next(iter(form.fields.values())).help_text).startswith(
        "Your log has 12 incidents over about 3 months. "
    )


def test_an_empty_log_is_not_called_all_0_records(personas: Personas, case) -> None:
    html = client_for(personas.victim).get(reverse("incidents:log", args=[case.pk])).text
    assert "All 0" not in html and "0 records" not in html
    assert "There is nothing in this log to check yet." in html


def test_an_import_not_yet_started_says_getting_ready(personas: Personas, case) -> None:
    from daybook.imports.models import ImportJob
    from tests.test_imports_flow import CHAT, upload

    client = client_for(personas.victim)
    upload(client, case, CHAT)
    job = ImportJob.objects.get()
    job.status = ImportJob.Status.QUEUED
    job.save()
    html = client.get(reverse("imports:job", args=[case.pk, job.pk])).text
    assert "Getting ready…" in html
    assert "0%" not in html and "0 of 0" not in html
    job.status, job.added, job.already_there = ImportJob.Status.DONE, 0, 1
    job.save()
    html = client.get(reverse("imports:job", args=[case.pk, job.pk])).text
    assert "Nothing new to add" in html and "1 was already in your log" in html


def test_chart_descriptions_and_pack_sentences_agree_with_their_numbers() -> None:
    import datetime as dt

    week = dt.date(2026, 11, 2)
    assert charts.weekly_chart([(week, 1)]).description.startswith("1 incident over 1 week;")
    assert charts.weekly_chart(
        [(week, 2), (week + dt.timedelta(weeks=1), 0)]
    ).description.startswith("2 incidents over 2 weeks;")
    from daybook.insights.escalation import explain

    sentence = explain(
        "frequency", {"p_value": 0.0012, "recent": 9, "expected": 2, "before": 20,
                      "since": "2026-01-01"},
    )  # fmt: skip
    assert "about 1 time in 1,000" in sentence


def test_the_import_preview_names_one_message_in_the_singular() -> None:
    from daybook.imports.forms import ChoicesForm

    form = ChoicesForm(summary={"participants": [("Sam Ex", 1), ("Me", 2)]})
    assert list(form.fields["stalkers"].choices) == [
        ("Sam Ex", "Sam Ex (1 message)"),
        ("Me", "Me (2 messages)"),
    ]


# --- National helplines on Get help ------------------------------------------------------


NATIONAL = [
    ("National Stalking Helpline", "0808 802 0300"),
    ("National Domestic Abuse Helpline", "0808 2000 247"),
    ("Victim Support", "0808 16 89 111"),
    ("Galop", "0800 999 5428"),
    ("Karma Nirvana", "0800 5999 247"),
    ("Paladin", "020 3866 4107"),
]


def test_get_help_lists_the_national_helplines_and_the_self_referral(db) -> None:
    from django.conf import settings

    from daybook.public.helplines import DEFAULT

    assert settings.DAYBOOK_HELPLINES == DEFAULT  # the default list, with no file named
    html = Client().get(reverse("public:get_help")).text
    for name, phone in NATIONAL:
        assert name in html and phone in html
        assert f'href="tel:{phone.replace(" ", "")}"' in html
    assert f'href="{reverse("cases:refer_yourself")}"' in html


def test_an_operators_own_list_replaces_the_defaults(db, settings, tmp_path) -> None:
    from daybook.public.helplines import load

    own = tmp_path / "helplines.json"
    own.write_text(
        json.dumps(
            [
                {
                    "name": "Northshire Night Line",
                    "phone": "+44 1234 567 890",
                    "hours": "Every night, 8pm to 8am",
                    "about": "For anyone in Northshire.",
                    "website": "https://night.example",
                }
            ]
        )  # fmt: skip
    )
    settings.DAYBOOK_HELPLINES = load(str(own))
    html = Client().get(reverse("public:get_help")).text
    assert "Northshire Night Line" in html and 'href="tel:+441234567890"' in html
    assert "Every night, 8pm to 8am" in html and 'href="https://night.example"' in html
    assert "Karma Nirvana" not in html
    settings.DAYBOOK_HELPLINES = []
    assert "National helplines" not in Client().get(reverse("public:get_help")).text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"name": "x"}', "JSON list"),
        ('[{"name": "A", "phone": "1"}]', "helpline 1 needs hours, about"),
        ('[{"name": "A", "phone": "1", "hours": "h", "about": "a", "fax": "2"}]', "unknown keys"),
        (
            '[{"name": "A", "phone": "1", "hours": "h", "about": "a", "website": "javascript:x"}]',
            "must start with https://",
        ),
    ],
)
def test_a_mistake_in_the_helplines_file_stops_start_up_saying_what(
    tmp_path, content: str, message: str
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from daybook.public.helplines import load

    path = tmp_path / "helplines.json"
    path.write_text(content)
    with pytest.raises(ImproperlyConfigured, match=message):
        load(str(path))
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        load(str(tmp_path / "missing.json"))


# --- The partner's advice page ------------------------------------------------------------


REQUEST = {
    "organisation_kind": "housing",
    "question": "Should we move our tenant?",
    "situation": "A former partner waits outside the flat most evenings.",
    "contact": "01234 567890, weekday mornings",
}


def test_a_partner_is_asked_only_what_a_partner_would_give(personas: Personas) -> None:
    html = client_for(personas.partner).get(reverse("cases:consultations")).text
    assert "Advice given" not in html and "Time spent" not in html
    assert "Case reference" not in html and 'name="minutes"' not in html
    for label in ("What would you like advice about?", "What is happening?",
                  "How can an advocate reach you?"):  # fmt: skip
        assert label in html
    advocate = client_for(personas.advocate).get(reverse("cases:consultations")).text
    assert "Advice given" in advocate and "Time spent (minutes)" in advocate


def test_a_blank_request_for_advice_says_what_is_missing(personas: Personas) -> None:
    from daybook.cases.models import Consultation

    html = client_for(personas.partner).post(reverse("cases:consultations"), {}).text
    assert "govuk-error-summary" in html
    assert "Say what you would like advice about" in html
    assert "Say how an advocate can reach you" in html
    assert not Consultation.objects.exists()


def test_advice_given_by_an_advocate_shows_on_the_partners_page(personas: Personas) -> None:
    from daybook.audit.models import Action, AuditEvent
    from daybook.cases.models import Consultation

    partner = client_for(personas.partner)
    assert partner.post(reverse("cases:consultations"), REQUEST).status_code == 302
    item = Consultation.objects.get()
    assert item.requested_by == personas.partner and item.advisor is None
    assert item.organisation_name == personas.partner.organisation.name
    assert b"waits outside" not in bytes(item.sealed)
    assert "Not given yet" in partner.get(reverse("cases:consultations")).text

    advise_url = reverse("cases:consultation_advise", args=[item.pk])
    advocate = client_for(personas.advocate)
    page = advocate.get(reverse("cases:consultations")).text
    assert "waits outside the flat" in page and f'href="{advise_url}"' in page
    # Nobody outside the service answers it, and the partner cannot answer their own.
    assert client_for(personas.other_advocate).get(advise_url).status_code == 404
    assert partner.get(advise_url).status_code == 403
    assert "Write the advice given" in advocate.post(advise_url, {"minutes": 5}).text
    answer = {"advice": "Apply for a management transfer; keep a log.", "minutes": 25}
    assert advocate.post(advise_url, answer).status_code == 302
    item.refresh_from_db()
    assert item.advisor == personas.advocate and item.minutes == 25
    assert AuditEvent.objects.filter(action=Action.CONSULTATION_SAVED, actor=personas.advocate)
    html = partner.get(reverse("cases:consultations")).text
    assert "Apply for a management transfer; keep a log." in html
    assert "25 minute" not in html  # the advocate's time is their own record
    assert advocate.get(advise_url).status_code == 404  # answered once
