"""The witness statement draft: the log in the first person, in time order, one paragraph per
incident with its exhibits, for an officer to take and the person to check."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from daybook.incidents import services as log
from daybook.incidents.evidence import check_upload
from daybook.reports import statement
from daybook.reports.chronology import DISCLOSABLE, POLICE, build
from daybook.reports.models import Report
from daybook.reports.services import report_options, report_request
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG
from tests.test_imports_court import chat_with_context  # noqa: F401 (a fixture)
from tests.test_imports_flow import owner  # noqa: F401 (a fixture)
from tests.test_reports import sign_in_fresh

LATER = "He sent forty texts between midnight and two."
EARLIER = entry_values()["what_happened"]
WITHDRAWN = "Logged twice by mistake."


@pytest.fixture
def log_out_of_order(case, personas: Personas):
    """Three entries recorded out of time order, the last withdrawn, each first with a file."""
    later = log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(
            occurred_on="2026-10-09",
            occurred_time="00:05",
            ended_time="02:00",
            what_happened=LATER,
            channel="text_message",
            behaviours=["contacting"],
            place="",
            seen="not_applicable",
            feared_violence=False,
            changed_daily_life=False,
            description="",
            witnesses="",
            feelings="",
        ),
    )
    earlier = log.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values()
    )
    withdrawn = log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(occurred_on="2026-10-01", what_happened=WITHDRAWN),
    )
    for entry, name in ((later, "texts.png"), (earlier, "doorstep.png"), (withdrawn, "x.png")):
        log.evidence_add(
            entry=entry, author=personas.victim, how="victim", checked=check_upload(name, PNG)
        )
    log.entry_withdraw(entry=withdrawn, author=personas.victim, how="victim", reason="Twice")
    case.refresh_from_db()
    return case


def test_one_first_person_paragraph_per_incident_in_time_order_with_its_exhibits(
    log_out_of_order, personas: Personas
) -> None:
    personas.victim.name = "Alex Doe"
    personas.victim.save()
    log_out_of_order.refresh_from_db()
    draft = statement.build(log_out_of_order, personas.advocate)
    chronology = build(log_out_of_order, profile=POLICE, produced_by=personas.advocate)
    references = {row.content["what_happened"]: row.exhibits for row in chronology.rows}

    assert (draft.name, draft.age) == ("Alex Doe", "Over 18")
    first, second = draft.paragraphs  # never the withdrawn entry
    assert first.text.startswith(
        "On Friday 2 October 2026 at 21:30, at Outside the front door. " + EARLIER
    )
    assert "I saw them and know who it was." in first.text
    assert "I was afraid they would use violence against me." in first.text
    assert "How it made me feel: Frightened to go out. I was" in first.text
    assert second.text.startswith("On Friday 9 October 2026 between 00:05 and 02:00. " + LATER)
    # The exhibits carry the chronology's references, and each paragraph produces its own.
    assert first.exhibits == references[EARLIER] and second.exhibits == references[LATER]
    assert f"I produce doorstep.png as exhibit {first.exhibits[0]}." in first.text
    assert [reference for reference, _ in draft.exhibits] == first.exhibits + second.exhibits
    assert draft.exhibits[0][1] == "doorstep.png, kept with the entry of Fri 02 Oct 2026 21:30"
    # Nothing of the withdrawn entry, and never the details to keep private.
    text = " ".join(paragraph.text for paragraph in draft.paragraphs)
    assert WITHDRAWN not in text and "x.png" not in text
    assert entry_values()["private_details"] not in text


def test_the_witness_name_asked_for_wins_and_a_child_gives_their_age(
    case, personas: Personas
) -> None:
    from daybook.cases.services import case_details_save

    case_details_save(
        case=case,
        actor=personas.advocate,
        client={"name": "Alex Doe", "date_of_birth": "2010-01-01", "occupation": "Student"},
    )
    case.refresh_from_db()
    draft = statement.build(case, personas.advocate)
    assert (draft.name, draft.occupation) == ("Alex Doe", "Student")
    assert draft.age.isdigit() and int(draft.age) < 18
    assert statement.build(case, personas.advocate, witness_name="Alexandra Doe").name == (
        "Alexandra Doe"
    )


def test_messages_kept_as_context_are_never_in_the_statement(
    chat_with_context,  # noqa: F811 (a fixture)
    personas: Personas,
) -> None:
    draft = statement.build(chat_with_context, personas.victim)
    text = " ".join(paragraph.text for paragraph in draft.paragraphs)
    assert len(draft.paragraphs) == 4
    assert "Stop contacting me" not in text
    assert "I know you\u2019re home" in text


def test_a_statement_is_built_only_from_the_police_profile(case, personas: Personas) -> None:
    disclosable = build(case, profile=DISCLOSABLE, produced_by=personas.advocate)
    with pytest.raises(ValueError, match="police profile only"):
        statement.build(case, personas.advocate, built=disclosable)
    report = report_request(
        case=case, actor=personas.advocate, kind=Report.Kind.STATEMENT, profile=DISCLOSABLE
    )
    assert report.profile == POLICE


def test_the_person_asks_for_a_statement_draft_from_the_reports_page(
    log_out_of_order, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    client = sign_in_fresh(personas.victim)
    home = client.get(reverse("reports:home", args=[log_out_of_order.pk])).content.decode()
    url = reverse("reports:statement", args=[log_out_of_order.pk])
    assert url in home
    page = client.get(url).content.decode()
    assert "It is a draft" in page and "only then signs it" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"witness_name": "  Alexandra   Doe "})
    report = log_out_of_order.reports.get()
    assert response["Location"] == reverse("reports:status", args=[log_out_of_order.pk, report.pk])
    assert (report.kind, report.profile) == ("statement", POLICE)
    assert report_options(report) == {"witness_name": "Alexandra Doe"}
    assert report.status == Report.Status.DONE, report.error
    download = client.get(reverse("reports:download", args=[log_out_of_order.pk, report.pk]))
    text = pdf_text(download.content)
    assert "DRAFT" in text and "Alexandra Doe" in text
    assert text.index(EARLIER) < text.index(LATER)
    references = build(log_out_of_order, profile=POLICE, produced_by=personas.victim).exhibits
    for exhibit in references[:2]:
        assert exhibit.reference in text
    assert WITHDRAWN not in text and entry_values()["private_details"] not in text


def pdf_text(data: bytes) -> str:
    """The PDF's text with its line breaks taken out, so a paragraph reads as one line."""
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )
